/**
 * The shield's sequencer: state machine, watchdogs and the per-tick pipeline
 * of limit stages (the math is in ./joint-stages.ts and ./band.ts).
 *
 *   INACTIVE ──activate──▶ ACTIVE ◀──▶ HOLD        any ──estop──▶ ESTOP (latched)
 *      ▲                                            ESTOP ──reset──▶ INACTIVE
 *
 * Output: one position command per joint per tick (dt = 1/rateHz), written
 * into `output`. Guarantees, every tick with an output:
 *  - position within the shield limits (a command outside them, possible only
 *    right after activation, never moves further out), with stopping distance;
 *  - |Δp|/dt ≤ velocity limit;
 *  - acceleration ≤ limit, except on the tick an e-stop freezes the command;
 *  - effort and jerk whenever compatible with the above (else the nearest
 *    command, counted as a relaxation);
 *  - a target that meets every constraint is output bit for bit.
 * ESTOP and INACTIVE output a constant hold of the last command.
 */
import { CONSTRAINT_COUNT, Constraint, makeBand, openBand, projectOntoBand } from './band.js';
import { makeBarrierSet, makeBarrierWork, projectWithBarriers, type BarrierSet, type BarrierWork } from './barrier.js';
import type { ShieldCoreConfig } from './config.js';
import {
  InputVerdict, NameMapper, checkStamp, lengthOk, mappedFinite, type NamedCandidate, type NamedJointState,
} from './inputs.js';
import { linearTarget, updatePeriodEstimate } from './interpolation.js';
import {
  accelerationStage, advanceTrajectory, brakingTarget, effortStage, jerkStage, positionStage, velocityStage, withinLimits,
} from './joint-stages.js';
import type { ShieldLimits } from './limits.js';
import { Reason, ShieldState, makeStatus, type InputCounters, type ShieldStatus, type TickOutcome } from './status.js';

/** Something that writes barrier rows (h, ∂h/∂q) for a command: the collision/workspace model. */
export interface BarrierSource {
  /** Rows (h, ∂h/∂q) at command p that could bind inside [lo, hi] with per-tick decay γ. */
  evaluate(p: Float64Array, set: BarrierSet, lo: Float64Array, hi: Float64Array, gamma: number): void;
  /** The exact h of each row of `set` at command p, into out. */
  values(p: Float64Array, set: BarrierSet, out: Float64Array): void;
}

export interface ShieldBarriers {
  source: BarrierSource;
  /** Barrier decay rate α, 1/s (γ = min(1, α·dt)). */
  decayRatePerS: number;
  /** Most barrier rows per tick. */
  maxActive: number;
}

/** A barrier row counts as met within this much, m. */
const BARRIER_TOL_M = 1e-9;

export type ActivateOutcome = 'activated' | 'already_active' | 'estop_latched' | 'state_not_fresh' | 'out_of_limits';
export type ResetOutcome = 'reset' | 'not_in_estop' | 'state_not_fresh' | 'out_of_limits';
export type HoldOutcome = 'holding' | 'not_active';

export class Shield {
  readonly n: number;
  /** Tick period, s. */
  readonly dtS: number;
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
  private readonly q: Float64Array;
  private readonly qd: Float64Array;
  private readonly goal: Float64Array;
  private readonly goalEffort: Float64Array;
  /** 1 where a candidate has set the goal since the last clock reset or e-stop reset. */
  private readonly goalSet: Uint8Array;
  private readonly segStart: Float64Array;
  private readonly next: Float64Array;
  private readonly band;
  private readonly measMap: NameMapper;
  private readonly candMap: NameMapper;
  private measuredStampS = -Infinity;
  private candidateStampS = -Infinity;
  private candidateArrivalS = NaN;
  private segT0S = 0;
  private segHorizonS: number;
  private periodEstimateS: number;
  private targetValid = false;
  private measuredFresh = false;
  private lastNowS = NaN;
  /** The trajectory was (re)started from the measured state since the last tick. */
  private seeded = false;

  private readonly barrierSet: BarrierSet | null;
  private readonly barrierWork: BarrierWork | null;
  private readonly hardLo: Float64Array;
  private readonly hardHi: Float64Array;
  private readonly projected: Float64Array;
  private readonly barrierValues: Float64Array;
  private readonly gamma: number;

