/**
 * A skeleton-agnostic human: the keypoints a retargeter needs, found in any
 * BVH skeleton by name patterns, in metres, in a Z-up right-handed world.
 *
 * Keypoints ({@link KEYPOINTS}): pelvis, head, left/right shoulder (the upper
 * arm's root, not the clavicle), elbow, wrist, hand tip (a point out along
 * the hand, which with the wrist gives the hand's pointing direction), hip,
 * knee, foot (ankle).
 *
 * Name matching ({@link DEFAULT_KEYPOINT_PATTERNS}): names are lower-cased;
 * for each keypoint the patterns are tried in order and the first pattern
 * that matches some joint wins (the first such joint in file order). So
 * `LeftArm` beats `LeftShoulder` (a clavicle in the Hahne MotionBuilder
 * conversion) while `LeftShoulder` is found where no `…Arm` joint exists.
 * `overrides` maps a keypoint to an exact joint name. Hand tips are searched
 * among the wrist's descendants only; one with a zero rest offset is
 * replaced by its first child (else it would coincide with its parent).
 *
 * Units ({@link UNIT_SCALES}): the pelvis height above the lowest foot (median
 * over the sampled frames; rest offsets are not a standing pose in every rig)
 * is ≈ 1 m for an adult; the unit whose scale brings it closest to 1 m (in log
 * ratio) wins unless `unit` overrides it. Up axis: the file axis closest to
 * the mean direction feet → head over up to 64 frames sampled across the clip, unless `upAxis` overrides it. The world
 * frame maps that axis to +z with a cyclic (handedness-preserving) relabelling.
 *
 * Synthetic T-pose: some conversions prepend a T-pose frame 0. `dropFirstFrame:
 * 'auto'` drops it when the root's rotation channels are exactly 0 in frame 0
 * and the largest rotation-channel jump from frame 0 to 1 exceeds both 5° and
 * 5× the median of the clip's other frame-to-frame jumps (Euler wrap-arounds
 * make the upper percentiles useless: gimbal flips of ~180° occur mid-clip).
 */
import { BvhPoser, type BvhClip } from './bvh.js';

export const KEYPOINTS = [
  'pelvis', 'head',
  'leftShoulder', 'rightShoulder', 'leftElbow', 'rightElbow', 'leftWrist', 'rightWrist', 'leftHandTip', 'rightHandTip',
  'leftHip', 'rightHip', 'leftKnee', 'rightKnee', 'leftFoot', 'rightFoot',
] as const;
export type Keypoint = (typeof KEYPOINTS)[number];
export const KP: { readonly [K in Keypoint]: number } = Object.fromEntries(KEYPOINTS.map((k, i) => [k, i])) as never;

const side = (l: boolean, rest: string): RegExp => new RegExp(`(^|_)(${l ? 'left|l' : 'right|r'})_?(${rest})$`);
const both = (rest: string[]): { left: RegExp[]; right: RegExp[] } => ({
  left: rest.map((r) => side(true, r)),
  right: rest.map((r) => side(false, r)),
});
const sh = both(['up_?arm|upper_?arm|arm|shldr', 'shoulder']);
const el = both(['fore_?arm|lower_?arm|elbow']);
const wr = both(['wrist', 'hand']);
const tip = both(['mid1|middle1|fingerbase|fingers', 'index1', 'hand']);
const hip = both(['up_?leg|upper_?leg|thigh|hip']);
const kn = both(['leg|knee|shin|calf|lower_?leg']);
const ft = both(['foot|ankle']);

/** Default name patterns per keypoint, tried in order (lower-cased names). */
export const DEFAULT_KEYPOINT_PATTERNS: { readonly [K in Keypoint]: readonly RegExp[] } = {
  pelvis: [/(^|_)(hips?|pelvis)$/],
  head: [/(^|_)head$/],
  leftShoulder: sh.left, rightShoulder: sh.right,
  leftElbow: el.left, rightElbow: el.right,
  leftWrist: wr.left, rightWrist: wr.right,
  leftHandTip: tip.left, rightHandTip: tip.right,
  leftHip: hip.left, rightHip: hip.right,
  leftKnee: kn.left, rightKnee: kn.right,
  leftFoot: ft.left, rightFoot: ft.right,
};

