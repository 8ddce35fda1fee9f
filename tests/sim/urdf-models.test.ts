import { afterEach, describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { parseUrdf } from '../../src/robot/urdf.js';
import { actuatedJoints, jointLimitArrays } from '../../src/robot/model.js';
import { buildMjcf, MujocoSim, SimConfigSchema } from '../../src/sim/index.js';
import { makeImu, makeJointState } from '../../src/transport/messages.js';
import { ARM_URDF } from '../robot/fixtures.js';
import { mujocoReady } from './fixtures.js';

const sims: MujocoSim[] = [];
afterEach(() => {
  for (const s of sims.splice(0)) s.dispose();
});
const keep = (s: MujocoSim): MujocoSim => (sims.push(s), s);

describe('G1 URDFs → MJCF', () => {
  it('generates 29 servos clipped to the URDF efforts and the IMU on imu_in_pelvis', () => {
    const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
    const b = buildMjcf(model, SimConfigSchema.parse({}));
    expect(b.base).toBe('fixed');
    expect(b.rootBody).toBe('pelvis');
    expect(b.imuLink).toBe('imu_in_pelvis');
    expect(b.actuatedJoints).toEqual(actuatedJoints(model).map((j) => j.name));
    expect(b.actuatedJoints).toHaveLength(29);
    const limits = jointLimitArrays(model);
    const knee = limits.names.indexOf('left_knee_joint');
    const line = b.xml.split('\n').find((l) => l.includes('<general name="left_knee_joint"'))!;
    expect(line).toContain(`forcerange="-${limits.effort[knee]} ${limits.effort[knee]}"`);
    expect(line).toContain('gainprm="150" biasprm="0 -150 -4"'); // default knee group gains
  });
});

describe.skipIf(!mujocoReady)('G1 in MuJoCo', () => {
  it('loads the fixed-base G1 welded at the world joint with a level IMU', () => {
    const sim = keep(new MujocoSim({ model: loadUrdfFile('urdf/g1_29dof_fixed.urdf') }));
    expect(sim.mj.nu).toBe(29);
    expect(sim.mj.nq).toBe(29);
    sim.step(200);
    expect(sim.baseHeightM()).toBeCloseTo(0.793, 9);
    const imu = makeImu('imu_in_pelvis');
    sim.readImu(imu);
    expect(imu.orientation.w).toBeCloseTo(1, 9);
    expect(imu.linear_acceleration.z).toBeCloseTo(9.81, 3);
  });

  it('stands the floating G1 on its feet at the start of a PD hold of the zero pose', () => {
    const sim = keep(new MujocoSim({ model: loadUrdfFile('urdf/g1_29dof.urdf'), config: { baseHeightM: 0.8 } }));
    expect(sim.build.base).toBe('floating');
    expect(sim.mj.nq).toBe(7 + 29);
    sim.step(300);
    // Dropped ≤ 1 cm onto the feet; neither fallen nor sunk through the floor.
    expect(sim.baseHeightM()).toBeGreaterThan(0.75);
    expect(sim.baseHeightM()).toBeLessThan(0.8);
    expect(sim.mj.contactCount).toBeGreaterThan(0);
    expect(sim.mj.warnings().badqacc).toBe(0);
  });
});

/** unitree_rl_lab's G1 standing pose (deploy.yaml default_joint_pos). */
const G1_STANDING: Record<string, number> = {};
for (const [s, sign] of [['left', 1], ['right', -1]] as const) {
  Object.assign(G1_STANDING, {
    [`${s}_hip_pitch_joint`]: -0.1, [`${s}_knee_joint`]: 0.3, [`${s}_ankle_pitch_joint`]: -0.2,
    [`${s}_shoulder_pitch_joint`]: 0.3, [`${s}_shoulder_roll_joint`]: 0.25 * sign, [`${s}_elbow_joint`]: 0.97, [`${s}_wrist_roll_joint`]: 0.15 * sign,
  });
}

/** Names of the geom pairs in contact (MJCF geom names `<link>_col<k>`). */
function contactPairs(sim: MujocoSim): string[] {
  const g1 = new Int32Array(128);
  const g2 = new Int32Array(128);
  const d = new Float64Array(128);
  const n = sim.mj.contacts(g1, g2, d);
  return Array.from({ length: n }, (_, i) => [sim.mj.id2name('geom', g1[i]!), sim.mj.id2name('geom', g2[i]!)].sort().join('|'));
}

describe.skipIf(!mujocoReady)('G1 collision shapes in MuJoCo', () => {
  it.each([['zero', {}], ['standing', G1_STANDING]] as const)('no link touches another in the %s pose (self-collision on)', (_, pose) => {
    const sim = keep(new MujocoSim({ model: loadUrdfFile('urdf/g1_29dof_fixed.urdf'), config: { selfCollision: true, initialPose: pose } }));
    sim.mj.forward();
    expect(contactPairs(sim)).toEqual([]);
  });

  it('the floating G1 lands on its two soles in the standing pose, pelvis 0.784 m up', () => {
    const sim = keep(new MujocoSim({ model: loadUrdfFile('urdf/g1_29dof.urdf'), config: { baseHeightM: 0.79, initialPose: G1_STANDING, selfCollision: true } }));
    sim.step(100);
    expect(sim.baseHeightM()).toBeCloseTo(0.784, 2);
    expect(new Set(contactPairs(sim))).toEqual(new Set(['floor|left_ankle_roll_link_col0', 'floor|right_ankle_roll_link_col0']));
  });
});

describe.skipIf(!mujocoReady)('URDF features in MuJoCo', () => {
  it('ties a mimic joint to its leader and drives a prismatic joint', () => {
    const model = parseUrdf(ARM_URDF);
    const sim = keep(new MujocoSim({ model, config: { base: 'fixed', baseHeightM: 1, gravity: [0, 0, 0], defaultGains: { kp: 5, kd: 0.5 } } }));
    expect(sim.actuatedJoints).toEqual(['j1', 'j2', 'slide', 'grip_a']);
    sim.setPositionTargets(new Float64Array([0, 0, 0.05, 0.2]));
    sim.step(3000);
    const js = makeJointState(['slide', 'grip_a', 'grip_b']);
    sim.readJointState(js);
    expect(js.position[0]).toBeCloseTo(0.05, 2);
    expect(js.position[1]).toBeCloseTo(0.2, 2);
    expect(js.position[2]).toBeCloseTo(-2 * js.position[1]! + 0.1, 3);
  });
});