  constructor(
    readonly limits: ShieldLimits,
    readonly config: ShieldCoreConfig,
    private readonly barriers: ShieldBarriers | null = null,
  ) {
    const n = limits.names.length;
    this.n = n;
    this.dtS = 1 / config.rateHz;
    const f = () => new Float64Array(n);
    this.output = f(); this.outputVelocity = f(); this.outputEffort = f(); this.target = f(); this.acc = f();
    this.q = f(); this.qd = f(); this.goal = f(); this.goalEffort = f(); this.segStart = f(); this.next = f();
    this.band = makeBand(n);
    this.barrierSet = barriers ? makeBarrierSet(n, barriers.maxActive) : null;
    this.barrierWork = barriers ? makeBarrierWork(n, barriers.maxActive) : null;
    this.hardLo = f(); this.hardHi = f(); this.projected = f();
    this.barrierValues = new Float64Array(barriers ? barriers.maxActive : 0);
    this.gamma = barriers ? Math.min(1, barriers.decayRatePerS * this.dtS) : 0;
    this.goalSet = new Uint8Array(n);
    const index = new Map(limits.names.map((name, i) => [name, i]));
    this.measMap = new NameMapper(index, config.inputs.ignoreUnknownMeasuredJoints, false);
    this.candMap = new NameMapper(index, false, config.inputs.allowPartialCandidates);
    this.periodEstimateS = config.interpolation.candidatePeriodS;
    this.segHorizonS = this.periodEstimateS;
  }

  /** One shield tick at `nowS` (shield clock, s), optionally with new inputs. Allocates nothing. */
  tick(nowS: number, measured: NamedJointState | null = null, candidate: NamedCandidate | null = null): TickOutcome {
    const st = this.status;
    // Clock: a backwards jump is a sim reset; otherwise accrue time in state.
    if (nowS < this.lastNowS) this.clockReset(nowS);
    else if (this.lastNowS === this.lastNowS) st.timeInStateS[st.state]! += nowS - this.lastNowS;
    this.lastNowS = nowS;
    st.ticks++;
    // Inputs: checked, mapped by name and copied; rejections counted.
    if (measured) this.offerMeasured(nowS, measured);
    if (candidate) this.offerCandidate(nowS, candidate);
    // Watchdogs and automatic transitions.
    this.supervise(nowS);
    if (!this.hasOutput) return 'no_output';
    st.outputs++;
    if (st.state === ShieldState.Estop || st.state === ShieldState.Inactive) {
      this.freeze();
      return 'stopped';
    }
    // The tick that starts the trajectory outputs its start: the measured position, at rest.
    if (this.seeded) {
      this.seeded = false;
      return 'holding';
    }
    const p = this.output;
    const v = this.outputVelocity;
    const dt = this.dtS;
    const lim = this.limits;
    const rel = st.relaxations;
    const active = st.state === ShieldState.Active;
    // Target: the interpolated candidate (ACTIVE) or a braking stop (HOLD).
    if (active) this.candidateTarget(nowS);
    else brakingTarget(lim, p, v, dt, this.target);
    // Feed-forward effort, saturated to the effort limit.
    this.feedForward(active);
    openBand(this.band);
    // 1. Position limits with stopping distance at the configured deceleration.
    positionStage(this.band, lim, p, dt);
    // 2. Velocity limit.
    rel[Constraint.Velocity]! += velocityStage(this.band, lim, p, dt);
    // 3. Self-collision and workspace barriers at the current command (rows for the projection).
    const bs = this.barrierSet;
    if (bs && this.barriers) {
      this.barriers.source.evaluate(p, bs, this.band.lo, this.band.hi, this.gamma);
      if (bs.m > 0) { this.hardLo.set(this.band.lo); this.hardHi.set(this.band.hi); }
    }
    // 4. Acceleration limit of the commanded trajectory.
    rel[Constraint.Acceleration]! += accelerationStage(this.band, lim, p, v, dt);
    // 5. Servo effort |kp·(p' − q) − kd·q̇ + τff| ≤ E, only on fresh measured state.
    if (lim.effortStage && this.measuredFresh) {
      rel[Constraint.Effort]! += effortStage(this.band, lim, this.q, this.qd, this.outputEffort);
    }
    // 6. Jerk limit (smoothing, lowest priority).
    rel[Constraint.Jerk]! += jerkStage(this.band, lim, p, v, this.acc, dt);
    // Projection: the nearest admissible command; the target itself when admissible.
    const size = projectOntoBand(this.target, this.band, this.next, st.interventions, st.lastIntervention);
    // Barriers: the nearest command in the band that meets them (the band's clamp when it already does).
    if (bs && bs.m > 0) this.enforceBarriers(bs);
    advanceTrajectory(p, v, this.acc, this.next, dt);
    if (size.joints > 0) {
      st.interventionTicks++;
      if (size.linfRad > st.maxInterventionRad) st.maxInterventionRad = size.linfRad;
    }
    return active ? (size.joints > 0 ? 'intervened' : 'passed') : 'holding';
  }

