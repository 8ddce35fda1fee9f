/** Loads the shipped policy files the way a composition root does (file reading stays out of src/policy). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/io/config-file.js';
import { PolicyContractSchema, type PolicyContract } from '../../src/policy/contract.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfig, type ResolvedPolicyConfig } from '../../src/policy/policy-config.js';
import { defaultPoseArray, G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { makeImu, makeJointState, type Imu, type JointState } from '../../src/transport/messages.js';
import type { TransportNode } from '../../src/transport/port.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHIPPED_CONFIG = join(ROOT, 'config', 'policy_upper_body.yaml');

export function shippedConfig(): PolicyConfig {
  return loadConfigFile(PolicyConfigSchema, SHIPPED_CONFIG);
}

export function shippedResolved(patch: (c: PolicyConfig) => PolicyConfig = (c) => c): ResolvedPolicyConfig {
  return resolvePolicyConfig(patch(shippedConfig()));
}

export function shippedModelBytes(): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'models', 'g1_upper_body.onnx')));
}

export function shippedContract(): PolicyContract {
  return PolicyContractSchema.parse(JSON.parse(readFileSync(join(ROOT, 'models', 'g1_upper_body.contract.json'), 'utf8')));
}

/**
 * A fake robot's sensors on a bus node: `/joint_states` (the given joints,
 * at the G1 default pose unless changed through `js`) and an upright `/imu`,
 * both published by `publish()`.
 */
export function fakeRobotSensors(node: TransportNode, joints: readonly string[] = G1_JOINTS): { js: JointState; imu: Imu; publish: () => void } {
  const jsPub = node.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
  const imuPub = node.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
  const js = makeJointState(joints);
  const def = defaultPoseArray();
  joints.forEach((name, i) => (js.position[i] = def[G1_JOINTS.indexOf(name)] ?? 0));
  const imu = makeImu('pelvis');
  return {
    js,
    imu,
    publish: () => {
      jsPub.publish(js);
      imuPub.publish(imu);
    },
  };
}
