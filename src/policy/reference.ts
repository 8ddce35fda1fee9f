/**
 * Reference motions for motion-tracking policies (pure core: text and
 * numbers in, typed arrays out; file reading is src/io/reference-motion-file.ts).
 *
 * Where a policy's reference comes from is the config's `reference.source`:
 * - `model_outputs` (holosoma whole-body tracking): the model outputs the
 *   reference itself (`extraOutputs` routed by name); before policy step 0 the
 *   model is called once with time_step 0 (a priming call, its action
 *   discarded); the observation at step k uses the outputs of the previous
 *   call, and the call at step k is fed time_step k + 1.
 * - `file` (mimic / BeyondMimic style): a CSV motion, one row per frame:
 *   root position x, y, z (m), root quaternion x, y, z, w, then joint angles
 *   (rad) in the file's joint order (`jointNames`, default the robot's motor
 *   order), at `fps`; played from `startS` to `endS` (held at the end),
 *   sampled at the policy time (linear interpolation, quaternion slerp);
 *   joint velocities are forward differences at the file's rate
 *   ((q[i+1] − q[i])·fps; the last frame repeats the one before), interpolated
 *   the same way.
 * - `topic`: chunks of trajectory_msgs/JointTrajectory on `topics.reference`
 *   (contract in {@link ReferenceChunk} and docs/reference-motion.md).
 *
 * Anchor orientation (`reference_anchor_ori6d` terms: holosoma
 * motion_ref_ori_b, mimic motion_anchor_ori_b) compares the robot's
 * `anchorBody` (forward kinematics on the robot model from the IMU
 * orientation and the joint state) with the reference's (forward kinematics
 * of the reference pose, or the model's reference quaternion), after the
 * `startYaw` alignment: at policy step 0 the yaw difference between the
 * robot and the reference (of their roots or of their anchors) is taken out
 * of the reference (the same as removing each one's own starting yaw).
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

const referenceBase = {
  /** Link whose orientation the reference_anchor_ori6d terms compare (e.g. torso_link); needs the robot model. */
  anchorBody: z.string().min(1).optional()
    .describe('Link whose orientation the reference_anchor_ori6d terms compare (e.g. torso_link); needs the robot model'),
  /** Yaw alignment at policy step 0: root (IMU base vs reference root), anchor (robot anchor vs reference anchor) or none. */
  startYaw: z.enum(['root', 'anchor', 'none']).default('root')
    .describe('Yaw alignment at policy step 0: root (IMU base vs reference root), anchor (robot anchor vs reference anchor) or none'),
};

export const ReferenceConfigSchema = z.discriminatedUnion('source', [
  z.object({ ...referenceBase, source: z.literal('model_outputs') }).strict(),
  z.object({
    ...referenceBase,
    source: z.literal('file'),
    /** CSV motion file (absolute, or relative to the folder of the config file that names it). */
    path: z.string().min(1).describe('CSV motion file (absolute, or relative to the folder of the config file that names it)'),
    /** Frames per second of the file. */
    fps: finite.positive().max(10000).describe('Frames per second of the file'),
    /** File time played at policy step 0, s. */
    startS: finite.nonnegative().default(0).describe('File time played at policy step 0, s'),
    /** File time where playback stops and the last pose is held, s (default: the end of the file). */
    endS: finite.positive().optional().describe('File time where playback stops and the last pose is held, s (default: the end of the file)'),
    /** Names of the file's joint columns, in order (default: the robot's motor order). */
    jointNames: z.array(z.string().min(1)).min(1).optional().describe("Names of the file's joint columns, in order (default: the robot's motor order)"),
  }).strict(),
  z.object({
    ...referenceBase,
    source: z.literal('topic'),
    /** Most points one chunk may carry (buffers are allocated once). */
    maxPoints: z.number().int().min(1).max(100000).default(1000).describe('Most points one chunk may carry (buffers are allocated once)'),
  }).strict(),
]);
export type ReferenceConfig = z.infer<typeof ReferenceConfigSchema>;

/** A whole reference motion, policy joint order, at the file's rate. */
export interface ReferenceMotion {
  fps: number;
  frames: number;
  /** frames × 3, m. */
  rootPos: Float64Array;
  /** frames × 4, x, y, z, w (unit). */
  rootQuatXyzw: Float64Array;
  /** frames × n, rad, policy joint order. */
  jointPos: Float64Array;
  /** frames × n, rad/s, forward differences at the file's rate. */
  jointVel: Float64Array;
}

