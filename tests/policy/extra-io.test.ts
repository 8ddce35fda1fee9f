import { afterEach, describe, expect, it } from 'vitest';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { OnnxPolicy, PolicyCompatibilityError } from '../../src/inference/onnx-policy.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfig } from '../../src/policy/policy-config.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { defaultPoseArray, G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { JointTrajectory } from '../../src/transport/messages.js';
import { fakeRobotSensors, shippedConfig } from './helpers.js';

const N = G1_JOINTS.length;

/** actions = obs·0 + time_step (broadcast); ref_pos = actions. A BeyondMimic-shaped model: two inputs, two outputs. */
function timeStepModel(): Uint8Array {
  return encodeOnnxModel({
    graphName: 'time_step_echo',
    nodes: [
      { opType: 'MatMul', inputs: ['obs', 'w'], outputs: ['mm'] },
      { opType: 'Add', inputs: ['mm', 'time_step'], outputs: ['actions'] },
      { opType: 'Identity', inputs: ['actions'], outputs: ['ref_pos'] },
    ],
    initializers: [{ name: 'w', dims: [95, N], type: 'float32', data: new Float32Array(95 * N) }],
    inputs: [
      { name: 'obs', type: 'float32', shape: ['batch', 95] },
      { name: 'time_step', type: 'float32', shape: ['batch', 1] },
    ],
    outputs: [
      { name: 'actions', type: 'float32', shape: ['batch', N] },
      { name: 'ref_pos', type: 'float32', shape: ['batch', N] },
    ],
  });
}

const withExtras = (c: PolicyConfig): PolicyConfig =>
  PolicyConfigSchema.parse({ ...c, extraInputs: [{ name: 'time_step', source: 'time_step' }], extraOutputs: [{ name: 'ref_pos', target: 'reference_joint_pos' }] });

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('extra model inputs and outputs', () => {
  it('an unbound extra model input is refused at configure time, naming it', async () => {
    const err = await OnnxPolicy.create({ model: timeStepModel(), config: resolvePolicyConfig(shippedConfig()) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyCompatibilityError);
    expect((err as PolicyCompatibilityError).problems).toContain("model input 'time_step' [batch, 1] is not bound by the config (extraInputs)");
  });

  it('time_step is fed every tick and a second output is routed by name into the reference state', async () => {
    const cfg = resolvePolicyConfig(withExtras(shippedConfig()));
    const policy = await OnnxPolicy.create({ model: timeStepModel(), config: cfg });
    const bus = new EmbeddedBus();
    const node = new PolicyNode({ node: bus.createNode('policy'), config: cfg, policy, robotJointNames: G1_JOINTS });
    cleanup = async () => {
      node.destroy();
      await bus.shutdown();
      await policy.release();
    };
    const robot = bus.createNode('robot');
    const sensors = fakeRobotSensors(robot);
    const cmds: number[][] = [];
    robot.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m: JointTrajectory) => void cmds.push(Array.from(m.points[0]!.positions)), { preset: 'reliable' });
    for (let k = 1; k <= 3; k++) {
      sensors.publish();
      bus.advanceTo(BigInt(k) * 20_000_000n);
      await bus.settle();
    }
    // ticks 0, 1, 2 → action = step → target = default + 0.25·step
    const def = defaultPoseArray();
    expect(cmds).toHaveLength(3);
    cmds.forEach((c, step) => c.forEach((v, j) => expect(v).toBeCloseTo(def[j]! + 0.25 * step, 6)));
    expect(Array.from(node.inputs.referenceJointPos)).toEqual(Array(N).fill(2));
  });
});
