import { afterEach, describe, expect, it } from 'vitest';
import { MujocoSim, SimNode, ScenarioEventSchema } from '../../src/sim/index.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { DiagnosticLevel, makeFloat64MultiArray, type Clock, type DiagnosticArray, type Imu, type JointState } from '../../src/transport/messages.js';
import { armModel, ARM_GAINS, mujocoReady } from './fixtures.js';

const sims: MujocoSim[] = [];
afterEach(() => {
  for (const s of sims.splice(0)) s.dispose();
});

function setup(opts: Partial<ConstructorParameters<typeof SimNode>[0]> = {}) {
  const bus = new EmbeddedBus({ validateMessages: true });
  const sim = new MujocoSim({ model: armModel({ world: true }), config: { gains: ARM_GAINS } });
  sims.push(sim);
  const simNode = new SimNode({ node: bus.createNode('sim'), sim, jointStateRateHz: 500, imuRateHz: 250, clockRateHz: 1000, ...opts });
  const ctl = bus.createNode('controller');
  const seen = { joint: [] as number[][], imuStamps: [] as number[], clock: [] as number[] };
  ctl.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (m: JointState) => void seen.joint.push([...m.position]));
  ctl.createSubscription('sensor_msgs/msg/Imu', '/imu', (m: Imu) => {
    expect(m.header.frame_id).toBe('imu_in_pelvis');
    seen.imuStamps.push(m.header.stamp.sec + m.header.stamp.nanosec * 1e-9);
  });
  ctl.createSubscription('rosgraph_msgs/msg/Clock', '/clock', (m: Clock) => void seen.clock.push(m.clock.sec * 1e9 + m.clock.nanosec));
  const cmdPub = ctl.createPublisher('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', { preset: 'reliable' });
  return { bus, sim, simNode, seen, cmdPub };
}

describe.skipIf(!mujocoReady)('SimNode on the embedded bus', () => {
  it('publishes joint states, IMU and clock on the steps their rates divide', () => {
    const { simNode, seen } = setup();
    for (let k = 0; k < 20; k++) simNode.advance();
    expect(simNode.stats.steps).toBe(20);
    expect(seen.clock).toHaveLength(20); // every 1 ms step
    expect(seen.clock[19]).toBe(20_000_000);
    expect(seen.joint).toHaveLength(10); // every 2nd step
    expect(seen.imuStamps).toHaveLength(5); // every 4th step
    expect(seen.imuStamps[0]).toBeCloseTo(0.004, 12);
  });

  it('applies a command of the configured joint order to the servos', () => {
    const { simNode, seen, cmdPub } = setup({ commandJointOrder: ['elbow_pitch', 'shoulder_pitch'] });
    const cmd = makeFloat64MultiArray(2);
    cmd.data[0] = 0.4; // elbow
    cmd.data[1] = -0.6; // shoulder
    cmdPub.publish(cmd);
    for (let k = 0; k < 2000; k++) simNode.advance();
    expect(simNode.stats.commandsApplied).toBe(1);
    const last = seen.joint[seen.joint.length - 1]!; // /joint_states order: shoulder, elbow
    expect(last[0]).toBeCloseTo(-0.6, 1);
    expect(last[1]).toBeCloseTo(0.4, 1);
  });

  it('counts a command replaced before any physics step used it as superseded', () => {
    const { simNode, cmdPub } = setup();
    const cmd = makeFloat64MultiArray(2);
    cmdPub.publish(cmd);
    simNode.advance();
    cmdPub.publish(cmd); // used by the next step: not superseded
    simNode.advance();
    cmdPub.publish(cmd);
    cmdPub.publish(cmd); // replaces the previous one before a step
    cmdPub.publish(cmd); // and again
    simNode.advance();
    expect(simNode.stats.commandsApplied).toBe(5);
    expect(simNode.stats.commandsSuperseded).toBe(2);
  });

  it('drops and counts a command of the wrong length or with non-finite data, keeping the last target', () => {
    const { simNode, seen, cmdPub } = setup();
    const bad = makeFloat64MultiArray(3);
    bad.data.fill(1);
    cmdPub.publish(bad);
    const nan = makeFloat64MultiArray(2);
    nan.data[0] = NaN;
    cmdPub.publish(nan);
    for (let k = 0; k < 500; k++) simNode.advance();
    expect(simNode.stats.commandsDroppedWrongLength).toBe(1);
    expect(simNode.stats.commandsDroppedNonFinite).toBe(1);
    expect(simNode.stats.commandsApplied).toBe(0);
    const last = seen.joint[seen.joint.length - 1]!;
    expect(Math.abs(last[0]!)).toBeLessThan(0.05); // still holding the initial pose
  });

  it('reports on /diagnostics on the sim clock: OK while stepping, WARN when commands were dropped since the last report', () => {
    const { bus, simNode, cmdPub } = setup({ diagnosticsRateHz: 2 });
    const reports: { level: number; message: string; applied: string | undefined }[] = [];
    bus.createNode('observer').createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => {
      const st = m.status[0]!;
      reports.push({ level: st.level, message: st.message, applied: st.values.find((v) => v.key === 'commandsApplied')?.value });
    });
    const good = makeFloat64MultiArray(2);
    const bad = makeFloat64MultiArray(3);
    for (let k = 1; k <= 1500; k++) {
      if (k === 100) cmdPub.publish(good);
      if (k === 700) cmdPub.publish(bad);
      simNode.advance();
      bus.advanceTo(BigInt(k) * 1_000_000n);
    }
    expect(reports.map((r) => r.level)).toEqual([DiagnosticLevel.OK, DiagnosticLevel.WARN, DiagnosticLevel.OK]);
    expect(reports[0]!).toEqual({ level: DiagnosticLevel.OK, message: 'stepping, applying commands', applied: '1' });
    expect(reports[1]!.message).toBe('1 commands dropped (wrong length or non-finite) since the last report');
  });

  it('applies scenario events when sim time reaches them', () => {
    const { sim, simNode } = setup({
      scenario: [
        { atS: 0.01, kind: 'set_gains', target: 'shoulder_pitch', values: { kp: 80, kd: 3 } },
        { atS: 0.005, kind: 'add_payload', target: 'forearm', values: { massKg: 1 } },
      ],
    });
    for (let k = 0; k < 5; k++) simNode.advance();
    expect(sim.getLinkMass('forearm')).toBe(0.5);
    simNode.advance();
    expect(sim.getLinkMass('forearm')).toBe(1.5);
    expect(sim.getGains('shoulder_pitch').kp).toBe(200);
    for (let k = 0; k < 5; k++) simNode.advance();
    expect(sim.getGains('shoulder_pitch')).toEqual({ kp: 80, kd: 3 });
    expect(simNode.stats.scenarioEventsApplied).toBe(2);
    simNode.applyScenarioEvent({ kind: 'set_effort_limit', target: 'elbow_pitch', values: { effortNm: 7 } });
    expect(sim.getEffortLimit('elbow_pitch')).toBe(7);
  });

  it('rejects a configuration naming unknown joints or scenario targets, listing every problem', () => {
    const bus = new EmbeddedBus();
    const sim = new MujocoSim({ model: armModel({ world: true }), config: { gains: ARM_GAINS } });
    sims.push(sim);
    const make = () =>
      new SimNode({
        node: bus.createNode('sim'),
        sim,
        commandJointOrder: ['shoulder_pitch', 'wrist'],
        scenario: [{ atS: 1, kind: 'set_mass', target: 'torso', values: { massKg: 2 } }],
      });
    expect(make).toThrow(/'wrist' is not a sim target joint[\s\S]*unknown link 'torso'/);
    expect(ScenarioEventSchema.safeParse({ kind: 'set_mass', target: 'x', values: { massKg: -1 } }).success).toBe(false);
  });
});

