import { describe, expect, it } from 'vitest';
import { ShieldNode } from '../../src/nodes/shield-node.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import {
  makeJointState, makeJointTrajectory, setTimeNs, type DiagnosticArray, type Float64MultiArray, type JointTrajectory,
} from '../../src/transport/messages.js';
import { NAMES, urdfLimits } from './fixtures.js';

const MS = 1_000_000n;
/** The plant's servo gains, handed to the shield as the embedded run hands over sim.gains. */
const GAINS = { a: { kp: 20, kd: 0.5 }, b: { kp: 20, kd: 0.5 }, c: { kp: 20, kd: 0.5 } };

/** A bus with the shield, a plant that reports the last command as its state, and a 50 Hz policy. */
function rig(config: ConstructorParameters<typeof ShieldNode>[0]['config'] = {}) {
  const bus = new EmbeddedBus({ validateMessages: true });
  const shield = new ShieldNode({
    node: bus.createNode('safety_shield'),
    robot: urdfLimits(),
    servoGains: GAINS,
    config: { limits: { positionMarginRad: 0.05, accelerationRadPerS2: 100, decelerationRadPerS2: 50 }, ...config, core: { autoActivate: true, ...config.core } },
  });
  const plant = bus.createNode('plant');
  const js = makeJointState(NAMES);
  js.position.set([0.2, -0.5, 0]);
  const jsPub = plant.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
  const commands: Float64Array[] = [];
  const trajectories: JointTrajectory[] = [];
  if (shield.config.outputFormat === 'float64_multi_array') {
    plant.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', (m: Float64MultiArray) => {
      commands.push(Float64Array.from(m.data));
      js.position.set(m.data);
    });
  } else {
    plant.createSubscription('trajectory_msgs/msg/JointTrajectory', '/forward_position_controller/commands', (m: JointTrajectory) => {
      trajectories.push(structuredClone(m));
      js.position.set(m.points[0]!.positions);
    });
  }
  const diagnostics: DiagnosticArray[] = [];
  plant.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => { diagnostics.push(structuredClone(m)); });
  const policy = bus.createNode('policy');
  const cmd = makeJointTrajectory(NAMES);
  const cmdPub = policy.createPublisher('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command');
  let sensing = true;
  let target = [0.2, -0.5, 0];
  const step = (ms: number): void => {
    const now = bus.nowNs() + BigInt(ms) * MS;
    for (let t = bus.nowNs() + MS; t <= now; t += MS) {
      if (sensing && t % (2n * MS) === 0n) {
        setTimeNs(js.header.stamp, t);
        jsPub.publish(js);
      }
      if (t % (20n * MS) === 0n) {
        setTimeNs(cmd.header.stamp, t);
        cmd.points[0]!.positions.set(target);
        cmdPub.publish(cmd);
      }
      bus.advanceTo(t);
    }
  };
  return {
    bus, shield, commands, trajectories, diagnostics, step,
    setTarget: (t: number[]) => { target = t; },
    stopSensing: () => { sensing = false; },
  };
}

