/**
 * The shield's input stage: checks each measured state and candidate, copies
 * what passes into the shield's joint order, and keeps the interpolation
 * segment toward the latest candidate. Verdicts only; the shield counts them
 * and decides about faults. Allocates nothing per message (a new joint layout
 * re-maps once).
 */
import type { TickClock } from './clock.js';
import type { ShieldCoreConfig } from './config.js';
import {
  InputVerdict, NameMapper, checkStamp, lengthOk, mappedFinite, mappedWithin, type NamedCandidate, type NamedJointState,
} from './inputs.js';
import { linearTarget, type Segment } from './interpolation.js';

export class InputStage {
  /** Last accepted measured positions (rad) and velocities (rad/s), shield order. */
  readonly q: Float64Array;
  readonly qd: Float64Array;
  /** Stamp of the last accepted measured state / candidate, s (−∞ before any). */
  measuredStampS = -Infinity;
  candidateStampS = -Infinity;
  /** Goal of the current segment (rad) and its feed-forward effort (N·m). */
  readonly goal: Float64Array;
  readonly goalEffort: Float64Array;
  /** 1 where some candidate has set the goal since the last `forgetGoals`. */
  readonly goalSet: Uint8Array;
  /** Start of the current segment, rad. */
  readonly segStart: Float64Array;
  readonly seg: Segment;
  private readonly measMap: NameMapper;
  private readonly candMap: NameMapper;

  constructor(names: readonly string[], private readonly config: ShieldCoreConfig, private readonly clock: TickClock) {
    const n = names.length;
    this.q = new Float64Array(n);
    this.qd = new Float64Array(n);
    this.goal = new Float64Array(n);
    this.goalEffort = new Float64Array(n);
    this.goalSet = new Uint8Array(n);
    this.segStart = new Float64Array(n);
    const index = new Map(names.map((name, i) => [name, i]));
    this.measMap = new NameMapper(index, config.inputs.ignoreUnknownMeasuredJoints, false);
    this.candMap = new NameMapper(index, false, config.inputs.allowPartialCandidates);
    this.seg = new Seg(0);
  }

  /** Checks a measured state; copies it when accepted. */
  measured(m: NamedJointState): InputVerdict {
    let verdict = this.measMap.map(m.names);
    const slot = this.measMap.slot;
    if (verdict === InputVerdict.Accepted) {
      if (!lengthOk(m.position, m.names.length, false) || !lengthOk(m.velocity, m.names.length, true)) {
        verdict = InputVerdict.WrongLength;
      } else if (!mappedFinite(m.position, slot) || (m.velocity.length > 0 && !mappedFinite(m.velocity, slot))) {
        verdict = InputVerdict.NonFinite;
      } else if (!mappedWithin(m.position, slot, this.config.inputs.maxMagnitude) || !mappedWithin(m.velocity, slot, this.config.inputs.maxMagnitude)) {
        verdict = InputVerdict.OutOfRange;
      } else {
        verdict = checkStamp(m, this.clock, this.config.inputs);
      }
    }
    if (verdict !== InputVerdict.Accepted) return verdict;
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

  /**
   * Checks a candidate; when accepted, starts a segment from where the target
   * path is now (`onPath`: the path is live) or from `output`, toward it.
   */
  candidate(c: NamedCandidate, onPath: boolean, output: Float64Array): InputVerdict {
    let verdict = this.candMap.map(c.names);
    const slot = this.candMap.slot;
    const len = c.names.length;
    const max = this.config.inputs.maxMagnitude;
    if (verdict === InputVerdict.Accepted) {
      if (!lengthOk(c.positions, len, false) || !lengthOk(c.velocities, len, true) || !lengthOk(c.effort, len, true)) {
        verdict = InputVerdict.WrongLength;
      } else if (
        !mappedFinite(c.positions, slot) || (c.velocities.length > 0 && !mappedFinite(c.velocities, slot))
        || (c.effort.length > 0 && !mappedFinite(c.effort, slot))
      ) {
        verdict = InputVerdict.NonFinite;
      } else if (!(c.horizonS >= 0 && c.horizonS < Infinity)) {
        verdict = InputVerdict.Malformed;
      } else if (
        !mappedWithin(c.positions, slot, max) || !mappedWithin(c.velocities, slot, max) || !mappedWithin(c.effort, slot, max)
        || !(c.horizonS <= max)
      ) {
        verdict = InputVerdict.OutOfRange;
      } else if (c.stampS !== 0) {
        verdict = checkStamp(c, this.clock, this.config.inputs);
      }
    }
    if (verdict !== InputVerdict.Accepted) return verdict;
    // header.stamp 0 means "now" (ROS JointTrajectory convention).
    const stampS = c.stampS === 0 ? this.clock.nowS : c.stampS;
    // The new segment starts where the current path is now (no stutter at arrivals).
    if (onPath) linearTarget(this.segStart, this.goal, this.seg, this.clock, this.segStart);
    else this.segStart.set(output);
    const hasEff = c.effort.length > 0;
    for (let k = 0; k < slot.length; k++) {
      const i = slot[k]!;
      if (i < 0) continue;
      this.goal[i] = c.positions[k]!;
      this.goalEffort[i] = hasEff ? c.effort[k]! : 0;
      this.goalSet[i] = 1;
    }
    // Reach the goal at stamp + time_from_start; a point due now or earlier (or mode `none`) is a step target.
    const now = this.clock.nowS;
    const due = stampS + c.horizonS - now;
    this.seg.t0S = now;
    this.seg.horizonS = this.config.interpolation.mode === 'linear' && due > 0 ? due : 0;
    this.candidateStampS = stampS;
    return verdict;
  }

  /** Restarts the path at `from` now; joints no candidate has named keep `from` as their goal. */
  restartPath(from: Float64Array): void {
    this.segStart.set(from);
    for (let i = 0; i < from.length; i++) if (!this.goalSet[i]) this.goal[i] = from[i]!;
    this.seg.t0S = this.clock.nowS;
  }

  /** The target now: the segment's point (its goal once due; at once for a step target). */
  target(out: Float64Array): void {
    linearTarget(this.segStart, this.goal, this.seg, this.clock, out);
  }

  /** Drops every stored input (clock reset). */
  forgetInputs(): void {
    this.measuredStampS = -Infinity;
    this.candidateStampS = -Infinity;
    this.goalSet.fill(0);
  }

  /** Forgets which joints candidates have named (a new session after an e-stop reset). */
  forgetGoals(): void {
    this.goalSet.fill(0);
  }
}

/**
 * Classes rather than literals, with every double field initialised to a
 * double where it is declared: V8 then stores doubles in place. (A parameter
 * property is first defined as `undefined`, and every later double store
 * into such a field allocates.)
 */
class Seg implements Segment {
  t0S = Number.NaN;
  horizonS = Number.NaN;
  constructor(horizonS: number) {
    this.horizonS = horizonS;
  }
}
