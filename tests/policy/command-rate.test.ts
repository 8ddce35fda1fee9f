/**
 * Decimation at topic level: the node ticks at the command rate (policy rate ×
 * decimation), runs the policy on every `decimation`-th tick and republishes
 * the held target in between.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { PolicyConfigError, PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { JointTrajectory } from '../../src/transport/messages.js';
import { fakeRobotSensors, shippedConfig, shippedModelBytes } from './helpers.js';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('decimation (command rate = policy rate × decimation)', () => {
  it('publishes on every 5 ms command tick and infers on every 4th (50 Hz policy, decimation 4)', async () => {
    const config = resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), rateHz: 50, decimation: 4 }));
    expect(config.commandPeriodNs).toBe(5_000_000n);
    const bus = new EmbeddedBus({ validateMessages: true });
    const policy = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    const node = new PolicyNode({ node: bus.createNode('policy'), config, policy, robotJointNames: G1_JOINTS });
    cleanup = async () => {
      node.destroy();
      await bus.shutdown();
      await policy.release();
    };
    const robot = bus.createNode('robot');
    const sensors = fakeRobotSensors(robot);
    const stamps: number[] = [];
    robot.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m: JointTrajectory) => void stamps.push(m.header.stamp.nanosec), { preset: 'reliable' });
    for (let k = 1; k <= 40; k++) {
      sensors.publish();
      bus.advanceTo(BigInt(k) * 5_000_000n);
      await bus.settle();
    }
    expect(node.mode).toBe('POLICY');
    expect(node.stats.ticks).toBe(40);
    expect(node.stats.inferences).toBe(10);
    expect(stamps).toHaveLength(40); // one command per tick: 10 fresh results + 30 held targets
    expect(stamps.slice(0, 5)).toEqual([5_000_000, 10_000_000, 15_000_000, 20_000_000, 25_000_000]);
  });

  it('refuses a command rate above 2000 Hz, naming decimation', () => {
    const parsed = PolicyConfigSchema.parse({ ...shippedConfig(), rateHz: 500, decimation: 5 });
    expect(() => resolvePolicyConfig(parsed)).toThrow(PolicyConfigError);
    expect(() => resolvePolicyConfig(parsed)).toThrow(/decimation: command rate rateHz × decimation = 500 × 5 = 2500 Hz is above 2000 Hz/);
    expect(PolicyConfigSchema.safeParse({ ...shippedConfig(), decimation: 0 }).success).toBe(false);
    expect(PolicyConfigSchema.safeParse({ ...shippedConfig(), decimation: 1.5 }).success).toBe(false);
  });
});
