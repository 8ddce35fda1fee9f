/**
 * The policy node's messages, read into the controller: `/joint_states` and
 * reference trajectories by joint name into preallocated policy-order buffers
 * (a missing joint or arrays of different lengths are rejected and counted),
 * IMU and velocity commands as they are, and the command trajectory filled
 * from the controller's target in the robot's joint order. The caller writes
 * the receive time into the controller's clock slot (`controller.clock[0]`)
 * before each call: no method takes a float argument, which V8 would box on
 * every message. Nothing here allocates per message.
 */
import type { Imu, JointState, JointTrajectory, Twist } from '../transport/messages.js';
import { makeJointTrajectory, setTimeSecondsFrom } from '../transport/messages.js';
import type { PolicyController } from './controller.js';
import { JointStateReader } from './joint-map.js';

export class PolicyMessages {
  private readonly reader: JointStateReader;
  private readonly refReader: JointStateReader;
  private readonly pos: Float64Array;
  private readonly vel: Float64Array;
  private readonly refPos: Float64Array;
  private readonly refVel: Float64Array;
  /** Command slot k ← policy joint cmdToPolicy[k]. */
  private readonly cmdToPolicy: Int32Array;
  /** The command message (robot joint order), refilled by `fillCommand`. */
  readonly command: JointTrajectory;
  private readonly positions: Float64Array;
  private readonly clock: Float64Array;

  /**
   * @param joints the policy's joint names (policy order)
   * @param policyToRobot robot joint index of each policy joint (`buildPolicyToRobot`)
   */
  constructor(private readonly controller: PolicyController, joints: readonly string[], policyToRobot: Int32Array) {
    const n = joints.length;
    this.clock = controller.clock;
    this.reader = new JointStateReader(joints);
    this.refReader = new JointStateReader(joints);
    this.pos = new Float64Array(n);
    this.vel = new Float64Array(n);
    this.refPos = new Float64Array(n);
    this.refVel = new Float64Array(n);
    const order = Array.from(policyToRobot.keys()).sort((a, b) => policyToRobot[a]! - policyToRobot[b]!);
    this.cmdToPolicy = Int32Array.from(order);
    this.command = makeJointTrajectory(order.map((p) => joints[p]!));
    this.positions = this.command.points[0]!.positions;
  }

  /** The policy joint missing from the last rejected joint state, if any. */
  get missingJoint(): string | null {
    return this.reader.missingJoint;
  }

  /**
   * A joint state (received at the clock slot's time). Returns 'first_rejection' for the first message rejected for a missing
   * joint or arrays of different lengths (the caller says so once; later ones are counted only).
   */
  jointState(m: JointState): 'accepted' | 'rejected' | 'first_rejection' {
    const n = m.name.length;
    if (m.position.length !== n || m.velocity.length !== n || !this.reader.accept(m.name)) {
      return this.controller.intake.stats.rejectedJointStates++ === 0 ? 'first_rejection' : 'rejected';
    }
    this.reader.gather(m.position, this.pos);
    this.reader.gather(m.velocity, this.vel);
    this.controller.intake.acceptJointState(this.pos, this.vel);
    return 'accepted';
  }

  imu(m: Imu): void {
    this.controller.intake.acceptImu(m.orientation, m.angular_velocity);
  }

  cmdVel(m: Twist): void {
    this.controller.intake.acceptCmdVel(m.linear, m.angular);
  }

  /**
   * A reference: a chunk for the reference track when the config has one, else one point by
   * joint name (no point, wrong lengths or a missing joint: rejected and counted).
   */
  reference(m: JointTrajectory): void {
    const stats = this.controller.intake.stats;
    const track = this.controller.reference.track;
    if (track) {
      if (!track.accept(m, this.clock[0]!)) stats.rejectedReferences++;
      return;
    }
    const p = m.points[0];
    if (!p || p.positions.length !== m.joint_names.length || !this.refReader.accept(m.joint_names)) {
      stats.rejectedReferences++;
      return;
    }
    this.refReader.gather(p.positions, this.refPos);
    const hasVel = p.velocities.length === m.joint_names.length;
    if (hasVel) this.refReader.gather(p.velocities, this.refVel);
    this.controller.intake.acceptReference(this.refPos, hasVel ? this.refVel : null);
  }

  /** Fills the command message from the controller's target, stamped with the clock slot. */
  fillCommand(): JointTrajectory {
    const target = this.controller.target;
    for (let k = 0; k < this.cmdToPolicy.length; k++) this.positions[k] = target[this.cmdToPolicy[k]!]!;
    setTimeSecondsFrom(this.command.header.stamp, this.clock);
    return this.command;
  }
}
