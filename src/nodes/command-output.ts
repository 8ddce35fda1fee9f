/**
 * The shield's command publisher: a std_msgs/Float64MultiArray (what
 * ros2_control's forward_position_controller takes) or a one-point
 * trajectory_msgs/JointTrajectory with velocities, efforts and the stamp. The
 * message is allocated once and refilled per tick.
 */
import type { Shield } from '../safety/shield.js';
import { makeFloat64MultiArray, makeJointTrajectory, setTimeSeconds, type Float64MultiArray, type JointTrajectory } from '../transport/messages.js';
import type { Publisher, TransportNode } from '../transport/port.js';

export class CommandOutput {
  private readonly out: { kind: 'array'; msg: Float64MultiArray; pub: Publisher<Float64MultiArray> }
    | { kind: 'trajectory'; msg: JointTrajectory; pub: Publisher<JointTrajectory> };

  constructor(node: TransportNode, format: 'float64_multi_array' | 'joint_trajectory', topic: string, names: readonly string[], dtS: number) {
    if (format === 'joint_trajectory') {
      const msg = makeJointTrajectory(names);
      setTimeSeconds(msg.points[0]!.time_from_start, dtS);
      this.out = { kind: 'trajectory', msg, pub: node.createPublisher('trajectory_msgs/msg/JointTrajectory', topic, { preset: 'reliable' }) };
    } else {
      this.out = { kind: 'array', msg: makeFloat64MultiArray(names.length, 'joints'), pub: node.createPublisher('std_msgs/msg/Float64MultiArray', topic, { preset: 'reliable' }) };
    }
  }

  /** Publishes the shield's current output (a trajectory is stamped with the shield's clock). */
  publish(sh: Shield): void {
    const o = this.out;
    if (o.kind === 'array') {
      o.msg.data.set(sh.output);
      o.pub.publish(o.msg);
      return;
    }
    const pt = o.msg.points[0]!;
    pt.positions.set(sh.output);
    pt.velocities.set(sh.outputVelocity);
    pt.effort.set(sh.outputEffort);
    setTimeSeconds(o.msg.header.stamp, sh.clock.nowS);
    o.pub.publish(o.msg);
  }
}
