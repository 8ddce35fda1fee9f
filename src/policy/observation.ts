/**
 * The observation assembler: turns the latest robot state (plain typed
 * arrays, in the policy's joint order) into the policy's input vector,
 * following an {@link ObservationSpec}. Built once; `assemble` allocates
 * nothing.
 *
 * Per tick, for each term: read the source → clip/scale (per `clipOrder`) →
 * push into the term's history ring (the first frame fills the whole ring
 * when `historyInit` is `repeat_first`) → write rings into the output in the
 * configured layout (`term_major`: term by term, each term's frames in
 * `historyOrder`; `frame_major`: frame by frame, all terms per frame).
 */
import { projectedGravityXyzw, relativeOri6dXyzw } from './orientation.js';
import {
  checkObservationSpec,
  observationWidth,
  orderedTerms,
  termWidth,
  type ObservationSpec,
  type ObservationTerm,
} from './observation-spec.js';

/** The state an observation is made from. Joint arrays are in the policy's joint order. */
export interface ObservationInputs {
  /** IMU gyro in the base frame, rad/s [3]. */
  baseAngVel: Float64Array;
  /** Base orientation quaternion, x, y, z, w [4] (ROS Imu order). */
  baseQuatXyzw: Float64Array;
  /** Commanded base velocity: vx m/s, vy m/s, yaw rate rad/s [3]. */
  velocityCommand: Float64Array;
  /** Joint positions, rad [n]. */
  jointPos: Float64Array;
  /** Joint velocities, rad/s [n]. */
  jointVel: Float64Array;
  /** Last network output as produced [n]. */
  lastActionRaw: Float64Array;
  /** Last network output after the action clip [n]. */
  lastActionClipped: Float64Array;
  /** Last joint target, rad [n]. */
  lastActionProcessed: Float64Array;
  /** Reference motion joint positions, rad [n]. */
  referenceJointPos: Float64Array;
  /** Reference motion joint velocities, rad/s [n]. */
  referenceJointVel: Float64Array;
  /** Reference root position (world), m [3]. */
  referenceRootPos: Float64Array;
  /** Reference root orientation (world), x, y, z, w [4]. */
  referenceRootQuatXyzw: Float64Array;
  /** Reference anchor body orientation (world, start-yaw aligned to the robot), x, y, z, w [4]. */
  referenceAnchorQuatXyzw: Float64Array;
  /** Robot anchor body orientation (world), x, y, z, w [4]. */
  robotAnchorQuatXyzw: Float64Array;
  /** Context latent from the adaptation module [latentWidth]. */
  contextLatent: Float64Array;
  /** Policy ticks since the policy started. */
  step: number;
  /** Policy time since start, s (step × policy period). */
  timeS: number;
}

/** Allocates inputs for `nJoints` policy joints (upright, zero state). */
export function createObservationInputs(nJoints: number, latentWidth = 0): ObservationInputs {
  return {
    baseAngVel: new Float64Array(3),
    baseQuatXyzw: Float64Array.of(0, 0, 0, 1),
    velocityCommand: new Float64Array(3),
    jointPos: new Float64Array(nJoints),
    jointVel: new Float64Array(nJoints),
    lastActionRaw: new Float64Array(nJoints),
    lastActionClipped: new Float64Array(nJoints),
    lastActionProcessed: new Float64Array(nJoints),
    referenceJointPos: new Float64Array(nJoints),
    referenceJointVel: new Float64Array(nJoints),
    referenceRootPos: new Float64Array(3),
    referenceRootQuatXyzw: Float64Array.of(0, 0, 0, 1),
    referenceAnchorQuatXyzw: Float64Array.of(0, 0, 0, 1),
    robotAnchorQuatXyzw: Float64Array.of(0, 0, 0, 1),
    contextLatent: new Float64Array(latentWidth),
    step: 0,
    timeS: 0,
  };
}

/** Widest context latent a spec reads (0 when none). */
export function latentWidthOf(spec: ObservationSpec): number {
  return spec.terms.reduce((w, t) => (t.source === 'context_latent' ? Math.max(w, t.width) : w), 0);
}

/** Where one term lands in the vector (for diagnostics and contracts). */
export interface TermLayout {
  name: string;
  source: ObservationTerm['source'];
  /** Width of one frame. */
  width: number;
  history: number;
}

