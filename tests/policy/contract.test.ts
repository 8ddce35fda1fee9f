import { describe, expect, it } from 'vitest';
import { OnnxPolicy, PolicyCompatibilityError } from '../../src/inference/onnx-policy.js';
import { readOnnxModelInfo } from '../../src/policy/onnx-model-info.js';
import { PolicyConfigSchema, PolicyConfigError, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { buildPolicyToRobot, JointMapError } from '../../src/policy/joint-map.js';
import { createMlp } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';
import { shippedConfig, shippedContract, shippedModelBytes, shippedResolved } from './helpers.js';

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PolicyCompatibilityError) return err.problems;
    throw err;
  }
  return [];
}

function modelWith(obsWidth: number, actions: number, metadata: Record<string, string> = {}, inputName = 'obs'): Uint8Array {
  const net = createMlp([obsWidth, 8, actions], 'tanh', new Rng(1));
  return encodeOnnxModel(mlpToOnnxSpec(net, { inputName, outputName: 'actions', metadata }));
}

describe('ONNX contract checks at configure time', () => {
  it('the shipped model, contract and config agree', async () => {
    const policy = await OnnxPolicy.create({ model: shippedModelBytes(), config: shippedResolved(), contract: shippedContract() });
    expect(policy.obsWidth).toBe(95);
    expect(policy.actionWidth).toBe(29);
    expect(policy.info.metadata['joint_names']?.split(',')).toHaveLength(29);
    await policy.release();
  });

  it('a model whose input width disagrees fails with a message naming the widths', async () => {
    const problems = await problemsOf(OnnxPolicy.create({ model: modelWith(96, 29), config: shippedResolved() }));
    expect(problems).toContain("model input 'obs' has width 96, config expects 95 (observation width)");
  });

  it('a missing input name and a wrong action width are both reported', async () => {
    const problems = await problemsOf(OnnxPolicy.create({ model: modelWith(95, 23, {}, 'policy_obs'), config: shippedResolved() }));
    expect(problems).toContain("model has no input 'obs' (model inputs: 'policy_obs')");
    expect(problems).toContain("model output 'actions' has width 23, config expects 29 (29 joints)");
  });

  it('joint names in the model metadata in another order fail, naming the first difference', async () => {
    const names = shippedConfig().joints;
    const swapped = [...names];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    const problems = await problemsOf(OnnxPolicy.create({ model: modelWith(95, 29, { joint_names: swapped.join(',') }), config: shippedResolved() }));
    expect(problems).toEqual([
      "joint names are in a different order: index 3 is 'left_ankle_pitch_joint' in model metadata, 'left_knee_joint' in config",
    ]);
  });

  it('metadata default pose and action scale are cross-checked', async () => {
    const md = { default_joint_pos: Array(29).fill(0).join(','), action_scale: '0.5' };
    const problems = await problemsOf(OnnxPolicy.create({ model: modelWith(95, 29, md), config: shippedResolved() }));
    expect(problems).toContain("default_joint_pos differs at 'left_hip_pitch_joint': 0 in model metadata, -0.1 in config");
    expect(problems).toContain("action_scale differs at 'left_hip_pitch_joint': 0.5 in model metadata, 0.25 in config");
  });

  it('a config that disagrees with the contract is refused (history layout, rate)', async () => {
    const cfg = shippedResolved((c) => ({ ...c, rateHz: 100, observation: { ...c.observation, historyLayout: 'frame_major' } }));
    const problems = await problemsOf(OnnxPolicy.create({ model: shippedModelBytes(), config: cfg, contract: shippedContract() }));
    expect(problems).toContain('contract policy rate is 50 Hz, config has 100 Hz');
    expect(problems.some((p) => p.startsWith('observation conventions differ') && p.includes('frame_major'))).toBe(true);
  });

  it('bytes that are not a model are refused with a parse message', async () => {
    const problems = await problemsOf(OnnxPolicy.create({ model: new Uint8Array([1, 2, 3]), config: shippedResolved() }));
    expect(problems[0]).toMatch(/^cannot parse the model/);
  });

  it('the model reader sees symbolic dims, opset and metadata written by the ONNX writer', () => {
    const info = readOnnxModelInfo(modelWith(5, 3, { joint_names: 'a,b,c' }));
    expect(info.irVersion).toBe(8);
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.inputs).toEqual([{ name: 'obs', elemType: 1, shape: ['batch', 5] }]);
    expect(info.outputs).toEqual([{ name: 'actions', elemType: 1, shape: ['batch', 3] }]);
    expect(info.metadata).toEqual({ joint_names: 'a,b,c' });
  });
});

describe('policy config checks', () => {
  it('reports every length problem by field', () => {
    const raw = shippedConfig();
    const bad = PolicyConfigSchema.parse({ ...raw, defaultJointPos: [0, 0], stiffness: [1], action: { scale: [1, 2, 3] }, joints: [...raw.joints.slice(0, 28), raw.joints[0]!] });
    try {
      resolvePolicyConfig(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyConfigError);
      const p = (err as PolicyConfigError).problems;
      expect(p).toContain("joints.28: 'left_hip_pitch_joint' is listed twice");
      expect(p).toContain('defaultJointPos: 2 values for 29 joints');
      expect(p).toContain('stiffness: 1 values for 29 joints');
      expect(p).toContain('action.scale: 3 values for 29 joints');
    }
  });

  it('maps policy joints to robot joints by name, or by a checked index map', () => {
    expect(Array.from(buildPolicyToRobot(['b', 'a'], ['a', 'b', 'c']))).toEqual([1, 0]);
    expect(Array.from(buildPolicyToRobot(['b', 'a'], ['a', 'b', 'c'], [1, 0]))).toEqual([1, 0]);
    expect(() => buildPolicyToRobot(['b', 'z'], ['a', 'b'])).toThrow(/policy joint 'z' is not a robot joint/);
    expect(() => buildPolicyToRobot(['b', 'a'], ['a', 'b', 'c'], [1, 1])).toThrow(JointMapError);
    expect(() => buildPolicyToRobot(['b', 'a'], ['a', 'b', 'c'], [1, 1])).toThrow(/not a permutation: robot index 1 appears twice/);
    expect(() => buildPolicyToRobot(['b', 'a'], ['a', 'b', 'c'], [1, 2])).toThrow(/sends policy joint 1 'a' to robot joint 2 'c'/);
  });
});
