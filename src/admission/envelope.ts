/**
 * The observation and action envelope of an admission trial: for every
 * element of the policy's input and output, the range a working policy on
 * this robot can produce, derived from the robot and the policy config alone
 * (never from the run being judged):
 *
 *   base_ang_vel        ± the base rate bound (rad/s) × scale
 *   projected_gravity   a base tilted at most maxTilt: x, y ∈ ±sin θ, z ∈ [−1, −cos θ] (× scale)
 *   velocity_command    the term's command ranges (× scale); unbounded without ranges
 *   joint_pos_rel       [lower − margin − default, upper + margin − default] (URDF limits) × scale
 *   joint_vel           ± the URDF velocity limit × scale
 *   last_action         raw/clipped: the actions whose target (a·scale + offset) lies within the
 *                       joint limits ± the target margin; processed: that target itself
 *   phase, ori6d        [−1, 1];  time_step ≥ 0;  reference terms as the joint terms;  latent unbounded
 *
 * The action (the raw network output) has the last_action raw envelope. Every
 * history frame of a term is checked; a policy tick counts against a term when
 * any of its elements is outside. A wrong convention that makes the robot
 * flail shows up here (joint velocities, tilt, actions far beyond the joint
 * range); a wrong scale that keeps the robot upright does not (its envelope
 * is scaled by the same config) — the tracking criterion catches that.
 */
import type { ObservationTerm } from '../policy/observation-spec.js';

export interface EnvelopeLimits {
  /** Maximum base angular rate per axis, rad/s. */
  maxBaseAngVelRadps: number;
  /** Maximum base tilt, rad. */
  maxTiltRad: number;
  /** Margin beyond the joint limits for joint positions, rad. */
  jointMarginRad: number;
  /** Margin beyond the joint limits for action targets, rad. */
  targetMarginRad: number;
}

export interface EnvelopeContext {
  /** The observation terms in vector order (after `termOrder`). */
  terms: readonly ObservationTerm[];
  historyLayout: 'term_major' | 'frame_major';
  /** Policy joint order. */
  joints: readonly string[];
  /** URDF limits in the policy's joint order: rad, rad, rad/s. */
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  velocity: ArrayLike<number>;
  defaultJointPos: ArrayLike<number>;
  /** The action map: target = clip(a) · scale + offset. */
  action: { scale: ArrayLike<number>; offset: ArrayLike<number> };
  limits: EnvelopeLimits;
}

export interface Envelope {
  /** Per observation element. */
  lo: Float64Array;
  hi: Float64Array;
  /** Term index (in `termNames`) of each element. */
  termOf: Int32Array;
  /** Label of each element (`joint_vel[left_knee_joint]`, frame k of its history). */
  label: string[];
  termNames: string[];
  /** Per action element (raw network output). */
  actionLo: Float64Array;
  actionHi: Float64Array;
}

const AXES = ['x', 'y', 'z'];