interface TermState {
  term: ObservationTerm;
  width: number;
  history: number;
  scale: Float64Array;
  clipLo: number;
  clipHi: number;
  /** history × width, slot k holds one frame. */
  ring: Float64Array;
  /** phase terms: the gait clock's zero, s (−offsetS at the start; the last pinned tick's time when pinned). */
  phaseZeroS: number;
  /**
   * phase terms: [0] = the pinned phase, rad (`pin.phaseRad`). Read from a typed slot: a config field
   * (a Smi or a boxed number) mixed with the computed phase made V8 box the phase: 16 B per pinned tick.
   */
  pinPhaseRad: Float64Array;
  /** Slot of the newest frame. */
  head: number;
}

export type AssembleStatus = 'ok' | 'non_finite';

export class ObservationAssembler {
  readonly width: number;
  readonly layout: readonly TermLayout[];
  /** Name of the first term with a non-finite value in the last `assemble` (null when ok). */
  lastNonFiniteTerm: string | null = null;
  private readonly terms: TermState[];
  private readonly frame: Float64Array;
  private started = false;

  /**
   * @param out Destination vector (e.g. the ONNX input tensor's buffer); allocated when omitted.
   * @throws Error listing every problem when the spec does not fit the joints.
   */
  constructor(
    private readonly spec: ObservationSpec,
    private readonly defaultJointPos: Float64Array,
    readonly out: Float32Array = new Float32Array(observationWidth(spec, defaultJointPos.length)),
  ) {
    const n = defaultJointPos.length;
    const problems = checkObservationSpec(spec, n);
    this.width = observationWidth(spec, n);
    if (out.length !== this.width) problems.push(`output buffer has ${out.length} values, the observation has ${this.width}`);
    if (problems.length > 0) throw new Error(`invalid observation spec:\n  - ${problems.join('\n  - ')}`);
    this.terms = orderedTerms(spec).map((term) => {
      const width = termWidth(term, n);
      const scale = new Float64Array(width).fill(typeof term.scale === 'number' ? term.scale : 1);
      if (Array.isArray(term.scale)) scale.set(term.scale);
      return {
        term,
        width,
        history: term.history,
        scale,
        clipLo: term.clip ? term.clip[0] : -Infinity,
        clipHi: term.clip ? term.clip[1] : Infinity,
        ring: new Float64Array(width * term.history),
        head: 0,
        phaseZeroS: 0,
        pinPhaseRad: Float64Array.of(term.source === 'phase' && term.pin ? term.pin.phaseRad : 0),
      };
    });
    this.layout = this.terms.map((t) => ({ name: t.term.name, source: t.term.source, width: t.width, history: t.history }));
    this.frame = new Float64Array(Math.max(1, ...this.terms.map((t) => t.width)));
  }

  /** Forgets the history; the next frame re-initialises it. */
  reset(): void {
    this.started = false;
  }

  /** Assembles the observation into `out`. Returns `non_finite` (and names the term) if any value is NaN/∞. */
  assemble(inputs: ObservationInputs): AssembleStatus {
    this.lastNonFiniteTerm = null;
    const first = !this.started;
    this.started = true;
    for (const ts of this.terms) {
      if (first && ts.term.source === 'phase') ts.phaseZeroS = -ts.term.offsetS;
      this.readSource(ts, inputs, this.frame);
      this.clipScale(ts);
      this.push(ts, first);
    }
    if (this.spec.historyLayout === 'term_major') this.writeTermMajor();
    else this.writeFrameMajor();
    return this.lastNonFiniteTerm === null ? 'ok' : 'non_finite';
  }

  private clipScale(ts: TermState): void {
    const f = this.frame;
    const scaleFirst = this.spec.clipOrder === 'scale_then_clip';
    let finite = true;
    for (let i = 0; i < ts.width; i++) {
      let v = f[i]!;
      if (scaleFirst) v *= ts.scale[i]!;
      if (v < ts.clipLo) v = ts.clipLo;
      else if (v > ts.clipHi) v = ts.clipHi;
      if (!scaleFirst) v *= ts.scale[i]!;
      if (!Number.isFinite(v)) finite = false;
      f[i] = v;
    }
    if (!finite && this.lastNonFiniteTerm === null) this.lastNonFiniteTerm = ts.term.name;
  }

