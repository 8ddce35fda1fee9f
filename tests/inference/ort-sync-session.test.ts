/**
 * The synchronous ONNX Runtime path (src/inference/ort-sync-session.ts) and
 * the policy node on it: the same outputs as onnxruntime-node's public
 * asynchronous API, a tick that finishes within the call, and a failing
 * synchronous inference handled like a rejected one (fault to DAMP, counted).
 */
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { SyncOrtSession } from '../../src/inference/ort-sync-session.js';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import type { Policy } from '../../src/policy/policy-port.js';
import { resolvePolicyConfig, PolicyConfigSchema } from '../../src/policy/policy-config.js';
import { createMlp } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { fakeRobotSensors, shippedConfig, shippedModelBytes } from '../policy/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function mlpModel(): Uint8Array {
  const net = createMlp([12, 16, 5], 'elu', new Rng(3));
  return encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions' }));
}

const OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' } as const;

describe('SyncOrtSession', () => {
  it("gives the public async session.run's outputs, for every call, into the caller's buffer", async () => {
    const model = mlpModel();
    const sync = SyncOrtSession.create(model, OPTIONS);
    const reference = await ort.InferenceSession.create(model, OPTIONS);
    cleanups.push(() => sync.release(), () => reference.release());
    expect(sync.inputNames).toEqual(['obs']);
    expect(sync.outputNames).toEqual(['actions']);
    const input = new Float32Array(12);
    const output = new Float32Array(5);
    sync.bind([{ name: 'obs', data: input, dims: [1, 12] }], [{ name: 'actions', data: output, dims: [1, 5] }]);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 12; i++) input[i] = Math.sin(i + 3 * k);
      sync.run();
      const want = (await reference.run({ obs: new ort.Tensor('float32', Float32Array.from(input), [1, 12]) })).actions!.data as Float32Array;
      expect(Array.from(output)).toEqual(Array.from(want));
      expect(output.some((x) => x !== 0)).toBe(true);
    }
  });

  it("throws ONNX Runtime's error for a buffer of the wrong shape, at bind time", () => {
    const sync = SyncOrtSession.create(mlpModel(), OPTIONS);
    cleanups.push(() => sync.release());
    expect(() => sync.bind([{ name: 'obs', data: new Float32Array(3), dims: [1, 3] }], [{ name: 'actions', data: new Float32Array(5), dims: [1, 5] }]))
      .toThrow(/invalid dimensions|Got: 3 Expected: 12/i);
  });

  it('throws for a model ONNX Runtime cannot load', () => {
    expect(() => SyncOrtSession.create(new Uint8Array([1, 2, 3, 4]), OPTIONS)).toThrow();
  });
});

describe('OnnxPolicy on the synchronous path', () => {
  it('uses it, and runSync gives the same action as the async run of a fresh policy', async () => {
    const config = resolvePolicyConfig(PolicyConfigSchema.parse(shippedConfig()));
    const a = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    const b = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    cleanups.push(() => a.release(), () => b.release());
    expect(a.usesSyncPath).toBe(true);
    expect(typeof a.runSync).toBe('function');
    for (let i = 0; i < a.input.length; i++) a.input[i] = 0.1 * Math.cos(i);
    const out = Float32Array.from(a.runSync!());
    const want = Float32Array.from(await b.run(a.input));
    expect(Array.from(out)).toEqual(Array.from(want));
    expect(a.lastRunMs).toBeGreaterThan(0);
  });
});

describe('PolicyNode with a synchronous policy', () => {
  function rig(policy: Policy): { bus: EmbeddedBus; node: PolicyNode; tick: (k: number) => void; commands: number[] } {
    const config = resolvePolicyConfig(PolicyConfigSchema.parse(shippedConfig()));
    const bus = new EmbeddedBus({ validateMessages: true });
    const node = new PolicyNode({ node: bus.createNode('policy'), config, policy, robotJointNames: G1_JOINTS });
    cleanups.push(async () => {
      node.destroy();
      await bus.shutdown();
    });
    const robot = bus.createNode('robot');
    const sensors = fakeRobotSensors(robot);
    const commands: number[] = [];
    robot.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m) => void commands.push(m.header.stamp.nanosec), { preset: 'reliable' });
    const tick = (k: number): void => {
      sensors.publish();
      bus.advanceTo(BigInt(k) * config.commandPeriodNs);
    };
    return { bus, node, tick, commands };
  }

  it('finishes each inferring tick within the call: no pending promise, the command already published', async () => {
    const config = resolvePolicyConfig(PolicyConfigSchema.parse(shippedConfig()));
    const policy = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    cleanups.push(() => policy.release());
    const r = rig(policy);
    for (let k = 1; k <= 10; k++) {
      r.tick(k);
      expect(r.bus.busy).toBe(false);
      expect(r.commands).toHaveLength(k);
    }
    expect(r.node.mode).toBe('POLICY');
    expect(r.node.stats.inferences).toBe(10);
  });

  it('a synchronous inference that throws faults to DAMP and is counted, like a rejected one', async () => {
    const config = resolvePolicyConfig(PolicyConfigSchema.parse(shippedConfig()));
    const real = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    cleanups.push(() => real.release());
    let fail = false;
    const policy: Policy = {
      obsWidth: real.obsWidth,
      actionWidth: real.actionWidth,
      input: real.input,
      get lastRunMs() {
        return real.lastRunMs;
      },
      run: () => Promise.reject(new Error('the async path must not be used when runSync exists')),
      runSync: () => {
        if (fail) throw new Error('native inference failed');
        return real.runSync!();
      },
      release: () => Promise.resolve(),
    };
    const r = rig(policy);
    for (let k = 1; k <= 5; k++) r.tick(k);
    expect(r.node.mode).toBe('POLICY');
    expect(r.node.stats.inferenceErrors).toBe(0);
    fail = true;
    r.tick(6);
    expect(r.bus.busy).toBe(false);
    expect(r.node.stats.inferenceErrors).toBe(1);
    expect(r.node.mode).toBe('DAMP');
  });
});
