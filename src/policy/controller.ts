/**
 * The policy controller: everything the policy node does except talking to
 * topics, as plain data in and out (joint arrays in the policy's order).
 *
 * Time: every call reads the node's time, s, from `clock[0]`, which the
 * owner writes before the call. A shared slot instead of a float argument:
 * V8 boxes a float argument of a call it does not inline (16 B), and these
 * calls run every tick; with the slot a tick allocates nothing.
 *
 * A tick is a command tick (rate: policy rate × decimation). Per tick, in order:
 *   1. PASSIVE or no state yet → idle (publish nothing).
 *   2. Fault checks in driving modes: stale joint state/IMU, base tilt → DAMP.
 *   3. Mode target: DAMP → measured pose (optionally low-passed); STAND →
 *      interpolation (optionally low-passed); MOTION → reference pose;
 *      POLICY → on every `decimation`-th tick assemble the observation and ask
 *      for an inference (or, if the previous one is still running, count a
 *      miss and hold the last target), on the others publish the held target.
 * An inference result is dropped when later than the budget (counted; held
 * target), a non-finite action is a fault; repeated misses are a fault.
 */
import type { ContextWindow } from '../adaptation/context-module.js';
import type { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { tiltMarginCostInto } from '../adaptation/safety-gate.js';
import { ActionMapper } from './action.js';
import { TargetLowPass } from './low-pass.js';
import { StandInterpolator } from './stand.js';
import { ModeMachine, type FaultReason, type ModeName, type Transition, type TransitionResult } from './modes.js';
import { createObservationInputs, latentWidthOf, ObservationAssembler, type ObservationInputs } from './observation.js';
import type { ResolvedPolicyConfig } from './policy-config.js';
import { ReferenceFeed, type ReferenceSources } from './reference-feed.js';
import { SensorIntake, unfedTerms } from './sensor-intake.js';

/** What the caller does after `tick`: nothing, publish `target`, or run the policy on its input buffer. */
export type TickPlan = 'idle' | 'publish' | 'infer';
/** What the caller does after `finishInference`: publish `target`, or nothing. */
export type ResultPlan = 'publish' | 'dropped';

export interface ControllerStats {
  ticks: number;
  /** Ticks with no joint state or IMU yet. */
  waitingForState: number;
  /** Ticks whose deadline passed with the previous inference still running (target held). */
  missedDeadlines: number;
  /** Results later than the budget (dropped, target held). */
  lateResults: number;
  inferences: number;
  inferenceErrors: number;
  nonFiniteObservations: number;
  nonFiniteActions: number;
  rejectedModeRequests: number;
  /** Policy ticks held because the topic reference had not arrived yet. */
  waitingForReference: number;
}

export class PolicyController {
  readonly inputs: ObservationInputs;
  readonly assembler: ObservationAssembler;
  readonly action: ActionMapper;
  readonly modes: ModeMachine;
  /** Targets to publish, rad, policy order. */
  readonly target: Float64Array;
  readonly stats: ControllerStats = {
    ticks: 0,
    waitingForState: 0,
    missedDeadlines: 0,
    lateResults: 0,
    inferences: 0,
    inferenceErrors: 0,
    nonFiniteObservations: 0,
    nonFiniteActions: 0,
    rejectedModeRequests: 0,
    waitingForReference: 0,
  };
  /** [0] = the node's time, s: written by the owner before each call (see the file comment). */
  readonly clock = new Float64Array(1);
  /** Joint state, IMU, velocity command and reference motion in (checked, counted, time-stamped). */
  readonly intake: SensorIntake;
  /** The reference motion part of the observation (file, topic chunks, model outputs; anchor orientations). */
  readonly reference: ReferenceFeed;
  /** Called on every transition (logging, diagnostics, mode topic). */
  onTransition: (t: Transition) => void = () => {};
  /**
   * Online adaptation (optional): turns the policy's target into the published
   * one on every policy result (a residual correction; see src/adaptation).
   * It only changes what the policy asks for: the command still goes to the shield.
   */
  adapter: ResidualAdapter | null = null;
  /** The adaptation module's window, filled once per policy tick with the state and the published command (src/adaptation/context-module.ts). */
  contextWindow: ContextWindow | null = null;
  /** Extra veto on requested modes (the admission gate, src/policy/admission-gate.ts): a reason to refuse, or null. */
  gate: ((to: ModeName) => string | null) | null = null;
  private readonly stand: StandInterpolator;
  /** The STAND interpolation before its low-pass, rad. */
  private readonly standRaw: Float64Array;
  private readonly standLowPass: TargetLowPass;
  private readonly dampLowPass: TargetLowPass;
  private readonly decimation: number;
  /** Command ticks since the last policy tick (0: this tick runs the policy). */
  private phase = 0;
  /** Policy period, s. */
  private readonly periodS: number;
  private readonly budgetS: number;
  private readonly cosMaxTilt: number;
  private readonly maxTiltRad: number;
  /** The base tilt's margin cost at the last fault check (charged to the adapter's budget), cost units. */
  private readonly tiltCost = new Float64Array(1);
  private readonly maxMisses: number;
  private inFlight = false;
  /** A policy result has set the target since POLICY was entered. */
  private haveResult = false;
  private tickS = 0;
  private step = 0;
  private consecutiveMisses = 0;
  private readonly extraIn: { seconds: boolean; buf: Float32Array }[];
  private readonly extraOut: { buf: Float32Array; dst: Float64Array }[];
  /** The in-flight inference is the priming call (model-output references: time_step 0, action discarded). */
  private priming = false;
  private primed = false;
  /** Added to the policy step fed as time_step: 1 when the model outputs the reference (the call at step k yields step k + 1's). */
  private readonly timeStepAhead: number;

  constructor(
    private readonly cfg: ResolvedPolicyConfig,
    /** The buffer the observation is assembled into (the policy's input). */
    policyInput: Float32Array,
    /** The policy's extra input and output buffers by tensor name (see the config's extraInputs/extraOutputs), the robot model, a loaded reference motion, and whether an adaptation module feeds context_latent. */
    extras: { inputs?: ReadonlyMap<string, Float32Array>; outputs?: ReadonlyMap<string, Float32Array>; contextLatentFed?: boolean } & ReferenceSources = {},
  ) {
    const n = cfg.joints.length;
    const modes = cfg.config.modes;
    const unfed = unfedTerms(cfg.observation, { anchorOrientation: cfg.config.reference?.anchorBody !== undefined, contextLatent: extras.contextLatentFed === true });
    if (unfed.length > 0) throw new Error(`policy '${cfg.config.name}': observation terms without an input (refusing to feed the model constants):\n  - ${unfed.join('\n  - ')}`);
    this.inputs = createObservationInputs(n, latentWidthOf(cfg.observation));
    this.inputs.jointPos.set(cfg.defaultJointPos);
    this.inputs.lastActionProcessed.set(cfg.defaultJointPos);
    this.intake = new SensorIntake(this.inputs, this.clock, {
      staleStateS: modes.faults.staleStateS,
      velocityCommandTimeoutS: cfg.config.velocityCommandTimeoutS ?? Infinity,
    });
    this.assembler = new ObservationAssembler(cfg.observation, cfg.defaultJointPos, policyInput);
    this.action = new ActionMapper(cfg.action, cfg.defaultJointPos);
    this.modes = new ModeMachine(modes.initial);
    this.target = Float64Array.from(cfg.defaultJointPos);
    this.stand = new StandInterpolator(cfg.defaultJointPos, modes.standDurationS);
    this.standRaw = Float64Array.from(cfg.defaultJointPos);
    this.decimation = cfg.decimation;
    this.periodS = 1 / cfg.config.rateHz;
    const commandPeriodS = this.periodS / this.decimation;
    this.standLowPass = new TargetLowPass(modes.standLowPassS, commandPeriodS);
    this.dampLowPass = new TargetLowPass(modes.dampLowPassS, commandPeriodS);
    this.budgetS = modes.faults.inferenceBudgetS ?? this.periodS;
    this.cosMaxTilt = Math.cos(modes.faults.maxTiltRad);
    this.maxTiltRad = modes.faults.maxTiltRad;
    this.maxMisses = modes.faults.maxConsecutiveMisses;
    const buffer = (map: ReadonlyMap<string, Float32Array> | undefined, name: string, what: string): Float32Array => {
      const b = map?.get(name);
      if (!b) throw new Error(`policy has no buffer for ${what} '${name}'`);
      return b;
    };
    this.extraIn = cfg.config.extraInputs.map((e) => ({ seconds: e.unit === 'seconds', buf: buffer(extras.inputs, e.name, 'extra input') }));
    this.reference = new ReferenceFeed(cfg, this.inputs, this.clock, extras);
    this.timeStepAhead = this.reference.primes ? 1 : 0;
    const s = this.inputs;
    const dst = { reference_joint_pos: s.referenceJointPos, reference_joint_vel: s.referenceJointVel, reference_root_pos: s.referenceRootPos, reference_anchor_quat_xyzw: this.reference.modelAnchorQuatXyzw };
    this.extraOut = cfg.config.extraOutputs.map((e) => ({ buf: buffer(extras.outputs, e.name, 'extra output'), dst: dst[e.target] }));
  }

  get mode(): ModeName {
    return this.modes.mode;
  }

  /** True once joint state and IMU have both arrived. */
  get ready(): boolean {
    return this.intake.ready;
  }

  /** A mode request (service, topic, Joy) at `clock[0]`. */
  request(to: ModeName, source: string): TransitionResult {
    const nowS = this.clock[0]!;
    const r = this.modes.request(to, source, nowS, (m) => (m !== 'PASSIVE' && m !== 'DAMP' && !this.ready ? `${m} needs joint state and IMU first` : (this.gate?.(m) ?? null)));
    if (r.kind === 'accepted') this.entered(r.transition, nowS);
    else if (r.kind === 'rejected') this.stats.rejectedModeRequests++;
    return r;
  }

  /** One tick at `clock[0]`; says what the caller does next. */
  tick(): TickPlan {
    this.stats.ticks++;
    if (this.mode === 'PASSIVE') return 'idle';
    if (!this.ready) {
      this.stats.waitingForState++;
      return 'idle';
    }
    this.intake.expireCmdVel();
    if (this.mode !== 'DAMP') this.checkFaults();
    switch (this.modes.mode as ModeName) {
      case 'PASSIVE':
        return 'idle';
      case 'DAMP':
        this.dampLowPass.step(this.inputs.jointPos, this.target);
        return 'publish';
      case 'STAND':
        this.stand.sample(this.clock, this.standRaw);
        this.standLowPass.step(this.standRaw, this.target);
        return 'publish';
      case 'MOTION':
        if (this.intake.haveReference) this.target.set(this.inputs.referenceJointPos);
        return 'publish';
      case 'POLICY':
        return this.policyTick();
    }
  }

  /** Called at `clock[0]` with the policy output of the last 'infer' tick. */
  finishInference(out: ArrayLike<number>): ResultPlan {
    const nowS = this.clock[0]!;
    this.inFlight = false;
    const st = this.stats;
    st.inferences++;
    if (this.mode !== 'POLICY') return 'dropped';
    if (this.priming) {
      // the priming call's outputs are the reference for policy step 0; its action is discarded
      this.priming = false;
      if (nowS - this.tickS > this.budgetS) {
        st.lateResults++;
        this.miss();
        return 'dropped';
      }
      this.copyExtraOutputs();
      this.primed = true;
      return 'dropped';
    }
    if (nowS - this.tickS > this.budgetS) {
      st.lateResults++;
      this.miss();
      return 'dropped';
    }
    if (this.action.map(out).kind !== 'ok') {
      st.nonFiniteActions++;
      this.fault('non_finite_action', nowS);
      this.target.set(this.inputs.jointPos);
      return 'publish';
    }
    this.consecutiveMisses = 0;
    this.inputs.lastActionRaw.set(this.action.raw);
    this.inputs.lastActionClipped.set(this.action.clipped);
    this.inputs.lastActionProcessed.set(this.action.target);
    this.haveResult = true;
    if (this.adapter) {
      this.adapter.clock[0] = this.clock[0]!; // the time through a typed slot: no boxed float per tick
      this.adapter.externalCost += this.tiltCost[0]!; // fall/tilt events are safety cost: the margin to the tilt fault
      this.adapter.stepAtClock(this.inputs.jointPos, this.inputs.jointVel, this.action.target, this.target);
    }
    else this.target.set(this.action.target);
    this.contextWindow?.push(this.inputs.jointPos, this.inputs.jointVel, this.target);
    this.copyExtraOutputs();
    return 'publish';
  }

  /** Model outputs → the next observation's reference state. */
  private copyExtraOutputs(): void {
    for (let i = 0; i < this.extraOut.length; i++) {
      const e = this.extraOut[i]!;
      for (let j = 0; j < e.dst.length; j++) e.dst[j] = e.buf[j]!;
      this.intake.haveReference = true;
    }
  }

  /**
   * Adaptation on or off (live). Off: the held target becomes the policy's own
   * (consolidated) target at once, so the next published command has no
   * correction; on: corrections resume from zero within the trust region.
   */
  setAdaptation(on: boolean): void {
    if (!this.adapter) return;
    this.adapter.setEnabled(on);
    if (!on && this.mode === 'POLICY' && this.haveResult) this.target.set(this.action.target);
  }

  /** Called at `clock[0]` when the inference promise rejected. */
  inferenceFailed(): void {
    this.inFlight = false;
    this.stats.inferenceErrors++;
    if (this.mode === 'POLICY') this.fault('inference_error', this.clock[0]!);
  }

  private policyTick(): TickPlan {
    const nowS = this.clock[0]!;
    const phase = this.phase;
    this.phase = phase + 1 === this.decimation ? 0 : phase + 1;
    if (phase !== 0) return 'publish'; // between policy ticks: the held target at the command rate
    if (this.inFlight) {
      this.stats.missedDeadlines++;
      this.miss();
      return 'publish'; // the held target, or the measured pose if the miss faulted to DAMP
    }
    if (!this.reference.ready) {
      this.stats.waitingForReference++;
      return 'publish'; // no reference yet: hold the target (the pose at POLICY entry)
    }
    if (this.reference.primes && !this.primed) return this.prime(nowS);
    const s = this.inputs;
    s.step = this.step;
    s.timeS = this.step * this.periodS;
    this.step++;
    this.reference.update();
    if (this.assembler.assemble(s) !== 'ok') {
      this.stats.nonFiniteObservations++;
      this.fault('non_finite_observation', nowS);
      this.target.set(s.jointPos);
      return 'publish';
    }
    for (let i = 0; i < this.extraIn.length; i++) {
      const e = this.extraIn[i]!; // indexed loops: for-of allocates an iterator per tick
      const k = s.step + this.timeStepAhead;
      e.buf[0] = e.seconds ? k * this.periodS : k;
    }
    this.inFlight = true;
    this.tickS = nowS;
    return 'infer';
  }

  /** The priming call before policy step 0 (model-output references): observation zeros, time_step 0. */
  private prime(nowS: number): TickPlan {
    this.assembler.out.fill(0);
    for (let i = 0; i < this.extraIn.length; i++) this.extraIn[i]!.buf[0] = 0;
    this.priming = true;
    this.inFlight = true;
    this.tickS = nowS;
    return 'infer';
  }

  private miss(): void {
    if (++this.consecutiveMisses >= this.maxMisses) this.fault('deadline_misses', this.clock[0]!);
  }

  private checkFaults(): void {
    const nowS = this.clock[0]!;
    if (this.intake.stale()) {
      this.fault('stale_state', nowS);
      return;
    }
    const q = this.inputs.baseQuatXyzw;
    const n2 = q[0]! * q[0]! + q[1]! * q[1]! + q[2]! * q[2]! + q[3]! * q[3]!;
    const cosTilt = 1 - (2 * (q[0]! * q[0]! + q[1]! * q[1]!)) / n2; // base z · world z
    if (cosTilt < this.cosMaxTilt) this.fault('tilt', nowS);
    else if (this.adapter) tiltMarginCostInto(q, this.maxTiltRad, this.tiltCost, 0);
  }

  private fault(reason: FaultReason, nowS: number): void {
    const t = this.modes.fault(reason, nowS);
    if (t) this.entered(t, nowS);
  }

  private entered(t: Transition, nowS: number): void {
    if (t.to === 'STAND') {
      this.stand.start(this.inputs.jointPos, nowS);
      this.target.set(this.inputs.jointPos); // the STAND low-pass starts from the pose at entry
    }
    if (t.to === 'POLICY') this.resetPolicy();
    this.contextWindow?.restart(); // no window spans a mode change
    if (t.to === 'DAMP') this.target.set(this.inputs.jointPos);
    this.onTransition(t);
  }

  /** Restarts the policy clock, observation history and last action. */
  private resetPolicy(): void {
    this.step = 0;
    this.phase = 0;
    this.consecutiveMisses = 0;
    this.primed = false;
    this.priming = false;
    this.reference.reset();
    this.assembler.reset();
    this.action.reset();
    this.inputs.lastActionRaw.fill(0);
    this.inputs.lastActionClipped.fill(0);
    this.inputs.lastActionProcessed.set(this.action.offset);
    this.target.set(this.inputs.jointPos);
    this.adapter?.restart();
    this.haveResult = false;
  }
}
