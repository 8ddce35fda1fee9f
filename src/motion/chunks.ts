/**
 * Motion chunks for the token models: 16 frames at 50 Hz (0.32 s).
 *
 * Embodiment-independent ("visual") features, what a camera would see: the
 * head and both wrists relative to the shoulder centre, in the pelvis heading
 * frame (x forward, y left, z up), divided by the body's arm length (upper
 * arm + forearm; human: clip mean, robot: URDF). 3 points × 3 per frame.
 *
 * Human chunk input: the same frame with head, elbows, wrists and hand tips
 * (7 points × 3 per frame). Robot chunk: the joints the retargeting map
 * drives (torso, left arm, right arm), rad.
 *
 * Mirroring (left ↔ right, augmentation and the `mirror` primitive op):
 * points swap sides and negate y; robot joints swap `left_`/`right_` names
 * and negate roll and yaw joints (a name containing `roll` or `yaw`).
 */
import { pelvisFrame, rotateInv } from './body-frames.js';
import { KEYPOINTS, KP, type HumanMotion } from './human.js';
import type { Retargeter } from './retarget.js';
import { TRANSFORM_SIZE } from '../robot/math.js';

export const CHUNK_FRAMES = 16;
export const CHUNK_RATE_HZ = 50;
export const HUMAN_POINTS = [KP.head, KP.leftElbow, KP.rightElbow, KP.leftWrist, KP.rightWrist, KP.leftHandTip, KP.rightHandTip] as const;
/** Mirror partner of each HUMAN_POINTS entry (index into HUMAN_POINTS). */
const HUMAN_MIRROR = [0, 2, 1, 4, 3, 6, 5];
export const HUMAN_FRAME_WIDTH = HUMAN_POINTS.length * 3;
/** Visual points per frame: head, left wrist, right wrist. */
export const VISUAL_FRAME_WIDTH = 9;
const VISUAL_MIRROR = [0, 2, 1];

const K3 = KEYPOINTS.length * 3;

/** Mean human arm length (upper arm + forearm, both sides) over the clip, m. */
export function humanArmLength(h: HumanMotion): number {
  let s = 0;
  const d = (p: Float64Array, a: number, b: number): number => Math.hypot(p[a]! - p[b]!, p[a + 1]! - p[b + 1]!, p[a + 2]! - p[b + 2]!);
  for (let f = 0; f < h.frameCount; f++) {
    const o = f * K3;
    s += d(h.positions, o + KP.leftShoulder * 3, o + KP.leftElbow * 3) + d(h.positions, o + KP.leftElbow * 3, o + KP.leftWrist * 3);
    s += d(h.positions, o + KP.rightShoulder * 3, o + KP.rightElbow * 3) + d(h.positions, o + KP.rightElbow * 3, o + KP.rightWrist * 3);
  }
  return s / (2 * h.frameCount);
}

const R = new Float64Array(9);
const v = new Float64Array(3);

/** Writes one frame's human features (HUMAN_FRAME_WIDTH) from keypoints at `po`. */
export function humanFrameFeatures(p: Float64Array, po: number, armM: number, out: Float64Array, oo: number): void {
  pelvisFrame(R, p, po + KP.leftHip * 3, po + KP.rightHip * 3);
  const ls = po + KP.leftShoulder * 3, rs = po + KP.rightShoulder * 3;
  for (let k = 0; k < HUMAN_POINTS.length; k++) {
    const q = po + HUMAN_POINTS[k]! * 3;
    for (let i = 0; i < 3; i++) v[i] = (p[q + i]! - 0.5 * (p[ls + i]! + p[rs + i]!)) / armM;
    rotateInv(out, oo + k * 3, R, v, 0);
  }
}

/** The visual subset (head, wrists) of a human feature frame. */
export function visualFromHumanFrame(h: Float64Array, ho: number, out: Float64Array, oo: number): void {
  for (let i = 0; i < 3; i++) {
    out[oo + i] = h[ho + i]!; // head
    out[oo + 3 + i] = h[ho + 9 + i]!; // left wrist
    out[oo + 6 + i] = h[ho + 12 + i]!; // right wrist
  }
}