  /**
   * Minimal-intervention projection onto band ∩ barriers. When the barriers
   * cannot be met inside the full band, acceleration/effort/jerk are relaxed
   * (position and velocity never are); when not even then, the barrier is
   * relaxed (counted) and the best command inside the hard band is used.
   */
  private enforceBarriers(bs: BarrierSet): void {
    const st = this.status;
    const out = this.projected;
    let worst = this.solveBarriers(bs, this.band.lo, this.band.hi);
    if (worst > BARRIER_TOL_M) {
      st.relaxations[Constraint.Acceleration]!++;
      worst = this.solveBarriers(bs, this.hardLo, this.hardHi);
      if (worst > BARRIER_TOL_M) st.relaxations[bs.kind[0]!]!++;
    }
    const work = this.barrierWork!;
    // Attribute the change to the barrier kind with the largest multiplier.
    let top = 0;
    for (let j = 1; j < bs.m; j++) if (work.lambda[j]! > work.lambda[top]!) top = j;
    const kind = bs.kind[top]!;
    const size = st.lastIntervention;
    let sq = size.l2Rad * size.l2Rad;
    for (let i = 0; i < this.n; i++) {
      const o = out[i]!;
      if (o === this.next[i]) continue;
      st.interventions[kind]!++;
      const t = this.target[i]!;
      const before = Math.abs(this.next[i]! - t);
      const d = Math.abs(o - t);
      if (before === 0) size.joints++;
      sq += d * d - before * before;
      if (d > size.linfRad) size.linfRad = d;
      this.next[i] = o;
    }
    size.l2Rad = Math.sqrt(Math.max(0, sq));
  }

  /**
   * Projection onto band ∩ barriers with linearisation correction: the exact
   * h at the result is compared with the required (1 − γ)·h; a row that fell
   * short is tightened by the shortfall and the projection repeated (twice at
   * most). If the solver cannot meet the rows, the command moves from p
   * (which meets every row with h ≥ 0) toward the solution only as far as the
   * rows allow. Returns the remaining violation, m.
   */
  private solveBarriers(bs: BarrierSet, lo: Float64Array, hi: Float64Array): number {
    const work = this.barrierWork!;
    const src = this.barriers!.source;
    const out = this.projected;
    const hTrue = this.barrierValues;
    bs.shift.fill(0);
    let worst = 0;
    for (let round = 0; round < 3; round++) {
      worst = projectWithBarriers(this.target, lo, hi, bs, this.output, this.gamma, out, work);
      if (worst > BARRIER_TOL_M) worst = this.retreat(bs, out);
      src.values(out, bs, hTrue);
      let short = 0;
      for (let j = 0; j < bs.m; j++) {
        const need = (1 - this.gamma) * bs.h[j]! - hTrue[j]!;
        if (need > 1e-7) {
          bs.shift[j]! += need + 1e-7;
          if (need > short) short = need;
        }
      }
      if (short === 0) break;
      if (round === 2) worst = Math.max(worst, short);
    }
    return worst;
  }