export class ReferenceMotionError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid reference motion:\n  - ${problems.slice(0, 20).join('\n  - ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
    this.name = 'ReferenceMotionError';
  }
}

/**
 * Parses CSV text (comma-separated numbers, one frame per line; blank lines
 * and lines starting with '#' skipped; no header) into a motion in the
 * policy's joint order. `fileJoints`: the names of the joint columns.
 */
export function parseReferenceCsv(text: string, fps: number, fileJoints: readonly string[], policyJoints: readonly string[]): ReferenceMotion {
  const problems: string[] = [];
  const cols = 7 + fileJoints.length;
  const fromFile = policyJoints.map((name) => fileJoints.indexOf(name));
  fromFile.forEach((c, j) => {
    if (c < 0) problems.push(`policy joint '${policyJoints[j]}' is not among the file's joint columns`);
  });
  const rows: number[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const v = t.split(',').map((s) => Number(s.trim()));
    if (v.length !== cols) problems.push(`line ${i + 1}: ${v.length} values, expected ${cols} (root xyz, root quaternion xyzw, ${fileJoints.length} joints)`);
    else if (v.some((x) => !Number.isFinite(x))) problems.push(`line ${i + 1}: a value is not a finite number`);
    else {
      const qn = Math.hypot(v[3]!, v[4]!, v[5]!, v[6]!);
      if (Math.abs(qn - 1) > 0.1) problems.push(`line ${i + 1}: root quaternion norm ${qn.toFixed(3)} is not 1`);
      rows.push(v);
    }
  });
  if (rows.length === 0 && problems.length === 0) problems.push('no frames');
  if (problems.length > 0) throw new ReferenceMotionError(problems);
  const n = policyJoints.length;
  const f = rows.length;
  const m: ReferenceMotion = {
    fps,
    frames: f,
    rootPos: new Float64Array(3 * f),
    rootQuatXyzw: new Float64Array(4 * f),
    jointPos: new Float64Array(n * f),
    jointVel: new Float64Array(n * f),
  };
  rows.forEach((r, i) => {
    m.rootPos.set(r.slice(0, 3), 3 * i);
    const qn = Math.hypot(r[3]!, r[4]!, r[5]!, r[6]!);
    for (let k = 0; k < 4; k++) m.rootQuatXyzw[4 * i + k] = r[3 + k]! / qn;
    for (let j = 0; j < n; j++) m.jointPos[n * i + j] = r[7 + fromFile[j]!]!;
  });
  for (let i = 0; i < f; i++) {
    const a = i < f - 1 ? i : i - 1; // the last frame repeats the one before
    for (let j = 0; j < n; j++) m.jointVel[n * i + j] = a < 0 ? 0 : (m.jointPos[n * (a + 1) + j]! - m.jointPos[n * a + j]!) * fps;
  }
  return m;
}

/** One reference pose (policy joint order), written by the samplers. */
export interface ReferenceFrame {
  jointPos: Float64Array;
  jointVel: Float64Array;
  rootPos: Float64Array;
  rootQuatXyzw: Float64Array;
}

/**
 * Samples `frames` evenly spaced poses (rate `fps`, first at time 0) at the
 * time `at[0]` s into `out`: linear interpolation, quaternion slerp (shorter
 * arc), clamped to the first and last frames. Allocates nothing (the time
 * comes in a typed-array slot: V8 boxes a float argument of a call it does
 * not inline).
 */
export function sampleFrames(
  m: { fps: number; frames: number; rootPos: Float64Array; rootQuatXyzw: Float64Array; jointPos: Float64Array; jointVel: Float64Array },
  at: Float64Array,
  out: ReferenceFrame,
): void {
  const x = Math.min(Math.max(at[0]! * m.fps, 0), m.frames - 1);
  const i = Math.min(Math.floor(x), m.frames - 1);
  const i1 = Math.min(i + 1, m.frames - 1);
  const a = x - i;
  const b = 1 - a;
  for (let k = 0; k < 3; k++) out.rootPos[k] = m.rootPos[3 * i + k]! * b + m.rootPos[3 * i1 + k]! * a;
  const n = out.jointPos.length;
  for (let k = 0; k < n; k++) {
    out.jointPos[k] = m.jointPos[n * i + k]! * b + m.jointPos[n * i1 + k]! * a;
    out.jointVel[k] = m.jointVel[n * i + k]! * b + m.jointVel[n * i1 + k]! * a;
  }
  // slerp of the root quaternions
  const p = m.rootQuatXyzw, po = 4 * i, qo = 4 * i1, q = out.rootQuatXyzw;
  let dot = p[po]! * p[qo]! + p[po + 1]! * p[qo + 1]! + p[po + 2]! * p[qo + 2]! + p[po + 3]! * p[qo + 3]!;
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let s0 = b, s1 = a;
  if (dot < 0.9995) {
    const th = Math.acos(dot);
    const st = Math.sin(th);
    s0 = Math.sin(b * th) / st;
    s1 = Math.sin(a * th) / st;
  }
  s1 *= sign;
  let nn = 0;
  for (let k = 0; k < 4; k++) {
    const v = s0 * p[po + k]! + s1 * p[qo + k]!;
    q[k] = v;
    nn += v * v;
  }
  nn = 1 / Math.sqrt(nn);
  for (let k = 0; k < 4; k++) q[k] = q[k]! * nn;
}

