/**
 * The shield's sequencer: state machine, watchdogs and the per-tick pipeline
 * of limit stages (math in ./joint-stages.ts, ./band.ts, ./barrier.ts).
 * docs/shield.md has the state diagram:
 *
 *   INACTIVE ──activate──▶ ACTIVE ──hold / fault / candidate timeout / clock reset──▶ HOLD
 *   HOLD ──activate──▶ ACTIVE   (and HOLD(candidate_timeout) ──fresh candidate──▶ ACTIVE)
 *   any ──estop──▶ ESTOP (latched)     ESTOP ──reset──▶ HOLD (still holding; needs an activate)
 *   INACTIVE ──autoActivate (first start only)──▶ ACTIVE
 *
 * Output: one position command per joint per tick (dt = 1/rateHz) in
 * `output`. Guarantees on every tick with an output:
 *  - position within the shield limits (a command outside them, possible
 *    only right after activation, never moves further out), with stopping
 *    distance at the configured deceleration;
 *  - |Δp|/dt ≤ velocity limit;
 *  - self-collision/workspace barriers (when configured) kept;
 *  - acceleration ≤ limit, except on the tick an e-stop freezes the command
 *    and when a barrier needs harder braking (counted);
 *  - effort and jerk whenever compatible with the above (else the nearest
 *    command, counted as a relaxation);
 *  - a target that meets every constraint is output bit for bit.
 * ESTOP, and HOLD once braked to rest, output the held command bit for bit
 * whatever the clock, inputs or rate do, until an accepted activate.
 * Every value stays finite: inputs beyond `inputs.maxMagnitude` are rejected.
 * Time enters through `clock` (see ./clock.ts); a tick allocates nothing.
 */
import { Constraint, CONSTRAINT_COUNT, makeBand, openBand, projectOntoBand, type Band } from './band.js';
import { BarrierStage, type ShieldBarriers } from './barrier-stage.js';
import { makeClock, type TickClock } from './clock.js';
import type { ShieldCoreConfig } from './config.js';
import { InputStage } from './input-stage.js';
import { InputVerdict, type NamedCandidate, type NamedJointState } from './inputs.js';
import {
  accelerationStage, advanceTrajectory, brakingTarget, effortStage, followingErrorStage, jerkStage, positionStage, velocityStage, 
} from './joint-stages.js';
import type { ShieldLimits } from './limits.js';
import { Reason, Refusal, ShieldState, makeStatus, type InputCounters, type ShieldStatus, type TickOutcome } from './status.js';

export type { BarrierSource, ShieldBarriers } from './barrier-stage.js';
export type ActivateOutcome = 'activated' | 'already_active' | 'estop_latched' | 'state_not_fresh' | 'out_of_limits';
export type ResetOutcome = 'reset' | 'not_in_estop' | 'state_not_fresh' | 'out_of_limits';
export type HoldOutcome = 'holding' | 'not_active';

export class Shield {
  readonly n: number;
  /** Tick period, s. */
  readonly dtS: number;
  readonly clock: TickClock;
  readonly status: ShieldStatus = makeStatus();
  /** The command of the last tick with output, rad (shield joint order). */
  readonly output: Float64Array;
  /** Velocity of the commanded trajectory, rad/s. */
  readonly outputVelocity: Float64Array;
  /** Feed-forward effort to pass on, N·m (zeros unless `feedForwardEffort`). */
  readonly outputEffort: Float64Array;
  /** This tick's target before the stages, rad. */
  readonly target: Float64Array;
  /** Whether `output` holds a command (false until the first fresh measured state). */
  hasOutput = false;

  private readonly acc: Float64Array;
  private readonly next: Float64Array;
  /** `status.interventions` before this tick's projection (per-constraint intervention ticks). */
  private readonly interventionsBefore = new Uint32Array(CONSTRAINT_COUNT);
  private readonly lastPassTarget: Float64Array;
  private readonly band: Band;
  private readonly inputs: InputStage;
  private readonly barriers: BarrierStage | null;
  /** The target path is live (ACTIVE and computed at least once since entering). */
  private onPath = false;
  private measuredFresh = false;
  private lastNowS = NaN;