  /** Scales out − p back until every linearised row holds (p itself holds each row with h ≥ 0). */
  private retreat(bs: BarrierSet, out: Float64Array): number {
    const p = this.output;
    const n = this.n;
    let t = 1;
    let worst = 0;
    for (let j = 0; j < bs.m; j++) {
      let gd = 0;
      for (let i = 0; i < n; i++) gd += bs.grad[j * n + i]! * (out[i]! - p[i]!);
      const slack = this.gamma * bs.h[j]! - bs.shift[j]!; // row: gd ≥ −slack
      if (slack < 0) worst = Math.max(worst, -slack);
      else if (gd < -slack) t = Math.min(t, slack / -gd);
    }
    if (t < 1) for (let i = 0; i < n; i++) out[i] = p[i]! + t * (out[i]! - p[i]!);
    return worst;
  }

  /** Checks and stores a measured joint state. */
  offerMeasured(nowS: number, m: NamedJointState): InputVerdict {
    const c = this.status.measured;
    let verdict = this.measMap.map(m.names);
    const slot = this.measMap.slot;
    if (verdict === InputVerdict.Accepted) {
      if (!lengthOk(m.position, m.names.length, false) || !lengthOk(m.velocity, m.names.length, true)) {
        verdict = InputVerdict.WrongLength;
      } else if (!mappedFinite(m.position, slot) || (m.velocity.length > 0 && !mappedFinite(m.velocity, slot))) {
        verdict = InputVerdict.NonFinite;
      } else {
        verdict = checkStamp(m.stampS, nowS, this.config.inputs.maxAgeS, this.config.inputs.maxFutureS);
      }
    }
    if (verdict !== InputVerdict.Accepted) return this.reject('measured', verdict, nowS);
    this.count(c, verdict);
    const hasVel = m.velocity.length > 0;
    for (let k = 0; k < slot.length; k++) {
      const i = slot[k]!;
      if (i < 0) continue;
      this.q[i] = m.position[k]!;
      this.qd[i] = hasVel ? m.velocity[k]! : 0;
    }
    this.measuredStampS = m.stampS;
    return verdict;
  }

  /** Checks and stores a candidate command; starts a new interpolation segment. */
  offerCandidate(nowS: number, cand: NamedCandidate): InputVerdict {
    const c = this.status.candidate;
    let verdict = this.candMap.map(cand.names);
    const slot = this.candMap.slot;
    const len = cand.names.length;
    if (verdict === InputVerdict.Accepted) {
      if (!lengthOk(cand.positions, len, false) || !lengthOk(cand.velocities, len, true) || !lengthOk(cand.effort, len, true)) {
        verdict = InputVerdict.WrongLength;
      } else if (
        !mappedFinite(cand.positions, slot) || (cand.velocities.length > 0 && !mappedFinite(cand.velocities, slot))
        || (cand.effort.length > 0 && !mappedFinite(cand.effort, slot))
      ) {
        verdict = InputVerdict.NonFinite;
      } else if (!(cand.horizonS >= 0 && cand.horizonS < Infinity)) {
        verdict = InputVerdict.Malformed;
      } else {
        verdict = checkStamp(cand.stampS, nowS, this.config.inputs.maxAgeS, this.config.inputs.maxFutureS);
      }
    }
    if (verdict !== InputVerdict.Accepted) return this.reject('candidate', verdict, nowS);
    this.count(c, verdict);
    // The new segment starts where the current path is now (no stutter at arrivals).
    if (this.targetValid) linearTarget(this.segStart, this.goal, this.segT0S, this.segHorizonS, nowS, this.segStart);
    else this.segStart.set(this.output);
    const hasEff = cand.effort.length > 0;
    for (let k = 0; k < slot.length; k++) {
      const i = slot[k]!;
      if (i < 0) continue;
      this.goal[i] = cand.positions[k]!;
      this.goalEffort[i] = hasEff ? cand.effort[k]! : 0;
      this.goalSet[i] = 1;
    }
    if (this.candidateArrivalS === this.candidateArrivalS) {
      this.periodEstimateS = updatePeriodEstimate(this.periodEstimateS, nowS - this.candidateArrivalS, this.dtS, this.config.watchdog.candidateTimeoutS);
    }
    this.candidateArrivalS = nowS;
    this.segT0S = nowS;
    this.segHorizonS = cand.horizonS > 0 ? cand.horizonS : this.periodEstimateS;
    this.candidateStampS = cand.stampS;
    return verdict;
  }

