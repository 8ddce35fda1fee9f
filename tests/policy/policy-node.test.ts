import { afterEach, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { OnnxPolicy, type Policy } from '../../src/inference/onnx-policy.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { defaultPoseArray, G1_JOINTS, referenceMotion } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeImu, makeJointState, type JointTrajectory } from '../../src/transport/messages.js';
import { ROOT, shippedContract, shippedModelBytes, shippedResolved } from './helpers.js';

const N = G1_JOINTS.length;
/** The fake robot lists its joints in reverse policy order, so the node must map by name. */
const ROBOT_JOINTS = [...G1_JOINTS].reverse();
const POLICY_OF_ROBOT = ROBOT_JOINTS.map((n) => G1_JOINTS.indexOf(n));

interface Harness {
  bus: EmbeddedBus;
  node: PolicyNode;
  policy: OnnxPolicy;
  commands: { positions: number[]; names: string[]; stampS: number }[];
  /** Robot state in robot order. */
  q: Float64Array;
  qd: Float64Array;
  publishState: () => void;
  publishImu: () => void;
}

let open: Harness | null = null;
afterEach(async () => {
  if (open) {
    open.node.destroy();
    await open.bus.shutdown();
    await open.policy.release();
    open = null;
  }
});

async function harness(): Promise<Harness> {
  const bus = new EmbeddedBus({ validateMessages: true });
  const config = shippedResolved();
  const policy = await OnnxPolicy.create({ model: shippedModelBytes(), config, contract: shippedContract() });
  const node = new PolicyNode({ node: bus.createNode('policy'), config, policy, robotJointNames: ROBOT_JOINTS });
  const robot = bus.createNode('fake_robot');
  const js = makeJointState(ROBOT_JOINTS);
  const imu = makeImu('pelvis');
  const jsPub = robot.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
  const imuPub = robot.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
  const def = defaultPoseArray();
  const q = Float64Array.from(POLICY_OF_ROBOT.map((p) => def[p]!));
  const qd = new Float64Array(N);
  const commands: Harness['commands'] = [];
  robot.createSubscription(
    'trajectory_msgs/msg/JointTrajectory',
    '/policy/joint_command',
    (m: JointTrajectory) => void commands.push({ positions: Array.from(m.points[0]!.positions), names: [...m.joint_names], stampS: m.header.stamp.sec + m.header.stamp.nanosec * 1e-9 }),
    { preset: 'reliable' },
  );
  const h: Harness = {
    bus,
    node,
    policy,
    commands,
    q,
    qd,
    publishState: () => {
      js.position.set(q);
      js.velocity.set(qd);
      jsPub.publish(js);
    },
    publishImu: () => imuPub.publish(imu),
  };
  open = h;
  return h;
}

/** Advances the bus in 5 ms steps; `physics` runs before each step's sensor publish. */
async function run(h: Harness, fromNs: bigint, steps: number, physics?: (dtS: number) => void): Promise<bigint> {
  let t = fromNs;
  for (let k = 0; k < steps; k++) {
    physics?.(0.005);
    h.publishState();
    h.publishImu();
    t += 5_000_000n;
    h.bus.advanceTo(t);
    await h.bus.settle();
  }
  return t;
}

describe('PolicyNode on the embedded bus', () => {
  it('publishes nothing before joint state and IMU have arrived', async () => {
    const h = await harness();
    for (let t = 1n; t <= 10n; t++) {
      h.bus.advanceTo(t * 20_000_000n);
      await h.bus.settle();
    }
    expect(h.commands).toHaveLength(0);
    expect(h.node.stats.waitingForState).toBe(10);
    h.publishState(); // joints only: still waiting for the IMU
    h.bus.advanceTo(220_000_000n);
    await h.bus.settle();
    expect(h.commands).toHaveLength(0);
  });

  it('the first command is default + 0.25·clip(model(hand-built observation)), in the robot joint order', async () => {
    const h = await harness();
    await run(h, 0n, 4); // one policy tick at 20 ms
    expect(h.commands).toHaveLength(1);
    const cmd = h.commands[0]!;
    expect(cmd.names).toEqual(ROBOT_JOINTS);
    expect(cmd.stampS).toBeCloseTo(0.02, 9);
    // at rest in the default pose, upright, no last action, phase 0: [0,0,0, 0,0,−1, 0…, 0…, 0…, sin 0, cos 0]
    const obs = new Float32Array(95);
    obs[5] = -1;
    obs[94] = 1;
    const ref = await ort.InferenceSession.create(shippedModelBytes());
    const a = (await ref.run({ obs: new ort.Tensor('float32', obs, [1, 95]) }))['actions']!.data as Float32Array;
    await ref.release();
    const def = defaultPoseArray();
    cmd.positions.forEach((v, k) => {
      const p = POLICY_OF_ROBOT[k]!;
      expect(v).toBeCloseTo(def[p]! + 0.25 * Math.max(-10, Math.min(10, a[p]!)), 6);
    });
  });

  it('closes the loop with a servoed fake robot: arms follow the 4 s motion, legs hold, every command is inside the URDF limits', async () => {
    const h = await harness();
    const limits = jointLimitArrays(loadUrdfFile(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf')), ROBOT_JOINTS);
    const tau = 0.04; // first-order position servo, s
    const target = Float64Array.from(h.q);
    const qRef = new Float64Array(N);
    const qdRef = new Float64Array(N);
    let worstArm = 0;
    let worstLeg = 0;
    let seen = 0;
    const physics = (dt: number): void => {
      // apply the newest command, then compare the state with the reference at that command's phase
      if (h.commands.length > seen) {
        seen = h.commands.length;
        target.set(h.commands[seen - 1]!.positions);
        const phaseS = (h.node.stats.published - 1) * 0.02;
        if (phaseS > 1) {
          referenceMotion(phaseS, qRef, qdRef);
          for (let k = 0; k < N; k++) {
            const e = Math.abs(h.q[k]! - qRef[POLICY_OF_ROBOT[k]!]!);
            if (ROBOT_JOINTS[k]!.includes('hip') || ROBOT_JOINTS[k]!.includes('knee') || ROBOT_JOINTS[k]!.includes('ankle')) worstLeg = Math.max(worstLeg, e);
            else worstArm = Math.max(worstArm, e);
          }
        }
      }
      const g = 1 - Math.exp(-dt / tau);
      for (let k = 0; k < N; k++) {
        const dq = g * (target[k]! - h.q[k]!);
        h.q[k] = h.q[k]! + dq;
        h.qd[k] = dq / dt;
      }
    };
    const shoulder = ROBOT_JOINTS.indexOf('left_shoulder_pitch_joint');
    let lo = Infinity;
    let hi = -Infinity;
    let t = 0n;
    for (let block = 0; block < 40; block++) {
      t = await run(h, t, 40, physics); // 8 s in total
      lo = Math.min(lo, h.q[shoulder]!);
      hi = Math.max(hi, h.q[shoulder]!);
    }
    expect(h.node.stats.published).toBe(400);
    expect(h.node.stats.missedDeadlines).toBe(0);
    for (const c of h.commands) {
      c.positions.forEach((v, k) => {
        expect(v).toBeGreaterThanOrEqual(limits.lower[k]!);
        expect(v).toBeLessThanOrEqual(limits.upper[k]!);
      });
    }
    expect(hi - lo).toBeGreaterThan(0.5); // the reference swings the shoulder over 0.7+ rad
    expect(worstArm).toBeLessThan(0.06); // measured 0.025 rad
    expect(worstLeg).toBeLessThan(0.005); // measured 0.0005 rad
  });

  it('refuses a config whose observation reads a source no input feeds (it would stay constant)', () => {
    const config = shippedResolved((c) => ({
      ...c,
      observation: { ...c.observation, terms: [...c.observation.terms, { name: 'motion_anchor_ori_b', source: 'reference_anchor_ori6d', scale: 1, history: 1 }] },
    }));
    const policy: Policy = {
      obsWidth: config.observationWidth,
      actionWidth: N,
      input: new Float32Array(config.observationWidth),
      lastRunMs: 0,
      run: () => Promise.resolve(new Float32Array(N)),
      release: () => Promise.resolve(),
    };
    const bus = new EmbeddedBus();
    expect(() => new PolicyNode({ node: bus.createNode('policy'), config, policy, robotJointNames: ROBOT_JOINTS })).toThrow(
      /observation terms without an input[\s\S]*'motion_anchor_ori_b' \(reference_anchor_ori6d\) needs the robot and reference anchor body orientations/,
    );
  });

  it('rejects and counts NaN or misnamed joint states and non-unit IMU orientations, keeping the last good state', async () => {
    const h = await harness();
    await run(h, 0n, 4);
    const robot = h.bus.createNode('bad_robot');
    const jsPub = robot.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
    const imuPub = robot.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
    const bad = makeJointState(ROBOT_JOINTS);
    bad.position[3] = NaN;
    jsPub.publish(bad);
    const missing = makeJointState(ROBOT_JOINTS.slice(1));
    jsPub.publish(missing);
    const imu = makeImu('pelvis');
    imu.orientation.w = 0.5;
    imuPub.publish(imu);
    expect(h.node.stats.rejectedJointStates).toBe(2);
    expect(h.node.stats.rejectedImu).toBe(1);
    expect(Array.from(h.node.inputs.jointPos)).toEqual(Array.from(defaultPoseArray()));
    expect(Array.from(h.node.inputs.baseQuatXyzw)).toEqual([0, 0, 0, 1]);
  });
});
