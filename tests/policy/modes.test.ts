import { afterEach, describe, expect, it } from 'vitest';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import type { ModesConfigInput } from '../../src/policy/modes.js';
import { OnnxPolicy, type Policy } from '../../src/inference/onnx-policy.js';
import { PolicyConfigSchema, resolvePolicyConfig, type ResolvedPolicyConfig } from '../../src/policy/policy-config.js';
import { defaultPoseArray, G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { header, makeImu, makeJointState, type Joy, type JointTrajectory } from '../../src/transport/messages.js';
import type { TransportNode } from '../../src/transport/port.js';
import { shippedConfig, shippedModelBytes } from './helpers.js';

const N = G1_JOINTS.length;
const LB = 4, A = 0, X = 2, B = 1;
const COMBOS: ModesConfigInput['joy'] = { combos: [{ buttons: [LB, A], mode: 'STAND' }, { buttons: [LB, X], mode: 'POLICY' }, { buttons: [LB, B], mode: 'DAMP' }] };

function configWith(modes: ModesConfigInput): ResolvedPolicyConfig {
  return resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), modes }));
}

/** A policy whose results the test releases by hand (or NaN actions). */
class ManualPolicy implements Policy {
  readonly obsWidth = 95;
  readonly actionWidth = N;
  readonly input = new Float32Array(95);
  readonly output = new Float32Array(N);
  readonly lastRunMs = 0;
  pending: (() => void)[] = [];
  runs = 0;
  constructor(private readonly mode: 'manual' | 'nan') {}
  run(): Promise<Float32Array> {
    this.runs++;
    if (this.mode === 'nan') return Promise.resolve(this.output.fill(NaN));
    return new Promise((resolve) => this.pending.push(() => resolve(this.output)));
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

interface Rig {
  bus: EmbeddedBus;
  node: PolicyNode;
  commands: number[][];
  modes: string[];
  q: Float64Array;
  tNs: bigint;
  imuQuat: { x: number; y: number; z: number; w: number };
  sensors: boolean;
  joy: (buttons: number[]) => void;
  client: TransportNode;
  release?: () => Promise<void>;
}
let rig: Rig | null = null;
afterEach(async () => {
  if (!rig) return;
  rig.node.destroy();
  await rig.bus.shutdown();
  await rig.release?.();
  rig = null;
});

async function makeRig(cfg: ResolvedPolicyConfig, policy?: Policy): Promise<Rig> {
  const bus = new EmbeddedBus({ validateMessages: true });
  const onnx = policy ? null : await OnnxPolicy.create({ model: shippedModelBytes(), config: cfg });
  const node = new PolicyNode({ node: bus.createNode('policy'), config: cfg, policy: policy ?? onnx!, robotJointNames: G1_JOINTS });
  const client = bus.createNode('operator');
  const jsPub = client.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
  const imuPub = client.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
  const joyPub = client.createPublisher('sensor_msgs/msg/Joy', '/joy');
  const js = makeJointState(G1_JOINTS);
  const imu = makeImu('pelvis');
  const joyMsg: Joy = { header: header(), axes: new Float32Array(8), buttons: new Int32Array(12) };
  const r: Rig = {
    bus,
    node,
    commands: [],
    modes: [],
    q: defaultPoseArray(),
    tNs: 0n,
    imuQuat: imu.orientation,
    sensors: true,
    client,
    joy: (buttons) => {
      joyMsg.buttons.fill(0);
      for (const b of buttons) joyMsg.buttons[b] = 1;
      joyPub.publish(joyMsg);
    },
    ...(onnx ? { release: () => onnx.release() } : {}),
  };
  client.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m: JointTrajectory) => void r.commands.push(Array.from(m.points[0]!.positions)), { preset: 'reliable' });
  client.createSubscription('std_msgs/msg/String', '/policy/mode', (m) => void r.modes.push(m.data), { preset: 'reliable' });
  // sensors at 200 Hz, published before each 5 ms step
  (r as Rig & { step: () => void }).step = () => {
    if (r.sensors) {
      js.position.set(r.q);
      jsPub.publish(js);
      imuPub.publish(imu);
    }
  };
  rig = r;
  return r;
}

async function advance(r: Rig, seconds: number, settle = true): Promise<void> {
  const steps = Math.round(seconds / 0.005);
  for (let k = 0; k < steps; k++) {
    (r as Rig & { step: () => void }).step();
    r.tNs += 5_000_000n;
    r.bus.advanceTo(r.tNs);
    if (settle) await r.bus.settle();
  }
}