describe('shield node', () => {
  it('publishes nothing before the first fresh joint state', () => {
    const r = rig();
    r.stopSensing();
    r.step(100);
    expect(r.commands).toHaveLength(0);
    expect(r.shield.published).toBe(0);
  });

  it('publishes a Float64MultiArray in controller order with exact length, within position and velocity limits', () => {
    const r = rig();
    r.setTarget([5, -5, 3]);
    r.step(2000);
    expect(r.commands.length).toBeGreaterThan(900);
    for (const c of r.commands) expect(c.length).toBe(3);
    const lim = urdfLimits();
    for (let k = 1; k < r.commands.length; k++) {
      for (let i = 0; i < 3; i++) {
        const x = r.commands[k]![i]!;
        expect(x).toBeGreaterThanOrEqual(lim.lower[i]! + 0.05);
        expect(x).toBeLessThanOrEqual(lim.upper[i]! - 0.05);
        expect(Math.abs(x - r.commands[k - 1]![i]!) / 0.002).toBeLessThanOrEqual(lim.velocity[i]! * (1 + 1e-9));
      }
    }
    const last = r.commands.at(-1)!;
    expect(last[0]).toBeCloseTo(0.95, 12);
    expect(last[1]).toBeCloseTo(-1.95, 12);
  });

  it('holds the command published before an e-stop on /estop, through a reset, until an activate service call', async () => {
    const r = rig();
    r.setTarget([0.8, -1.5, 1]);
    r.step(100);
    const estopNode = r.bus.createNode('operator');
    const n = r.commands.length;
    // the value held at the e-stop tick: the last command out before the e-stop arrived (moving)
    const held = Array.from(r.commands[n - 1]!);
    expect(held).not.toEqual(Array.from(r.commands[n - 2]!));
    estopNode.createPublisher('std_msgs/msg/Bool', '/estop').publish({ data: true });
    r.step(500);
    expect(r.commands.length).toBeGreaterThan(n + 200);
    for (const c of r.commands.slice(n)) expect(Array.from(c)).toEqual(held);
    const reset = estopNode.createClient('std_srvs/srv/Trigger', '/shield/reset');
    expect(await reset.call({})).toEqual({ success: true, message: 'reset' });
    r.step(500);
    expect(r.shield.shield.status.state).toBe(2); // HOLD: a reset does not restart motion
    for (const c of r.commands.slice(n)) expect(Array.from(c)).toEqual(held);
    const activate = estopNode.createClient('std_srvs/srv/Trigger', '/shield/activate');
    expect(await activate.call({})).toEqual({ success: true, message: 'activated' });
    r.step(200);
    expect(r.shield.shield.status.state).toBe(1);
    expect(r.commands.at(-1)![0]).not.toBe(held[0]);
  });

  it('refuses a multi-point JointTrajectory (counted as multi_point), never cutting it to its first point', () => {
    const r = rig();
    r.step(100);
    const before = Array.from(r.commands.at(-1)!);
    const other = r.bus.createNode('other');
    const pub = other.createPublisher('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command');
    const m = makeJointTrajectory(NAMES);
    m.points.push(structuredClone(m.points[0]!));
    m.points[0]!.positions.set([0.9, 0.4, 1]);
    m.points[1]!.positions.set([0.9, 0.4, 1]);
    setTimeNs(m.points[1]!.time_from_start, 10n * MS);
    pub.publish(m); // stamp 0: now
    r.step(10);
    expect(r.shield.shield.status.candidate.rejected[10]).toBe(1);
    expect(Math.abs(r.commands.at(-1)![0]! - before[0]!)).toBeLessThan(1e-9);
  });

  it('a shield that never activates says why on /diagnostics', () => {
    const r = rig({ core: { autoActivate: false } });
    r.step(1100);
    const last = r.diagnostics.at(-1)!.status[0]!;
    const values = Object.fromEntries(last.values.map((v) => [v.key, v.value]));
    expect(values['not_activated_reason']).toBe('no activate request came (autoActivate is off: call the activate service)');
    expect(last.message).toMatch(/^INACTIVE \(start\): never activated: no activate request came/);
    expect(r.shield.notActivatedReason).toBe(values['not_activated_reason']);
    expect(r.commands).toHaveLength(0);
  });

  it('goes to HOLD and reports ERROR on diagnostics when joint states stop', () => {
    const r = rig();
    r.setTarget([0.5, -1, 0.5]);
    r.step(500);
    r.stopSensing();
    r.step(1500);
    const last = r.diagnostics.at(-1)!.status[0]!;
    expect(last.level).toBe(2);
    expect(last.message).toBe('HOLD (measured_stale)');
    const tail = r.commands.slice(-100);
    for (const c of tail) expect(Array.from(c)).toEqual(Array.from(tail[0]!));
  });

  it('publishes a JointTrajectory with positions, velocities and time_from_start of one tick when configured', () => {
    const r = rig({ outputFormat: 'joint_trajectory' });
    r.setTarget([0.5, -1, 0.5]);
    r.step(100);
    expect(r.trajectories.length).toBeGreaterThan(40);
    const m = r.trajectories.at(-1)!;
    expect(m.joint_names).toEqual([...NAMES]);
    expect(m.points[0]!.positions).toHaveLength(3);
    expect(m.points[0]!.time_from_start).toEqual({ sec: 0, nanosec: 2_000_000 });
  });

  it('refuses a config that loosens the URDF limits, naming the field, before creating anything', () => {
    const bus = new EmbeddedBus();
    const node = bus.createNode('safety_shield');
    expect(() => new ShieldNode({ node, robot: urdfLimits(), config: { limits: { joints: { a: { upperRad: 2 } } } } }))
      .toThrow(/joints\.a\.upperRad: 2 rad is above the URDF upper limit 1 rad/);
    expect(() => new ShieldNode({ node, robot: urdfLimits(), config: { limits: { velocityScale: 1.5 } } })).toThrow(/velocityScale/);
    expect(bus.topicList()).toEqual([]);
  });

  it('holdNow publishes a hold of the current command', () => {
    const r = rig();
    r.setTarget([0.5, -1, 0.5]);
    r.step(100);
    const before = r.commands.length;
    expect(r.shield.holdNow()).toBe(true);
    expect(r.commands.length).toBe(before + 1);
    expect(Array.from(r.commands.at(-1)!)).toEqual(Array.from(r.commands.at(-2)!));
  });
});

