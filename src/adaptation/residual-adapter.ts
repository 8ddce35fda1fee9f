/**
 * The online residual adapter: a small correction added to the policy's
 * joint targets so that, after a dynamics shift (payload, weaker or damped
 * servos), the robot reaches what the consolidated policy asks as it would
 * under the nominal dynamics. Core, pure, allocation-free per tick (switch
 * events — consolidate, match, create — allocate a little).
 *
 * Model (per adapted joint j, one RLS each): the servo offset between the
 * previous command and the pose reached, y_j = c_j(t−1) − q_j(t), is linear in
 * features φ = [1, sin q_f, cos q_f (f: the group's feature joints), q̇_j]
 * (gravity load and velocity lag under a PD servo). The correction is
 *
 *   Δ_j = (w_j − w_j^anchor)·φ(t)
 *
 * w^anchor: the anchor (nominal) regime's model, learnt in the first
 * `anchorTicks` ticks (or loaded); w: the active regime's model.
 *
 * Per policy tick ({@link ResidualAdapter.step}):
 *  1. bad input (non-finite state or policy target) → counted fallback to the
 *     consolidated policy (correction 0); a stalled detector stream likewise;
 *  2. learn: RLS update of every joint; the normalised prior error feeds the
 *     Page–Hinkley detector; an alarm (or {@link ResidualAdapter.announceSwitch})
 *     consolidates the regime being left into the library and, after
 *     `match.windowTicks` post-switch samples, recalls the best-fitting entry
 *     or creates a new one (RLS covariance reset = fast re-fit from the current weights);
 *  3. correct: want = Δ/(1 + λ) (PID-Lagrangian λ on the measured cost); a
 *     trust-region step toward it; rejected if it raises the predicted
 *     near-limit cost; added to the policy target;
 *  4. over budget: blend toward the hold pose (latched measured pose) and say
 *     so in {@link ResidualAdapter.state}.
 * Disabled: the output is the policy target, unchanged, from the next call.
 */
import { PageHinkley } from './change-detector.js';
import { CONTEXT_SIZE, ContextEstimator } from './context-estimator.js';
import { AdaptationConfigSchema, groupValueOf, leadBoundOf, type AdaptationConfig, type AdaptationConfigInput } from './config.js';
import { LoadTorque } from './load-torque.js';
import { PidLagrangian } from './pid-lagrangian.js';
import type { RobotModel } from '../robot/model.js';
import { RegimeMemory, type RegimeEntry, type RegimeMemoryFile } from './regime-memory.js';
import { asFloat, Rls } from './rls.js';
import { addCorrection, blendToward, nearLimitCostWith, trustRegionWith } from './safety-gate.js';

/** A measured position beyond a limit by more than this is absurd (bad input), rad. */
const ABSURD_RAD = 0.5;
/** A measured speed above this is absurd (bad input), rad/s. */
const ABSURD_RAD_S = 100;

/** P += s·w wᵀ (P: d×d row-major, w: d). */
function addOuter(P: Float64Array, w: Float64Array, s: number): void {
  const d = w.length;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) P[i * d + j] = P[i * d + j]! + s * w[i]! * w[j]!;
}

export type AdapterState = 'disabled' | 'learning_anchor' | 'tracking' | 'searching' | 'fallback' | 'stalled' | 'bad_input';

export interface AdapterStats {
  ticks: number;
  /** Switches detected by the change-point detector. */
  detectedSwitches: number;
  /** Switches announced by an operator. */
  announcedSwitches: number;
  recalls: number;
  /** Entries loaded provisionally while a post-switch window filled (`match.provisional`). */
  provisionalLoads: number;
  created: number;
  /** Correction steps rejected because they raised the predicted cost. */
  rejectedUpdates: number;
  /** Ticks on which the trust region limited the correction. */
  trustLimitedTicks: number;
  /** Joint-ticks whose command lead was at the `maxLeadRad` bound (correction limited; the sample is not learnt). */
  leadLimited: number;
  /** Ticks with a non-finite state or policy target (consolidated policy used). */
  badInputTicks: number;
  /** Ticks with a stalled detector stream (consolidated policy used). */
  stalledTicks: number;
  /** Ticks blended toward the hold pose (cost over budget). */
  fallbackTicks: number;
  /** Context samples (or recalls) whose estimate was clamped into `context.bounds`. */
  contextClamped: number;
}

export interface AdapterEvent {
  tick: number;
  kind: 'anchor' | 'detected' | 'announced' | 'recalled' | 'created' | 'fallback_on' | 'fallback_off';
  regime?: string;
}

export class ResidualAdapter {
  readonly config: AdaptationConfig;
  readonly stats: AdapterStats = { ticks: 0, detectedSwitches: 0, announcedSwitches: 0, recalls: 0, provisionalLoads: 0, created: 0, rejectedUpdates: 0, trustLimitedTicks: 0, leadLimited: 0, badInputTicks: 0, stalledTicks: 0, fallbackTicks: 0, contextClamped: 0 };
  /** Policy-order indices of the adapted joints. */
  readonly idx: Int32Array;
  readonly features: number;
  /** The library's compatibility key (joint set + feature layout + model version). */
  readonly fingerprint: string;
  memory: RegimeMemory;
  readonly detector: PageHinkley;
  readonly lagrangian: PidLagrangian;
  /** Current correction per adapted joint, rad (after λ, trust region, cost check; before the fallback blend). */
  readonly correction: Float64Array;
  /** Fallback blend β in [0, 1]. */
  beta = 0;
  /** Recent events (bounded), oldest first. */
  readonly events: AdapterEvent[] = [];
  /** Safety cost reported from outside for the coming tick only (shield interventions, tilt margin), cost units; reset after each tick. */
  externalCost = 0;
  /** A cost charged on every tick until a time ({@link ResidualAdapter.chargeUntil}): [cost per tick, until s]. */
  private readonly sustained = new Float64Array([0, -Infinity]);
  /** The node's time for {@link ResidualAdapter.stepAtClock}, s (written by the caller before each tick). */
  readonly clock = new Float64Array(1);
  /** Last tick's measured cost, cost units. */
  lastCost = 0;
  state: AdapterState = 'learning_anchor';
  enabled: boolean;

