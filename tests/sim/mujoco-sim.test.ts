import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMujocoAddon, MujocoSim, type SimConfigInput } from '../../src/sim/index.js';
import { makeImu, makeJointState } from '../../src/transport/messages.js';
import { armModel, ARM_GAINS, mujocoReady } from './fixtures.js';

const live: MujocoSim[] = [];
function armSim(world: boolean, config: SimConfigInput = {}): MujocoSim {
  const sim = new MujocoSim({ model: armModel({ world }), config: { gains: ARM_GAINS, ...config } });
  live.push(sim);
  return sim;
}
afterEach(() => {
  for (const s of live.splice(0)) s.dispose();
});
const ORDER = ['shoulder_pitch', 'elbow_pitch'];

describe.skipIf(!mujocoReady)('MujocoSim (fixed base arm)', () => {
  it('starts at the configured initial pose and the servos hold it', () => {
    const sim = armSim(true, { initialPose: { shoulder_pitch: -0.5, elbow_pitch: 0.3 } });
    const js = makeJointState(ORDER);
    sim.readJointState(js);
    expect(js.position[0]).toBeCloseTo(-0.5, 12);
    expect(js.position[1]).toBeCloseTo(0.3, 12);
    sim.step(1000);
    sim.readJointState(js);
    // Only gravity sag (a few hundredths of a rad) away from the pose.
    expect(Math.abs(js.position[0]! + 0.5)).toBeLessThan(0.05);
    expect(Math.abs(js.position[1]! - 0.3)).toBeLessThan(0.05);
    expect(js.header.stamp).toEqual({ sec: 1, nanosec: 0 });
  });

  it('moves a joint toward a new position target', () => {
    const sim = armSim(true);
    const js = makeJointState(ORDER);
    expect(sim.setPositionTargets(new Float64Array([-0.8, 0.4]))).toBe('applied');
    sim.step(50);
    sim.readJointState(js);
    const early = js.position[0]!;
    expect(early).toBeLessThan(0);
    sim.step(1950);
    sim.readJointState(js);
    expect(js.position[0]!).toBeLessThan(early);
    expect(js.position[0]!).toBeCloseTo(-0.8, 1);
    expect(js.position[1]!).toBeCloseTo(0.4, 1);
    expect(Math.abs(js.velocity[0]!)).toBeLessThan(1e-3);
  });

  it('clips the servo torque at the URDF effort limit', () => {
    const sim = armSim(true);
    const tau = new Float64Array(2);
    sim.setPositionTargets(new Float64Array([-2, 0])); // kp·2 rad = 400 N·m wanted, effort 50 N·m
    let peak = 0;
    for (let k = 0; k < 200; k++) {
      sim.step();
      sim.readActuatorTorques(tau);
      peak = Math.max(peak, Math.abs(tau[0]!));
    }
    expect(peak).toBeCloseTo(50, 9);
    expect(sim.jointTorque('shoulder_pitch')).toBeGreaterThanOrEqual(-50 - 1e-9);
  });

  it('lets the arm drop when the effort limit is lowered below the gravity torque', () => {
    const sim = armSim(true);
    const js = makeJointState(ORDER);
    sim.step(500);
    sim.readJointState(js);
    const held = js.position[0]!;
    sim.setEffortLimit('shoulder_pitch', 2); // gravity needs about 5.6 N·m at q = 0
    expect(sim.getEffortLimit('shoulder_pitch')).toBe(2);
    sim.step(1000);
    sim.readJointState(js);
    expect(held).toBeLessThan(0.05);
    expect(js.position[0]!).toBeGreaterThan(0.5);
  });

  it('sags more under the servo after a payload is added to the forearm, and after a link mass change', () => {
    const sag = (change?: (s: MujocoSim) => void): number => {
      const sim = armSim(true);
      change?.(sim);
      sim.step(3000);
      const js = makeJointState(ORDER);
      sim.readJointState(js);
      return js.position[0]!;
    };
    const base = sag();
    const payload = sag((s) => s.addPayload('forearm', 2, [0.15, 0, 0]));
    const heavier = sag((s) => s.setLinkMass('upper_arm', 3));
    // Static balance kp·θ ≈ m·g·r: 5.64 N·m / 200 ≈ 0.028 rad; +2 kg at 0.8 m adds ≈ 15.7 N·m.
    expect(base).toBeCloseTo(5.64 / 200, 2);
    expect(payload - base).toBeCloseTo((2 * 9.81 * 0.8) / 200, 2);
    expect(heavier - base).toBeCloseTo((2 * 9.81 * 0.25) / 200, 2);
  });

  it('updates mass and inertia on setLinkMass and addPayload', () => {
    const sim = armSim(true);
    expect(sim.getLinkMass('upper_arm')).toBe(1);
    sim.setLinkMass('upper_arm', 2);
    expect(sim.getLinkMass('upper_arm')).toBe(2);
    const out = new Float64Array(11);
    sim.mj.readBodyInertial(sim.mj.name2id('body', 'upper_arm'), out);
    expect([...out.slice(8)].sort()).toEqual([0.001, 0.04, 0.04]); // doubled with the mass
    sim.addPayload('forearm', 0.5, [0.2, 0, 0]);
    sim.mj.readBodyInertial(sim.mj.name2id('body', 'forearm'), out);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(0.15 + 0.1, 12); // centre of mass moves halfway to the payload
  });

  it('changes damping, friction and gains by joint name', () => {
    const sim = armSim(true);
    const dof = sim.mj.jntDofAdr(sim.mj.name2id('joint', 'elbow_pitch'));
    sim.setJointDamping('elbow_pitch', 3);
    sim.setJointFriction('elbow_pitch', 0.7);
    sim.setJointArmature('elbow_pitch', 0.05);
    expect(sim.mj.getDofParams(dof)).toEqual({ damping: 3, frictionloss: 0.7, armature: 0.05 });
    sim.setGains('shoulder_pitch', 50, 1);
    expect(sim.getGains('shoulder_pitch')).toEqual({ kp: 50, kd: 1 });
    sim.step(3000);
    const js = makeJointState(ORDER);
    sim.readJointState(js);
    expect(js.position[0]!).toBeCloseTo(5.64 / 50, 2); // a softer servo sags 4× more
  });

  it('reports a level fixed base IMU as identity orientation with +9.81 m/s² on z', () => {
    const sim = armSim(true);
    sim.step(200);
    const imu = makeImu('imu_in_pelvis');
    sim.readImu(imu);
    expect(imu.orientation.w).toBeCloseTo(1, 9);
    expect(imu.orientation.x).toBeCloseTo(0, 9);
    expect(imu.orientation.y).toBeCloseTo(0, 9);
    expect(imu.orientation.z).toBeCloseTo(0, 9);
    expect(imu.linear_acceleration.z).toBeCloseTo(9.81, 6);
    expect(imu.linear_acceleration.x).toBeCloseTo(0, 6);
    expect(imu.angular_velocity.x).toBeCloseTo(0, 9);
  });

  it('readTime writes the sim time into a preallocated array (the per-step form of the time getter)', () => {
    const sim = armSim(true);
    const out = new Float64Array(1);
    sim.step(250);
    sim.readTime(out);
    expect(out[0]).toBe(sim.time);
    expect(out[0]).toBeCloseTo(0.25, 12);
    expect(() => sim.mj.readTime(new Float64Array(2))).toThrow(/readTime\(out\): out has length 2, expected 1/);
  });

  it('reset returns to the initial pose at t = 0', () => {
    const sim = armSim(true, { initialPose: { elbow_pitch: 0.2 } });
    sim.setPositionTargets(new Float64Array([1, 1]));
    sim.step(500);
    sim.reset();
    expect(sim.time).toBe(0);
    const js = makeJointState(ORDER);
    sim.readJointState(js);
    expect([...js.position]).toEqual([0, 0.2]);
  });
});

