import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseYamlStrict } from '../../src/io/config-file.js';
import { importOnnxMetadata } from '../../src/policy/importers/onnx-metadata.js';
import { ImportError, importUnitreeDeploy } from '../../src/policy/importers/unitree-deploy.js';
import { JointStateReader } from '../../src/policy/joint-map.js';
import { createObservationInputs, ObservationAssembler } from '../../src/policy/observation.js';
import { readOnnxModelInfo } from '../../src/policy/onnx-model-info.js';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { sameValue } from '../../src/policy/compatibility.js';
import { createMlp } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { ROOT, shippedModelBytes } from './helpers.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'g1_12dof_deploy.yaml');
const SDK = G1_JOINTS; // G1 SDK motor order = URDF order
const deployData = (): unknown => parseYamlStrict(readFileSync(FIXTURE, 'utf8'), FIXTURE);

function imported() {
  return importUnitreeDeploy(deployData(), { robotJointNames: SDK, modelPath: '../models/g1_12dof_locomotion.onnx' /* relative to config/, where the example lives */, name: 'g1_12dof_locomotion' });
}

describe('unitree_rl_lab deploy.yaml importer', () => {
  it('names policy joints through joint_ids_map and reorders SDK-order gains into policy order', () => {
    const { config } = imported();
    expect(config.joints).toEqual([
      'left_hip_pitch_joint', 'right_hip_pitch_joint', 'left_hip_roll_joint', 'right_hip_roll_joint',
      'left_hip_yaw_joint', 'right_hip_yaw_joint', 'left_knee_joint', 'right_knee_joint',
      'left_ankle_pitch_joint', 'right_ankle_pitch_joint', 'left_ankle_roll_joint', 'right_ankle_roll_joint',
    ]);
    // knees are 150 / 4 in SDK slots 3 and 9; in policy order they are joints 6 and 7
    expect(config.stiffness).toEqual([100, 100, 100, 100, 100, 100, 150, 150, 40, 40, 40, 40]);
    expect(config.damping).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 2, 2, 2, 2]);
    expect(config.rateHz).toBe(50);
    expect(config.action).toEqual({ scale: 0.25, clip: null, offset: 'default_joint_pos', lowPassAlpha: 1 });
  });

  it('the 47-value legged_gym layout assembles to the hand-computed vector from a robot-order joint state', () => {
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(imported().config));
    expect(cfg.observationWidth).toBe(47);
    const a = new ObservationAssembler(cfg.observation, cfg.defaultJointPos);
    const s = createObservationInputs(12);
    s.baseAngVel.set([0.4, -0.8, 0.2]);
    s.velocityCommand.set([0.5, 0.1, -0.4]);
    // a /joint_states message in SDK order: left knee at 0.5 rad, right hip pitch moving at 2 rad/s
    const msgNames = SDK.slice(0, 12);
    const pos = Float64Array.from([-0.1, 0, 0, 0.5, -0.2, 0, -0.1, 0, 0, 0.3, -0.2, 0]);
    const vel = new Float64Array(12);
    vel[6] = 2;
    const reader = new JointStateReader(cfg.joints);
    expect(reader.accept(msgNames)).toBe(true);
    reader.gather(pos, s.jointPos);
    reader.gather(vel, s.jointVel);
    s.lastActionRaw[11] = 0.7;
    a.assemble(s);
    const z12 = (i: number, v: number): number[] => Array.from({ length: 12 }, (_, k) => (k === i ? v : 0));
    const want = [
      0.1, -0.2, 0.05, // ang vel ×0.25
      0, 0, -1, // upright
      1, 0.2, -0.1, // command ×[2, 2, 0.25]
      ...z12(6, 0.2), // left knee 0.5 − 0.3 at policy index 6
      ...z12(1, 0.1), // right hip pitch 2 rad/s × 0.05 at policy index 1
      ...z12(11, 0.7),
      Math.sin(2 * Math.PI * 0.025), Math.cos(2 * Math.PI * 0.025), // unitree advances the phase by step_dt first
    ];
    want.forEach((w, i) => expect(a.out[i], `element ${i}`).toBeCloseTo(w, 6));
  });

  it('the documented example config equals the importer output, and a 47-input model passes its contract checks', async () => {
    const example = loadConfigFile(PolicyConfigSchema, join(ROOT, 'config', 'policy_g1_12dof_locomotion.example.yaml'));
    const fromImport = PolicyConfigSchema.parse(imported().config);
    expect(sameValue(example, fromImport)).toBe(true);
    const net = createMlp([47, 16, 12], 'elu', new Rng(2));
    const model = encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions', metadata: { joint_names: example.joints.join(',') } }));
    const policy = await OnnxPolicy.create({ model, config: resolvePolicyConfig(example) });
    expect(policy.obsWidth).toBe(47);
    await policy.release();
  });

  it('reports every problem: unknown terms, SDK ids beyond the robot, wrong lengths', () => {
    const d = deployData() as Record<string, unknown>;
    const bad = { ...d, joint_ids_map: [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 40], default_joint_pos: [0], observations: { ...(d['observations'] as object), height_scan: { scale: 1 } } };
    try {
      importUnitreeDeploy(bad, { robotJointNames: SDK, modelPath: 'm.onnx' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      const p = (err as ImportError).problems.join('\n');
      expect(p).toMatch(/joint_ids_map.11: SDK index 40 but the robot has 29 joints/);
      expect(p).toMatch(/default_joint_pos: 1 values for 12 policy joints/);
      expect(p).toMatch(/observations.height_scan: unsupported observation term 'height_scan'/);
    }
  });

  it('rejects unsafe YAML tags in the input file instead of executing them', () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('step_dt: 0.02', 'step_dt: !!python/object/apply:os.system ["echo pwned"]');
    expect(() => parseYamlStrict(text, 'evil.yaml')).toThrow(ConfigError);
    expect(() => parseYamlStrict(text, 'evil.yaml')).toThrow(/tag/i);
  });
});