/** Length units a BVH file may use, metres per unit. `cmu`: the CMU/ASF unit (1/0.45 inch · 0.0254). */
export const UNIT_SCALES = { m: 1, cm: 0.01, mm: 0.001, inch: 0.0254, cmu: 0.056444 } as const;
export type LengthUnit = keyof typeof UNIT_SCALES;
export type UpAxis = 'x' | 'y' | 'z' | '-x' | '-y' | '-z';

export interface HumanOptions {
  /** Exact joint name per keypoint, replacing the patterns' choice. */
  overrides?: Partial<Record<Keypoint, string>>;
  /** Extra patterns tried before the defaults. */
  patterns?: Partial<Record<Keypoint, readonly RegExp[]>>;
  /** File length unit; inferred from the skeleton when absent. */
  unit?: LengthUnit;
  /** File up axis; inferred from the rest pose when absent. */
  upAxis?: UpAxis;
  /** Drop frame 0: 'auto' (default) detects a synthetic T-pose. */
  dropFirstFrame?: boolean | 'auto';
  /** Frame time, s, replacing the header's (headers are sometimes wrong). */
  frameTimeS?: number;
}

export interface HumanMotion {
  frameCount: number;
  /** s per frame (the override when given). */
  frameTimeS: number;
  /** frameCount × KEYPOINTS.length × 3, metres, Z-up world. */
  positions: Float64Array;
  /** How the clip was read: the joint per keypoint, unit, up axis, dropped frame. */
  info: {
    joints: Record<Keypoint, string>;
    unit: LengthUnit;
    unitInferred: boolean;
    upAxis: UpAxis;
    upInferred: boolean;
    droppedFirstFrame: boolean;
    /** Median pelvis height above the lowest foot over the sampled frames, m. */
    pelvisHeightM: number;
  };
}

export class SkeletonError extends Error {
  constructor(message: string, readonly missing: readonly Keypoint[]) {
    super(message);
    this.name = 'SkeletonError';
  }
}

function isDescendant(clip: BvhClip, j: number, ancestor: number): boolean {
  for (let p = clip.joints[j]!.parent; p >= 0; p = clip.joints[p]!.parent) if (p === ancestor) return true;
  return false;
}

/** Finds the joint index per keypoint; throws SkeletonError listing every keypoint not found. */
export function findKeypoints(clip: BvhClip, options: HumanOptions = {}): Record<Keypoint, number> {
  const joints = clip.joints;
  const lower = joints.map((j) => (j.endSite ? '' : j.name.toLowerCase()));
  const out: Partial<Record<Keypoint, number>> = {};
  const problems: string[] = [];
  const missing: Keypoint[] = [];
  for (const kp of KEYPOINTS) {
    const exact = options.overrides?.[kp];
    if (exact !== undefined) {
      const i = joints.findIndex((j) => j.name === exact);
      if (i < 0) { problems.push(`${kp}: override joint '${exact}' is not in the skeleton`); missing.push(kp); }
      else out[kp] = i;
      continue;
    }
    const pats = [...(options.patterns?.[kp] ?? []), ...DEFAULT_KEYPOINT_PATTERNS[kp]];
    const within = kp === 'leftHandTip' ? out.leftWrist : kp === 'rightHandTip' ? out.rightWrist : undefined;
    let found = -1;
    for (const re of pats) {
      found = lower.findIndex((n, i) => n !== '' && re.test(n) && (within === undefined || isDescendant(clip, i, within)));
      if (found >= 0) break;
    }
    if (kp === 'pelvis' && found < 0) found = 0; // the root is the pelvis unless a name says otherwise
    // a hand tip at the wrist itself (a zero rest offset, e.g. Hahne's FingerBase) gives no direction: walk out to a child
    while (within !== undefined && found >= 0 && Math.hypot(...joints[found]!.offset) < 1e-6) {
      const child = joints.findIndex((j) => j.parent === found);
      if (child < 0) break;
      found = child;
    }
    if (found < 0) {
      problems.push(`${kp} (tried ${pats.map(String).join(', ')})`);
      missing.push(kp);
    } else out[kp] = found;
  }
  if (problems.length > 0) {
    const names = joints.filter((j) => !j.endSite).map((j) => j.name);
    throw new SkeletonError(
      `skeleton lacks ${problems.length} keypoint(s): ${problems.join('; ')}. ` +
      `Joints: ${names.join(', ')}. Map them with overrides (keypoint → joint name).`,
      missing,
    );
  }
  return out as Record<Keypoint, number>;
}

