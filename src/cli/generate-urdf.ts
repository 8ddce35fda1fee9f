/**
 * Writes the shipped Unitree G1 29-DoF URDFs:
 *   urdf/g1_29dof.urdf        floating base (root link `pelvis`)
 *   urdf/g1_29dof_fixed.urdf  `world` link + fixed joint `pelvis_weld` at z = 0.793 m
 *
 * Usage: node dist/cli/generate-urdf.js [outDir=urdf]
 *
 * Kinematics, limits and inertials are the vendor's: the numbers below are
 * those of unitreerobotics/unitree_ros @ d6f13aad,
 * robots/g1_description/g1_29dof_rev_1_0.urdf (BSD-3-Clause, © Unitree
 * Robotics), encoded here so that generation needs no external file: joint
 * origins (xyz, rpy), axes, position/effort/velocity limits, link masses,
 * centres of mass and full inertia tensors. So the zero pose is the G1's: legs
 * straight, upper arms hanging, elbows bent 90° with the forearms pointing
 * forward (+x); positive elbow angles extend the forearm down. A real G1
 * policy's default pose therefore means the same here as on the robot
 * (tests/robot/g1-urdf.test.ts compares every number with the vendor file
 * when the shared third-party folder is present).
 *
 * What is ours, not the vendor's: the collision geometry (primitives, no
 * meshes: boxes for pelvis and soles, cylinders for torso, limbs and hands,
 * spheres for head and wrists; the shoulder pitch/roll cylinders and the sole
 * corners are the vendor's own), joint damping/friction, the Gazebo tags and
 * the <ros2_control> block. Left out of the vendor's tree: the visual-only /
 * sensor frames pelvis_contour_link (0.001 kg), logo_link (0.001 kg),
 * d435_link and mid360_link.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type V3 = [number, number, number];
type Shape =
  | { kind: 'box'; size: V3 }
  | { kind: 'cylinder'; radius: number; length: number }
  | { kind: 'sphere'; radius: number };

/** A collision primitive in its link's frame: shape, centre (m), orientation (rpy, rad; cylinders run along local z). */
interface Collision { shape: Shape; at: V3; rpy?: V3 }
/** [name, parent, child, xyz m, rpy rad, axis (null: fixed), [lower rad, upper rad, effort N·m, velocity rad/s] (null: fixed)]. */
type VendorJoint = readonly [string, string, string, V3, V3, V3 | null, readonly [number, number, number, number] | null];
/** [mass kg, centre of mass in the link frame m, [ixx, ixy, ixz, iyy, iyz, izz] kg·m² about it]. */
type VendorInertial = readonly [number, V3, readonly [number, number, number, number, number, number]];