/** Visual features of the robot at its current FK (after a retargeter step or a `tree.forward`). */
export function robotVisualFrame(r: Retargeter, out: Float64Array, oo: number): void {
  const T = r.tree.transforms;
  const po = r.pelvisIdx * TRANSFORM_SIZE;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) R[i * 3 + j] = T[po + i * 4 + j]!;
  // heading only: rebuild from the pelvis x axis projected on the ground
  const fx = R[0]!, fy = R[3]!;
  const n = Math.hypot(fx, fy) || 1;
  R[0] = fx / n; R[3] = fy / n; R[6] = 0; R[1] = -fy / n; R[4] = fx / n; R[7] = 0; R[2] = 0; R[5] = 0; R[8] = 1;
  const arm = r.upperArmM[0]! + r.forearmM[0]!;
  const ls = r.armLinks[0]!.shoulder * TRANSFORM_SIZE, rs = r.armLinks[1]!.shoulder * TRANSFORM_SIZE;
  const pts = [r.headIdx, r.armLinks[0]!.wrist, r.armLinks[1]!.wrist];
  for (let k = 0; k < 3; k++) {
    const o = pts[k]! * TRANSFORM_SIZE;
    for (let i = 0; i < 3; i++) v[i] = (T[o + 3 + 4 * i]! - 0.5 * (T[ls + 3 + 4 * i]! + T[rs + 3 + 4 * i]!)) / arm;
    rotateInv(out, oo + k * 3, R, v, 0);
  }
}

/** Mirrors `frames` frames of point features in place (width = points × 3). */
export function mirrorPoints(x: Float64Array, frames: number, partner: readonly number[]): void {
  const w = partner.length * 3;
  const tmp = new Float64Array(w);
  for (let f = 0; f < frames; f++) {
    const o = f * w;
    for (let k = 0; k < partner.length; k++) {
      const s = o + partner[k]! * 3;
      tmp[k * 3] = x[s]!; tmp[k * 3 + 1] = -x[s + 1]!; tmp[k * 3 + 2] = x[s + 2]!;
    }
    x.set(tmp, o);
  }
}
export const mirrorHuman = (x: Float64Array, frames: number): void => mirrorPoints(x, frames, HUMAN_MIRROR);
export const mirrorVisual = (x: Float64Array, frames: number): void => mirrorPoints(x, frames, VISUAL_MIRROR);

/** Left↔right permutation and sign per joint of a joint list (see the module comment). Throws when a side has no partner. */
export function jointMirror(names: readonly string[]): { partner: Int32Array; sign: Float64Array } {
  const partner = new Int32Array(names.length);
  const sign = new Float64Array(names.length);
  names.forEach((n, i) => {
    const other = n.startsWith('left_') ? `right_${n.slice(5)}` : n.startsWith('right_') ? `left_${n.slice(6)}` : n;
    const j = names.indexOf(other);
    if (j < 0) throw new Error(`joint '${n}' has no mirror partner '${other}'`);
    partner[i] = j;
    sign[i] = /roll|yaw/.test(n) ? -1 : 1;
  });
  return { partner, sign };
}

/** Mirrors joint frames (width = names.length) in place. */
export function mirrorJoints(x: Float64Array, frames: number, m: { partner: Int32Array; sign: Float64Array }): void {
  const w = m.partner.length;
  const tmp = new Float64Array(w);
  for (let f = 0; f < frames; f++) {
    const o = f * w;
    for (let i = 0; i < w; i++) tmp[i] = m.sign[i]! * x[o + m.partner[i]!]!;
    x.set(tmp, o);
  }
}

/** Linear interpolation of a frame sequence (width values per frame) at time t (s), frame time dt. */
export function sampleAt(seq: Float64Array, width: number, frames: number, dt: number, t: number, out: Float64Array, oo: number): void {
  const x = Math.max(0, Math.min(frames - 1, t / dt));
  const i = Math.min(frames - 2, Math.floor(x));
  const a = frames < 2 ? 0 : x - i;
  const i0 = Math.max(0, i) * width, i1 = Math.min(frames - 1, i + 1) * width;
  for (let k = 0; k < width; k++) out[oo + k] = (1 - a) * seq[i0 + k]! + a * seq[i1 + k]!;
}
