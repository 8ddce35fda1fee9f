/**
 * The ROS 2 transport (rclnodejs). Importing this folder does not load
 * rclnodejs: `RosTransport.open()` checks for a sourced ROS 2 environment and
 * only then imports it.
 */
export { checkRosEnvironment, rosEnvironmentMessage, RosEnvironmentError, type RosEnvironment } from './environment.js';
export { loadRclnodejs, type Rclnodejs } from './load.js';
export { RosTransport, RosTransportNode, type RosTransportOptions } from './transport.js';
export { qosSettings, type QosSettings } from './qos.js';
export { checkNodeName, checkNamespace, checkTopicName, rosNamespace, type NameCheck } from './names.js';
export {
  describeParameters,
  PARAMETER_TYPE,
  type DescribeOptions,
  type ParamKind,
  type ParameterSpec,
  type SkippedField,
} from './param-descriptors.js';
export { applyParameterChanges, fromRosValue, toRosValue, type ChangeGuard, type ChangeResult } from './param-changes.js';
export { RosConfigParameters, type ConfigListener, type ConfigParametersOptions } from './parameters.js';
export {
  callbackCode,
  ManagedResult,
  PrimaryState,
  type ManagedNodeHooks,
} from './lifecycle-hooks.js';
export { RosManagedNode, type LifecycleTransition, type ManagedNodeOptions, type TransitionOutcome } from './lifecycle.js';