/** Vendor joints: [name, parent, child, xyz m, rpy rad, axis, [lower rad, upper rad, effort N·m, velocity rad/s] | null (fixed)]. */
const VENDOR_JOINTS: readonly VendorJoint[] = [
  ['left_hip_pitch_joint', 'pelvis', 'left_hip_pitch_link', [0, 0.064452, -0.1027], [0, 0, 0], [0, 1, 0], [-2.5307, 2.8798, 88, 32]],
  ['left_hip_roll_joint', 'left_hip_pitch_link', 'left_hip_roll_link', [0, 0.052, -0.030465], [0, -0.1749, 0], [1, 0, 0], [-0.5236, 2.9671, 139, 20]],
  ['left_hip_yaw_joint', 'left_hip_roll_link', 'left_hip_yaw_link', [0.025001, 0, -0.12412], [0, 0, 0], [0, 0, 1], [-2.7576, 2.7576, 88, 32]],
  ['left_knee_joint', 'left_hip_yaw_link', 'left_knee_link', [-0.078273, 0.0021489, -0.17734], [0, 0.1749, 0], [0, 1, 0], [-0.087267, 2.8798, 139, 20]],
  ['left_ankle_pitch_joint', 'left_knee_link', 'left_ankle_pitch_link', [0, -9.4445e-05, -0.30001], [0, 0, 0], [0, 1, 0], [-0.87267, 0.5236, 35, 30]],
  ['left_ankle_roll_joint', 'left_ankle_pitch_link', 'left_ankle_roll_link', [0, 0, -0.017558], [0, 0, 0], [1, 0, 0], [-0.2618, 0.2618, 35, 30]],
  ['right_hip_pitch_joint', 'pelvis', 'right_hip_pitch_link', [0, -0.064452, -0.1027], [0, 0, 0], [0, 1, 0], [-2.5307, 2.8798, 88, 32]],
  ['right_hip_roll_joint', 'right_hip_pitch_link', 'right_hip_roll_link', [0, -0.052, -0.030465], [0, -0.1749, 0], [1, 0, 0], [-2.9671, 0.5236, 139, 20]],
  ['right_hip_yaw_joint', 'right_hip_roll_link', 'right_hip_yaw_link', [0.025001, 0, -0.12412], [0, 0, 0], [0, 0, 1], [-2.7576, 2.7576, 88, 32]],
  ['right_knee_joint', 'right_hip_yaw_link', 'right_knee_link', [-0.078273, -0.0021489, -0.17734], [0, 0.1749, 0], [0, 1, 0], [-0.087267, 2.8798, 139, 20]],
  ['right_ankle_pitch_joint', 'right_knee_link', 'right_ankle_pitch_link', [0, 9.4445e-05, -0.30001], [0, 0, 0], [0, 1, 0], [-0.87267, 0.5236, 35, 30]],
  ['right_ankle_roll_joint', 'right_ankle_pitch_link', 'right_ankle_roll_link', [0, 0, -0.017558], [0, 0, 0], [1, 0, 0], [-0.2618, 0.2618, 35, 30]],
  ['waist_yaw_joint', 'pelvis', 'waist_yaw_link', [0, 0, 0], [0, 0, 0], [0, 0, 1], [-2.618, 2.618, 88, 32]],
  ['waist_roll_joint', 'waist_yaw_link', 'waist_roll_link', [-0.0039635, 0, 0.044], [0, 0, 0], [1, 0, 0], [-0.52, 0.52, 35, 30]],
  ['waist_pitch_joint', 'waist_roll_link', 'torso_link', [0, 0, 0], [0, 0, 0], [0, 1, 0], [-0.52, 0.52, 35, 30]],
  ['head_joint', 'torso_link', 'head_link', [0.0039635, 0, -0.044], [0, 0, 0], null, null],
  ['imu_in_torso_joint', 'torso_link', 'imu_in_torso', [-0.03959, -0.00224, 0.14792], [0, 0, 0], null, null],
  ['imu_in_pelvis_joint', 'pelvis', 'imu_in_pelvis', [0.04525, 0, -0.08339], [0, 0, 0], null, null],
  ['left_shoulder_pitch_joint', 'torso_link', 'left_shoulder_pitch_link', [0.0039563, 0.10022, 0.24778], [0.27931, 5.4949e-05, -0.00019159], [0, 1, 0], [-3.0892, 2.6704, 25, 37]],
  ['left_shoulder_roll_joint', 'left_shoulder_pitch_link', 'left_shoulder_roll_link', [0, 0.038, -0.013831], [-0.27925, 0, 0], [1, 0, 0], [-1.5882, 2.2515, 25, 37]],
  ['left_shoulder_yaw_joint', 'left_shoulder_roll_link', 'left_shoulder_yaw_link', [0, 0.00624, -0.1032], [0, 0, 0], [0, 0, 1], [-2.618, 2.618, 25, 37]],
  ['left_elbow_joint', 'left_shoulder_yaw_link', 'left_elbow_link', [0.015783, 0, -0.080518], [0, 0, 0], [0, 1, 0], [-1.0472, 2.0944, 25, 37]],
  ['left_wrist_roll_joint', 'left_elbow_link', 'left_wrist_roll_link', [0.1, 0.00188791, -0.01], [0, 0, 0], [1, 0, 0], [-1.972222054, 1.972222054, 25, 37]],
  ['left_wrist_pitch_joint', 'left_wrist_roll_link', 'left_wrist_pitch_link', [0.038, 0, 0], [0, 0, 0], [0, 1, 0], [-1.614429558, 1.614429558, 5, 22]],
  ['left_wrist_yaw_joint', 'left_wrist_pitch_link', 'left_wrist_yaw_link', [0.046, 0, 0], [0, 0, 0], [0, 0, 1], [-1.614429558, 1.614429558, 5, 22]],
  ['left_hand_palm_joint', 'left_wrist_yaw_link', 'left_rubber_hand', [0.0415, 0.003, 0], [0, 0, 0], null, null],
  ['right_shoulder_pitch_joint', 'torso_link', 'right_shoulder_pitch_link', [0.0039563, -0.10021, 0.24778], [-0.27931, 5.4949e-05, 0.00019159], [0, 1, 0], [-3.0892, 2.6704, 25, 37]],
  ['right_shoulder_roll_joint', 'right_shoulder_pitch_link', 'right_shoulder_roll_link', [0, -0.038, -0.013831], [0.27925, 0, 0], [1, 0, 0], [-2.2515, 1.5882, 25, 37]],
  ['right_shoulder_yaw_joint', 'right_shoulder_roll_link', 'right_shoulder_yaw_link', [0, -0.00624, -0.1032], [0, 0, 0], [0, 0, 1], [-2.618, 2.618, 25, 37]],
  ['right_elbow_joint', 'right_shoulder_yaw_link', 'right_elbow_link', [0.015783, 0, -0.080518], [0, 0, 0], [0, 1, 0], [-1.0472, 2.0944, 25, 37]],
  ['right_wrist_roll_joint', 'right_elbow_link', 'right_wrist_roll_link', [0.1, -0.00188791, -0.01], [0, 0, 0], [1, 0, 0], [-1.972222054, 1.972222054, 25, 37]],
  ['right_wrist_pitch_joint', 'right_wrist_roll_link', 'right_wrist_pitch_link', [0.038, 0, 0], [0, 0, 0], [0, 1, 0], [-1.614429558, 1.614429558, 5, 22]],
  ['right_wrist_yaw_joint', 'right_wrist_pitch_link', 'right_wrist_yaw_link', [0.046, 0, 0], [0, 0, 0], [0, 0, 1], [-1.614429558, 1.614429558, 5, 22]],
  ['right_hand_palm_joint', 'right_wrist_yaw_link', 'right_rubber_hand', [0.0415, -0.003, 0], [0, 0, 0], null, null],
];

