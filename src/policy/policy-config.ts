/**
 * Configuration of one policy (YAML, validated here): the model and contract
 * files, the rate, topics, the policy joint order and default pose, and the
 * observation and action specs. `resolvePolicyConfig` turns it into typed
 * arrays after the cross-field checks, reporting every problem by path.
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';
import { ActionSpecSchema, checkActionSpec, type ActionSpec } from './action.js';
import { AdmissionGateConfigSchema } from './admission-gate.js';
import { ModesConfigSchema } from './modes.js';
import { checkObservationSpec, observationWidth, ObservationSpecSchema, type ObservationSpec } from './observation-spec.js';
import { checkReferenceConfig, EXTRA_OUTPUT_TARGETS, ReferenceConfigSchema } from './reference.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
/** Highest command (node tick) rate, Hz. */
export const MAX_COMMAND_RATE_HZ = 2000;
const topic = z.string().regex(/^\/?[A-Za-z_~{][A-Za-z0-9_/{}~]*$/, 'not a ROS topic name');

export const PolicyTopicsSchema = z.object({
  /** Measured joint state (sensor_msgs/JointState). */
  jointStates: topic.default('/joint_states').describe('Measured joint state (sensor_msgs/JointState)'),
  /** Base IMU (sensor_msgs/Imu): angular velocity and orientation. */
  imu: topic.default('/imu').describe('Base IMU (sensor_msgs/Imu): angular velocity and orientation'),
  /** Velocity command (geometry_msgs/Twist: linear.x, linear.y m/s, angular.z rad/s). */
  cmdVel: topic.default('/cmd_vel').describe('Velocity command (geometry_msgs/Twist: linear.x, linear.y m/s, angular.z rad/s)'),
  /** Candidate joint command (trajectory_msgs/JointTrajectory) for the shield. */
  command: topic.default('/policy/joint_command').describe('Candidate joint command (trajectory_msgs/JointTrajectory) for the shield'),
  /** Reference motion (trajectory_msgs/JointTrajectory, first point, by joint name) for MOTION and reference terms. */
  reference: topic.default('/motion/reference')
    .describe('Reference motion (trajectory_msgs/JointTrajectory, first point, by joint name) for MOTION and reference terms'),
  /** Current mode (std_msgs/String), published on every transition. */
  mode: topic.default('/policy/mode').describe('Current mode (std_msgs/String), published on every transition'),
  /** Mode requests (std_msgs/String: PASSIVE, STAND, POLICY, MOTION, DAMP). */
  modeRequest: topic.default('/policy/mode_request').describe('Mode requests (std_msgs/String: PASSIVE, STAND, POLICY, MOTION, DAMP)'),
  /** Prefix of the std_srvs/Trigger mode services (<prefix>/stand, /policy, /motion, /damp, /passive). */
  modeServices: topic.default('/policy/set_mode').describe('Prefix of the std_srvs/Trigger mode services (<prefix>/stand, /policy, /motion, /damp, /passive)'),
  /** diagnostic_msgs/DiagnosticArray status of the node. */
  diagnostics: topic.default('/diagnostics').describe('diagnostic_msgs/DiagnosticArray status of the node'),
});

/** Unknown keys are refused at every depth (deepStrict), by path with a did-you-mean hint. */
export const PolicyConfigSchema = deepStrict(z.object({
  /** Policy name (diagnostics, logs). */
  name: z.string().min(1).default('policy').describe('Policy name (diagnostics, logs)'),
  /** ONNX model path: absolute, or relative to the folder of the config file that names it. */
  modelPath: z.string().min(1).describe('ONNX model path: absolute, or relative to the folder of the config file that names it'),
  /** Contract JSON path (optional; cross-checked when given), resolved as modelPath. */
  contractPath: z.string().min(1).optional().describe('Contract JSON path (optional; cross-checked when given), resolved as modelPath'),
  /** Policy rate, Hz: the model's control step as trained (one inference per policy tick). */
  rateHz: finite.positive().max(2000).default(50).describe("Policy rate, Hz: the model's control step as trained (one inference per policy tick)"),
  /**
   * Command ticks per policy tick: the node ticks and publishes at the command
   * rate rateHz × decimation (at most 2000 Hz) and runs the policy on every
   * `decimation`-th tick, republishing the held target in between; STAND,
   * DAMP and MOTION targets and the fault checks run at the command rate.
   */
  decimation: z.number().int().min(1).max(100).default(1)
    .describe('Command ticks per policy tick: the node ticks and publishes at the command rate rateHz × decimation (at most 2000 Hz) and runs the policy on every `decimation`-th tick, republishing the held target in between; STAND, DAMP and MOTION targets and the fault checks run at the command rate'),
  /** Name of the model's observation input. */
  inputName: z.string().min(1).default('obs').describe("Name of the model's observation input"),
  /** Name of the model's action output. */
  outputName: z.string().min(1).default('actions').describe("Name of the model's action output"),
  /** Further model inputs, each a [1, 1] tensor fed every tick (e.g. BeyondMimic's time_step). */
  extraInputs: z
    .array(
      z.object({
        /** Model input name. */
        name: z.string().min(1).describe('Model input name'),
        /** What is fed: the policy time step. */
        source: z.literal('time_step').describe('What is fed: the policy time step'),
        /** steps: policy ticks; seconds: ticks × period. */
        unit: z.enum(['steps', 'seconds']).default('steps').describe('steps: policy ticks; seconds: ticks × period'),
      }),
    )
    .default([])
    .describe("Further model inputs, each a [1, 1] tensor fed every tick (e.g. BeyondMimic's time_step)"),
  /** Further model outputs routed by name into the next observation's reference state (widths: joints n, root position 3, anchor quaternion 4). */
  extraOutputs: z
    .array(
      z.object({
        /** Model output name. */
        name: z.string().min(1).describe('Model output name'),
        /** Reference state the output feeds: reference_joint_pos, reference_joint_vel (n), reference_root_pos (3), reference_anchor_quat_xyzw (4). */
        target: z.enum(EXTRA_OUTPUT_TARGETS)
          .describe('Reference state the output feeds: reference_joint_pos, reference_joint_vel (n), reference_root_pos (3), reference_anchor_quat_xyzw (4)'),
      }).strict(),
    )
    .default([])
    .describe("Further model outputs routed by name into the next observation's reference state (widths: joints n, root position 3, anchor quaternion 4)"),
  /** Where the reference motion comes from (model outputs, a CSV file, a topic) and the anchor-orientation conventions; see src/policy/reference.ts. */
  reference: ReferenceConfigSchema.optional()
    .describe('Where the reference motion comes from (model outputs, a CSV file, a topic) and the anchor-orientation conventions; see src/policy/reference.ts'),
  /** Inference runs before the policy may be armed (the first ONNX Runtime runs are slow). */
  warmupRuns: z.number().int().min(0).max(1000).default(10).describe('Inference runs before the policy may be armed (the first ONNX Runtime runs are slow)'),
  /** ONNX Runtime intra-op threads. */
  threads: z.number().int().min(1).max(64).default(1).describe('ONNX Runtime intra-op threads'),
  topics: PolicyTopicsSchema.prefault({}),
  /** /diagnostics publishing rate, Hz (ROS convention 1–2 Hz). */
  diagnosticsRateHz: finite.positive().max(10).default(1).describe('/diagnostics publishing rate, Hz (ROS convention 1–2 Hz)'),
  /** Policy joint order (the order of the model's joint inputs and outputs). */
  joints: z.array(z.string().min(1)).min(1).describe("Policy joint order (the order of the model's joint inputs and outputs)"),
  /** Optional explicit policy → robot index map (e.g. unitree_rl_lab joint_ids_map); names are still cross-checked. */
  jointIndexMap: z.array(z.number().int().min(0)).optional()
    .describe('Optional explicit policy → robot index map (e.g. unitree_rl_lab joint_ids_map); names are still cross-checked'),
  /** Default pose, rad: one value per policy joint, or by joint name (unlisted joints 0). */
  defaultJointPos: z.union([z.array(finite), z.record(z.string(), finite)])
    .describe('Default pose, rad: one value per policy joint, or by joint name (unlisted joints 0)'),
  /** IMU orientation is taken from sensor_msgs/Imu (named x, y, z, w fields): no order to choose. */
  observation: ObservationSpecSchema,
  action: ActionSpecSchema,
  /**
   * PD gains the policy was trained with, per policy joint (N·m/rad). Informational only: the
   * runtime publishes position targets (trajectory_msgs/JointTrajectory carries no gains), so the
   * gains applied are the command consumer's (ros2_control controller, sim servo, shield config).
   * Cross-checked against the model's exporter metadata when present; set the consumer to match.
   */
  stiffness: z.array(finite.nonnegative()).optional()
    .describe("PD gains the policy was trained with, per policy joint (N·m/rad). Informational only: the runtime publishes position targets (trajectory_msgs/JointTrajectory carries no gains), so the gains applied are the command consumer's (ros2_control controller, sim servo, shield config). Cross-checked against the model's exporter metadata when present; set the consumer to match"),
  /** Velocity gains the policy was trained with, per policy joint (N·m·s/rad); informational, as `stiffness`. */
  damping: z.array(finite.nonnegative()).optional()
    .describe('Velocity gains the policy was trained with, per policy joint (N·m·s/rad); informational, as `stiffness`'),
  /**
   * A velocity command (cmd_vel) older than this is zeroed, s; null keeps the last command until the
   * next one. The default follows twist_mux: a teleop that stops publishing must not leave the robot walking.
   */
  velocityCommandTimeoutS: finite.positive().max(60).nullable().default(0.5)
    .describe('A velocity command (cmd_vel) older than this is zeroed, s; null keeps the last command until the next one. The default follows twist_mux: a teleop that stops publishing must not leave the robot walking'),
  /** Modes, Joy combos and fault thresholds. */
  modes: ModesConfigSchema.prefault({}),
  /** Pre-arm admission gate (src/policy/admission-gate.ts, docs/admission-record.md). */
  admission: AdmissionGateConfigSchema.prefault({}),
}));
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;
export type PolicyConfigInput = z.input<typeof PolicyConfigSchema>;

/** A validated config with the per-joint data as typed arrays. */
export interface ResolvedPolicyConfig {
  config: PolicyConfig;
  joints: readonly string[];
  defaultJointPos: Float64Array;
  observation: ObservationSpec;
  action: ActionSpec;
  observationWidth: number;
  /** Command ticks per policy tick. */
  decimation: number;
  /** Command (node tick) period, ns: 1 / (rateHz × decimation). */
  commandPeriodNs: bigint;
}

export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid policy configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyConfigError';
  }
}

