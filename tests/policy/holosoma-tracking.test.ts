/**
 * Golden observations of a holosoma-style whole-body tracking policy, run on
 * a real ONNX model (written with the repo's ONNX writer) through OnnxPolicy
 * and the PolicyController. The model has a `time_step` input and reference
 * outputs `joint_pos`, `joint_vel` (3 each), `ref_pos_xyz` (3) and
 * `ref_quat_xyzw` (4), all functions of time_step. Expected vectors follow
 * holosoma's published conventions (issue 9), computed here with rotation
 * matrices: the reference for step k comes from the previous call (the first
 * call, before step 0, at time_step 0); motion_command = [reference joint
 * positions, velocities]; motion_ref_ori_b = first two columns (row-major) of
 * R_torsoᵀ·R_ref after removing each one's starting yaw; terms alphabetical.
 */
import { describe, expect, it } from 'vitest';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { PolicyController } from '../../src/policy/controller.js';
import { importOnnxMetadata } from '../../src/policy/importers/onnx-metadata.js';
import { readOnnxModelInfo } from '../../src/policy/onnx-model-info.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { expectVector, firstTwoColumns, humanoid, JOINTS, mul, quatOf, rotY, rotZ, torsoOf, transpose, yawOf, type M3 } from './conventions-fixtures.js';

const W = 27; // actions 3, base_ang_vel 3, dof_pos 3, dof_vel 3, motion_command 6, motion_ref_ori_b 6, projected_gravity 3
const C_POS = [0.1, -0.2, 0.05];
const C_VEL = [1, 2, -3];
const DEFAULT = [0.1, 0.2, 0.3];
/** The model's reference yaw at time_step k: 0.2·k + 0.6 (a pure yaw quaternion). */
const refYaw = (k: number): number => 0.2 * k + 0.6;

function trackingModel(): Uint8Array {
  const f = (name: string, dims: number[], values: number[]) => ({ name, dims, type: 'float32' as const, data: Float32Array.from(values) });
  const wa = Array.from({ length: W * 3 }, (_, i) => ((i * 7) % 11) / 100 - 0.05);
  return encodeOnnxModel({
    graphName: 'holosoma_wbt_like',
    nodes: [
      { opType: 'MatMul', inputs: ['obs', 'wa'], outputs: ['actions'] },
      { opType: 'Mul', inputs: ['time_step', 'c_pos'], outputs: ['joint_pos'] },
      { opType: 'Mul', inputs: ['time_step', 'c_vel'], outputs: ['joint_vel'] },
      { opType: 'Mul', inputs: ['time_step', 'c_root'], outputs: ['ref_pos_xyz'] },
      { opType: 'Mul', inputs: ['time_step', 'half_rate'], outputs: ['h0'] },
      { opType: 'Add', inputs: ['h0', 'half_offset'], outputs: ['h'] },
      { opType: 'Sin', inputs: ['h'], outputs: ['qz'] },
      { opType: 'Cos', inputs: ['h'], outputs: ['qw'] },
      { opType: 'Mul', inputs: ['time_step', 'zero'], outputs: ['q0'] },
      { opType: 'Concat', inputs: ['q0', 'q0', 'qz', 'qw'], outputs: ['ref_quat_xyzw'], attributes: [{ name: 'axis', kind: 'int', value: 1 }] },
    ],
    initializers: [
      f('wa', [W, 3], wa), f('c_pos', [1, 3], C_POS), f('c_vel', [1, 3], C_VEL), f('c_root', [1, 3], [0.5, 0, 0]),
      f('half_rate', [1, 1], [0.1]), f('half_offset', [1, 1], [0.3]), f('zero', [1, 1], [0]),
    ],
    inputs: [{ name: 'obs', type: 'float32', shape: ['batch', W] }, { name: 'time_step', type: 'float32', shape: ['batch', 1] }],
    outputs: [
      { name: 'actions', type: 'float32', shape: ['batch', 3] },
      { name: 'joint_pos', type: 'float32', shape: ['batch', 3] },
      { name: 'joint_vel', type: 'float32', shape: ['batch', 3] },
      { name: 'ref_pos_xyz', type: 'float32', shape: ['batch', 3] },
      { name: 'ref_quat_xyzw', type: 'float32', shape: ['batch', 4] },
    ],
    metadata: { dof_names: JSON.stringify(JOINTS), kp: '[40, 40, 20]', kd: '[1, 1, 0.5]', default_joint_pos: JSON.stringify(DEFAULT), anchor_body_name: 'torso_link' },
  });
}

/** The robot at policy step k. */
const pelvisAt = (k: number): M3 => mul(rotZ(0.3 + 0.05 * k), rotY(0.15));
const waistAt = (k: number): number => 0.2 - 0.05 * k;
const jointPosAt = (k: number): number[] => [0.4 + 0.01 * k, 0.1, waistAt(k)];