/** Vendor inertials: link → [mass kg, centre of mass xyz m, [ixx, ixy, ixz, iyy, iyz, izz] kg·m²]; links absent here carry no inertial (frames). */
const VENDOR_INERTIALS: Readonly<Record<string, VendorInertial>> = {
  pelvis: [3.813, [0, 0, -0.07605], [0.010549, 0, 2.1e-06, 0.0093089, 0, 0.0079184]],
  left_hip_pitch_link: [1.35, [0.002741, 0.047791, -0.02606], [0.001811, 3.68e-05, -3.44e-05, 0.0014193, 0.000171, 0.0012812]],
  left_hip_roll_link: [1.52, [0.029812, -0.001045, -0.087934], [0.0023773, -3.8e-06, -0.0003908, 0.0024123, 1.84e-05, 0.0016595]],
  left_hip_yaw_link: [1.702, [-0.057709, -0.010981, -0.15078], [0.0057774, -0.0005411, -0.0023948, 0.0076124, -0.0007072, 0.003149]],
  left_knee_link: [1.932, [0.005457, 0.003964, -0.12074], [0.011329, 4.82e-05, -4.49e-05, 0.011277, -0.0007146, 0.0015168]],
  left_ankle_pitch_link: [0.074, [-0.007269, 0, 0.011137], [8.4e-06, 0, -2.9e-06, 1.89e-05, 0, 1.26e-05]],
  left_ankle_roll_link: [0.608, [0.026505, 0, -0.016425], [0.0002231, 2e-07, 8.91e-05, 0.0016161, -1e-07, 0.0016667]],
  right_hip_pitch_link: [1.35, [0.002741, -0.047791, -0.02606], [0.001811, -3.68e-05, -3.44e-05, 0.0014193, -0.000171, 0.0012812]],
  right_hip_roll_link: [1.52, [0.029812, 0.001045, -0.087934], [0.0023773, 3.8e-06, -0.0003908, 0.0024123, -1.84e-05, 0.0016595]],
  right_hip_yaw_link: [1.702, [-0.057709, 0.010981, -0.15078], [0.0057774, 0.0005411, -0.0023948, 0.0076124, 0.0007072, 0.003149]],
  right_knee_link: [1.932, [0.005457, -0.003964, -0.12074], [0.011329, -4.82e-05, 4.49e-05, 0.011277, 0.0007146, 0.0015168]],
  right_ankle_pitch_link: [0.074, [-0.007269, 0, 0.011137], [8.4e-06, 0, -2.9e-06, 1.89e-05, 0, 1.26e-05]],
  right_ankle_roll_link: [0.608, [0.026505, 0, -0.016425], [0.0002231, -2e-07, 8.91e-05, 0.0016161, 1e-07, 0.0016667]],
  waist_yaw_link: [0.214, [0.003494, 0.000233, 0.018034], [0.00010673, 2.703e-06, -7.631e-06, 0.00010422, -2.01e-07, 0.0001625]],
  waist_roll_link: [0.086, [0, 2.3e-05, 0], [7.079e-06, 0, 0, 6.339e-06, 0, 8.245e-06]],
  torso_link: [6.78, [0.000931, 0.000346, 0.15082], [0.05905, 3.3302e-05, -0.0017715, 0.047014, -2.2399e-05, 0.025652]],
  head_link: [1.036, [0.005267, 0.000299, 0.449869], [0.004085051, -2.543e-06, -6.9455e-05, 0.004185212, -3.726e-06, 0.001807911]],
  left_shoulder_pitch_link: [0.718, [0, 0.035892, -0.011628], [0.0004291, -9.2e-06, 6.4e-06, 0.000453, 2.26e-05, 0.000423]],
  left_shoulder_roll_link: [0.643, [-0.000227, 0.00727, -0.063243], [0.0006177, -1e-06, 8.7e-06, 0.0006912, -5.3e-06, 0.0003894]],
  left_shoulder_yaw_link: [0.734, [0.010773, -0.002949, -0.072009], [0.0009988, 7.9e-06, 0.0001412, 0.0010605, -2.86e-05, 0.0004354]],
  left_elbow_link: [0.6, [0.064956, 0.004454, -0.010062], [0.0002891, 6.53e-05, 1.72e-05, 0.0004152, -5.6e-06, 0.0004197]],
  left_wrist_roll_link: [0.08544498, [0.01713944778, 0.00053759094, 4.8864e-07], [4.821544023e-05, -4.24511021e-06, 5.10599e-09, 3.722899093e-05, -1.23525e-09, 5.482106541e-05]],
  left_wrist_pitch_link: [0.48404956, [0.02299989837, -0.00111685314, -0.00111658096], [0.00016579646273, -1.231206746e-05, 1.231699194e-05, 0.0004295405741, 8.1417712e-07, 0.00042953697654]],
  left_wrist_yaw_link: [0.08457647, [0.02200381568, 0.00049485096, 0.00053861123], [4.929128828e-05, -4.5735494e-07, 4.45867591e-06, 5.973338134e-05, 4.3217198e-07, 3.928083826e-05]],
  left_rubber_hand: [0.17, [0.05361310808, -0.0029590524, 0.00215413091], [0.00010099485234748, 3.618590790516e-05, -7.4301518642e-07, 0.00028135871571621, 3.30189743286e-06, 0.00021894770413514]],
  right_shoulder_pitch_link: [0.718, [0, -0.035892, -0.011628], [0.0004291, 9.2e-06, 6.4e-06, 0.000453, -2.26e-05, 0.000423]],
  right_shoulder_roll_link: [0.643, [-0.000227, -0.00727, -0.063243], [0.0006177, 1e-06, 8.7e-06, 0.0006912, 5.3e-06, 0.0003894]],
  right_shoulder_yaw_link: [0.734, [0.010773, 0.002949, -0.072009], [0.0009988, -7.9e-06, 0.0001412, 0.0010605, 2.86e-05, 0.0004354]],
  right_elbow_link: [0.6, [0.064956, -0.004454, -0.010062], [0.0002891, -6.53e-05, 1.72e-05, 0.0004152, 5.6e-06, 0.0004197]],
  right_wrist_roll_link: [0.08544498, [0.01713944778, -0.00053759094, 4.8864e-07], [4.821544023e-05, 4.24511021e-06, 5.10599e-09, 3.722899093e-05, 1.23525e-09, 5.482106541e-05]],
  right_wrist_pitch_link: [0.48404956, [0.02299989837, 0.00111685314, -0.00111658096], [0.00016579646273, 1.231206746e-05, 1.231699194e-05, 0.0004295405741, -8.1417712e-07, 0.00042953697654]],
  right_wrist_yaw_link: [0.08457647, [0.02200381568, -0.00049485096, 0.00053861123], [4.929128828e-05, 4.5735494e-07, 4.45867591e-06, 5.973338134e-05, -4.3217198e-07, 3.928083826e-05]],
  right_rubber_hand: [0.17, [0.05361310808, 0.0029590524, 0.00215413091], [0.00010099485234748, -3.618590790516e-05, -7.4301518642e-07, 0.00028135871571621, -3.30189743286e-06, 0.00021894770413514]],
};

