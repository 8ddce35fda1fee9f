/**
 * Shared fixtures for the golden-observation tests of third-party conventions
 * (holosoma, mimic): a small humanoid-like URDF and independent rotation
 * math written with 3×3 matrices (the code under test uses quaternions).
 */
import { parseUrdf } from '../../src/robot/urdf.js';

/** Policy joints of the fixtures (policy order). */
export const JOINTS = ['left_knee_joint', 'right_knee_joint', 'waist_yaw_joint'];
/** The URDF's (motor) order differs from the policy order. */
export const MOTOR_ORDER = ['waist_yaw_joint', 'left_knee_joint', 'right_knee_joint'];
/** The waist joint's fixed origin pitch, rad. */
export const WAIST_ORIGIN_PITCH = 0.1;

const limit = '<limit lower="-2" upper="2" effort="50" velocity="10"/>';
/** pelvis ─waist_yaw_joint (z, origin pitched by 0.1 rad)→ torso_link; pelvis ─knees (y)→ shanks. */
export const HUMANOID_URDF = `<?xml version="1.0"?>
<robot name="mini_humanoid">
  <link name="pelvis"/><link name="torso_link"/><link name="left_shank"/><link name="right_shank"/>
  <joint name="waist_yaw_joint" type="revolute"><origin xyz="0 0 0.2" rpy="0 ${WAIST_ORIGIN_PITCH} 0"/><parent link="pelvis"/><child link="torso_link"/><axis xyz="0 0 1"/>${limit}</joint>
  <joint name="left_knee_joint" type="revolute"><origin xyz="0 0.1 -0.3"/><parent link="pelvis"/><child link="left_shank"/><axis xyz="0 1 0"/>${limit}</joint>
  <joint name="right_knee_joint" type="revolute"><origin xyz="0 -0.1 -0.3"/><parent link="pelvis"/><child link="right_shank"/><axis xyz="0 1 0"/>${limit}</joint>
</robot>`;

export const humanoid = () => parseUrdf(HUMANOID_URDF);

export type M3 = number[][];
export const rotZ = (a: number): M3 => [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
export const rotY = (a: number): M3 => [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];
export const rotX = (a: number): M3 => [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
export const mul = (...ms: M3[]): M3 =>
  ms.reduce((a, b) => a.map((row) => [0, 1, 2].map((j) => row[0]! * b[0]![j]! + row[1]! * b[1]![j]! + row[2]! * b[2]![j]!)));
export const transpose = (m: M3): M3 => [0, 1, 2].map((i) => [0, 1, 2].map((j) => m[j]![i]!));
/** Yaw of a rotation matrix (heading of its x axis in the world xy plane). */
export const yawOf = (m: M3): number => Math.atan2(m[1]![0]!, m[0]![0]!);
/** First two columns, row-major: [m00, m01, m10, m11, m20, m21]. */
export const firstTwoColumns = (m: M3): number[] => [m[0]![0]!, m[0]![1]!, m[1]![0]!, m[1]![1]!, m[2]![0]!, m[2]![1]!];

/** Quaternion x, y, z, w of a rotation matrix (for feeding inputs; trace-positive matrices only). */
export function quatOf(m: M3): [number, number, number, number] {
  const w = Math.sqrt(1 + m[0]![0]! + m[1]![1]! + m[2]![2]!) / 2;
  return [(m[2]![1]! - m[1]![2]!) / (4 * w), (m[0]![2]! - m[2]![0]!) / (4 * w), (m[1]![0]! - m[0]![1]!) / (4 * w), w];
}

/** Torso orientation in the world from the pelvis orientation and the waist angle (the URDF above, by hand). */
export const torsoOf = (pelvis: M3, waist: number): M3 => mul(pelvis, rotY(WAIST_ORIGIN_PITCH), rotZ(waist));

export function expectVector(got: ArrayLike<number>, want: number[], digits = 5, what = ''): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, want ${want.length}`);
  want.forEach((w, i) => {
    if (!(Math.abs(got[i]! - w) < 0.5 * 10 ** -digits)) throw new Error(`${what} element ${i}: got ${got[i]}, want ${w}`);
  });
}