describe('holosoma-style whole-body tracking', () => {
  it('import-onnx binds time_step and the reference outputs by name and reads the reference from the model', () => {
    const { config } = importOnnxMetadata(readOnnxModelInfo(trackingModel()), { modelPath: 'x.onnx', rateHz: 50 });
    expect(config.extraInputs).toEqual([{ name: 'time_step', source: 'time_step' }]);
    expect(config.extraOutputs).toEqual([
      { name: 'joint_pos', target: 'reference_joint_pos' },
      { name: 'joint_vel', target: 'reference_joint_vel' },
      { name: 'ref_pos_xyz', target: 'reference_root_pos' },
      { name: 'ref_quat_xyzw', target: 'reference_anchor_quat_xyzw' },
    ]);
    expect(config.reference).toEqual({ source: 'model_outputs', anchorBody: 'torso_link', startYaw: 'anchor' });
  });

  it('the model outputs feed the next observation: priming call at time_step 0, then motion_command and motion_ref_ori_b from the previous call', async () => {
    const model = trackingModel();
    const { config } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    expect(cfg.observationWidth).toBe(W);
    const policy = await OnnxPolicy.create({ model, config: cfg });
    try {
      const c = new PolicyController(cfg, policy.input, { inputs: policy.extraInputs, outputs: policy.extraOutputs, robot: humanoid() });
      const timeSteps: number[] = [];
      const observations: number[][] = [];
      const lastAction = [0, 0, 0];
      const actions: number[][] = [];
      let calls = 0;
      for (let tick = 0; tick < 6; tick++) {
        const k = calls - 1; // the policy step this tick runs (the first call primes)
        c.clock[0] = tick * 0.02;
        c.intake.acceptJointState(Float64Array.from(jointPosAt(k)), Float64Array.from([0.5, -0.5, 0.1 * k]));
        const [x, y, z, w] = quatOf(pelvisAt(k));
        c.intake.acceptImu({ x, y, z, w }, { x: 0.01 * k, y: 0.2, z: -0.1 });
        expect(c.tick()).toBe('infer');
        timeSteps.push(policy.extraInputs.get('time_step')![0]!);
        if (calls > 0) observations.push(Array.from(policy.input));
        const out = await policy.run(policy.input);
        expect(c.finishInference(out)).toBe(calls === 0 ? 'dropped' : 'publish');
        if (calls > 0) actions.push(Array.from(out));
        calls++;
      }
      expect(timeSteps).toEqual([0, 1, 2, 3, 4, 5]);
      const yawRobot0 = yawOf(torsoOf(pelvisAt(0), waistAt(0)));
      const yawRef0 = refYaw(0);
      observations.forEach((obs, k) => {
        const torso = mul(rotZ(-yawRobot0), torsoOf(pelvisAt(k), waistAt(k)));
        const ref = mul(rotZ(-yawRef0), rotZ(refYaw(k)));
        const pelvis = pelvisAt(k);
        const want = [
          ...(k === 0 ? lastAction : actions[k - 1]!), // actions: the previous raw action (0 at step 0)
          0.01 * k, 0.2, -0.1, // base_ang_vel
          ...jointPosAt(k).map((q, j) => q - DEFAULT[j]!), // dof_pos
          0.5, -0.5, 0.1 * k, // dof_vel
          ...C_POS.map((v) => v * k), ...C_VEL.map((v) => v * k), // motion_command: the reference at step k
          ...firstTwoColumns(mul(transpose(torso), ref)), // motion_ref_ori_b
          -pelvis[2]![0]!, -pelvis[2]![1]!, -pelvis[2]![2]!, // projected_gravity = R_pelvisᵀ·[0, 0, −1]
        ];
        expectVector(obs, want, 5, `step ${k}`);
      });
      expect(Array.from(c.inputs.referenceRootPos)).toEqual([2.5, 0, 0]); // ref_pos_xyz routed by name (last call: time_step 5)
    } finally {
      await policy.release();
    }
  });

  it('a reference output whose width does not fit its target is refused at configure time', async () => {
    const model = trackingModel();
    const { config } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    const swapped = PolicyConfigSchema.parse({ ...config, extraOutputs: [{ name: 'ref_quat_xyzw', target: 'reference_root_pos' }, { name: 'ref_pos_xyz', target: 'reference_anchor_quat_xyzw' }] });
    const err = await OnnxPolicy.create({ model, config: resolvePolicyConfig(swapped) }).catch((e: unknown) => e as Error);
    expect(String(err)).toMatch(/model output 'ref_quat_xyzw' has width 4, config expects 3 \(reference_root_pos\)/);
  });
});

describe('model-output references: bad outputs', () => {
  it('a non-finite reference output faults the policy to DAMP at the next observation instead of feeding it to the model', () => {
    const { config } = importOnnxMetadata(readOnnxModelInfo(trackingModel()), { modelPath: 'x.onnx', rateHz: 50 });
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    const outs = new Map(cfg.config.extraOutputs.map((e) => [e.name, new Float32Array(e.target === 'reference_root_pos' ? 3 : e.target === 'reference_anchor_quat_xyzw' ? 4 : 3)]));
    outs.get('ref_quat_xyzw')!.set([0, 0, 0, 1]);
    const c = new PolicyController(cfg, new Float32Array(W), { inputs: new Map([['time_step', new Float32Array(1)]]), outputs: outs, robot: humanoid() });
    const [x, y, z, w] = quatOf(pelvisAt(0));
    const feed = (t: number): void => {
      c.clock[0] = t;
      c.intake.acceptJointState(Float64Array.from(jointPosAt(0)), new Float64Array(3));
      c.intake.acceptImu({ x, y, z, w }, { x: 0, y: 0, z: 0 });
    };
    feed(0);
    expect(c.tick()).toBe('infer'); // priming
    outs.get('joint_pos')![1] = NaN;
    expect(c.finishInference(new Float32Array(3))).toBe('dropped');
    feed(0.02);
    expect(c.tick()).toBe('publish');
    expect(c.mode).toBe('DAMP');
    expect(c.stats.nonFiniteObservations).toBe(1);
    expect(c.assembler.lastNonFiniteTerm).toBe('motion_command');
  });
});