/** Physical bounds and labels of one frame of a term (before scale). */
function frameBounds(t: ObservationTerm, c: EnvelopeContext): { lo: number[]; hi: number[]; names: string[] } {
  const n = c.joints.length;
  const L = c.limits;
  const lo: number[] = [];
  const hi: number[] = [];
  const names: string[] = [];
  const add = (l: number, h: number, name: string): void => {
    lo.push(l);
    hi.push(h);
    names.push(name);
  };
  const jointPos = (prefix = ''): void => {
    for (let j = 0; j < n; j++) add(c.lower[j]! - L.jointMarginRad, c.upper[j]! + L.jointMarginRad, `${prefix}${c.joints[j]}`);
  };
  const jointVel = (prefix = ''): void => {
    for (let j = 0; j < n; j++) {
      const v = c.velocity[j]! > 0 ? c.velocity[j]! : Infinity;
      add(-v, v, `${prefix}${c.joints[j]}`);
    }
  };
  switch (t.source) {
    case 'base_ang_vel':
      for (const a of AXES) add(-L.maxBaseAngVelRadps, L.maxBaseAngVelRadps, a);
      break;
    case 'projected_gravity': {
      const s = Math.sin(Math.min(L.maxTiltRad, Math.PI / 2));
      add(-s, s, 'x');
      add(-s, s, 'y');
      add(-1, -Math.cos(L.maxTiltRad), 'z');
      break;
    }
    case 'velocity_command': {
      const r = t.ranges ?? [[-Infinity, Infinity], [-Infinity, Infinity], [-Infinity, Infinity]];
      const axes = t.components === 'linear' ? [0, 1] : t.components === 'angular' ? [2] : [0, 1, 2];
      for (const a of axes) add(r[a]![0], r[a]![1], ['vx', 'vy', 'wz'][a]!);
      break;
    }
    case 'joint_pos_rel':
      for (let j = 0; j < n; j++) {
        add(c.lower[j]! - L.jointMarginRad - c.defaultJointPos[j]!, c.upper[j]! + L.jointMarginRad - c.defaultJointPos[j]!, c.joints[j]!);
      }
      break;
    case 'joint_vel':
    case 'reference_joint_vel':
      jointVel();
      break;
    case 'reference_joint_pos':
      jointPos();
      break;
    case 'motion_command':
      jointPos('pos ');
      jointVel('vel ');
      break;
    case 'last_action': {
      const b = actionBounds(c);
      for (let j = 0; j < n; j++) {
        if (t.mode === 'processed') add(c.lower[j]! - L.targetMarginRad, c.upper[j]! + L.targetMarginRad, c.joints[j]!);
        else add(b.lo[j]!, b.hi[j]!, c.joints[j]!);
      }
      break;
    }
    case 'phase': {
      const w = (t.output === 'sin' || t.output === 'cos' ? 1 : 2) * t.feet;
      for (let k = 0; k < w; k++) add(-1, 1, String(k));
      break;
    }
    case 'time_step':
      add(0, Infinity, 't');
      break;
    case 'reference_anchor_ori6d':
      for (let k = 0; k < 6; k++) add(-1, 1, String(k));
      break;
    case 'context_latent':
      for (let k = 0; k < t.width; k++) add(-Infinity, Infinity, String(k));
      break;
  }
  return { lo, hi, names };
}

/** The raw actions whose target lies within the joint limits ± the target margin. */
function actionBounds(c: EnvelopeContext): { lo: Float64Array; hi: Float64Array } {
  const n = c.joints.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const m = c.limits.targetMarginRad;
  for (let j = 0; j < n; j++) {
    const s = c.action.scale[j]!;
    const o = c.action.offset[j]!;
    if (s === 0) {
      lo[j] = -Infinity;
      hi[j] = Infinity;
      continue;
    }
    const a = (c.lower[j]! - m - o) / s;
    const b = (c.upper[j]! + m - o) / s;
    lo[j] = Math.min(a, b);
    hi[j] = Math.max(a, b);
  }
  return { lo, hi };
}

/** Float32 observations: a value on a bound may round past it. */
const slack = (b: number): number => 1e-5 * Math.max(1, Math.abs(b));

/** The envelope of every observation element (in the vector's layout) and of the action. */
export function buildEnvelope(c: EnvelopeContext): Envelope {
  const frames = c.terms.map((t) => {
    const f = frameBounds(t, c);
    const scale = t.scale;
    const lo = f.lo.map((l, i) => {
      const s = typeof scale === 'number' ? scale : scale[i]!;
      return Math.min(l * s, f.hi[i]! * s);
    });
    const hi = f.hi.map((h, i) => {
      const s = typeof scale === 'number' ? scale : scale[i]!;
      return Math.max(f.lo[i]! * s, h * s);
    });
    // 0 · ∞ is NaN: an unbounded element with a zero scale is exactly 0
    return { lo: lo.map((v) => (Number.isNaN(v) ? 0 : v - slack(v))), hi: hi.map((v) => (Number.isNaN(v) ? 0 : v + slack(v))), names: f.names, history: t.history };
  });
  const width = frames.reduce((s, f) => s + f.lo.length * f.history, 0);
  const env: Envelope = {
    lo: new Float64Array(width),
    hi: new Float64Array(width),
    termOf: new Int32Array(width),
    label: new Array<string>(width),
    termNames: c.terms.map((t) => t.name),
    ...(() => {
      const b = actionBounds(c);
      return { actionLo: b.lo, actionHi: b.hi };
    })(),
  };
  const put = (at: number, ti: number, k: number, i: number): void => {
    const f = frames[ti]!;
    env.lo[at] = f.lo[i]!;
    env.hi[at] = f.hi[i]!;
    env.termOf[at] = ti;
    env.label[at] = `${c.terms[ti]!.name}[${f.names[i]}]${f.history > 1 ? ` (history frame ${k})` : ''}`;
  };
  let at = 0;
  if (c.historyLayout === 'term_major') {
    frames.forEach((f, ti) => {
      for (let k = 0; k < f.history; k++) for (let i = 0; i < f.lo.length; i++) put(at++, ti, k, i);
    });
  } else {
    const h = frames[0]?.history ?? 1;
    for (let k = 0; k < h; k++) frames.forEach((f, ti) => {
      for (let i = 0; i < f.lo.length; i++) put(at++, ti, k, i);
    });
  }
  return env;
}