  private push(ts: TermState, first: boolean): void {
    const w = ts.width;
    if (first) {
      for (let k = 0; k < ts.history; k++) {
        for (let i = 0; i < w; i++) ts.ring[k * w + i] = this.spec.historyInit === 'zeros' ? 0 : this.frame[i]!;
      }
    }
    ts.head = first ? ts.history - 1 : (ts.head + 1) % ts.history;
    const base = ts.head * w;
    for (let i = 0; i < w; i++) ts.ring[base + i] = this.frame[i]!;
  }

  /** Ring slot of the k-th frame in output order. */
  private slot(ts: TermState, k: number): number {
    const age = this.spec.historyOrder === 'oldest_first' ? ts.history - 1 - k : k; // 0 = newest
    return (ts.head - age + ts.history) % ts.history;
  }

  private writeTermMajor(): void {
    const out = this.out;
    let p = 0;
    for (const ts of this.terms) {
      for (let k = 0; k < ts.history; k++) {
        const base = this.slot(ts, k) * ts.width;
        for (let i = 0; i < ts.width; i++) out[p++] = ts.ring[base + i]!;
      }
    }
  }

  private writeFrameMajor(): void {
    const out = this.out;
    const h = this.terms[0]?.history ?? 1;
    let p = 0;
    for (let k = 0; k < h; k++) {
      for (const ts of this.terms) {
        const base = this.slot(ts, k) * ts.width;
        for (let i = 0; i < ts.width; i++) out[p++] = ts.ring[base + i]!;
      }
    }
  }

  private readSource(ts: TermState, s: ObservationInputs, f: Float64Array): void {
    const term = ts.term;
    switch (term.source) {
      case 'base_ang_vel':
        f.set(s.baseAngVel);
        return;
      case 'projected_gravity':
        projectedGravityXyzw(s.baseQuatXyzw, f);
        return;
      case 'velocity_command': {
        // clamp all three axes, then keep the selected components
        const first = term.components === 'angular' ? 2 : 0;
        const last = term.components === 'linear' ? 2 : 3;
        for (let i = first; i < last; i++) {
          let v = s.velocityCommand[i]!;
          const r = term.ranges?.[i];
          if (r) v = v < r[0] ? r[0] : v > r[1] ? r[1] : v;
          f[i - first] = v;
        }
        return;
      }
      case 'joint_pos_rel':
        for (let i = 0; i < this.defaultJointPos.length; i++) f[i] = s.jointPos[i]! - this.defaultJointPos[i]!;
        return;
      case 'joint_vel':
        f.set(s.jointVel);
        return;
      case 'last_action':
        f.set(term.mode === 'raw' ? s.lastActionRaw : term.mode === 'clipped' ? s.lastActionClipped : s.lastActionProcessed);
        return;
      case 'phase': {
        // left foot p, right foot p + π; pinned: every foot at pin.phaseRad and the clock restarts here
        // (written inline: float arguments of calls V8 does not inline are boxed)
        const c = s.velocityCommand;
        let p: number;
        let right = Math.PI;
        if (term.pin && Math.sqrt(c[0]! * c[0]! + c[1]! * c[1]! + c[2]! * c[2]!) < term.pin.commandBelow) {
          ts.phaseZeroS = s.timeS;
          p = ts.pinPhaseRad[0]!;
          right = 0;
        } else {
          p = (2 * Math.PI * (s.timeS - ts.phaseZeroS)) / term.periodS;
        }
        const output = term.output ?? 'sin_cos';
        for (let k = 0; k < term.feet; k++) {
          const a = k === 0 ? p : p + right;
          if (output === 'sin_cos') {
            f[2 * k] = Math.sin(a);
            f[2 * k + 1] = Math.cos(a);
          } else f[k] = output === 'sin' ? Math.sin(a) : Math.cos(a);
        }
        return;
      }
      case 'time_step':
        f[0] = term.unit === 'steps' ? s.step : s.timeS;
        return;
      case 'reference_joint_pos':
        f.set(s.referenceJointPos);
        return;
      case 'reference_joint_vel':
        f.set(s.referenceJointVel);
        return;
      case 'motion_command':
        f.set(s.referenceJointPos);
        f.set(s.referenceJointVel, s.referenceJointPos.length);
        return;
      case 'reference_anchor_ori6d':
        relativeOri6dXyzw(s.robotAnchorQuatXyzw, s.referenceAnchorQuatXyzw, f);
        return;
      case 'context_latent':
        for (let i = 0; i < term.width; i++) f[i] = s.contextLatent[i] ?? NaN;
        return;
    }
  }
}