  private readonly n: number;
  private readonly rls: Rls[];
  private readonly anchorW: Float64Array;
  private anchorLearnt = false;
  private active: RegimeEntry | null = null;
  private readonly featIdx: Int32Array[];
  /** Group index of each adapted joint, and per-group error sums / counts of this tick (detectPerGroup). */
  private readonly groupOf: Int32Array;
  private readonly gScore: Float64Array;
  private readonly gUsed: Float64Array;
  private readonly velCol: number;
  /** Column of the acceleration feature (-1: none). */
  private readonly accCol: number;
  /** Column of the load feature (-1: none) and its kinematics (groups' `loadLink`). */
  private readonly loadCol: number;
  private readonly load: LoadTorque | null;
  /** The dynamics context (config `context`), or null. */
  readonly context: ContextEstimator | null;
  /** This tick's label per adapted joint: the servo offset c(t−1) − q(t), rad. */
  private readonly label: Float64Array;
  /** Post-switch window of the context's regressors [window × n × 3] (matching with an entry's context). */
  private readonly winZ: Float64Array;
  /** Scratch: per adapted joint, the rate given to the load feature. */
  private readonly loadRate: Float64Array;
  /** Previous measured velocity per adapted joint and [its time, 1 when valid]: the measured acceleration. */
  private readonly prevQd: Float64Array;
  private readonly prevQdAt = new Float64Array(2);
  /** Previous target rate per adapted joint (valid when prevTargetAt[2] is 1): the target's acceleration. */
  private readonly prevRate: Float64Array;
  private readonly phi: Float64Array;
  /** Features of the correction (`correctAt: 'target'`: at the policy target and its rate; else = phi). */
  private readonly phiC: Float64Array;
  /** The context is identified here (`context.source: rls`), not set from the adaptation module. */
  private readonly contextLearns: boolean;
  /** The previous tick's policy target (policy order) and [time of it, 1 when valid]: the target's rate. */
  private readonly prevTarget: Float64Array;
  private readonly prevTargetAt = new Float64Array(3);
  private readonly noiseVar: Float64Array;
  private readonly signature: Float64Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  /** Command-lead bound per adapted joint (trustRegion.maxLeadRad; Infinity = none), rad. */
  private readonly leadBound: Float64Array;
  private readonly prevCmd: Float64Array;
  /** Per adapted joint: 1 when the previous command's lead was at the bound (its sample is censored). */
  private readonly atLead: Uint8Array;
  private havePrev = false;
  private readonly want: Float64Array;
  private readonly cand: Float64Array;
  private readonly hold: Float64Array;
  private holdLatched = false;
  private readonly scratchOut: Float64Array;
  /** Near-limit costs of this tick (measured, candidate, previous, uncorrected): typed slots, no boxed floats. */
  private readonly costs = new Float64Array(4);
  private readonly limitCost: ReturnType<typeof nearLimitCostWith>;
  private readonly trustStep: ReturnType<typeof trustRegionWith>;
  /** Post-switch window: φ [window × n × d] and y [window × n]. */
  private readonly winPhi: Float64Array;
  private readonly winY: Float64Array;
  /** Rows of the sample ring (window + seed): every learnt sample is kept, so the window can open at the detector's change estimate. */
  private readonly ringRows: number;
  /** Learnt samples so far (the ring's write position is `seq % ringRows`). */
  private seq = 0;
  /** First sample (seq) of the current window. */
  private winStart = 0;
  private winCount = 0;
  /** Slot: the detector's score of the latest sample ({@link ResidualAdapter.learnSample}). */
  private readonly sampleScore = new Float64Array(1);
  /** {@link ResidualAdapter.windowScore} bound once (no closure per match). */
  private readonly scoreWindow = (e: RegimeEntry): number => this.windowScore(e);
  /** Per group (`match.provisional`): the entry whose part was loaded provisionally for that group, or null. */
  private readonly provisionalOf: (RegimeEntry | null)[];
  private scoreGroup = 0;
  private readonly scoreWindowOfGroup = (e: RegimeEntry): number => this.windowScore(e, this.scoreGroup);
  private searching = false;
  private holdoff = 0;
  private pendingLabel: string | null = null;
  private tickCount = 0;
  private readonly params: Float64Array;
  private readonly cov: Float64Array;
  private lastStateSum = NaN;

