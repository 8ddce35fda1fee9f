/**
 * What the shield node reads from its ROS messages, as plain checks: a
 * JointTrajectory becomes a named candidate view (one point per message;
 * more are refused, never cut), a JointState a named measured view, and IMU
 * messages are counted as accepted or rejected. The views are reused: nothing
 * here allocates per message.
 */
import { timeToSeconds, type Imu, type JointState, type JointTrajectory } from '../transport/messages.js';
import { CandidateArbiter } from './candidate-arbiter.js';
import { InputVerdict, type NamedCandidate, type NamedJointState } from './inputs.js';
import type { Shield } from './shield.js';
import { StampOffsetWindow } from './stamp-offset.js';

/** An empty candidate view to fill with `readCandidate`. */
export function emptyCandidateView(): NamedCandidate {
  return { stampS: 0, names: [], positions: new Float64Array(0), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
}

/** An empty measured view to fill with `readJointState`. */
export function emptyJointStateView(): NamedJointState {
  return { stampS: 0, names: [], position: new Float64Array(0), velocity: new Float64Array(0) };
}

/**
 * Points `view` at the one point of `m`. Returns `Accepted` when it did,
 * `Malformed` for no point and `MultiPoint` for more than one (the shield
 * tracks one target per message; the rest of a trajectory is not silently dropped).
 */
export function readCandidate(view: NamedCandidate, m: JointTrajectory): InputVerdict {
  const pt = m.points[0];
  if (pt === undefined) return InputVerdict.Malformed;
  if (m.points.length > 1) return InputVerdict.MultiPoint;
  view.stampS = timeToSeconds(m.header.stamp);
  view.names = m.joint_names;
  view.positions = pt.positions;
  view.velocities = pt.velocities;
  view.effort = pt.effort;
  view.horizonS = timeToSeconds(pt.time_from_start);
  return InputVerdict.Accepted;
}

/** Points `view` at the joint state `m`. */
export function readJointState(view: NamedJointState, m: JointState): void {
  view.stampS = timeToSeconds(m.header.stamp);
  view.names = m.name;
  view.position = m.position;
  view.velocity = m.velocity;
}

/** IMU messages: accepted when every field is finite and the stamp is at most `maxAgeS` old. */
export class ImuMonitor {
  accepted = 0;
  rejected = 0;
  /** Latest accepted stamp, s. */
  stampS = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxAgeS: number) {}

  offer(m: Imu, nowS: number): boolean {
    const o = m.orientation;
    const w = m.angular_velocity;
    const a = m.linear_acceleration;
    const stamp = timeToSeconds(m.header.stamp);
    const finite = Number.isFinite(o.x + o.y + o.z + o.w + w.x + w.y + w.z + a.x + a.y + a.z + stamp);
    if (finite && nowS - stamp <= this.maxAgeS) {
      this.accepted++;
      this.stampS = stamp;
      return true;
    }
    this.rejected++;
    return false;
  }
}

/**
 * Everything the shield node receives, routed into the shield: joint states,
 * candidates (through the topic arbiter; one point per message) and IMU
 * messages, with the stamp-lead windows its diagnostics report.
 */
export class ShieldIntake {
  readonly arbiter: CandidateArbiter;
  readonly imu: ImuMonitor;
  /** Stamp − clock at arrival of joint states / candidates, per diagnostics window. */
  readonly measuredLead = new StampOffsetWindow();
  readonly candidateLead = new StampOffsetWindow();
  private readonly measuredView = emptyJointStateView();
  private readonly candidateView = emptyCandidateView();

  /**
   * @param priorities priority of each candidate topic (higher wins)
   * @param candidateTimeoutS how long an accepted candidate keeps its topic in charge, s
   * @param imuMaxAgeS oldest IMU stamp accepted, s
   */
  constructor(private readonly shield: Shield, priorities: readonly number[], candidateTimeoutS: number, imuMaxAgeS: number) {
    this.arbiter = new CandidateArbiter(priorities, candidateTimeoutS);
    this.imu = new ImuMonitor(imuMaxAgeS);
  }

  jointState(m: JointState, nowS: number): void {
    readJointState(this.measuredView, m);
    this.measuredLead.observe(this.measuredView.stampS, nowS);
    this.shield.offerMeasured(nowS, this.measuredView);
  }

  /**
   * A candidate from topic `k`: dropped (and counted as preempted) while a higher-priority topic is
   * in charge, refused when it has no point or several; otherwise offered to the shield.
   * Returns the verdict, or null when preempted.
   */
  candidate(k: number, m: JointTrajectory, nowS: number): InputVerdict | null {
    if (!this.arbiter.admits(k, nowS)) return null;
    const v = this.candidateView;
    const read = readCandidate(v, m);
    if (read !== InputVerdict.Accepted) {
      this.shield.reject('candidate', read, nowS);
      return read;
    }
    this.candidateLead.observe(v.stampS, nowS);
    const verdict = this.shield.offerCandidate(nowS, v);
    if (verdict === InputVerdict.Accepted) this.arbiter.accepted(k, v.stampS);
    return verdict;
  }
}