  constructor(
    readonly limits: ShieldLimits,
    readonly config: ShieldCoreConfig,
    barriers: ShieldBarriers | null = null,
  ) {
    const n = limits.names.length;
    this.n = n;
    this.dtS = 1 / config.rateHz;
    this.clock = makeClock(this.dtS);
    const f = () => new Float64Array(n);
    this.output = f(); this.outputVelocity = f(); this.outputEffort = f(); this.target = f(); this.acc = f(); this.next = f(); this.lastPassTarget = f();
    this.band = makeBand(n);
    this.inputs = new InputStage(limits.names, config, this.clock);
    this.barriers = barriers ? new BarrierStage(n, barriers, this.clock) : null;
  }

  /** One shield tick at `nowS` (shield clock, s), optionally with new inputs. */
  tick(nowS: number, measured: NamedJointState | null = null, candidate: NamedCandidate | null = null): TickOutcome {
    this.clock.nowS = nowS;
    return this.step(measured, candidate);
  }

  /**
   * One shield tick at `clock.nowS` (set it first). Allocates nothing — unlike
   * `tick(nowS)`, whose double argument V8 may box (16 B) at the call.
   */
  step(measured: NamedJointState | null = null, candidate: NamedCandidate | null = null): TickOutcome {
    const st = this.status;
    const clock = this.clock;
    const nowS = clock.nowS;
    st.ticks++;
    // A non-finite clock: no input is trusted, the command is held (no stage could run on it).
    if (!(nowS - nowS === 0)) {
      clock.nowS = this.lastNowS === this.lastNowS ? this.lastNowS : 0;
      this.clockReset();
      if (!this.hasOutput) return 'no_output';
      st.outputs++;
      return 'stopped';
    }
    // Clock: a backwards jump is a sim reset; otherwise accrue time in state.
    if (nowS < this.lastNowS) this.clockReset();
    else if (this.lastNowS === this.lastNowS) st.timeInStateS[st.state]! += nowS - this.lastNowS;
    this.lastNowS = nowS;
    // Inputs: checked, mapped by name and copied; rejections counted.
    if (measured) this.takeMeasured(measured);
    if (candidate) this.takeCandidate(candidate);
    // Watchdogs and automatic transitions.
    this.supervise();
    if (!this.hasOutput) return 'no_output';
    st.outputs++;
    if (st.state === ShieldState.Estop || st.state === ShieldState.Inactive) {
      this.freeze();
      return 'stopped';
    }
    const p = this.output;
    const v = this.outputVelocity;
    const lim = this.limits;
    const band = this.band;
    const rel = st.relaxations;
    const active = st.state === ShieldState.Active;
    // HOLD at rest: the held command, bit for bit (it passed every stage when it was produced).
    if (!active && this.atRest()) return 'holding';
    // Target: the interpolated candidate (ACTIVE) or a braking stop (HOLD).
    if (active) {
      this.inputs.target(this.target);
      this.onPath = true;
      if (this.config.passThrough) return this.passThrough();
    } else brakingTarget(lim, p, v, clock, this.target);
    // Feed-forward effort, saturated to the effort limit.
    this.feedForward(active);
    openBand(band);
    // 1. Position limits with stopping distance at the configured deceleration.
    positionStage(band, lim, p, clock);
    // 2. Velocity limit.
    rel[Constraint.Velocity]! += velocityStage(band, lim, p, clock);
    // 3. Self-collision and workspace barrier rows at the current command.
    if (this.barriers) this.barriers.collect(p, band);
    // 4. Acceleration limit of the commanded trajectory.
    rel[Constraint.Acceleration]! += accelerationStage(band, lim, p, v, clock);
    // Stages 5–6 bound what a candidate may ask; a HOLD brakes with the hard stages alone.
    if (active) {
      // 5. Servo effort |kp·(p' − q) − kd·q̇ + τff| ≤ E, only on fresh measured state.
      if (lim.effortStage && this.measuredFresh) {
        rel[Constraint.Effort]! += effortStage(band, lim, this.inputs.q, this.inputs.qd, this.outputEffort);
      }
      // 5b. Following error |p' − q| ≤ L, only on fresh measured state.
      if (this.measuredFresh) rel[Constraint.Following]! += followingErrorStage(band, lim, this.inputs.q);
      // 6. Jerk limit (smoothing, lowest priority).
      rel[Constraint.Jerk]! += jerkStage(band, lim, p, v, this.acc, clock);
    }
    // Projection: the nearest admissible command; the target itself when admissible.
    this.interventionsBefore.set(st.interventions);
    const size = projectOntoBand(this.target, band, this.next, st.interventions, st.lastIntervention);
    // Barriers: the nearest command in the band that keeps them (unchanged when it already does).
    if (this.barriers) this.barriers.enforce(this.target, band, p, this.next, st.interventions, rel, size);
    advanceTrajectory(p, v, this.acc, this.next, clock);
    if (size.joints > 0) {
      st.interventionTicks++;
      for (let c = 0; c < CONSTRAINT_COUNT; c++) if (st.interventions[c]! !== this.interventionsBefore[c]!) st.interventionTicksBy[c]!++;
      if (size.linfRad > st.maxInterventionRad) st.maxInterventionRad = size.linfRad;
    }
    return active ? (size.joints > 0 ? 'intervened' : 'passed') : 'holding';
  }

