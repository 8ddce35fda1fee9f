import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../../src/robot/model.js';
import { transformPoint } from '../../src/robot/math.js';

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

/** [lower, upper, effort, velocity] from the G1 specification. */
const SPEC: Record<string, [number, number, number, number]> = {
  left_hip_pitch_joint: [-2.5307, 2.8798, 88, 32],
  left_hip_roll_joint: [-0.5236, 2.9671, 139, 20],
  right_hip_roll_joint: [-2.9671, 0.5236, 139, 20],
  right_hip_yaw_joint: [-2.7576, 2.7576, 88, 32],
  left_knee_joint: [-0.087267, 2.8798, 139, 20],
  right_ankle_pitch_joint: [-0.87267, 0.5236, 50, 37],
  left_ankle_roll_joint: [-0.2618, 0.2618, 50, 37],
  waist_yaw_joint: [-2.618, 2.618, 88, 32],
  waist_roll_joint: [-0.52, 0.52, 50, 37],
  waist_pitch_joint: [-0.52, 0.52, 50, 37],
  right_shoulder_pitch_joint: [-3.0892, 2.6704, 25, 37],
  left_shoulder_roll_joint: [-1.5882, 2.2515, 25, 37],
  right_shoulder_roll_joint: [-2.2515, 1.5882, 25, 37],
  left_shoulder_yaw_joint: [-2.618, 2.618, 25, 37],
  right_elbow_joint: [-1.0472, 2.0944, 25, 37],
  left_wrist_roll_joint: [-1.9722, 1.9722, 25, 37],
  left_wrist_pitch_joint: [-1.6144, 1.6144, 5, 22],
  right_wrist_yaw_joint: [-1.6144, 1.6144, 5, 22],
};

const totalMass = (m: RobotModel): number => m.links.reduce((s, l) => s + (l.inertial?.mass ?? 0), 0);

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

  it('uses G1 axes: pitch about y, roll about x, yaw about z, elbow about -y (flexes forward)', () => {
    for (const j of actuatedJoints(model)) {
      const expected = /elbow/.test(j.name) ? [0, -1, 0] : /pitch|knee/.test(j.name) ? [0, 1, 0] : /roll/.test(j.name) ? [1, 0, 0] : [0, 0, 1];
      expect(j.axis, j.name).toEqual(expected);
    }
  });

  it('weighs about 35 kg with a physical inertial on every body link and primitive collisions only', () => {
    expect(totalMass(model)).toBeGreaterThan(34);
    expect(totalMass(model)).toBeLessThan(36);
    expect(model.warnings).toEqual([]);
    for (const link of model.links.filter((l) => l.name !== 'world')) {
      const i = link.inertial;
      expect(i, link.name).toBeDefined();
      const { ixx, iyy, izz } = i!.inertia;
      expect(i!.mass).toBeGreaterThan(0);
      expect(Math.min(ixx, iyy, izz)).toBeGreaterThan(0);
      expect(ixx + iyy).toBeGreaterThanOrEqual(izz);
      expect(iyy + izz).toBeGreaterThanOrEqual(ixx);
      expect(ixx + izz).toBeGreaterThanOrEqual(iyy);
      expect(link.collisions.length, link.name).toBeGreaterThan(0);
      expect(link.collisions.every((c) => c.geometry.kind !== 'mesh')).toBe(true);
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
    expect(floating.links.map((l) => l.name)).toEqual(expect.arrayContaining(['imu_in_pelvis', 'head_link', 'torso_link', 'left_rubber_hand', 'right_rubber_hand']));
    expect(floating.joints.find((j) => j.child === 'imu_in_pelvis')?.parent).toBe('pelvis');
    expect(floating.joints.find((j) => j.child === 'head_link')?.parent).toBe('torso_link');
  });
});