describe('ONNX metadata importer', () => {
  it('rebuilds the shipped policy config from its metadata alone (except the phase term, which has no source name)', () => {
    const info = readOnnxModelInfo(shippedModelBytes());
    expect(() => importOnnxMetadata(info, { modelPath: 'models/g1_upper_body.onnx' })).toThrow(/observation 'phase' has no known source/);
  });

  it('a BeyondMimic-style model with joint names, gains and observation names becomes a loadable config', async () => {
    const names = ['j0', 'j1', 'j2'];
    const net = createMlp([3 + 3 + 3 + 3 + 3, 8, 3], 'elu', new Rng(4));
    const model = encodeOnnxModel(
      mlpToOnnxSpec(net, {
        inputName: 'obs',
        outputName: 'actions',
        metadata: {
          joint_names: names.join(','),
          default_joint_pos: '0.1,0.2,0.3',
          action_scale: '0.5,0.5,0.25',
          joint_stiffness: '40,40,20',
          joint_damping: '1,1,0.5',
          observation_names: 'base_ang_vel,projected_gravity,joint_pos,joint_vel,actions',
        },
      }),
    );
    const { config, notes } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    expect(notes).toEqual([]);
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    expect(Array.from(cfg.defaultJointPos)).toEqual([0.1, 0.2, 0.3]);
    expect(cfg.config.stiffness).toEqual([40, 40, 20]);
    const policy = await OnnxPolicy.create({ model, config: cfg });
    expect(policy.obsWidth).toBe(15);
    await policy.release();
  });

  it('notes a motion-anchor term the runtime cannot feed yet (the node would refuse the config)', () => {
    const net = createMlp([3 + 6, 8, 3], 'elu', new Rng(4));
    const model = encodeOnnxModel(
      mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions', metadata: { joint_names: 'j0,j1,j2', action_scale: '0.5', default_joint_pos: '0,0,0', observation_names: 'base_ang_vel,motion_anchor_ori_b' } }),
    );
    const { notes } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    expect(notes).toEqual([
      'the observation reads a reference motion: add a reference section (source file or topic, anchorBody torso_link) to the config',
      "observation term 'motion_anchor_ori_b' (reference_anchor_ori6d) needs the robot and reference anchor body orientations (config reference.anchorBody and the robot model): the policy runtime refuses this config until that input exists",
    ]);
  });
});