  /** Checks and stores a measured joint state arriving at `nowS`. */
  offerMeasured(nowS: number, m: NamedJointState): InputVerdict {
    if (!(nowS - nowS === 0)) return this.rejected('measured', InputVerdict.Malformed); // no clock, no stamp check
    this.clock.nowS = nowS;
    return this.takeMeasured(m);
  }

  /** Checks and stores a candidate arriving at `nowS`; starts a new interpolation segment. */
  offerCandidate(nowS: number, c: NamedCandidate): InputVerdict {
    if (!(nowS - nowS === 0)) return this.rejected('candidate', InputVerdict.Malformed);
    this.clock.nowS = nowS;
    return this.takeCandidate(c);
  }

  /**
   * Counts a rejected message (also one rejected outside, e.g. a trajectory
   * without points); `maxConsecutiveRejections` in a row is a fault:
   * measured → HOLD/ESTOP per config, candidate → HOLD.
   */
  reject(stream: 'measured' | 'candidate', verdict: InputVerdict, nowS: number): InputVerdict {
    this.clock.nowS = nowS;
    return this.rejected(stream, verdict);
  }

  /** Latches the e-stop: from the next tick on, the output is a constant hold until an accepted reset. */
  requestEstop(nowS: number, reason: Reason = Reason.EstopRequested): void {
    this.clock.nowS = nowS;
    if (this.status.state !== ShieldState.Estop) this.transition(ShieldState.Estop, reason);
  }

  /**
   * ESTOP → HOLD, only with fresh measured state within the URDF limits: clears
   * the latch and keeps holding the same command; motion needs an `activate`.
   */
  requestReset(nowS: number): ResetOutcome {
    this.clock.nowS = nowS;
    if (this.status.state !== ShieldState.Estop) return 'not_in_estop';
    const check = this.readiness();
    if (check !== 'ok') return check;
    this.transition(ShieldState.Hold, Reason.Reset);
    this.inputs.forgetGoals();
    return 'reset';
  }

  /** INACTIVE/HOLD → ACTIVE (an operator's act), only with fresh measured state within the URDF limits. */
  activate(nowS: number, reason: Reason = Reason.Activated): ActivateOutcome {
    this.clock.nowS = nowS;
    return this.tryActivate(reason);
  }

  /** ACTIVE → HOLD (soft stop within limits). */
  requestHold(nowS: number): HoldOutcome {
    this.clock.nowS = nowS;
    if (this.status.state === ShieldState.Active) this.transition(ShieldState.Hold, Reason.HoldRequested);
    return this.status.state === ShieldState.Hold ? 'holding' : 'not_active';
  }

  /** Freezes the commanded trajectory where it is (v = a = 0); for a last hold on shutdown. */
  freeze(): void {
    this.outputVelocity.fill(0);
    this.acc.fill(0);
    this.outputEffort.fill(0);
  }