  /**
   * Counts a rejected message on one input (also for rejections decided
   * outside, e.g. a trajectory without points); `maxConsecutiveRejections` in a
   * row is a fault: measured → HOLD/ESTOP per config, candidate → HOLD.
   */
  reject(stream: 'measured' | 'candidate', verdict: InputVerdict, nowS: number): InputVerdict {
    const st = this.status;
    const c = stream === 'measured' ? st.measured : st.candidate;
    this.count(c, verdict);
    if (c.consecutive !== this.config.inputs.maxConsecutiveRejections) return verdict;
    if (stream === 'measured') this.measuredFault(nowS, Reason.MeasuredRejected);
    else if (st.state === ShieldState.Active) this.transition(ShieldState.Hold, Reason.CandidateRejected, nowS);
    else if (st.state === ShieldState.Hold && st.reason === Reason.CandidateTimeout) st.reason = Reason.CandidateRejected;
    return verdict;
  }

  /** Latches the e-stop: from the next tick on, the output is a constant hold until an accepted reset. */
  requestEstop(nowS: number, reason: Reason = Reason.EstopRequested): void {
    if (this.status.state !== ShieldState.Estop) this.transition(ShieldState.Estop, reason, nowS);
  }

  /** ESTOP → INACTIVE, only with fresh measured state within the URDF limits. */
  requestReset(nowS: number): ResetOutcome {
    if (this.status.state !== ShieldState.Estop) return 'not_in_estop';
    const check = this.readiness(nowS);
    if (check !== 'ok') return check;
    this.transition(ShieldState.Inactive, Reason.Reset, nowS);
    this.goalSet.fill(0);
    return 'reset';
  }

  /** INACTIVE/HOLD → ACTIVE, only with fresh measured state within the URDF limits. */
  activate(nowS: number, reason: Reason = Reason.Activated): ActivateOutcome {
    const s = this.status.state;
    if (s === ShieldState.Estop) return 'estop_latched';
    if (s === ShieldState.Active) return 'already_active';
    const check = this.readiness(nowS);
    if (check !== 'ok') return check;
    if (!this.hasOutput) this.seedFromMeasured();
    this.enterActive(nowS, reason);
    return 'activated';
  }

  /** ACTIVE → HOLD (soft stop within limits). */
  requestHold(nowS: number): HoldOutcome {
    if (this.status.state === ShieldState.Active) this.transition(ShieldState.Hold, Reason.HoldRequested, nowS);
    return this.status.state === ShieldState.Hold ? 'holding' : 'not_active';
  }

  /** Freezes the commanded trajectory where it is (v = a = 0); for a last hold on shutdown. */
  freeze(): void {
    this.outputVelocity.fill(0);
    this.acc.fill(0);
    this.outputEffort.fill(0);
  }

  /** Measured joint positions (rad) and velocities (rad/s) of the last accepted state. */
  get measuredPosition(): Float64Array { return this.q; }
  get measuredVelocity(): Float64Array { return this.qd; }

  private supervise(nowS: number): void {
    const st = this.status;
    const w = this.config.watchdog;
    st.measuredAgeS = nowS - this.measuredStampS;
    st.candidateAgeS = nowS - this.candidateStampS;
    this.measuredFresh = st.measuredAgeS <= w.measuredTimeoutS;
    const candidateFresh = st.candidateAgeS <= w.candidateTimeoutS;
    const s = st.state;
    if (s === ShieldState.Active || s === ShieldState.Hold) {
      // Stale measured state: a fault (HOLD or ESTOP per config).
      if (!this.measuredFresh && !(s === ShieldState.Hold && isMeasuredFault(st.reason))) this.measuredFault(nowS, Reason.MeasuredStale);
    }
    if (st.state === ShieldState.Inactive && this.config.autoActivate && this.measuredFresh) {
      if (this.activate(nowS, Reason.AutoActivated) !== 'activated') return;
    }
    if (st.state === ShieldState.Estop && !this.hasOutput && this.measuredFresh) this.seedFromMeasured(true);
    // Candidate watchdog: no fresh candidate → decelerate to a hold; resume when one arrives.
    if (st.state === ShieldState.Active && !candidateFresh) this.transition(ShieldState.Hold, Reason.CandidateTimeout, nowS);
    else if (st.state === ShieldState.Hold && st.reason === Reason.CandidateTimeout && candidateFresh) {
      this.enterActive(nowS, Reason.CandidateResumed);
    }
  }

