import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../../src/robot/model.js';
import { transformPoint } from '../../src/robot/math.js';
import { sharedData, sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';

const urdfPath = (file: string): string => fileURLToPath(new URL(`../../urdf/${file}`, import.meta.url));
const floating = loadUrdfFile(urdfPath('g1_29dof.urdf'));
const fixed = loadUrdfFile(urdfPath('g1_29dof_fixed.urdf'));

const SIDE = ['hip_pitch', 'hip_roll', 'hip_yaw', 'knee', 'ankle_pitch', 'ankle_roll'];
const ARM = ['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll', 'wrist_pitch', 'wrist_yaw'];
const G1_JOINTS = [
  ...SIDE.map((j) => `left_${j}_joint`), ...SIDE.map((j) => `right_${j}_joint`),
  'waist_yaw_joint', 'waist_roll_joint', 'waist_pitch_joint',
  ...ARM.map((j) => `left_${j}_joint`), ...ARM.map((j) => `right_${j}_joint`),
];

/** [lower, upper, effort, velocity] of a sample of joints, from Unitree's G1 29-DoF description (rev 1.0). */
const SPEC: Record<string, [number, number, number, number]> = {
  left_hip_pitch_joint: [-2.5307, 2.8798, 88, 32],
  left_hip_roll_joint: [-0.5236, 2.9671, 139, 20],
  right_hip_roll_joint: [-2.9671, 0.5236, 139, 20],
  right_hip_yaw_joint: [-2.7576, 2.7576, 88, 32],
  left_knee_joint: [-0.087267, 2.8798, 139, 20],
  right_ankle_pitch_joint: [-0.87267, 0.5236, 35, 30],
  left_ankle_roll_joint: [-0.2618, 0.2618, 35, 30],
  waist_yaw_joint: [-2.618, 2.618, 88, 32],
  waist_roll_joint: [-0.52, 0.52, 35, 30],
  waist_pitch_joint: [-0.52, 0.52, 35, 30],
  right_shoulder_pitch_joint: [-3.0892, 2.6704, 25, 37],
  left_shoulder_roll_joint: [-1.5882, 2.2515, 25, 37],
  right_shoulder_roll_joint: [-2.2515, 1.5882, 25, 37],
  left_shoulder_yaw_joint: [-2.618, 2.618, 25, 37],
  right_elbow_joint: [-1.0472, 2.0944, 25, 37],
  left_wrist_roll_joint: [-1.972222054, 1.972222054, 25, 37],
  left_wrist_pitch_joint: [-1.614429558, 1.614429558, 5, 22],
  right_wrist_yaw_joint: [-1.614429558, 1.614429558, 5, 22],
};

/** unitree_rl_lab's G1-29 standing pose (deploy.yaml default_joint_pos), by joint name. */
const G1_STANDING: Record<string, number> = {};
for (const [s, sign] of [['left', 1], ['right', -1]] as const) {
  Object.assign(G1_STANDING, {
    [`${s}_hip_pitch_joint`]: -0.1, [`${s}_knee_joint`]: 0.3, [`${s}_ankle_pitch_joint`]: -0.2,
    [`${s}_shoulder_pitch_joint`]: 0.3, [`${s}_shoulder_roll_joint`]: 0.25 * sign, [`${s}_elbow_joint`]: 0.97, [`${s}_wrist_roll_joint`]: 0.15 * sign,
  });
}

/** Links that touch the world or that the shield's self-collision model needs around the arms. */
const COLLIDING = [
  'pelvis', 'torso_link', 'head_link',
  ...['left', 'right'].flatMap((s) => [
    ...['hip_pitch_link', 'hip_roll_link', 'hip_yaw_link', 'knee_link', 'ankle_roll_link'].map((l) => `${s}_${l}`),
    ...['shoulder_pitch_link', 'shoulder_roll_link', 'shoulder_yaw_link', 'elbow_link', 'wrist_roll_link', 'wrist_pitch_link', 'wrist_yaw_link', 'rubber_hand'].map((l) => `${s}_${l}`),
  ]),
];

const totalMass = (m: RobotModel): number => m.links.reduce((s, l) => s + (l.inertial?.mass ?? 0), 0);

/** Eigenvalues of a symmetric 3×3 matrix (closed form), ascending. */
function eigenSym3(a: number, b: number, c: number, d: number, e: number, f: number): number[] {
  // [[a d e], [d b f], [e f c]]
  const p1 = d * d + e * e + f * f;
  const q = (a + b + c) / 3;
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  if (p === 0) return [a, b, c].sort((x, y) => x - y);
  const B = [[a - q, d, e], [d, b - q, f], [e, f, c - q]].map((r) => r.map((v) => v / p));
  const det = B[0]![0]! * (B[1]![1]! * B[2]![2]! - B[1]![2]! * B[2]![1]!)
    - B[0]![1]! * (B[1]![0]! * B[2]![2]! - B[1]![2]! * B[2]![0]!)
    + B[0]![2]! * (B[1]![0]! * B[2]![1]! - B[1]![1]! * B[2]![0]!);
  const phi = Math.acos(Math.min(1, Math.max(-1, det / 2))) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [e3, 3 * q - e1 - e3, e1];
}

describe.each([['floating base', floating], ['fixed base', fixed]] as const)('shipped G1 URDF (%s)', (_, model) => {
  it('has the 29 G1 actuated joints in SDK order, all revolute', () => {
    const joints = actuatedJoints(model);
    expect(joints.map((j) => j.name)).toEqual(G1_JOINTS);
    expect(joints.every((j) => j.type === 'revolute')).toBe(true);
  });

  it('carries the G1 limits, efforts and speeds', () => {
    const limits = jointLimitArrays(model, Object.keys(SPEC));
    Object.values(SPEC).forEach(([lower, upper, effort, velocity], i) => {
      expect([limits.lower[i], limits.upper[i], limits.effort[i], limits.velocity[i]]).toEqual([lower, upper, effort, velocity]);
    });
  });

  it('uses G1 axes: pitch (and knee, elbow) about +y, roll about +x, yaw about +z', () => {
    for (const j of actuatedJoints(model)) {
      const expected = /pitch|knee|elbow/.test(j.name) ? [0, 1, 0] : /roll/.test(j.name) ? [1, 0, 0] : [0, 0, 1];
      expect(j.axis, j.name).toEqual(expected);
    }
  });

  it('weighs the G1\'s 33.34 kg with a physical inertial on every body and primitive collisions on the links that touch the world', () => {
    expect(totalMass(model)).toBeCloseTo(33.339, 3);
    expect(model.warnings).toEqual([]);
    for (const link of model.links) {
      const frame = link.name === 'world' || link.name.startsWith('imu_in_');
      if (frame) {
        expect(link.inertial, link.name).toBeUndefined();
        continue;
      }
      const i = link.inertial;
      expect(i, link.name).toBeDefined();
      const { ixx, iyy, izz, ixy, ixz, iyz } = i!.inertia;
      expect(i!.mass).toBeGreaterThan(0);
      const [l1, l2, l3] = eigenSym3(ixx, iyy, izz, ixy, ixz, iyz);
      expect(l1!, link.name).toBeGreaterThan(0);
      expect(l1! + l2!, link.name).toBeGreaterThanOrEqual(l3! * (1 - 1e-9)); // triangle inequality of the principal moments
      expect(link.collisions.every((c) => c.geometry.kind !== 'mesh')).toBe(true);
    }
    for (const name of COLLIDING) {
      expect(model.links.find((l) => l.name === name)?.collisions.length ?? 0, name).toBeGreaterThan(0);
    }
  });

  it('declares a mock ros2_control system with position command and full state per joint', () => {
    expect(model.ros2Control).toHaveLength(1);
    const rc = model.ros2Control[0]!;
    expect(rc.name).toBe('aegis_g1');
    expect(rc.plugin).toBe('mock_components/GenericSystem');
    expect(rc.joints.map((j) => j.name)).toEqual(G1_JOINTS);
    for (const j of rc.joints) {
      expect(j.commandInterfaces).toEqual(['position']);
      expect(j.stateInterfaces).toEqual(['position', 'velocity', 'effort']);
    }
  });
});

describe('G1 model structure', () => {
  it('roots the floating model at the pelvis and welds the fixed one to the world at 0.793 m', () => {
    expect(floating.rootLink).toBe('pelvis');
    expect(fixed.rootLink).toBe('world');
    const weld = fixed.joints.find((j) => j.name === 'pelvis_weld');
    expect(weld).toMatchObject({ type: 'fixed', parent: 'world', child: 'pelvis', origin: { xyz: [0, 0, 0.793] } });
    expect(floating.links.map((l) => l.name)).toEqual(expect.arrayContaining(['imu_in_pelvis', 'imu_in_torso', 'head_link', 'torso_link', 'left_rubber_hand', 'right_rubber_hand']));
    expect(floating.joints.find((j) => j.child === 'imu_in_pelvis')).toMatchObject({ parent: 'pelvis', origin: { xyz: [0.04525, 0, -0.08339] } });
    expect(floating.joints.find((j) => j.child === 'head_link')?.parent).toBe('torso_link');
  });
});

const vendorMissing = sharedDataMissing(UNITREE_G1_VELOCITY.urdf);
describe.skipIf(vendorMissing)('G1 URDF against the vendor description (unitree_ros g1_29dof_rev_1_0.urdf)', () => {
  const vendor = vendorMissing ? null : loadUrdfFile(sharedData(UNITREE_G1_VELOCITY.urdf));
  /** Vendor links we leave out: a visual contour, a logo, camera and lidar frames. */
  const OMITTED = ['pelvis_contour_link', 'logo_link', 'd435_link', 'mid360_link'];
  const maxAbs = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

  it.each([['floating', floating], ['fixed', fixed]] as const)('%s: every vendor joint has its parent, child, origin, axis and limits', (_, model) => {
    const v = vendor!;
    const ours = new Map(model.joints.map((j) => [j.name, j]));
    const compared = v.joints.filter((j) => !OMITTED.includes(j.child));
    expect(compared.length).toBe(29 + 5); // 29 actuated + head, imu_in_torso, imu_in_pelvis and the two hand palms
    for (const vj of compared) {
      const j = ours.get(vj.name);
      expect(j, vj.name).toBeDefined();
      expect([j!.type, j!.parent, j!.child], vj.name).toEqual([vj.type, vj.parent, vj.child]);
      expect(maxAbs(j!.origin.xyz, vj.origin.xyz), `${vj.name} xyz`).toBeLessThan(1e-12);
      expect(maxAbs(j!.origin.rpy, vj.origin.rpy), `${vj.name} rpy`).toBeLessThan(1e-12);
      expect(j!.axis, vj.name).toEqual(vj.axis);
      expect(j!.limit, vj.name).toEqual(vj.limit);
    }
    // nothing of ours that the vendor lacks, beyond the world weld
    const vendorNames = new Set(v.joints.map((j) => j.name));
    expect(model.joints.map((j) => j.name).filter((n) => !vendorNames.has(n))).toEqual(model === fixed ? ['pelvis_weld'] : []);
  });

  it.each([['floating', floating], ['fixed', fixed]] as const)('%s: every vendor link has its mass, centre of mass and inertia tensor', (_, model) => {
    const v = vendor!;
    const ours = new Map(model.links.map((l) => [l.name, l]));
    for (const vl of v.links) {
      const l = ours.get(vl.name);
      if (OMITTED.includes(vl.name)) {
        expect(l, vl.name).toBeUndefined();
        continue;
      }
      expect(l, vl.name).toBeDefined();
      if (!vl.inertial) {
        expect(l!.inertial, vl.name).toBeUndefined();
        continue;
      }
      const a = l!.inertial!;
      const b = vl.inertial;
      expect(a.mass, vl.name).toBe(b.mass);
      expect(maxAbs(a.origin.xyz, b.origin.xyz), `${vl.name} com`).toBeLessThan(1e-12);
      expect(a.origin.rpy, vl.name).toEqual(b.origin.rpy);
      const keys = ['ixx', 'ixy', 'ixz', 'iyy', 'iyz', 'izz'] as const;
      expect(maxAbs(keys.map((k) => a.inertia[k]), keys.map((k) => b.inertia[k])), `${vl.name} inertia`).toBeLessThan(1e-15);
    }
    const omittedMass = v.links.filter((l) => OMITTED.includes(l.name)).reduce((s, l) => s + (l.inertial?.mass ?? 0), 0);
    expect(omittedMass).toBeCloseTo(0.002, 9);
    expect(totalMass(model)).toBeCloseTo(totalMass(v) - omittedMass, 9);
  });
});

describe('G1 kinematics', () => {
  const tree = new KinematicTree(fixed);
  const qOf = (pose: Record<string, number>): Float64Array => {
    const q = new Float64Array(tree.dof);
    for (const [n, v] of Object.entries(pose)) q[tree.jointNames.indexOf(n)] = v;
    return q;
  };
  const at = (name: string): number[] => Array.from(tree.linkPosition(tree.linkIndex(name), new Float64Array(3)));
  /** World z of the four bottom corners of a link's box collisions. */
  const soleCorners = (name: string): number[][] => {
    const link = fixed.links.find((l) => l.name === name)!;
    const p = new Float64Array(3);
    const out: number[][] = [];
    for (const c of link.collisions) {
      if (c.geometry.kind !== 'box') continue;
      const [sx, sy, sz] = c.geometry.size;
      for (const [dx, dy] of [[-1, -1], [-1, 1], [1, -1], [1, 1]]) {
        const [cx, cy, cz] = c.origin.xyz;
        transformPoint(p, 0, tree.transforms, tree.linkIndex(name) * 12, [cx + (dx! * sx) / 2, cy + (dy! * sy) / 2, cz - sz / 2]);
        out.push(Array.from(p));
      }
    }
    return out;
  };

  it('zero pose: legs straight with the soles 1.1 mm above the floor under the 0.793 m weld; ~0.6 m legs, left at +y', () => {
    tree.forward(qOf({}));
    expect(at('pelvis')[2]).toBeCloseTo(0.793, 9);
    for (const side of ['left', 'right']) {
      for (const c of soleCorners(`${side}_ankle_roll_link`)) expect(c[2]!).toBeCloseTo(0.0011, 4);
    }
    const leg = Math.hypot(...at('left_hip_pitch_link').map((v, i) => v - at('left_ankle_roll_link')[i]!));
    expect(leg).toBeGreaterThan(0.6);
    expect(leg).toBeLessThan(0.7);
    expect(at('left_ankle_roll_link')[1]).toBeCloseTo(0.1185, 3);
    expect(at('right_ankle_roll_link')[1]).toBeCloseTo(-0.1185, 3);
  });

  it('zero pose: upper arms hang, elbows are right angles with the forearms forward (the G1 elbow zero)', () => {
    tree.forward(qOf({}));
    const shoulder = at('left_shoulder_yaw_link');
    const elbow = at('left_elbow_link');
    const hand = at('left_rubber_hand');
    expect(shoulder[2]! - elbow[2]!).toBeGreaterThan(0.07); // elbow below the shoulder
    expect(Math.abs(shoulder[0]! - elbow[0]!)).toBeLessThan(0.02);
    expect(hand[0]! - elbow[0]!).toBeGreaterThan(0.2); // forearm forward
    expect(Math.abs(hand[2]! - elbow[2]!)).toBeLessThan(0.02); // and level
    expect(at('right_rubber_hand')[1]).toBeCloseTo(-hand[1]!, 2);
  });

  it('positive elbow extends the forearm down (π/2: a straight hanging arm); positive left hip roll is out to +y; positive knee bends the shank back', () => {
    tree.forward(qOf({ left_elbow_joint: Math.PI / 2 }));
    const hand = at('left_rubber_hand');
    const elbow = at('left_elbow_link');
    expect(elbow[2]! - hand[2]!).toBeGreaterThan(0.2);
    expect(Math.abs(hand[0]! - elbow[0]!)).toBeLessThan(0.03);
    tree.forward(qOf({ left_hip_roll_joint: 0.3, right_knee_joint: 1.0 }));
    expect(at('left_ankle_roll_link')[1]).toBeGreaterThan(0.25);
    expect(at('right_ankle_roll_link')[0]).toBeLessThan(-0.2);
  });

  it('the unitree_rl_lab standing pose puts both soles level, side by side, 0.784 m below the pelvis, hands beside the hips', () => {
    tree.forward(qOf(G1_STANDING));
    const corners = [...soleCorners('left_ankle_roll_link'), ...soleCorners('right_ankle_roll_link')];
    const z = corners.map((c) => c[2]!);
    expect(Math.max(...z) - Math.min(...z)).toBeLessThan(1e-9); // level: hip −0.1 + knee 0.3 + ankle −0.2 = 0
    expect(0.793 - z[0]!).toBeCloseTo(0.7842, 3);
    const l = at('left_ankle_roll_link');
    const r = at('right_ankle_roll_link');
    expect(l[0]).toBeCloseTo(r[0]!, 9);
    expect(l[1]).toBeCloseTo(-r[1]!, 9);
    const hand = at('left_rubber_hand');
    expect(hand[1]).toBeGreaterThan(0.2); // outside the thigh
    expect(Math.abs(hand[0]!)).toBeLessThan(0.1);
  });

  it.skipIf(sharedDataMissing(UNITREE_G1_VELOCITY.deploy))('the velocity policy\'s own deploy.yaml default pose (Lab order → motor order) stands level on this URDF', () => {
    const deploy = parseYaml(readFileSync(sharedData(UNITREE_G1_VELOCITY.deploy), 'utf8')) as { joint_ids_map: number[]; default_joint_pos: number[] };
    const q = new Float64Array(tree.dof);
    deploy.joint_ids_map.forEach((motor, lab) => { q[tree.jointNames.indexOf(G1_JOINTS[motor]!)] = deploy.default_joint_pos[lab]!; });
    expect(Object.fromEntries(G1_JOINTS.map((n) => [n, q[tree.jointNames.indexOf(n)]!]).filter(([, v]) => v !== 0))).toEqual(G1_STANDING);
    tree.forward(q);
    const z = [...soleCorners('left_ankle_roll_link'), ...soleCorners('right_ankle_roll_link')].map((c) => c[2]!);
    expect(Math.max(...z) - Math.min(...z)).toBeLessThan(1e-9);
  });
});

describe('shipped G1 Gazebo tags', () => {
  it.each(['g1_29dof.urdf', 'g1_29dof_fixed.urdf'])('%s carries the gz_ros2_control plugin and the pelvis IMU sensor', (file) => {
    const text = readFileSync(new URL(`../../urdf/${file}`, import.meta.url), 'utf8');
    expect(text).toMatch(/<plugin filename="gz_ros2_control-system" name="gz_ros2_control::GazeboSimROS2ControlPlugin">\s*<parameters>\$\(find aegis_control\)\/config\/ros\/controllers\.yaml<\/parameters>/);
    expect(text).toMatch(/<gazebo reference="imu_in_pelvis">\s*<sensor name="imu" type="imu">/);
  });
});

describe('shipped G1 URDFs are generated', () => {
  it('src/cli/generate-urdf.ts writes exactly the committed urdf/ files (no shared data needed)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const out = mkdtempSync(join(tmpdir(), 'aegis-urdf-'));
    try {
      const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite-node', 'vite-node.mjs'), join(root, 'src', 'cli', 'generate-urdf.ts'), out], {
        cwd: root, encoding: 'utf8', env: { ...process.env, AEGIS_SHARED_DATA: join(out, 'no-shared-data') },
      });
      expect(r.status, r.stderr).toBe(0);
      for (const file of ['g1_29dof.urdf', 'g1_29dof_fixed.urdf']) {
        expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(urdfPath(file), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});