/** 3x3 row-major rotation taking file coordinates to the Z-up world for an up axis. */
export function worldFromFile(up: UpAxis): Float64Array {
  const axis = up.endsWith('x') ? 0 : up.endsWith('y') ? 1 : 2;
  const neg = up.startsWith('-');
  // cyclic relabelling: world z = file[axis], world x = file[axis+1], world y = file[axis+2]
  const m = new Float64Array(9);
  m[0 * 3 + ((axis + 1) % 3)] = 1;
  m[1 * 3 + ((axis + 2) % 3)] = 1;
  m[2 * 3 + axis] = 1;
  if (neg) { for (let c = 0; c < 3; c++) { m[3 + c] = -m[3 + c]!; m[6 + c] = -m[6 + c]!; } }
  return m;
}

/** Samples up to 64 frames evenly (from `first`) and returns their posed joint positions. */
function samplePoses(poser: BvhPoser, first: number): Float64Array[] {
  const n = poser.clip.frameCount - first;
  const count = Math.min(64, n);
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    poser.pose(first + Math.floor((i * (n - 1)) / Math.max(1, count - 1)));
    out.push(Float64Array.from(poser.pos));
  }
  return out;
}

function inferUp(poses: Float64Array[], kp: Record<Keypoint, number>): UpAxis {
  const d = [0, 1, 2].map((a) => {
    let s = 0;
    for (const p of poses) s += p[kp.head * 3 + a]! - 0.5 * (p[kp.leftFoot * 3 + a]! + p[kp.rightFoot * 3 + a]!);
    return s / poses.length;
  });
  let best = 0;
  for (let a = 1; a < 3; a++) if (Math.abs(d[a]!) > Math.abs(d[best]!)) best = a;
  const name = (['x', 'y', 'z'] as const)[best]!;
  return d[best]! >= 0 ? name : (`-${name}` as UpAxis);
}

/** Median over the sampled poses of the root's height above the lowest foot, file units, along `up`. */
function pelvisHeight(poses: Float64Array[], kp: Record<Keypoint, number>, w: Float64Array): number {
  const hs = poses.map((p) => {
    const h = (j: number): number => w[6]! * p[j * 3]! + w[7]! * p[j * 3 + 1]! + w[8]! * p[j * 3 + 2]!;
    return h(kp.pelvis) - Math.min(h(kp.leftFoot), h(kp.rightFoot));
  }).sort((a, b) => a - b);
  return hs[Math.floor((hs.length - 1) / 2)]!;
}

export function inferUnit(heightFileUnits: number): LengthUnit {
  let best: LengthUnit = 'm';
  let bestErr = Infinity;
  for (const [u, s] of Object.entries(UNIT_SCALES) as [LengthUnit, number][]) {
    const e = Math.abs(Math.log((heightFileUnits * s) / 1.0));
    if (e < bestErr) { bestErr = e; best = u; }
  }
  return best;
}