describe('G1 zero-pose kinematics', () => {
  const tree = new KinematicTree(fixed);
  tree.forward(new Float64Array(tree.dof));
  const at = (name: string): number[] => Array.from(tree.linkPosition(tree.linkIndex(name), new Float64Array(3)));
  /** Lowest world z of a link's box collisions. */
  const soleZ = (name: string): number => {
    const link = fixed.links.find((l) => l.name === name)!;
    const t = tree.transforms;
    const p = new Float64Array(3);
    let z = Infinity;
    for (const c of link.collisions) {
      if (c.geometry.kind !== 'box') continue;
      transformPoint(p, 0, t, tree.linkIndex(name) * 12, c.origin.xyz);
      z = Math.min(z, p[2]! - c.geometry.size[2] / 2);
    }
    return z;
  };

  it('stands with the soles on the ground 0.793 m below the pelvis', () => {
    expect(at('pelvis')[2]).toBeCloseTo(0.793, 6);
    expect(soleZ('left_ankle_roll_link')).toBeCloseTo(0, 3);
    expect(soleZ('right_ankle_roll_link')).toBeCloseTo(0, 3);
  });

  it('has ~0.6 m legs, ~0.5 m arms hanging beside the body, left at +y', () => {
    const dist = (a: number[], b: number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    const leg = dist(at('left_hip_pitch_link'), at('left_ankle_roll_link'));
    expect(leg).toBeGreaterThan(0.55);
    expect(leg).toBeLessThan(0.7);
    const armLen = dist(at('left_shoulder_pitch_link'), at('left_rubber_hand'));
    expect(armLen).toBeGreaterThan(0.4);
    expect(armLen).toBeLessThan(0.55);
    const left = at('left_rubber_hand');
    const right = at('right_rubber_hand');
    expect(left[1]).toBeGreaterThan(0.12);
    expect(right[1]).toBeCloseTo(-left[1]!, 9);
    expect(left[2]).toBeLessThan(at('left_shoulder_pitch_link')[2]! - 0.35); // hanging down
    expect(Math.abs(left[0]!)).toBeLessThan(0.02);
    expect(at('head_link')[2]).toBeGreaterThan(1.1);
  });

  it('puts positive left hip roll out to +y and positive knee bending the shank backwards', () => {
    const q = new Float64Array(tree.dof);
    q[G1_JOINTS.indexOf('left_hip_roll_joint')] = 0.3;
    q[G1_JOINTS.indexOf('right_knee_joint')] = 1.0;
    tree.forward(q);
    expect(at('left_ankle_roll_link')[1]).toBeGreaterThan(0.2);
    expect(at('right_ankle_roll_link')[0]).toBeLessThan(-0.2);
  });
});

describe('shipped G1 elbow', () => {
  it('flexes the forearm forward for a positive angle', async () => {
    const { loadUrdfFile } = await import('../../src/io/urdf-file.js');
    const { KinematicTree } = await import('../../src/robot/kinematics.js');
    const m = loadUrdfFile(new URL('../../urdf/g1_29dof_fixed.urdf', import.meta.url).pathname);
    const tree = new KinematicTree(m);
    const q = new Float64Array(tree.dof);
    const hand = tree.linkIndex('left_rubber_hand');
    const p0 = new Float64Array(3);
    const p1 = new Float64Array(3);
    tree.forward(q);
    tree.linkPosition(hand, p0);
    q[tree.jointNames.indexOf('left_elbow_joint')] = 1.2;
    tree.forward(q);
    tree.linkPosition(hand, p1);
    expect(p1[0]! - p0[0]!).toBeGreaterThan(0.1); // forward (+x)
    expect(p1[2]! - p0[2]!).toBeGreaterThan(0.05); // and up
  });
});

describe('shipped G1 Gazebo tags', () => {
  it.each(['g1_29dof.urdf', 'g1_29dof_fixed.urdf'])('%s carries the gz_ros2_control plugin and the pelvis IMU sensor', async (file) => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL(`../../urdf/${file}`, import.meta.url), 'utf8');
    expect(text).toMatch(/<plugin filename="gz_ros2_control-system" name="gz_ros2_control::GazeboSimROS2ControlPlugin">\s*<parameters>\$\(find aegis_control\)\/config\/ros\/controllers\.yaml<\/parameters>/);
    expect(text).toMatch(/<gazebo reference="imu_in_pelvis">\s*<sensor name="imu" type="imu">/);
  });
});