/** Fixed-base weld height, m: the zero pose's soles (z −0.035 m in the ankle-roll frame) end 1.1 mm above the floor. */
const PELVIS_HEIGHT = 0.793;

const box = (x: number, y: number, z: number): Shape => ({ kind: 'box', size: [x, y, z] });
const cyl = (radius: number, length: number): Shape => ({ kind: 'cylinder', radius, length });
const sph = (radius: number): Shape => ({ kind: 'sphere', radius });
/** Cylinder orientations: along local x, along local y. */
const ALONG_X: V3 = [0, Math.PI / 2, 0];
const ALONG_Y: V3 = [Math.PI / 2, 0, 0];

/**
 * Collision primitives per link (s = +1 left, −1 right). Chosen to cover the
 * G1's shells while leaving every non-adjacent pair of links apart in the zero
 * and default poses (MuJoCo only skips parent–child contacts), checked by
 * tests/robot/g1-urdf.test.ts. Links without an entry (waist_yaw/roll,
 * ankle_pitch: small parts inside their neighbours' shells; IMU frames) have none.
 */
function collisions(link: string): Collision[] {
  const side = /^(left|right)_/.exec(link);
  const s = side?.[1] === 'right' ? -1 : 1;
  const part = side ? link.slice(side[0].length) : link;
  switch (part) {
    case 'pelvis': return [{ shape: box(0.12, 0.15, 0.1), at: [0, 0, -0.06] }];
    case 'torso_link': return [{ shape: cyl(0.08, 0.24), at: [0, 0, 0.17] }];
    case 'head_link': return [{ shape: sph(0.07), at: [0.005, 0, 0.44] }];
    case 'hip_pitch_link': return [{ shape: cyl(0.045, 0.05), at: [0, s * 0.04, -0.02], rpy: ALONG_Y }];
    case 'hip_roll_link': return [{ shape: cyl(0.045, 0.08), at: [0.03, 0, -0.08] }];
    // thigh: along the hip-yaw → knee segment (−0.078273, 0, −0.17734)
    case 'hip_yaw_link': return [{ shape: cyl(0.055, 0.12), at: [-0.039137, 0, -0.08867], rpy: [0, Math.atan2(0.078273, 0.17734), 0] }];
    case 'knee_link': return [{ shape: cyl(0.045, 0.2), at: [0, 0, -0.14] }];
    // sole: its bottom corners are the vendor's four contact spheres' extent (x −0.05…0.12, bottom z −0.035), slightly widened
    case 'ankle_roll_link': return [{ shape: box(0.18, 0.07, 0.03), at: [0.035, 0, -0.02] }];
    case 'shoulder_pitch_link': return [{ shape: cyl(0.03, 0.05), at: [0, s * 0.04, -0.01], rpy: ALONG_X }];
    case 'shoulder_roll_link': return [{ shape: cyl(0.03, 0.03), at: [-0.004, s * 0.006, -0.053] }];
    case 'shoulder_yaw_link': return [{ shape: cyl(0.03, 0.09), at: [0.005, 0, -0.035] }];
    case 'elbow_link': return [{ shape: cyl(0.03, 0.07), at: [0.045, 0, -0.01], rpy: ALONG_X }];
    case 'wrist_roll_link': return [{ shape: cyl(0.03, 0.03), at: [0.02, 0, 0], rpy: ALONG_X }];
    case 'wrist_pitch_link': return [{ shape: sph(0.028), at: [0.023, 0, 0] }];
    case 'wrist_yaw_link': return [{ shape: sph(0.028), at: [0.022, 0, 0] }];
    case 'rubber_hand': return [{ shape: cyl(0.03, 0.09), at: [0.06, 0, 0], rpy: ALONG_X }];
    default: return [];
  }
}

