/**
 * Reference chunks on a topic (`reference.source: topic`, trajectory_msgs/JointTrajectory
 * on /motion/reference): the contract of src/policy/reference-track.ts, end to end through
 * the policy node on the embedded bus. Expected values computed here from the contract:
 * time_from_start relative to header.stamp, linear interpolation, velocities by forward
 * difference between points when the chunk carries none (interpolated like positions), root pose as pseudo-joints.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import type { Policy } from '../../src/policy/policy-port.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { ROOT_NAMES, ReferenceTrack } from '../../src/policy/reference-track.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeImu, makeJointState, type JointTrajectory } from '../../src/transport/messages.js';
import { expectVector, firstTwoColumns, humanoid, JOINTS, MOTOR_ORDER, mul, rotY, rotZ, torsoOf, transpose } from './conventions-fixtures.js';

const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({
  name: 'topic_tracking',
  modelPath: 'unused.onnx',
  rateHz: 50,
  joints: JOINTS,
  defaultJointPos: [0, 0, 0],
  reference: { source: 'topic', anchorBody: 'torso_link', startYaw: 'none' },
  observation: { terms: [{ name: 'motion_command', source: 'motion_command' }, { name: 'motion_anchor_ori_b', source: 'reference_anchor_ori6d' }] },
  action: { scale: 0.25 },
}));

const dur = (s: number) => ({ sec: Math.floor(s), nanosec: Math.round((s - Math.floor(s)) * 1e9) });
/** A chunk in motor order (waist, left, right) plus the root pseudo-joints; point k at k·0.1 s. */
function chunk(stampS: number, points: { waist: number; left: number; right: number; yaw: number }[]): JointTrajectory {
  return {
    header: { stamp: dur(stampS), frame_id: '' },
    joint_names: [...MOTOR_ORDER, ...ROOT_NAMES],
    points: points.map((p, k) => ({
      positions: Float64Array.from([p.waist, p.left, p.right, 0, 0, 0.75, 0, 0, Math.sin(p.yaw / 2), Math.cos(p.yaw / 2)]),
      velocities: new Float64Array(0),
      accelerations: new Float64Array(0),
      effort: new Float64Array(0),
      time_from_start: dur(0.1 * k),
    })),
  } as unknown as JointTrajectory;
}
const POINTS = [
  { waist: 0, left: 0.1, right: 0.2, yaw: 0.3 },
  { waist: 0.2, left: 0.3, right: 0.1, yaw: 0.5 },
  { waist: 0.3, left: 0.3, right: 0.0, yaw: 0.5 },
];

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('reference chunks on /motion/reference', () => {
  it('the policy holds until a chunk arrives, then observes the chunk sampled at the node time', async () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const observations: number[][] = [];
    const input = new Float32Array(cfg.observationWidth);
    const policy: Policy = { obsWidth: 12, actionWidth: 3, input, lastRunMs: 0, run: () => (observations.push(Array.from(input)), Promise.resolve(new Float32Array(3))), release: () => Promise.resolve() };
    const node = new PolicyNode({ node: bus.createNode('policy'), config: cfg, policy, robotJointNames: MOTOR_ORDER, robotModel: humanoid() });
    cleanup = async () => {
      node.destroy();
      await bus.shutdown();
    };
    const robot = bus.createNode('robot');
    const js = makeJointState(MOTOR_ORDER);
    const imu = makeImu('pelvis');
    const jsPub = robot.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
    const imuPub = robot.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
    const refPub = robot.createPublisher('trajectory_msgs/msg/JointTrajectory', '/motion/reference', { preset: 'reliable' });
    const step = async (k: number): Promise<void> => {
      jsPub.publish(js);
      imuPub.publish(imu);
      bus.advanceTo(BigInt(k) * 20_000_000n);
      await bus.settle();
    };
    await step(1);
    await step(2);
    expect(observations).toHaveLength(0); // no chunk yet: no inference
    expect(node.stats.waitingForReference).toBeGreaterThan(0);
    refPub.publish(chunk(0.03, POINTS)); // point k at node time 0.03 + 0.1·k
    for (let k = 3; k <= 9; k++) await step(k);
    expect(observations.length).toBe(7);
    observations.forEach((obs, i) => {
      const t = (3 + i) * 0.02 - 0.03;
      const seg = Math.min(Math.floor(t / 0.1), 1);
      const a = Math.min(Math.max((t - 0.1 * seg) / 0.1, 0), 1);
      const p0 = POINTS[seg]!, p1 = POINTS[seg + 1]!;
      const lerp = (f: (p: typeof p0) => number): number => f(p0) * (1 - a) + f(p1) * a;
      // per-point forward differences (the last point repeats the one before), interpolated like positions
      const v = (f: (p: typeof p0) => number, k: number): number => (k < 2 ? f(POINTS[k + 1]!) - f(POINTS[k]!) : f(POINTS[2]!) - f(POINTS[1]!)) / 0.1;
      const vel = (f: (p: typeof p0) => number): number => v(f, seg) * (1 - a) + v(f, seg + 1) * a;
      // policy order: left, right, waist; robot at its zero pose, upright, facing +x (startYaw none)
      const want = [lerp((p) => p.left), lerp((p) => p.right), lerp((p) => p.waist), vel((p) => p.left), vel((p) => p.right), vel((p) => p.waist)];
      const refTorso = mul(rotZ(lerp((p) => p.yaw)), rotY(0.1), rotZ(lerp((p) => p.waist)));
      want.push(...firstTwoColumns(mul(transpose(torsoOf(rotZ(0), 0)), refTorso)));
      expectVector(obs, want, 5, `tick ${3 + i}`);
    });
  });

  it('a chunk that breaks the contract is rejected whole and the previous one stays', () => {
    const track = new ReferenceTrack(JOINTS, 2, true);
    expect(track.accept(chunk(0, POINTS.slice(0, 2)), 0)).toBe(true);
    expect(track.accept(chunk(0, POINTS), 0)).toBe(false);
    expect(track.lastRejection).toBe('too_many_points');
    const noRoot = { ...chunk(0, POINTS.slice(0, 1)), joint_names: [...MOTOR_ORDER, 'a', 'b', 'c', 'd', 'e', 'f', 'g'] };
    expect(track.accept(noRoot, 0)).toBe(false);
    expect(track.lastRejection).toBe('missing_root');
    const backwards = chunk(0, POINTS.slice(0, 2));
    backwards.points[1]!.time_from_start = dur(0);
    backwards.points[0]!.time_from_start = dur(0.5);
    expect(track.accept(backwards, 0)).toBe(false);
    expect(track.lastRejection).toBe('time_not_increasing');
    const nan = chunk(0, POINTS.slice(0, 1));
    (nan.points[0]!.positions as Float64Array)[1] = NaN;
    expect(track.accept(nan, 0)).toBe(false);
    expect(track.lastRejection).toBe('non_finite');
    expect(track.rejected).toBe(4);
    const frame = { jointPos: new Float64Array(3), jointVel: new Float64Array(3), rootPos: new Float64Array(3), rootQuatXyzw: new Float64Array(4) };
    track.sample(Float64Array.of(0.05), frame);
    expectVector(frame.jointPos, [0.2, 0.15, 0.1], 9, 'first chunk still in use');
  });
});