/** Max |Δ| over rotation channels between frames a and b, degrees. */
function rotationJump(clip: BvhClip, a: number, b: number): number {
  let m = 0;
  for (const j of clip.joints) {
    j.channels.forEach((c, i) => {
      if (!c.endsWith('rotation')) return;
      const raw = Math.abs(clip.data[a * clip.channelCount + j.channelStart + i]! - clip.data[b * clip.channelCount + j.channelStart + i]!) % 360;
      const d = Math.min(raw, 360 - raw); // an Euler angle wrapping at ±180° is no jump
      if (d > m) m = d;
    });
  }
  return m;
}

/** True when frame 0 looks like a synthetic T-pose (see the module comment). */
export function detectSyntheticFirstFrame(clip: BvhClip): boolean {
  if (clip.frameCount < 3) return false;
  const root = clip.joints[0]!;
  const rootRotZero = root.channels.every((c, i) => !c.endsWith('rotation') || Math.abs(clip.data[root.channelStart + i]!) < 1e-9);
  if (!rootRotZero) return false;
  const first = rotationJump(clip, 0, 1);
  const n = Math.min(clip.frameCount - 1, 2000);
  const jumps: number[] = [];
  for (let f = 1; f < n; f++) jumps.push(rotationJump(clip, f, f + 1));
  jumps.sort((x, y) => x - y);
  const median = jumps[Math.floor(0.5 * (jumps.length - 1))] ?? 0;
  return first > 5 && first > 5 * median;
}

/** Reads the human keypoints of every frame of a parsed BVH clip. */
export function humanFromBvh(clip: BvhClip, options: HumanOptions = {}): HumanMotion {
  const kp = findKeypoints(clip, options);
  const poser = new BvhPoser(clip);
  if (options.frameTimeS !== undefined && !(options.frameTimeS > 0 && Number.isFinite(options.frameTimeS))) {
    throw new Error(`frameTimeS override ${options.frameTimeS} must be a positive number of seconds`);
  }
  const drop = options.dropFirstFrame === undefined || options.dropFirstFrame === 'auto'
    ? detectSyntheticFirstFrame(clip) : options.dropFirstFrame;
  const first = drop ? 1 : 0;
  if (clip.frameCount - first < 1) throw new Error('no frames left after dropping frame 0');
  const poses = samplePoses(poser, first);
  const upInferred = options.upAxis === undefined;
  const upAxis = options.upAxis ?? inferUp(poses, kp);
  const w = worldFromFile(upAxis);
  const height = pelvisHeight(poses, kp, w);
  const unitInferred = options.unit === undefined;
  const unit = options.unit ?? inferUnit(height);
  if (!(height > 0)) throw new Error(`the pelvis is not above the feet along up axis '${upAxis}' (height ${height} file units): wrong upAxis override or not a standing figure`);
  const scale = UNIT_SCALES[unit];
  const frameCount = clip.frameCount - first;
  const K = KEYPOINTS.length;
  const positions = new Float64Array(frameCount * K * 3);
  const idx = KEYPOINTS.map((k) => kp[k]);
  for (let f = 0; f < frameCount; f++) {
    poser.pose(f + first);
    const p = poser.pos;
    for (let k = 0; k < K; k++) {
      const j = idx[k]! * 3;
      const x = p[j]!, y = p[j + 1]!, z = p[j + 2]!;
      const o = (f * K + k) * 3;
      positions[o] = scale * (w[0]! * x + w[1]! * y + w[2]! * z);
      positions[o + 1] = scale * (w[3]! * x + w[4]! * y + w[5]! * z);
      positions[o + 2] = scale * (w[6]! * x + w[7]! * y + w[8]! * z);
    }
  }
  const joints = Object.fromEntries(KEYPOINTS.map((k) => [k, clip.joints[kp[k]]!.name])) as Record<Keypoint, string>;
  return {
    frameCount,
    frameTimeS: options.frameTimeS ?? clip.frameTimeS,
    positions,
    info: { joints, unit, unitInferred, upAxis, upInferred, droppedFirstFrame: drop, pelvisHeightM: height * scale },
  };
}