/** Out-of-envelope counts of one term (or the action). */
export interface EnvelopeTermReport {
  term: string;
  /** Policy ticks with at least one element outside. */
  outTicks: number;
  ticks: number;
  /** The element furthest outside (relative to its range's width), with its value and range. */
  worst: { label: string; value: number; lo: number; hi: number } | null;
}

/** Counts, per policy tick, the terms with an element outside the envelope. */
export class EnvelopeMonitor {
  private readonly outTicks: Int32Array;
  private readonly hit: Uint8Array;
  private readonly worstExcess: Float64Array;
  private readonly worstAt: Int32Array;
  private readonly worstValue: Float64Array;
  private ticks = 0;
  private actionOutTicks = 0;
  private actionWorst = { excess: 0, j: -1, value: 0 };

  constructor(readonly envelope: Envelope) {
    const nt = envelope.termNames.length;
    this.outTicks = new Int32Array(nt);
    this.hit = new Uint8Array(nt);
    this.worstExcess = new Float64Array(nt);
    this.worstAt = new Int32Array(nt).fill(-1);
    this.worstValue = new Float64Array(nt);
  }

  /** One policy tick: the observation the policy saw and the raw action it produced. */
  sample(obs: ArrayLike<number>, action: ArrayLike<number>): void {
    const e = this.envelope;
    this.ticks++;
    this.hit.fill(0);
    for (let i = 0; i < e.lo.length; i++) {
      const v = obs[i]!;
      const lo = e.lo[i]!;
      const hi = e.hi[i]!;
      if (v >= lo && v <= hi) continue;
      const t = e.termOf[i]!;
      this.hit[t] = 1;
      const excess = Number.isFinite(v) ? (v < lo ? lo - v : v - hi) / Math.max(1e-9, Math.min(hi - lo, 1e9)) : Infinity;
      if (excess > this.worstExcess[t]!) {
        this.worstExcess[t] = excess;
        this.worstAt[t] = i;
        this.worstValue[t] = v;
      }
    }
    for (let t = 0; t < this.hit.length; t++) this.outTicks[t]! += this.hit[t]!;
    let out = false;
    for (let j = 0; j < e.actionLo.length; j++) {
      const v = action[j]!;
      const lo = e.actionLo[j]!;
      const hi = e.actionHi[j]!;
      if (v >= lo && v <= hi) continue;
      out = true;
      const excess = Number.isFinite(v) ? (v < lo ? lo - v : v - hi) / Math.max(1e-9, Math.min(hi - lo, 1e9)) : Infinity;
      if (excess > this.actionWorst.excess) this.actionWorst = { excess, j, value: v };
    }
    if (out) this.actionOutTicks++;
  }

  /** Per term, then the action (named `action`). */
  report(joints: readonly string[]): EnvelopeTermReport[] {
    const e = this.envelope;
    const terms = e.termNames.map((term, t) => {
      const i = this.worstAt[t]!;
      return { term, outTicks: this.outTicks[t]!, ticks: this.ticks, worst: i < 0 ? null : { label: e.label[i]!, value: this.worstValue[t]!, lo: e.lo[i]!, hi: e.hi[i]! } };
    });
    const j = this.actionWorst.j;
    terms.push({
      term: 'action',
      outTicks: this.actionOutTicks,
      ticks: this.ticks,
      worst: j < 0 ? null : { label: `action[${joints[j]}]`, value: this.actionWorst.value, lo: e.actionLo[j]!, hi: e.actionHi[j]! },
    });
    return terms;
  }
}