/** Checks what the schema cannot (lengths against the joint list) and resolves arrays. */
export function resolvePolicyConfig(config: PolicyConfig): ResolvedPolicyConfig {
  const n = config.joints.length;
  const problems: string[] = [];
  const seen = new Set<string>();
  config.joints.forEach((j, i) => {
    if (seen.has(j)) problems.push(`joints.${i}: '${j}' is listed twice`);
    seen.add(j);
  });
  const defaultJointPos = new Float64Array(n);
  if (Array.isArray(config.defaultJointPos)) {
    if (config.defaultJointPos.length !== n) problems.push(`defaultJointPos: ${config.defaultJointPos.length} values for ${n} joints`);
    else defaultJointPos.set(config.defaultJointPos);
  } else {
    for (const [name, v] of Object.entries(config.defaultJointPos)) {
      const i = config.joints.indexOf(name);
      if (i < 0) problems.push(`defaultJointPos.${name}: not a policy joint`);
      else defaultJointPos[i] = v;
    }
  }
  const commandRateHz = config.rateHz * config.decimation;
  if (commandRateHz > MAX_COMMAND_RATE_HZ) {
    problems.push(`decimation: command rate rateHz × decimation = ${config.rateHz} × ${config.decimation} = ${commandRateHz} Hz is above ${MAX_COMMAND_RATE_HZ} Hz`);
  }
  if (config.jointIndexMap && config.jointIndexMap.length !== n) {
    problems.push(`jointIndexMap: ${config.jointIndexMap.length} entries for ${n} joints`);
  }
  for (const k of ['stiffness', 'damping'] as const) {
    const v = config[k];
    if (v && v.length !== n) problems.push(`${k}: ${v.length} values for ${n} joints`);
  }
  problems.push(...checkObservationSpec(config.observation, n).map((p) => `observation.${p}`));
  problems.push(...checkActionSpec(config.action, n));
  problems.push(...checkReferenceConfig(config.reference, config.observation.terms, config.extraOutputs));
  const ioNames = [config.inputName, config.outputName, ...config.extraInputs.map((e) => e.name), ...config.extraOutputs.map((e) => e.name)];
  ioNames.forEach((name, i) => {
    if (ioNames.indexOf(name) !== i) problems.push(`model tensor '${name}' is bound twice (inputName, outputName, extraInputs, extraOutputs)`);
  });
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return {
    config,
    joints: config.joints,
    defaultJointPos,
    observation: config.observation,
    action: config.action,
    observationWidth: observationWidth(config.observation, n),
    decimation: config.decimation,
    commandPeriodNs: BigInt(Math.round(1e9 / commandRateHz)),
  };
}