  private readiness(nowS: number): 'ok' | 'state_not_fresh' | 'out_of_limits' {
    if (!(nowS - this.measuredStampS <= this.config.watchdog.measuredTimeoutS)) return 'state_not_fresh';
    const l = this.limits;
    return withinLimits(l.urdfLower, l.urdfUpper, l.velocity, this.q, this.qd, 0) ? 'ok' : 'out_of_limits';
  }

  /** Starts the commanded trajectory at the measured position, at rest (clamped into the limits for an e-stop hold). */
  private seedFromMeasured(clamp = false): void {
    const l = this.limits;
    for (let i = 0; i < this.n; i++) {
      const x = this.q[i]!;
      this.output[i] = clamp ? Math.min(l.upper[i]!, Math.max(l.lower[i]!, x)) : x;
    }
    this.freeze();
    this.hasOutput = true;
    this.seeded = true;
  }

  private enterActive(nowS: number, reason: Reason): void {
    this.transition(ShieldState.Active, reason, nowS);
    // A fresh path from the current command toward the latest goal.
    this.segStart.set(this.output);
    // Joints no candidate has named yet keep the current command as their goal.
    for (let i = 0; i < this.n; i++) if (!this.goalSet[i]) this.goal[i] = this.output[i]!;
    this.segT0S = nowS;
    this.targetValid = false;
  }

  private candidateTarget(nowS: number): void {
    if (this.config.interpolation.mode === 'none') this.target.set(this.goal);
    else linearTarget(this.segStart, this.goal, this.segT0S, this.segHorizonS, nowS, this.target);
    this.targetValid = true;
  }

  private feedForward(active: boolean): void {
    const e = this.outputEffort;
    if (!active || !this.config.feedForwardEffort) {
      e.fill(0);
      return;
    }
    const lim = this.limits.effort;
    for (let i = 0; i < e.length; i++) {
      const t = this.goalEffort[i]!;
      const m = lim[i]!;
      e[i] = t > m ? m : t < -m ? -m : t;
    }
  }

  private measuredFault(nowS: number, reason: Reason): void {
    const s = this.status.state;
    if (s !== ShieldState.Active && s !== ShieldState.Hold) return;
    if (this.config.watchdog.onMeasuredFault === 'estop') this.transition(ShieldState.Estop, reason, nowS);
    else if (s === ShieldState.Active) this.transition(ShieldState.Hold, reason, nowS);
    else this.status.reason = reason;
  }

  private clockReset(nowS: number): void {
    const st = this.status;
    st.clockResets++;
    this.measuredStampS = -Infinity;
    this.candidateStampS = -Infinity;
    this.candidateArrivalS = NaN;
    this.hasOutput = false;
    this.targetValid = false;
    this.goalSet.fill(0);
    st.measured.consecutive = 0;
    st.candidate.consecutive = 0;
    if (st.state !== ShieldState.Estop) this.transition(ShieldState.Inactive, Reason.ClockReset, nowS);
  }

  private count(c: InputCounters, verdict: InputVerdict): void {
    if (verdict === InputVerdict.Accepted) {
      c.accepted++;
      c.consecutive = 0;
    } else {
      c.rejected[verdict]!++;
      c.consecutive++;
    }
  }

  private transition(to: ShieldState, reason: Reason, nowS: number): void {
    const st = this.status;
    st.last.from = st.state;
    st.last.to = to;
    st.last.reason = reason;
    st.last.atS = nowS;
    st.state = to;
    st.reason = reason;
    st.transitions++;
    if (to !== ShieldState.Active) this.targetValid = false;
  }
}

function isMeasuredFault(r: Reason): boolean {
  return r === Reason.MeasuredStale || r === Reason.MeasuredRejected;
}

/** Number of constraint counters (for consumers sizing arrays). */
export const SHIELD_CONSTRAINTS = CONSTRAINT_COUNT;