/** Joint damping (N·m·s/rad) and friction (N·m): ours, not the vendor's (its file has none). */
function dynamics(joint: string): [number, number] {
  if (/wrist_(pitch|yaw)/.test(joint)) return [0.02, 0.01];
  if (/shoulder|elbow|wrist/.test(joint)) return [0.05, 0.02];
  return [0.1, 0.05];
}

const f = (v: number): string => {
  const r = Number(v.toPrecision(12));
  return Object.is(r, -0) ? '0' : String(r);
};
const v3 = (v: readonly number[]): string => v.map(f).join(' ');

function geometryXml(s: Shape): string {
  switch (s.kind) {
    case 'box': return `<box size="${v3(s.size)}"/>`;
    case 'cylinder': return `<cylinder radius="${f(s.radius)}" length="${f(s.length)}"/>`;
    case 'sphere': return `<sphere radius="${f(s.radius)}"/>`;
  }
}

function linkXml(name: string): string {
  const lines = [`  <link name="${name}">`];
  const inertial = VENDOR_INERTIALS[name];
  if (inertial) {
    const [mass, com, [ixx, ixy, ixz, iyy, iyz, izz]] = inertial;
    lines.push(
      '    <inertial>',
      `      <origin xyz="${v3(com)}" rpy="0 0 0"/>`,
      `      <mass value="${f(mass)}"/>`,
      `      <inertia ixx="${f(ixx)}" ixy="${f(ixy)}" ixz="${f(ixz)}" iyy="${f(iyy)}" iyz="${f(iyz)}" izz="${f(izz)}"/>`,
      '    </inertial>',
    );
  }
  collisions(name).forEach((c, k) => {
    lines.push(
      `    <collision name="${name}_collision${k === 0 ? '' : `_${k}`}">`,
      `      <origin xyz="${v3(c.at)}" rpy="${v3(c.rpy ?? [0, 0, 0])}"/>`,
      `      <geometry>${geometryXml(c.shape)}</geometry>`,
      '    </collision>',
    );
  });
  lines.push('  </link>');
  return lines.join('\n');
}