describe('modes at topic level', () => {
  it('PASSIVE publishes nothing; Joy LB+A stands up over standDurationS; LB+X starts the policy; the mode topic reports each change', async () => {
    const r = await makeRig(configWith({ initial: 'PASSIVE', standDurationS: 1, joy: COMBOS }));
    r.q.fill(0); // start away from the default pose
    await advance(r, 0.2);
    expect(r.commands).toHaveLength(0);
    // PASSIVE → POLICY is not an allowed transition
    const refused = await r.bus.callService('std_srvs/srv/Trigger', '/policy/set_mode/policy', {});
    expect(refused.success).toBe(false);
    expect(refused.message).toMatch(/PASSIVE → POLICY is not allowed/);
    r.joy([LB, A]);
    r.joy([LB, A]); // still held: fires once
    expect(r.node.mode).toBe('STAND');
    await advance(r, 0.5);
    const def = defaultPoseArray();
    const elbow = G1_JOINTS.indexOf('left_elbow_joint');
    const mid = r.commands[r.commands.length - 1]![elbow]!;
    expect(mid).toBeGreaterThan(0.02);
    expect(mid).toBeLessThan(def[elbow]! - 0.02); // on the way from 0 to the default (0.97 rad)
    await advance(r, 0.6);
    r.commands[r.commands.length - 1]!.forEach((v, j) => expect(v).toBeCloseTo(def[j]!, 9));
    r.joy([]);
    r.joy([LB, X]);
    expect(r.node.mode).toBe('POLICY');
    const before = r.node.stats.inferences;
    await advance(r, 0.2);
    expect(r.node.stats.inferences - before).toBe(10);
    expect(r.modes).toEqual(['STAND', 'POLICY']);
    expect(r.node.transitions.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual(['PASSIVE>STAND:request:joy', 'STAND>POLICY:request:joy']);
  });

  it('mode requests on the topic and services work; unknown or refused requests change nothing', async () => {
    const r = await makeRig(configWith({ initial: 'PASSIVE' }));
    const pub = r.client.createPublisher('std_msgs/msg/String', '/policy/mode_request');
    pub.publish({ data: 'stand' });
    expect(r.node.mode).toBe('PASSIVE'); // no joint state yet: STAND is vetoed
    expect(r.node.stats.rejectedModeRequests).toBe(1);
    await advance(r, 0.02);
    pub.publish({ data: 'stand' });
    expect(r.node.mode).toBe('STAND');
    pub.publish({ data: 'fly' });
    expect(r.node.mode).toBe('STAND');
    const res = await r.bus.callService('std_srvs/srv/Trigger', '/policy/set_mode/damp', {});
    expect(res).toEqual({ success: true, message: 'mode DAMP' });
  });

  it('stale joint state sends POLICY to DAMP, which commands the measured pose', async () => {
    const r = await makeRig(configWith({ faults: { staleStateS: 0.1 } }));
    await advance(r, 0.5);
    expect(r.node.mode).toBe('POLICY');
    r.sensors = false;
    await advance(r, 0.2);
    expect(r.node.mode).toBe('DAMP');
    expect(r.node.transitions.at(-1)?.reason).toBe('fault:stale_state');
    const last = r.commands[r.commands.length - 1]!;
    last.forEach((v, j) => expect(v).toBe(r.node.inputs.jointPos[j]));
    expect(r.modes).toEqual(['DAMP']);
  });

  it('a base tilt beyond maxTiltRad sends POLICY to DAMP', async () => {
    const r = await makeRig(configWith({ faults: { maxTiltRad: 0.8 } }));
    await advance(r, 0.1);
    r.imuQuat.x = Math.sin(0.45); // roll 0.9 rad
    r.imuQuat.w = Math.cos(0.45);
    await advance(r, 0.04);
    expect(r.node.mode).toBe('DAMP');
    expect(r.node.transitions.at(-1)?.reason).toBe('fault:tilt');
  });

  it('a NaN action never reaches the command: the node falls back to DAMP at once', async () => {
    const policy = new ManualPolicy('nan');
    const r = await makeRig(configWith({}), policy);
    await advance(r, 0.1);
    expect(r.node.mode).toBe('DAMP');
    expect(r.node.stats.nonFiniteActions).toBe(1);
    expect(policy.runs).toBe(1);
    expect(r.commands.length).toBeGreaterThan(0);
    for (const c of r.commands) for (const v of c) expect(Number.isFinite(v)).toBe(true);
  });

  it('inference that misses its deadlines holds the last target, drops the late result, and after maxConsecutiveMisses goes to DAMP', async () => {
    const policy = new ManualPolicy('manual');
    const r = await makeRig(configWith({ faults: { maxConsecutiveMisses: 3 } }), policy);
    await advance(r, 0.02, false); // first tick starts an inference that does not finish
    expect(policy.runs).toBe(1);
    await advance(r, 0.04, false); // two more ticks: two misses, target held (published again)
    expect(r.node.stats.missedDeadlines).toBe(2);
    expect(r.node.mode).toBe('POLICY');
    policy.pending.shift()!(); // the result arrives 40 ms after its tick: late, dropped
    await r.bus.settle();
    expect(r.node.stats.lateResults).toBe(1);
    expect(r.node.mode).toBe('DAMP'); // third consecutive miss
    expect(r.node.transitions.at(-1)?.reason).toBe('fault:deadline_misses');
    expect(policy.runs).toBe(1);
  });
});

describe('stopping the node', () => {
  it('drops an inference result that arrives after destroy (a deactivated node publishes nothing)', async () => {
    const policy = new ManualPolicy('manual');
    const r = await makeRig(configWith({}), policy);
    await advance(r, 0.02, false); // the first policy tick starts an inference that is still running
    expect(policy.runs).toBe(1);
    const published = r.commands.length;
    r.node.destroy();
    policy.pending.shift()!();
    await r.bus.settle();
    expect(r.commands).toHaveLength(published);
    expect(r.node.stats.inferences).toBe(0);
  });
});

describe('Joy combos', () => {
  it('fire once when the whole combo becomes held, and the larger combo wins', async () => {
    const { JoyComboDetector } = await import('../../src/policy/joy-combos.js');
    const d = new JoyComboDetector([{ buttons: [A], mode: 'DAMP' }, { buttons: [LB, A], mode: 'STAND' }]);
    const press = (...b: number[]): string | null => {
      const buttons = new Int32Array(12);
      for (const x of b) buttons[x] = 1;
      return d.update(buttons);
    };
    expect(press(LB)).toBeNull();
    expect(press(LB, A)).toBe('STAND');
    expect(press(LB, A)).toBeNull(); // held
    expect(press()).toBeNull();
    expect(press(A)).toBe('DAMP');
    expect(press(LB, A)).toBe('STAND'); // A was already held, LB completes the larger combo
  });
});