describe.skipIf(!mujocoReady)('MujocoSim (floating base)', () => {
  it('falls under gravity and comes to rest on the ground plane', () => {
    const sim = armSim(false, { baseHeightM: 0.5 });
    expect(sim.build.base).toBe('floating');
    expect(sim.baseHeightM()).toBeCloseTo(0.5, 12);
    sim.step(100); // 0.1 s of free fall: ½·g·t² ≈ 0.049 m
    expect(sim.baseHeightM()).toBeCloseTo(0.5 - 0.5 * 9.81 * 0.1 ** 2, 2);
    sim.step(2900);
    const z = sim.baseHeightM();
    expect(z).toBeGreaterThan(0.05);
    expect(z).toBeLessThan(0.2); // the 0.2 m pelvis box rests on the floor (its centre near 0.1 m)
    const n = sim.mj.contactCount;
    expect(n).toBeGreaterThan(0);
    const g1 = new Int32Array(16), g2 = new Int32Array(16), dist = new Float64Array(16);
    const written = sim.mj.contacts(g1, g2, dist);
    const floor = sim.mj.name2id('geom', 'floor');
    const pelvisBox = sim.mj.name2id('geom', 'pelvis_col0');
    const pairs = Array.from({ length: written }, (_, i) => [g1[i], g2[i]]);
    expect(pairs.some(([a, b]) => (a === floor && b === pelvisBox) || (a === pelvisBox && b === floor))).toBe(true);
    const pose = new Float64Array(7);
    sim.readBasePose(pose);
    expect(pose[2]).toBe(z);
  });
});