function jointXml([name, parent, child, xyz, rpy, axis, limit]: VendorJoint): string {
  const lines = [
    `  <joint name="${name}" type="${axis ? 'revolute' : 'fixed'}">`,
    `    <origin xyz="${v3(xyz)}" rpy="${v3(rpy)}"/>`,
    `    <parent link="${parent}"/>`,
    `    <child link="${child}"/>`,
  ];
  if (axis) lines.push(`    <axis xyz="${v3(axis)}"/>`);
  if (limit) {
    const [lower, upper, effort, velocity] = limit;
    const [damping, friction] = dynamics(name);
    lines.push(`    <limit lower="${f(lower)}" upper="${f(upper)}" effort="${f(effort)}" velocity="${f(velocity)}"/>`);
    lines.push(`    <dynamics damping="${f(damping)}" friction="${f(friction)}"/>`);
  }
  lines.push('  </joint>');
  return lines.join('\n');
}

/**
 * Gazebo (gz-sim Harmonic) tags: the gz_ros2_control system plugin with the
 * controllers file, and the IMU sensor on the pelvis IMU frame. Ignored outside
 * Gazebo. `$(find aegis_control)` is resolved by launch/gz_description.py, which
 * also swaps the <ros2_control> hardware plugin to gz_ros2_control/GazeboSimSystem.
 */
