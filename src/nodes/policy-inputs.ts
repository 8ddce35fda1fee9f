/**
 * The policy node's sensor and command subscriptions: `/joint_states`, `/imu`,
 * `/cmd_vel` (only when the observation reads it) and the reference motion.
 * Each callback writes the receive time into the controller's clock slot first,
 * then hands the message to {@link PolicyMessages} (by joint name; bad messages
 * rejected and counted there).
 */
import type { Logger } from '../log.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import type { PolicyMessages } from '../policy/policy-messages.js';
import type { Subscription, TransportNode } from '../transport/port.js';

export function subscribePolicyInputs(node: TransportNode, config: ResolvedPolicyConfig, msgs: PolicyMessages, clock: Float64Array, log: Logger): Subscription[] {
  const topics = config.config.topics;
  const subs: Subscription[] = [];
  subs.push(node.createSubscription('sensor_msgs/msg/JointState', topics.jointStates, (m) => {
    clock[0] = node.nowSeconds();
    if (msgs.jointState(m) === 'first_rejection') {
      log.warn({ missing: msgs.missingJoint }, 'rejected /joint_states (missing joint or array lengths differ); further rejections are counted only');
    }
  }, { preset: 'sensor_data' }));
  subs.push(node.createSubscription('sensor_msgs/msg/Imu', topics.imu, (m) => { clock[0] = node.nowSeconds(); msgs.imu(m); }, { preset: 'sensor_data' }));
  if (config.observation.terms.some((t) => t.source === 'velocity_command' || (t.source === 'phase' && t.pin))) {
    subs.push(node.createSubscription('geometry_msgs/msg/Twist', topics.cmdVel, (m) => { clock[0] = node.nowSeconds(); msgs.cmdVel(m); }));
  }
  subs.push(node.createSubscription('trajectory_msgs/msg/JointTrajectory', topics.reference, (m) => { clock[0] = node.nowSeconds(); msgs.reference(m); }, { preset: 'reliable' }));
  return subs;
}