  /** Measured joint positions (rad) and velocities (rad/s) of the last accepted state. */
  get measuredPosition(): Float64Array { return this.inputs.q; }
  get measuredVelocity(): Float64Array { return this.inputs.qd; }

  private takeMeasured(m: NamedJointState): InputVerdict {
    const verdict = this.inputs.measured(m);
    if (verdict !== InputVerdict.Accepted) return this.rejected('measured', verdict);
    accept(this.status.measured);
    return verdict;
  }

  private takeCandidate(c: NamedCandidate): InputVerdict {
    const verdict = this.inputs.candidate(c, this.onPath, this.output);
    if (verdict !== InputVerdict.Accepted) return this.rejected('candidate', verdict);
    accept(this.status.candidate);
    return verdict;
  }

  private rejected(stream: 'measured' | 'candidate', verdict: InputVerdict): InputVerdict {
    const st = this.status;
    const c = stream === 'measured' ? st.measured : st.candidate;
    c.rejected[verdict]!++;
    c.consecutive++;
    if (c.consecutive !== this.config.inputs.maxConsecutiveRejections) return verdict;
    if (stream === 'measured') this.measuredFault(Reason.MeasuredRejected);
    else if (st.state === ShieldState.Active) this.transition(ShieldState.Hold, Reason.CandidateRejected);
    else if (st.state === ShieldState.Hold && st.reason === Reason.CandidateTimeout) st.reason = Reason.CandidateRejected;
    return verdict;
  }

  private supervise(): void {
    const st = this.status;
    const w = this.config.watchdog;
    const now = this.clock.nowS;
    st.measuredAgeS = now - this.inputs.measuredStampS;
    st.candidateAgeS = now - this.inputs.candidateStampS;
    this.measuredFresh = st.measuredAgeS <= w.measuredTimeoutS;
    const candidateFresh = st.candidateAgeS <= w.candidateTimeoutS;
    const s = st.state;
    // Stale measured state: a fault (HOLD or ESTOP per config).
    if ((s === ShieldState.Active || s === ShieldState.Hold) && !this.measuredFresh
      && !(s === ShieldState.Hold && isMeasuredFault(st.reason))) this.measuredFault(Reason.MeasuredStale);
    // Automatic activation: the very first start only (never after an e-stop, fault or clock reset).
    if (st.state === ShieldState.Inactive && this.config.autoActivate && st.activations === 0 && st.transitions === 0) {
      if (this.tryActivate(Reason.AutoActivated) !== 'activated') return;
    }
    if (st.state === ShieldState.Estop && !this.hasOutput && this.measuredFresh) this.seedFromMeasured(true);
    // Candidate watchdog: no fresh candidate → decelerate to a hold; resume when one arrives.
    if (st.state === ShieldState.Active && !candidateFresh) this.transition(ShieldState.Hold, Reason.CandidateTimeout);
    else if (st.state === ShieldState.Hold && st.reason === Reason.CandidateTimeout && candidateFresh) {
      this.enterActive(Reason.CandidateResumed);
    }
  }

  private tryActivate(reason: Reason): ActivateOutcome {
    const st = this.status;
    const s = st.state;
    if (s === ShieldState.Active) return 'already_active';
    if (s === ShieldState.Estop) return this.refused(Refusal.EstopLatched, -1, 'estop_latched');
    const check = this.readiness();
    if (check !== 'ok') return this.refused(check === 'state_not_fresh' ? Refusal.StateNotFresh : Refusal.OutOfLimits, this.outJoint, check);
    if (!this.hasOutput) this.seedFromMeasured(false);
    this.enterActive(reason);
    st.activations++;
    return 'activated';
  }

  private refused<T extends ActivateOutcome>(why: Refusal, joint: number, outcome: T): T {
    const st = this.status;
    st.activationRefusals++;
    st.lastRefusal = why;
    st.lastRefusalJoint = joint;
    return outcome;
  }

  /** Index of the first joint outside its URDF range (or over its speed) at the last readiness check, −1 if none. */
  private outJoint = -1;