const GAZEBO_TAGS = `  <gazebo>
    <plugin filename="gz_ros2_control-system" name="gz_ros2_control::GazeboSimROS2ControlPlugin">
      <parameters>$(find aegis_control)/config/ros/controllers.yaml</parameters>
    </plugin>
  </gazebo>
  <gazebo reference="imu_in_pelvis">
    <sensor name="imu" type="imu">
      <always_on>true</always_on>
      <update_rate>500</update_rate>
      <topic>imu</topic>
      <gz_frame_id>imu_in_pelvis</gz_frame_id>
    </sensor>
  </gazebo>`;

function ros2ControlXml(joints: readonly VendorJoint[]): string {
  const body = joints.filter((j) => j[5] !== null).map(([name]) => `    <joint name="${name}">
      <command_interface name="position"/>
      <state_interface name="position"/>
      <state_interface name="velocity"/>
      <state_interface name="effort"/>
    </joint>`);
  return `  <ros2_control name="aegis_g1" type="system">
    <hardware>
      <plugin>mock_components/GenericSystem</plugin>
    </hardware>
${body.join('\n')}
  </ros2_control>`;
}

function g1Urdf(fixedBase: boolean): string {
  const joints = VENDOR_JOINTS;
  const links = ['pelvis', ...joints.map((j) => j[2])];
  const robotName = fixedBase ? 'g1_29dof_fixed' : 'g1_29dof';
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Generated by src/cli/generate-urdf.ts; do not edit by hand. -->',
    `<robot name="${robotName}">`,
  ];
  if (fixedBase) {
    parts.push('  <link name="world"/>');
    parts.push(jointXml(['pelvis_weld', 'world', 'pelvis', [0, 0, PELVIS_HEIGHT], [0, 0, 0], null, null]));
  }
  parts.push(...links.map(linkXml), ...joints.map(jointXml), ros2ControlXml(joints), GAZEBO_TAGS, '</robot>', '');
  return parts.join('\n');
}

function main(): void {
  const outDir = process.argv[2] ?? 'urdf';
  mkdirSync(outDir, { recursive: true });
  for (const [file, fixed] of [['g1_29dof.urdf', false], ['g1_29dof_fixed.urdf', true]] as const) {
    const path = join(outDir, file);
    writeFileSync(path, g1Urdf(fixed));
    console.log(`wrote ${path}`);
  }
}

main();