  constructor(
    config: AdaptationConfigInput,
    /** The policy's joint order (targets and states are in this order). */
    policyJoints: readonly string[],
    /** Position limits [lower, upper] (rad) of every adapted joint, by name. */
    limits: Readonly<Record<string, readonly [number, number]>>,
    /** The robot model: needed when the groups name a `loadLink` (its kinematics give the load feature). */
    model?: RobotModel,
  ) {
    const c = AdaptationConfigSchema.parse(config);
    this.config = c;
    this.enabled = c.enabled;
    const at = (name: string, what: string): number => {
      const i = policyJoints.indexOf(name);
      if (i < 0) throw new Error(`adaptation: ${what} '${name}' is not a policy joint`);
      return i;
    };
    const adapted: number[] = [];
    this.featIdx = [];
    for (const g of c.groups) {
      const f = Int32Array.from(g.features, (nm) => at(nm, 'feature joint'));
      for (const j of g.joints) {
        adapted.push(at(j, 'adapted joint'));
        this.featIdx.push(f);
      }
    }
    this.idx = Int32Array.from(adapted);
    this.groupOf = Int32Array.from(c.groups.flatMap((g, gi) => g.joints.map(() => gi)));
    this.gScore = new Float64Array(c.groups.length);
    this.gUsed = new Float64Array(c.groups.length);
    this.n = adapted.length;
    const nf = c.groups[0]!.features.length;
    const withLoad = c.groups[0]!.loadLink !== undefined;
    this.features = 2 + 2 * nf + (c.acceleration ? 1 : 0) + (withLoad ? 1 : 0);
    this.velCol = 1 + 2 * nf;
    this.accCol = c.acceleration ? 2 + 2 * nf : -1;
    this.loadCol = withLoad ? this.features - 1 : -1;
    if (withLoad && !model) throw new Error('adaptation: groups name a loadLink, which needs the robot model');
    this.load = withLoad ? new LoadTorque(model!, policyJoints, c.groups.flatMap((g) => g.joints.map((joint) => ({ joint, loadLink: g.loadLink! })))) : null;
    this.prevQd = new Float64Array(this.n);
    this.loadRate = new Float64Array(this.n);
    this.label = new Float64Array(this.n);
    this.prevRate = new Float64Array(this.n);
    this.lower = new Float64Array(this.n);
    this.upper = new Float64Array(this.n);
    this.leadBound = Float64Array.from(c.groups.flatMap((g) => g.joints), (j) => leadBoundOf(c.trustRegion.maxLeadRad, j));
    c.groups.flatMap((g) => g.joints).forEach((j, k) => {
      const lim = limits[j];
      if (!lim || !(lim[0] < lim[1])) throw new Error(`adaptation: no valid position limits for adapted joint '${j}'`);
      this.lower[k] = lim[0];
      this.upper[k] = lim[1];
    });
    this.fingerprint = `residual-rls/1 [${c.groups.map((g) => `${g.joints.join(',')} | ${g.features.join(',')}`).join('; ')}]${c.acceleration ? ' +acc' : ''}${withLoad ? ` +load(${c.groups.map((g) => g.loadLink).join(',')})` : ''}${c.context ? ' +context' : ''}`;
    const d = this.features;
    this.rls = Array.from({ length: this.n }, () => new Rls(d, c.forgetting, c.maxVariance));
    for (const r of this.rls) r.reset(null, c.anchorVariance);
    this.anchorW = new Float64Array(this.n * d);
    this.context = c.context
      ? new ContextEstimator(this.groupOf, c.groups.length, Float64Array.from(c.groups.flatMap((g) => g.joints), (j) => 1 / groupValueOf(c.context!.kp, j)!),
        // RLS assumes a unit label noise: the physical prior variances are scaled by 1/σ² (σ = noiseFloorRad)
        [c.context.priorVariance.compliance / c.noiseFloorRad ** 2, c.context.priorVariance.massKg / c.noiseFloorRad ** 2, c.context.priorVariance.damping / c.noiseFloorRad ** 2], c.context.forgetting,
        [c.context.bounds.compliance, c.context.bounds.massKg, c.context.bounds.damping])
      : null;
    this.contextLearns = c.context?.source !== 'module';
    this.memory = new RegimeMemory(this.shape(), c.capacity);
    this.detector = new PageHinkley(c.detector);
    this.lagrangian = new PidLagrangian(c.lagrangian);
    this.correction = new Float64Array(this.n);
    this.phi = new Float64Array(this.n * d);
    this.phiC = c.correctAt === 'target' ? new Float64Array(this.n * d) : this.phi;
    this.prevTarget = new Float64Array(policyJoints.length);
    this.noiseVar = new Float64Array(this.n).fill(c.noiseFloorRad * c.noiseFloorRad);
    this.signature = new Float64Array(this.n);
    this.prevCmd = new Float64Array(policyJoints.length);
    this.atLead = new Uint8Array(this.n);
    this.want = new Float64Array(this.n);
    this.cand = new Float64Array(this.n);
    this.hold = new Float64Array(policyJoints.length);
    this.scratchOut = new Float64Array(policyJoints.length);
    this.ringRows = c.match.windowTicks + c.match.seedTicks;
    this.provisionalOf = c.groups.map(() => null);
    this.winPhi = new Float64Array(this.ringRows * this.n * d);
    this.winY = new Float64Array(this.ringRows * this.n);
    this.winZ = new Float64Array(this.context ? this.ringRows * this.n * CONTEXT_SIZE : 0);
    this.params = new Float64Array(this.n * d);
    this.cov = new Float64Array(this.n * d * d);
    this.limitCost = nearLimitCostWith(this.idx, this.lower, this.upper, c.cost.limitMarginRad);
    this.trustStep = trustRegionWith(c.trustRegion.maxStepRad, c.trustRegion.maxCorrectionRad);
  }

  /** The regime in use (null while the anchor is learnt or without memory). */
  get activeRegime(): string | null {
    return this.active?.label ?? null;
  }

  /** True once the anchor (nominal) model exists. */
  get hasAnchor(): boolean {
    return this.anchorLearnt;
  }