  private readiness(): 'ok' | 'state_not_fresh' | 'out_of_limits' {
    if (!(this.clock.nowS - this.inputs.measuredStampS <= this.config.watchdog.measuredTimeoutS)) return 'state_not_fresh';
    const l = this.limits;
    this.outJoint = firstOutside(l.urdfLower, l.urdfUpper, l.velocity, this.inputs.q, this.inputs.qd);
    return this.outJoint < 0 ? 'ok' : 'out_of_limits';
  }

  /** Every joint's commanded velocity and acceleration are exactly zero. */
  private atRest(): boolean {
    const v = this.outputVelocity;
    const a = this.acc;
    for (let i = 0; i < this.n; i++) if (v[i] !== 0 || a[i] !== 0) return false;
    return true;
  }

  /** Pass-through (test only): the target as it is, no stage. */
  private passThrough(): TickOutcome {
    this.lastPassTarget.set(this.target);
    advanceTrajectory(this.output, this.outputVelocity, this.acc, this.lastPassTarget, this.clock);
    return 'passed';
  }

  /** Starts the commanded trajectory at the measured position, at rest (clamped into the limits for an e-stop hold). */
  private seedFromMeasured(clamp: boolean): void {
    const l = this.limits;
    const q = this.inputs.q;
    for (let i = 0; i < this.n; i++) {
      const x = q[i]!;
      this.output[i] = clamp ? Math.min(l.upper[i]!, Math.max(l.lower[i]!, x)) : x;
    }
    this.freeze();
    this.hasOutput = true;
  }

  private enterActive(reason: Reason): void {
    this.transition(ShieldState.Active, reason);
    // A fresh path from the current command toward the latest goal.
    this.inputs.restartPath(this.output);
  }

  private feedForward(active: boolean): void {
    const e = this.outputEffort;
    if (!active || !this.config.feedForwardEffort) {
      e.fill(0);
      return;
    }
    const lim = this.limits.effort;
    const goal = this.inputs.goalEffort;
    for (let i = 0; i < e.length; i++) {
      const t = goal[i]!;
      const m = lim[i]!;
      e[i] = t > m ? m : t < -m ? -m : t;
    }
  }

  private measuredFault(reason: Reason): void {
    const s = this.status.state;
    if (s !== ShieldState.Active && s !== ShieldState.Hold) return;
    if (this.config.watchdog.onMeasuredFault === 'estop') this.transition(ShieldState.Estop, reason);
    else if (s === ShieldState.Active) this.transition(ShieldState.Hold, reason);
    else this.status.reason = reason;
  }

  /**
   * The clock went backwards (sim reset) or is not finite: every stored input
   * is dropped; the command is kept. ACTIVE brakes to a HOLD that needs an
   * activate; HOLD and ESTOP keep holding the same command.
   */
  private clockReset(): void {
    const st = this.status;
    st.clockResets++;
    this.inputs.forgetInputs();
    this.onPath = false;
    this.measuredFresh = false;
    st.measured.consecutive = 0;
    st.candidate.consecutive = 0;
    if (st.state === ShieldState.Active) this.transition(ShieldState.Hold, Reason.ClockReset);
    else if (st.state === ShieldState.Hold && !isMeasuredFault(st.reason)) st.reason = Reason.ClockReset;
  }

  private transition(to: ShieldState, reason: Reason): void {
    const st = this.status;
    st.last.from = st.state;
    st.last.to = to;
    st.last.reason = reason;
    st.last.atS = this.clock.nowS;
    st.state = to;
    st.reason = reason;
    st.transitions++;
    if (to !== ShieldState.Active) this.onPath = false;
  }
}

function accept(c: InputCounters): void {
  c.accepted++;
  c.consecutive = 0;
}

/** Index of the first joint with q outside [lower, upper] or |qd| above its velocity limit, −1 if none. */
function firstOutside(lower: Float64Array, upper: Float64Array, velocity: Float64Array, q: Float64Array, qd: Float64Array): number {
  for (let i = 0; i < q.length; i++) {
    const x = q[i]!;
    if (!(x >= lower[i]! && x <= upper[i]!) || !(Math.abs(qd[i]!) <= velocity[i]!)) return i;
  }
  return -1;
}

function isMeasuredFault(r: Reason): boolean {
  return r === Reason.MeasuredStale || r === Reason.MeasuredRejected;
}