/** Yaw (rotation about world z) of a quaternion x, y, z, w, rad. */
export function yawOfXyzw(q: ArrayLike<number>): number {
  const x = q[0]!, y = q[1]!, z = q[2]!, w = q[3]!;
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

/** Writes the quaternion (x, y, z, w) of a rotation by `yaw` rad about world z into out[0..4]. */
export function yawQuatXyzw(yaw: number, out: Float64Array): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = Math.sin(yaw / 2);
  out[3] = Math.cos(yaw / 2);
}

/** out = a ⊗ b (quaternions x, y, z, w); out may be b. */
export function quatMulXyzw(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array): void {
  const ax = a[0]!, ay = a[1]!, az = a[2]!, aw = a[3]!;
  const bx = b[0]!, by = b[1]!, bz = b[2]!, bw = b[3]!;
  out[0] = aw * bx + ax * bw + ay * bz - az * by;
  out[1] = aw * by - ax * bz + ay * bw + az * bx;
  out[2] = aw * bz + ax * by - ay * bx + az * bw;
  out[3] = aw * bw - ax * bx - ay * by - az * bz;
}

/**
 * Where a model's extra output goes (`extraOutputs[].target`), with its width:
 * reference_joint_pos / reference_joint_vel n (policy order), reference_root_pos 3 (m),
 * reference_anchor_quat_xyzw 4 (the reference anchor body's world orientation, x, y, z, w).
 */
export const EXTRA_OUTPUT_TARGETS = ['reference_joint_pos', 'reference_joint_vel', 'reference_root_pos', 'reference_anchor_quat_xyzw'] as const;
export type ExtraOutputTarget = (typeof EXTRA_OUTPUT_TARGETS)[number];

/** Width of an extra output routed to `target` for `nJoints` policy joints. */
export function extraOutputWidth(target: ExtraOutputTarget, nJoints: number): number {
  return target === 'reference_root_pos' ? 3 : target === 'reference_anchor_quat_xyzw' ? 4 : nJoints;
}

/** Cross-field checks of the reference section against the observation and the model I/O (every problem, by path). */
export function checkReferenceConfig(
  reference: ReferenceConfig | undefined,
  terms: readonly { name: string; source: string }[],
  extraOutputs: readonly { name: string; target: ExtraOutputTarget }[],
): string[] {
  const problems: string[] = [];
  // a reference_anchor_ori6d term without reference.anchorBody is refused where the policy starts (unfedTerms), naming the term
  if (reference?.anchorBody && !terms.some((t) => t.source === 'reference_anchor_ori6d')) {
    problems.push('reference.anchorBody: no observation term reads the anchor orientation (reference_anchor_ori6d)');
  }
  if (reference?.source === 'model_outputs') {
    if (extraOutputs.length === 0) problems.push('reference: source model_outputs needs extraOutputs routing the model\'s reference outputs');
    if (reference.anchorBody && !extraOutputs.some((e) => e.target === 'reference_anchor_quat_xyzw')) {
      problems.push('reference: source model_outputs with an anchorBody needs an extra output routed to reference_anchor_quat_xyzw');
    }
    if (reference.anchorBody && reference.startYaw === 'root') {
      problems.push("reference.startYaw: source model_outputs gives no reference root orientation; use 'anchor' (holosoma) or 'none'");
    }
  } else if (extraOutputs.length > 0 && reference !== undefined) {
    problems.push(`extraOutputs: model reference outputs are routed but reference.source is '${reference.source}' (use model_outputs)`);
  }
  return problems;
}