describe('shield node on the humanoid model', () => {
  it('builds the collision model from the URDF, publishes in URDF actuated order and reports clearances', async () => {
    const { loadUrdfFile } = await import('../../src/io/urdf-file.js');
    const { actuatedJoints } = await import('../../src/robot/model.js');
    const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
    const names = actuatedJoints(model).map((j) => j.name);
    const bus = new EmbeddedBus({ validateMessages: true });
    const { DEFAULT_GAINS, SimConfigSchema, gainsFor } = await import('../../src/sim/config.js');
    const sim = SimConfigSchema.parse({ gains: DEFAULT_GAINS });
    const node = new ShieldNode({
      node: bus.createNode('safety_shield'), robot: model, servoGains: Object.fromEntries(names.map((n) => [n, gainsFor(sim, n)])),
      config: { core: { autoActivate: true }, workspace: { links: ['left_rubber_hand'], minM: [null, null, -10] } },
    });
    expect(node.collision?.pairCount).toBeGreaterThan(100);
    const plant = bus.createNode('plant');
    const js = makeJointState(names);
    const pub = plant.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
    const commands: Float64Array[] = [];
    plant.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', (m: Float64MultiArray) => {
      commands.push(Float64Array.from(m.data));
      js.position.set(m.data);
    });
    const diagnostics: DiagnosticArray[] = [];
    plant.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => { diagnostics.push(structuredClone(m)); });
    const policy = bus.createNode('policy');
    const cmd = makeJointTrajectory(names);
    // drive both arms across the body: the hands would meet
    names.forEach((n, i) => {
      if (n.endsWith('shoulder_roll_joint')) cmd.points[0]!.positions[i] = n.startsWith('left') ? -1.5 : 1.5;
      if (n.endsWith('shoulder_pitch_joint')) cmd.points[0]!.positions[i] = -1.2;
      if (n.endsWith('elbow_joint')) cmd.points[0]!.positions[i] = 1.0;
    });
    const cmdPub = policy.createPublisher('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command');
    for (let t = MS; t <= 1500n * MS; t += MS) {
      if (t % (2n * MS) === 0n) { setTimeNs(js.header.stamp, t); pub.publish(js); }
      if (t % (20n * MS) === 0n) { setTimeNs(cmd.header.stamp, t); cmdPub.publish(cmd); }
      bus.advanceTo(t);
    }
    expect(commands.length).toBeGreaterThan(700);
    for (const c of commands) expect(c.length).toBe(names.length);
    const values = Object.fromEntries(diagnostics.at(-1)!.status[0]!.values.map((v) => [v.key, v.value]));
    expect(Number(values['collision_clearance_m'])).toBeGreaterThanOrEqual(0);
    expect(Number(values['interventions.collision'])).toBeGreaterThan(0);
    expect(values['state']).toBe('ACTIVE');
  });
});

describe('shield node candidate topics', () => {
  it('a fresh candidate on a higher-priority topic preempts the lower one', () => {
    const r = rig({
      core: { interpolation: { mode: 'none' } },
      topics: { candidates: [{ topic: '/policy/joint_command', priority: 0 }, { topic: '/teleop/joint_command', priority: 10 }] },
    });
    const teleop = r.bus.createNode('teleop');
    const cmd = makeJointTrajectory(NAMES);
    cmd.points[0]!.positions.set([-0.3, -1.2, 0.4]);
    const pub = teleop.createPublisher('trajectory_msgs/msg/JointTrajectory', '/teleop/joint_command');
    r.setTarget([0.6, 0.2, -0.4]);
    for (let k = 0; k < 100; k++) {
      setTimeNs(cmd.header.stamp, r.bus.nowNs());
      pub.publish(cmd);
      r.step(20);
    }
    expect(r.shield.preempted).toBeGreaterThan(90);
    const last = r.commands.at(-1)!;
    expect(last[0]).toBeCloseTo(-0.3, 9);
    expect(last[1]).toBeCloseTo(-1.2, 9);
    expect(last[2]).toBeCloseTo(0.4, 9);
  });
});
