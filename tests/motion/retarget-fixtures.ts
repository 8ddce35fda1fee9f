/**
 * A small humanoid URDF with collinear arm geometry (so joint angles follow
 * analytically from the targets) and a human keypoint frame builder.
 */
import { parseUrdf } from '../../src/robot/urdf.js';
import { KEYPOINTS, KP } from '../../src/motion/human.js';
import { RetargetMapSchema, type RetargetMap } from '../../src/motion/retarget-config.js';

const rev = (name: string, parent: string, child: string, xyz: string, axis: string, lo: number, hi: number, vel = 30): string =>
  `<joint name="${name}" type="revolute"><origin xyz="${xyz}"/><parent link="${parent}"/><child link="${child}"/>` +
  `<axis xyz="${axis}"/><limit lower="${lo}" upper="${hi}" effort="10" velocity="${vel}"/></joint>`;

/** Upper arm 0.25 m, forearm 0.2 m, hand 0.05 m; shoulder pitch(y) roll(x) yaw(z) at one point, elbow(y), wrist roll(z). */
export function simpleHumanoidUrdf(elbowLimits: [number, number] = [-2.8, 2.8]): string {
  const arm = (s: 'left' | 'right', y: number): string => `
    <link name="${s}_sp"/><link name="${s}_sr"/><link name="${s}_sy"/><link name="${s}_el"/><link name="${s}_wr"/><link name="${s}_hand"/>
    ${rev(`${s}_shoulder_pitch`, 'torso', `${s}_sp`, `0 ${y} 0.3`, '0 1 0', -3, 3)}
    ${rev(`${s}_shoulder_roll`, `${s}_sp`, `${s}_sr`, '0 0 0', '1 0 0', -3, 3)}
    ${rev(`${s}_shoulder_yaw`, `${s}_sr`, `${s}_sy`, '0 0 0', '0 0 1', -3, 3)}
    ${rev(`${s}_elbow`, `${s}_sy`, `${s}_el`, '0 0 -0.25', '0 1 0', elbowLimits[0], elbowLimits[1])}
    ${rev(`${s}_wrist`, `${s}_el`, `${s}_wr`, '0 0 -0.2', '0 0 1', -2, 2)}
    <joint name="${s}_palm" type="fixed"><origin xyz="0 0 -0.05"/><parent link="${s}_wr"/><child link="${s}_hand"/></joint>`;
  return `<?xml version="1.0"?><robot name="simple">
    <link name="world"/><link name="pelvis"/><link name="w1"/><link name="torso"/>
    <joint name="weld" type="fixed"><origin xyz="0 0 1"/><parent link="world"/><child link="pelvis"/></joint>
    ${rev('waist_yaw', 'pelvis', 'w1', '0 0 0.1', '0 0 1', -1, 1)}
    ${rev('waist_pitch', 'w1', 'torso', '0 0 0', '0 1 0', -0.5, 0.5)}
    ${arm('left', 0.2)}${arm('right', -0.2)}
  </robot>`;
}

export const simpleModel = (elbow?: [number, number]) => parseUrdf(simpleHumanoidUrdf(elbow));

export function simpleMap(ik: Record<string, number> = {}): RetargetMap {
  const arm = (s: string) => ({
    joints: [`${s}_shoulder_pitch`, `${s}_shoulder_roll`, `${s}_shoulder_yaw`, `${s}_elbow`, `${s}_wrist`],
    shoulderLink: `${s}_sp`, elbowLink: `${s}_el`, wristLink: `${s}_wr`, handLink: `${s}_hand`,
  });
  return RetargetMapSchema.parse({
    robot: 'simple', pelvisLink: 'pelvis',
    torso: { link: 'torso', joints: ['waist_yaw', 'waist_pitch'] },
    arms: { left: arm('left'), right: arm('right') },
    ik,
  });
}

export type V3 = [number, number, number];

/**
 * One human frame (KEYPOINTS × 3, Z-up, facing +x) with upright torso and the given
 * arm directions: upper arm direction, forearm direction, hand direction per side.
 */
export function humanFrame(arms: { left?: [V3, V3, V3?]; right?: [V3, V3, V3?] } = {}, sizes = { upper: 0.3, fore: 0.27 }): Float64Array {
  const p = new Float64Array(KEYPOINTS.length * 3);
  const set = (k: number, v: V3): void => { p.set(v, k * 3); };
  const norm = (v: V3): V3 => { const n = Math.hypot(...v); return [v[0] / n, v[1] / n, v[2] / n]; };
  set(KP.pelvis, [0, 0, 1]);
  set(KP.leftHip, [0, 0.1, 0.95]); set(KP.rightHip, [0, -0.1, 0.95]);
  set(KP.leftKnee, [0, 0.1, 0.5]); set(KP.rightKnee, [0, -0.1, 0.5]);
  set(KP.leftFoot, [0, 0.1, 0.05]); set(KP.rightFoot, [0, -0.1, 0.05]);
  set(KP.head, [0, 0, 1.7]);
  for (const side of ['left', 'right'] as const) {
    const y = side === 'left' ? 0.18 : -0.18;
    const down: [V3, V3, V3?] = [[0, 0, -1], [0, 0, -1]];
    const [ua, fa, hd] = arms[side] ?? down;
    const sh: V3 = [0, y, 1.45];
    const u = norm(ua), f = norm(fa), h = norm(hd ?? fa);
    const el: V3 = [sh[0] + sizes.upper * u[0], sh[1] + sizes.upper * u[1], sh[2] + sizes.upper * u[2]];
    const wr: V3 = [el[0] + sizes.fore * f[0], el[1] + sizes.fore * f[1], el[2] + sizes.fore * f[2]];
    const tp: V3 = [wr[0] + 0.08 * h[0], wr[1] + 0.08 * h[1], wr[2] + 0.08 * h[2]];
    const L = side === 'left';
    set(L ? KP.leftShoulder : KP.rightShoulder, sh);
    set(L ? KP.leftElbow : KP.rightElbow, el);
    set(L ? KP.leftWrist : KP.rightWrist, wr);
    set(L ? KP.leftHandTip : KP.rightHandTip, tp);
  }
  return p;
}