  /** Switches adaptation on or off; off takes effect on the next `step` (output = policy target). */
  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) {
      this.correction.fill(0);
      this.beta = 0;
      this.holdLatched = false;
    }
  }

  /** Forgets the previous command (call when the policy (re)starts: no sample spans a restart). */
  restart(): void {
    this.externalCost = 0; // a one-tick cost does not carry over a restart
    this.havePrev = false;
    this.prevTargetAt[1] = 0;
    this.prevQdAt[1] = 0;
    this.load?.restart();
    this.correction.fill(0);
    this.beta = 0;
    this.holdLatched = false;
  }

  /**
   * An operator-announced switch. With the label of a library entry, that
   * regime is recalled at once; with a new label, a new entry of that name is
   * created after the window (no matching: the operator says it is new);
   * without a label, it is handled as a detected switch (match or create).
   */
  announceSwitch(label?: string): void {
    this.stats.announcedSwitches++;
    this.event('announced', label);
    if (!this.anchorLearnt) return;
    this.leaveRegime();
    const e = label !== undefined && this.config.memory ? this.memory.entries.find((x) => x.label === label) : undefined;
    if (e) this.recall(e);
    else this.beginSearch(label ?? null); // a new label: created after the window without matching
  }

  /**
   * One policy tick: `q`, `qd` measured (policy order), `policyTarget` the
   * consolidated policy's target; writes the command into `out` (policy
   * order). `nowS`: the node's time (stall detection).
   */
  step(q: ArrayLike<number>, qd: ArrayLike<number>, policyTarget: ArrayLike<number>, out: Float64Array, nowS: number): AdapterState {
    this.clock[0] = nowS;
    return this.stepAtClock(q, qd, policyTarget, out);
  }

  /**
   * {@link ResidualAdapter.step} at the time in `clock[0]` (s): the control hot path's form — a
   * float time passed as an argument is boxed into a heap number on every call (16 B per tick).
   */
  stepAtClock(q: ArrayLike<number>, qd: ArrayLike<number>, policyTarget: ArrayLike<number>, out: Float64Array): AdapterState {
    this.stats.ticks++;
    this.tickCount++;
    const n = this.n;
    const d = this.features;
    for (let k = 0; k < n; k++) {
      const j = this.idx[k]!;
      const x = q[j]!, v = qd[j]!, t = policyTarget[j]!;
      // non-finite, or absurd: beyond a limit by more than ABSURD_RAD, or faster than ABSURD_RAD_S
      const absurd = !(x >= this.lower[k]! - ABSURD_RAD && x <= this.upper[k]! + ABSURD_RAD && Math.abs(v) <= ABSURD_RAD_S && Number.isFinite(t));
      if (absurd) return this.consolidatedOnly(policyTarget, out, 'bad_input');
    }
    // features at the current state
    this.poseFeatures(q, this.phi);
    for (let k = 0; k < n; k++) {
      const o = k * d;
      this.phi[o + this.velCol] = qd[this.idx[k]!]!;
    }
    if (this.load) {
      for (let k = 0; k < n; k++) this.loadRate[k] = qd[this.idx[k]!]!;
      this.load.clock[0] = this.clock[0]!;
      this.load.compute(q, this.loadRate, 0, this.phi, this.loadCol, d);
    }
    if (this.accCol >= 0) this.measuredAcceleration(qd);
    if (this.phiC !== this.phi) this.targetFeatures(qd, policyTarget);
    // a non-finite feature: a feature joint's (e.g. the waist's) state or target, or the load chain's, was not finite
    if (!allFinite(this.phi) || !allFinite(this.phiC)) return this.consolidatedOnly(policyTarget, out, 'bad_input');
    // a state that does not change at all is not a fresh sample: nothing is learnt from it,
    // and after detector.stallTimeoutS without a fresh one the stream counts as stalled
    let qs = 0;
    for (let k = 0; k < n; k++) qs += q[this.idx[k]!]! * (k + 1) + qd[this.idx[k]!]! * (k + 0.5);
    const fresh = qs !== this.lastStateSum;
    this.lastStateSum = qs;
    if (this.havePrev && fresh) this.learn(q);
    if (this.detector.stalledAtClock(this.clock) && this.anchorLearnt) {
      this.stats.stalledTicks++;
      return this.consolidatedOnly(policyTarget, out, 'stalled');
    }
    // measured safety cost and λ
    const costs = this.costs;
    this.limitCost(q, costs, 0);
    const sustained = this.clock[0]! <= this.sustained[1]! ? this.sustained[0]! : 0;
    const cost = costs[0]! + sustained + (Number.isFinite(this.externalCost) ? Math.max(0, this.externalCost) : 1);
    this.externalCost = 0;
    this.lastCost = cost;
    this.lagrangian.io[0] = cost;
    this.lagrangian.updateSlot();
    const lambda = this.lagrangian.io[1]!;
    if (!this.enabled) {
      this.state = 'disabled';
      for (let i = 0; i < out.length; i++) out[i] = policyTarget[i]!;
      this.remember(out, q);
      return this.state;
    }
    // correction wanted: (w − w_anchor)·φ, shrunk by 1/(1 + λ)
    const shrink = 1 / (1 + lambda);
    const servo = this.config.compensate === 'servo';
    for (let k = 0; k < n; k++) {
      let s = asFloat(0); // a float from the start: a Smi-started accumulator live across calls is boxed (16 B per tick)
      if (this.anchorLearnt) {
        const w = this.rls[k]!.w;
        if (servo) for (let i = 0; i < d; i++) s += w[i]! * this.phiC[k * d + i]!;
        else for (let i = 0; i < d; i++) s += (w[i]! - this.anchorW[k * d + i]!) * this.phiC[k * d + i]!;
        const ctx = this.context;
        if (ctx) {
          ctx.regress(1, k, this.phiC, k * d, this.anchorW, d, this.loadCol, this.velCol);
          ctx.predict(1, k);
          s += ctx.out[0]!;
        }
      }
      // first-order approach to the model's correction: the closed loop (correction → servo → label)
      // is an integral loop, and a deadbeat one (gain 1 per tick) oscillates against the servo's lag
      if (this.phiC !== this.phi) s -= this.config.dampingS * (qd[this.idx[k]!]! - this.phiC[k * d + this.velCol]!);
      const prev = this.correction[k]!;
      this.want[k] = prev + this.config.correctionGain * (s * shrink - prev);
    }
    this.cand.set(this.correction);
    if (this.trustStep(this.cand, this.want) > 0) this.stats.trustLimitedTicks++;
    // reject a step that raises the predicted near-limit cost
    const tmp = this.scratchOut;
    addCorrection(policyTarget, this.idx, this.cand, 1, tmp);
    this.limitCost(tmp, costs, 1);
    addCorrection(policyTarget, this.idx, this.correction, 1, tmp);
    this.limitCost(tmp, costs, 2);
    this.limitCost(policyTarget, costs, 3);
    const cNew = costs[1]!;
    const cOld = costs[2]!;
    const cBase = costs[3]!;
    if (cNew > Math.max(cOld, cBase) + 1e-12) {
      this.stats.rejectedUpdates++;
      if (cOld > cBase + 1e-12) this.correction.fill(0);
    } else {
      this.correction.set(this.cand);
    }
    this.limitLead(q, policyTarget);
    addCorrection(policyTarget, this.idx, this.correction, 1, out);
    // over budget: blend toward the hold pose
    const ramp = 1 / this.config.fallbackRampTicks;
    const before = this.beta;
    this.beta = this.lagrangian.overBudget ? Math.min(1, this.beta + ramp) : Math.max(0, this.beta - ramp);
    if (this.beta > 0) {
      if (!this.holdLatched) {
        for (let i = 0; i < this.hold.length; i++) this.hold[i] = q[i]!;
        this.holdLatched = true;
      }
      blendToward(out, this.hold, this.beta);
      this.stats.fallbackTicks++;
      if (before === 0) this.event('fallback_on');
    } else if (this.holdLatched) {
      this.holdLatched = false;
      this.event('fallback_off');
    }
    this.state = this.beta > 0 ? 'fallback' : !this.anchorLearnt ? 'learning_anchor' : this.searching ? 'searching' : 'tracking';
    this.remember(out, q);
    return this.state;
  }

  /**
   * Charge `costPerTick` on every tick up to `untilS` (the adapter's clock): a cost measured
   * as a rate over a report period, e.g. the shield's limit interventions read from its
   * `/diagnostics` (ShieldCostMeter). Past `untilS` (no fresh report) nothing is charged. A
   * non-finite cost charges 1 per tick (the budget's "unknown is unsafe"), like `externalCost`.
   */
  chargeUntil(costPerTick: number, untilS: number): void {
    this.sustained[0] = Number.isFinite(costPerTick) ? Math.max(0, costPerTick) : 1;
    this.sustained[1] = untilS;
  }

  /**
   * The adaptation module's latest context (group-major, (a, m, b) per group) for `context.source: module`;
   * refused (false) when the adapter has no context, learns its own, or the width differs.
   */
  setContextFromModule(z: ArrayLike<number>): boolean {
    if (!this.context || this.contextLearns || z.length !== this.context.z.length) return false;
    this.context.setExternal(z);
    this.stats.contextClamped = this.context.clamped;
    return true;
  }

  /** The library as plain data (persistence), with the current regime consolidated first. */
  snapshot(): RegimeMemoryFile {
    if (this.active && this.config.memory) this.consolidateActive();
    return this.memory.toJSON(this.fingerprint);
  }

  /** Replaces the library with a loaded one (validated file data); adopts its anchor (the pinned entry) if any. */
  loadMemory(file: RegimeMemoryFile): void {
    this.memory = RegimeMemory.fromJSON(file, { fingerprint: this.fingerprint, shape: this.shape(), capacity: this.config.capacity });
    const anchor = this.memory.entries.find((e) => e.pinned);
    if (anchor) {
      this.anchorW.set(anchor.params);
      this.anchorLearnt = true;
      this.loadEntry(anchor, 1);
      this.active = anchor;
      this.detector.reset();
      this.holdoff = this.config.holdoffTicks;
    }
  }

  // ---- internals ----

  /**
   * `correctAt: 'target'`: the correction's features along the commanded trajectory — sin/cos of the
   * feature joints' policy targets, and the adapted joint's target rate over the last tick (the
   * measured velocity when there is no previous target, e.g. the first tick or after a restart).
   */
  private targetFeatures(qd: ArrayLike<number>, policyTarget: ArrayLike<number>): void {
    const d = this.features;
    const now = this.clock[0]!;
    const dt = now - this.prevTargetAt[0]!;
    const rate = this.prevTargetAt[1] === 1 && dt > 1e-4 && dt < 0.2;
    this.poseFeatures(policyTarget, this.phiC);
    for (let k = 0; k < this.n; k++) {
      const o = k * d;
      const j = this.idx[k]!;
      const v = rate ? (policyTarget[j]! - this.prevTarget[j]!) / dt : qd[j]!;
      this.phiC[o + this.velCol] = v;
      if (this.accCol >= 0) {
        this.phiC[o + this.accCol] = rate && this.prevTargetAt[2] === 1 ? (v - this.prevRate[k]!) / dt : 0;
        this.prevRate[k] = v;
      }
    }
    if (this.load) {
      for (let k = 0; k < this.n; k++) this.loadRate[k] = this.phiC[k * d + this.velCol]!;
      this.load.compute(policyTarget, this.loadRate, 1, this.phiC, this.loadCol, d);
      // a tick without a target rate (first, after a restart) used the measured velocity: not differenced against the next target rate
      if (!rate) this.load.forget(1);
    }
    for (let i = 0; i < this.prevTarget.length; i++) this.prevTarget[i] = policyTarget[i]!;
    this.prevTargetAt[0] = now;
    this.prevTargetAt[2] = rate ? 1 : 0;
    this.prevTargetAt[1] = 1;
  }

  /** Every adapted joint's pose features at `pose` (policy order) into `out`: [1, sin q_f, cos q_f] of its group's feature joints. */
  private poseFeatures(pose: ArrayLike<number>, out: Float64Array): void {
    const d = this.features;
    for (let k = 0; k < this.n; k++) {
      const f = this.featIdx[k]!;
      const o = k * d;
      out[o] = 1;
      for (let i = 0; i < f.length; i++) {
        const a = pose[f[i]!]!;
        out[o + 1 + 2 * i] = Math.sin(a);
        out[o + 2 + 2 * i] = Math.cos(a);
      }
    }
  }

  /** The acceleration feature at the measured state: the change of the measured velocity over the last tick (0 without one). */
  private measuredAcceleration(qd: ArrayLike<number>): void {
    const d = this.features;
    const now = this.clock[0]!;
    const dt = now - this.prevQdAt[0]!;
    const ok = this.prevQdAt[1] === 1 && dt > 1e-4 && dt < 0.2;
    for (let k = 0; k < this.n; k++) {
      const v = qd[this.idx[k]!]!;
      this.phi[k * d + this.accCol] = ok ? (v - this.prevQd[k]!) / dt : 0;
      this.prevQd[k] = v;
    }
    this.prevQdAt[0] = now;
    this.prevQdAt[1] = 1;
  }

  private learn(q: ArrayLike<number>): void {
    const c = this.config;
    const w = this.seq % this.ringRows; // this sample's ring row
    this.learnSample(q, w);
    const score = this.sampleScore[0]!;
    this.seq++;
    if (this.searching) {
      this.winCount = this.seq - this.winStart;
      if (this.winCount >= c.match.windowTicks) this.finishSearch();
      else if (c.match.provisional) this.matchProvisionally();
    }
    // the detector's sample and time through its slots: a float argument is boxed when the call is not inlined
    this.detector.io[0] = score;
    this.detector.io[1] = this.clock[0]!;
    if (!this.anchorLearnt) {
      if (this.tickCount >= c.anchorTicks) this.learnAnchor();
      this.detector.updateSlot(); // keeps the stall watch fed
      this.detector.reset();
      return;
    }
    if (this.holdoff > 0) {
      this.holdoff--;
      this.detector.updateSlot();
      this.detector.reset();
      return;
    }
    if (this.detector.updateSlot() === 'alarm') {
      const sinceChange = this.detector.samplesSinceChange; // read before leaveRegime resets the detector
      this.stats.detectedSwitches++;
      this.event('detected', this.active?.label);
      this.leaveRegime();
      this.beginSearch(null, Math.min(c.match.seedTicks, sinceChange));
    }
  }

  /**
   * Learns one sample (ring row `w`, where it is also kept for matching): every joint's servo model, the
   * context, the noise levels and the signature; the detector's score of the prior errors into
   * `sampleScore[0]` (the mean normalised squared error, or the worse group's with `detectPerGroup`).
   */
  private learnSample(q: ArrayLike<number>, w: number): void {
    const n = this.n;
    const d = this.features;
    const c = this.config;
    let score = asFloat(0); // see `s` in stepAtClock
    let used = 0;
    this.gScore.fill(0);
    this.gUsed.fill(0);
    for (let k = 0; k < n; k++) {
      const j = this.idx[k]!;
      this.label[k] = this.prevCmd[j]! - q[j]!; // a slot, not a float local: it would be boxed across the calls below
      if (this.atLead[k] === 1) {
        this.winY[w * n + k] = NaN; // not scored in the match
        continue; // the shield clamped that command: censored sample
      }
      used++;
      const r = this.rls[k]!;
      const withContext = this.context !== null && this.anchorLearnt;
      if (withContext) {
        this.contextLabel(k); // the per-joint model learns what the context does not explain
        for (let i = 0; i < CONTEXT_SIZE; i++) this.winZ[(w * n + k) * CONTEXT_SIZE + i] = this.context!.reg[0][k * CONTEXT_SIZE + i]!;
      } else r.io[0] = this.label[k]!;
      for (let i = 0; i < d; i++) this.winPhi[(w * n + k) * d + i] = this.phi[k * d + i]!;
      this.winY[w * n + k] = this.label[k]!;
      r.updateSlot(this.phi, k * d);
      if (withContext && this.contextLearns && Number.isFinite(r.io[1]!)) this.learnContext(k);
      const e = r.io[1]!;
      const sk = (e * e) / this.noiseVar[k]!;
      score += sk;
      const g = this.groupOf[k]!;
      this.gScore[g] = this.gScore[g]! + sk;
      this.gUsed[g] = this.gUsed[g]! + 1;
      // residual variance: slow EMA, floored
      const v = this.noiseVar[k]! + 0.02 * (e * e - this.noiseVar[k]!);
      this.noiseVar[k] = Math.max(c.noiseFloorRad * c.noiseFloorRad, v);
      // anchor-model residual: the regime's signature
      let pa = 0;
      for (let i = 0; i < d; i++) pa += this.anchorW[k * d + i]! * this.phi[k * d + i]!;
      this.signature[k] = this.signature[k]! + 0.05 * (this.label[k]! - pa - this.signature[k]!);
    }
    score = used > 0 ? score / used : 1;
    if (c.detectPerGroup && used > 0) {
      score = 0;
      for (let g = 0; g < this.gScore.length; g++) if (this.gUsed[g]! > 0) score = Math.max(score, this.gScore[g]! / this.gUsed[g]!);
    }
    this.sampleScore[0] = score;
  }

  /** Joint k's per-joint label with a context: the servo offset minus the context's share, into the joint's `Rls.io[0]`. */
  private contextLabel(k: number): void {
    const ctx = this.context!;
    const d = this.features;
    ctx.regress(0, k, this.phi, k * d, this.anchorW, d, this.loadCol, this.velCol);
    ctx.predict(0, k);
    this.rls[k]!.io[0] = this.label[k]! - ctx.out[0]!;
  }

  /** One context sample of joint k: the servo offset minus the (updated) per-joint model's prediction. */
  private learnContext(k: number): void {
    const ctx = this.context!;
    const d = this.features;
    const r = this.rls[k]!;
    let pj = asFloat(0);
    for (let i = 0; i < d; i++) pj += r.w[i]! * this.phi[k * d + i]!;
    ctx.io[0] = this.label[k]! - pj;
    ctx.learn(k);
    this.stats.contextClamped = ctx.clamped;
  }

  private learnAnchor(): void {
    const d = this.features;
    for (let k = 0; k < this.n; k++) this.anchorW.set(this.rls[k]!.w, k * d);
    this.anchorLearnt = true;
    this.gather();
    this.active = this.memory.create({ label: 'anchor', params: this.params, covariance: this.cov, noiseVar: this.noiseVar, ...(this.context ? { context: this.context.z } : {}), pinned: true });
    this.detector.reset();
    this.holdoff = this.config.holdoffTicks;
    this.event('anchor', 'anchor');
  }

  /** Consolidates the regime being left (memory on) and resets the detector. */
  private leaveRegime(): void {
    if (this.active && this.config.memory) this.consolidateActive();
    this.active = null;
    this.detector.reset();
  }

  private consolidateActive(): void {
    const a = this.active!;
    this.gather();
    this.memory.consolidate(a.id, this.params, this.cov, this.noiseVar, this.signature, this.context?.z);
    if (a.pinned) this.anchorW.set(this.params);
  }

  /**
   * Re-fit with a reset covariance (fast), starting from the current weights
   * (a false alarm then costs nothing), and collect the post-switch window.
   */
  private beginSearch(label: string | null, seed = 0): void {
    const c = this.config;
    if (this.context) {
      // the context re-fits; the per-joint models keep their consolidated covariance (the slow, anchored part)
      for (let g = 0; g < this.gScore.length; g++) this.context.reset(g);
    }
    for (let k = 0; k < this.n; k++) {
      if (this.context) continue;
      this.rls[k]!.reset(this.rls[k]!.w, c.resetVariance);
      if (c.resetVarianceOffset !== null) this.rls[k]!.P[0] = c.resetVarianceOffset; // φ[0] = 1: the offset
      if (this.loadCol >= 0) this.rls[k]!.P[this.loadCol * (this.features + 1)] = c.resetVarianceLoad;
      if (c.resetVarianceScale > 0) addOuter(this.rls[k]!.P, this.rls[k]!.w, c.resetVarianceScale);
    }
    this.searching = true;
    this.winStart = this.seq - seed; // the post-change samples already seen open the window
    this.winCount = seed;
    this.pendingLabel = label;
    this.holdoff = c.holdoffTicks;
    this.provisionalOf.fill(null);
    if (seed >= c.match.windowTicks) this.finishSearch();
    else if (seed > 0 && c.match.provisional) this.matchProvisionally();
  }

  /** The mean normalised squared error of entry e on the window's samples (Infinity when none was usable). */
  private windowScore(e: RegimeEntry, group = -1): number {
    const n = this.n;
    const d = this.features;
    const floor = this.config.noiseFloorRad * this.config.noiseFloorRad;
    let s = 0;
    let m = 0;
    for (let t = this.winStart; t < this.winStart + this.winCount; t++) {
      const row = t % this.ringRows;
      for (let k = 0; k < n; k++) {
        if (Number.isNaN(this.winY[row * n + k]!) || (group >= 0 && this.groupOf[k] !== group)) continue; // censored, or not the group's
        m++;
        let p = 0;
        for (let i = 0; i < d; i++) p += e.params[k * d + i]! * this.winPhi[(row * n + k) * d + i]!;
        if (this.context) p += this.context.predictWith(e.context, this.winZ, (row * n + k) * CONTEXT_SIZE, k);
        const r = this.winY[row * n + k]! - p;
        s += (r * r) / Math.max(floor, e.noiseVar[k]!);
      }
    }
    return m > 0 ? s / m : Infinity;
  }

  /**
   * While the window fills (`match.provisional`): for each joint group, the part (the group's servo models
   * and context) of the entry that best matches the group's samples so far is loaded, so a seen regime is
   * corrected before the window ends, and a switch that changes both arms (one to a regime seen with the
   * other arm in a different state) is matched arm by arm. The recall-or-create decision is still taken on
   * the whole window.
   */
  private matchProvisionally(): void {
    if (!this.config.memory || this.pendingLabel !== null) return;
    for (let g = 0; g < this.provisionalOf.length; g++) {
      this.scoreGroup = g;
      const best = this.memory.bestMatch(this.scoreWindowOfGroup, this.config.match.threshold);
      if (!best || best.entry === this.provisionalOf[g]) continue;
      this.provisionalOf[g] = best.entry;
      this.loadEntryGroup(best.entry, g, this.config.recallInflation);
      this.stats.provisionalLoads++;
    }
  }

  /** Loads group g's part of entry e: its joints' servo models and noise levels, and its context. */
  private loadEntryGroup(e: RegimeEntry, g: number, inflation: number): void {
    const d = this.features;
    for (let k = 0; k < this.n; k++) {
      if (this.groupOf[k] !== g) continue;
      const r = this.rls[k]!;
      r.reset(e.params.subarray(k * d, (k + 1) * d), e.covariance.subarray(k * d * d, (k + 1) * d * d));
      for (let i = 0; i < d * d; i++) r.P[i] = r.P[i]! * inflation;
      this.noiseVar[k] = e.noiseVar[k]!;
    }
    if (this.context && this.contextLearns) { // with the module as the source, its latest estimate stands
      this.context.setGroup(g, e.context);
      this.stats.contextClamped = this.context.clamped;
    }
  }

  /** After the window: recall the best-fitting entry, or create a new one from the current fit. */
  private finishSearch(): void {
    this.searching = false;
    const c = this.config;
    if (!c.memory) return;
    if (this.pendingLabel !== null) return this.createEntry(); // an operator named a new regime
    const best = this.memory.bestMatch(this.scoreWindow, c.match.threshold);
    if (best) {
      this.recall(best.entry);
      return;
    }
    this.createEntry();
  }

  private createEntry(): void {
    this.provisionalOf.fill(null);
    this.gather();
    const e = this.memory.create({ ...(this.pendingLabel ? { label: this.pendingLabel } : {}), params: this.params, covariance: this.cov, noiseVar: this.noiseVar, ...(this.context ? { context: this.context.z } : {}) });
    if (e) {
      this.active = e;
      this.stats.created++;
      this.event('created', e.label);
    }
  }

  private recall(e: RegimeEntry): void {
    this.memory.recall(e.id);
    // a group a provisional match already loaded from e keeps its re-fit since (reloading would reset it to the library's)
    for (let g = 0; g < this.provisionalOf.length; g++) if (this.provisionalOf[g] !== e) this.loadEntryGroup(e, g, this.config.recallInflation);
    this.signature.set(e.signature);
    this.provisionalOf.fill(null);
    this.active = e;
    this.searching = false;
    this.stats.recalls++;
    this.event('recalled', e.label);
    this.detector.reset();
    this.holdoff = this.config.holdoffTicks;
  }

  /** Loads every group's part of entry e, and its signature. */
  private loadEntry(e: RegimeEntry, inflation: number): void {
    for (let g = 0; g < this.provisionalOf.length; g++) this.loadEntryGroup(e, g, inflation);
    this.signature.set(e.signature);
  }

  private gather(): void {
    const d = this.features;
    for (let k = 0; k < this.n; k++) {
      this.params.set(this.rls[k]!.w, k * d);
      this.cov.set(this.rls[k]!.P, k * d * d);
    }
  }

  private remember(out: Float64Array, q: ArrayLike<number>): void {
    this.prevCmd.set(out);
    this.havePrev = true;
    for (let k = 0; k < this.n; k++) {
      const j = this.idx[k]!;
      this.atLead[k] = Math.abs(out[j]! - q[j]!) >= this.leadBound[k]! * 0.999 ? 1 : 0;
    }
  }

  /**
   * Limits the correction so that the command's lead |target + Δ − q| stays within `maxLeadRad`
   * (never past the policy's own target: only the correction is cut).
   */
  private limitLead(q: ArrayLike<number>, policyTarget: ArrayLike<number>): void {
    for (let k = 0; k < this.n; k++) {
      const lead = this.leadBound[k]!;
      if (lead === Infinity) continue;
      const j = this.idx[k]!;
      const t = policyTarget[j]!;
      const x = q[j]!;
      const lo = Math.min(t, x - lead);
      const hi = Math.max(t, x + lead);
      const c = t + this.correction[k]!;
      const v = c < lo ? lo : c > hi ? hi : c;
      if (v !== c) {
        this.correction[k] = v - t;
        this.stats.leadLimited++;
      }
    }
  }

  private shape(): { joints: number; features: number; context: number } {
    return { joints: this.n, features: this.features, context: this.context ? this.context.z.length : 0 };
  }

  /** The consolidated policy's target, unchanged; correction dropped (counted by the caller's state). */
  private consolidatedOnly(policyTarget: ArrayLike<number>, out: Float64Array, state: AdapterState): AdapterState {
    if (state === 'bad_input') this.stats.badInputTicks++;
    this.externalCost = 0; // charged for this tick only, not piled up over the ticks without a cost update
    for (let i = 0; i < out.length; i++) out[i] = policyTarget[i]!;
    this.correction.fill(0);
    this.beta = 0;
    this.holdLatched = false;
    if (state === 'bad_input') {
      this.havePrev = false; // no sample spans a bad tick
      this.prevTargetAt[1] = 0; // nor a target rate
      this.prevQdAt[1] = 0;
      this.load?.restart();
    }
    else this.prevCmd.set(out);
    this.atLead.fill(0);
    this.state = state;
    return state;
  }

  private event(kind: AdapterEvent['kind'], regime?: string | null): void {
    if (this.events.length >= 256) this.events.shift();
    this.events.push({ tick: this.tickCount, kind, ...(regime ? { regime } : {}) });
  }
}

/** Every entry finite (NaN and ±Infinity fail). */
function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}