describe.skipIf(!mujocoReady)('SimNode sensor timing', () => {
  it('samples /joint_states and /imu at one instant: the state the step just integrated to, stamped with its time', () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    // floating arm: the base tumbles and the joints swing, so consecutive states differ
    const sim = new MujocoSim({ model: armModel({ world: false }), config: { gains: ARM_GAINS, base: 'floating', baseHeightM: 0.3, initialPose: { shoulder_pitch: -0.8 } } });
    sims.push(sim);
    const simNode = new SimNode({ node: bus.createNode('sim'), sim, jointStateRateHz: 1000, imuRateHz: 1000, clockRateHz: 1000 });
    const ctl = bus.createNode('controller');
    let js: { t: number; q: number[] } | null = null;
    let imu: { t: number; w: number[] } | null = null;
    ctl.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (m: JointState) => void (js = { t: m.header.stamp.sec + m.header.stamp.nanosec * 1e-9, q: [...m.position] }));
    ctl.createSubscription('sensor_msgs/msg/Imu', '/imu', (m: Imu) => void (imu = { t: m.header.stamp.sec + m.header.stamp.nanosec * 1e-9, w: [m.angular_velocity.x, m.angular_velocity.y, m.angular_velocity.z] }));
    const qpos = new Float64Array(sim.mj.nq);
    const qvel = new Float64Array(sim.mj.nv);
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      simNode.advance();
      sim.mj.readQpos(qpos);
      sim.mj.readQvel(qvel);
      const now = { t: sim.time, q: [qpos[7]!, qpos[8]!], w: [qvel[3]!, qvel[4]!, qvel[5]!] };
      const j = js as { t: number; q: number[] } | null;
      const i = imu as { t: number; w: number[] } | null;
      expect(j && i).toBeTruthy();
      expect(j!.t).toBeCloseTo(now.t, 9);
      expect(i!.t).toBeCloseTo(now.t, 9);
      j!.q.forEach((q, n) => expect(q).toBe(now.q[n]));
      // the IMU sits on the free root with the root's orientation: its gyro is the root's body-frame angular velocity
      i!.w.forEach((w, n) => expect(w).toBeCloseTo(now.w[n]!, 9));
      if (Math.abs(now.w[1]!) > 1e-3) compared++;
    }
    expect(compared).toBeGreaterThan(50); // the base really rotated
  });
});