describe.skipIf(!mujocoReady)('bad arguments throw clear errors', () => {
  it('names the wrong array length', () => {
    const sim = armSim(true);
    expect(() => sim.mj.readQpos(new Float64Array(sim.mj.nq + 1))).toThrow(/readQpos\(out\): out has length 3, expected 2/);
    expect(() => sim.mj.writeCtrl(new Float64Array(5))).toThrow(/expected 2/);
    expect(() => sim.mj.readQvel([0, 0] as unknown as Float64Array)).toThrow(/must be a Float64Array/);
    expect(() => sim.mj.writeQpos(new Float64Array([NaN, 0]))).toThrow(/not finite/);
    expect(sim.setPositionTargets(new Float64Array(3))).toBe('wrong_length');
    expect(sim.setPositionTargets(new Float64Array([0, Infinity]))).toBe('non_finite');
    expect(() => sim.readJointState({ ...makeJointState(ORDER), position: new Float64Array(1) })).toThrow(/2 entries/);
  });

  it('names an unknown joint or link', () => {
    const sim = armSim(true);
    expect(() => sim.setJointDamping('knee', 1)).toThrow(/unknown joint 'knee'/);
    expect(() => sim.setLinkMass('torso', 1)).toThrow(/unknown link 'torso'/);
    expect(() => sim.readJointState(makeJointState(['shoulder_pitch', 'wrist']))).toThrow(/unknown joint 'wrist'/);
    expect(() => armSim(true, { initialPose: { wrist: 0.1 } })).toThrow(/unknown joint 'wrist'/);
    expect(sim.mj.name2id('joint', 'knee')).toBe(-1);
    expect(() => sim.mj.name2id('tendon' as 'joint', 'x')).toThrow(/unknown objType 'tendon'/);
    expect(() => sim.mj.jntQposAdr(99)).toThrow(/out of range/);
    expect(() => sim.mj.setActuatorGains(0, -1, 0)).toThrow(/>= 0/);
  });

  it('reports a missing MJCF file with MuJoCo\'s parser message', () => {
    const { MjSim } = loadMujocoAddon();
    expect(() => new MjSim('/nonexistent/robot.xml')).toThrow(/cannot load MJCF '\/nonexistent\/robot.xml'.*FILE_NOT_FOUND/s);
    expect(() => new MjSim(42 as unknown as string)).toThrow(/path must be a string/);
  });

  it('turns a MuJoCo fatal error inside step into a JS exception instead of exiting', () => {
    // A 200-number stack loads but overflows once the falling box touches the floor.
    const dir = mkdtempSync(join(tmpdir(), 'aegis-sim-test-'));
    const file = join(dir, 'tiny.xml');
    writeFileSync(
      file,
      '<mujoco><size nstack="200"/><worldbody><geom type="plane" size="1 1 1"/>' +
        '<body pos="0 0 0.3"><freejoint/><geom type="box" size="0.1 0.1 0.1" mass="1"/></body></worldbody></mujoco>',
    );
    try {
      const { MjSim } = loadMujocoAddon();
      const mj = new MjSim(file);
      expect(() => mj.step(1000)).toThrow(/MjSim\.step: MuJoCo error: Stack overflow/);
      expect(() => mj.step(1000)).toThrow(/Stack overflow/); // still usable enough to fail cleanly again
      mj.reset();
      expect(mj.time).toBe(0);
      mj.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses use after dispose', () => {
    const sim = armSim(true);
    sim.dispose();
    expect(sim.mj.disposed).toBe(true);
    expect(() => sim.step()).toThrow(/after dispose/);
  });
});
