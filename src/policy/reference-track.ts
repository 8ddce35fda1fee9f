/**
 * Reference chunks from a topic (`reference.source: topic`): the contract a
 * motion publisher follows on `topics.reference` (default `/motion/reference`),
 * one trajectory_msgs/JointTrajectory per chunk:
 *
 * - `joint_names`: every policy joint (any order, extra joints ignored), plus,
 *   when the policy compares anchor orientations, the root pseudo-joints
 *   {@link ROOT_NAMES} (`root_pos_x`, `root_pos_y`, `root_pos_z` in m,
 *   `root_quat_x`, `root_quat_y`, `root_quat_z`, `root_quat_w`: the reference
 *   root pose in the world, quaternion x, y, z, w).
 * - `points[k].positions`: one value per name (rad for joints); `velocities`:
 *   empty (forward differences between points are used, 0 for a single
 *   point) or one per name (rad/s; root entries ignored);
 *   `time_from_start`: non-decreasing, relative to `header.stamp`.
 * - `header.stamp`: the node-clock time of `time_from_start = 0`; a zero
 *   stamp means "when received".
 * A new chunk replaces the previous one. At each policy tick the chunk is
 * sampled at the node time (linear interpolation, quaternion slerp; held at
 * its first and last points). A chunk that breaks the contract is rejected
 * whole and counted; the previous one stays.
 */
import { JointStateReader } from './joint-map.js';
import { sampleFrames, type ReferenceFrame } from './reference.js';

/** Root pseudo-joint names of a reference chunk (position m, quaternion x, y, z, w). */
export const ROOT_NAMES = ['root_pos_x', 'root_pos_y', 'root_pos_z', 'root_quat_x', 'root_quat_y', 'root_quat_z', 'root_quat_w'] as const;

/** The message fields a chunk is read from (trajectory_msgs/JointTrajectory fits). */
export interface ReferenceChunk {
  header: { stamp: { sec: number; nanosec: number } };
  joint_names: readonly string[];
  points: readonly { positions: ArrayLike<number>; velocities: ArrayLike<number>; time_from_start: { sec: number; nanosec: number } }[];
}

export type ChunkRejection = 'too_many_points' | 'missing_joint' | 'missing_root' | 'bad_lengths' | 'non_finite' | 'time_not_increasing' | null;

export class ReferenceTrack {
  /** Why the last rejected chunk was rejected (null: last chunk accepted). */
  lastRejection: ChunkRejection = null;
  rejected = 0;
  accepted = 0;
  private readonly n: number;
  private readonly joints: JointStateReader;
  private readonly root: JointStateReader;
  private readonly times: Float64Array;
  private readonly buf: { fps: number; frames: number; rootPos: Float64Array; rootQuatXyzw: Float64Array; jointPos: Float64Array; jointVel: Float64Array };
  private readonly rootScratch = new Float64Array(7);
  private readonly frame: ReferenceFrame;
  /** The accepted chunk, maxPoints × width each. */
  private readonly store: { jointPos: Float64Array; jointVel: Float64Array; rootPos: Float64Array; rootQuatXyzw: Float64Array };
  private count = 0;
  private t0 = 0;
  private readonly at = new Float64Array(1);

  constructor(policyJoints: readonly string[], readonly maxPoints: number, private readonly needsRoot: boolean) {
    this.n = policyJoints.length;
    this.joints = new JointStateReader(policyJoints);
    this.root = new JointStateReader(ROOT_NAMES);
    this.times = new Float64Array(maxPoints);
    this.buf = {
      fps: 1,
      frames: 2,
      rootPos: new Float64Array(6),
      rootQuatXyzw: new Float64Array(8),
      jointPos: new Float64Array(2 * this.n),
      jointVel: new Float64Array(2 * this.n),
    };
    this.frame = { jointPos: new Float64Array(this.n), jointVel: new Float64Array(this.n), rootPos: new Float64Array(3), rootQuatXyzw: new Float64Array(4) };
    this.store = {
      jointPos: new Float64Array(maxPoints * this.n),
      jointVel: new Float64Array(maxPoints * this.n),
      rootPos: new Float64Array(maxPoints * 3),
      rootQuatXyzw: new Float64Array(maxPoints * 4),
    };
  }

  /** True once a chunk was accepted. */
  get ready(): boolean {
    return this.count > 0;
  }

  /** Takes a chunk received at node time `nowS`; false (counted, `lastRejection`) when it breaks the contract. */
  accept(m: ReferenceChunk, nowS: number): boolean {
    const r = this.check(m);
    if (r !== null) {
      this.lastRejection = r;
      this.rejected++;
      return false;
    }
    const n = this.n;
    const pts = m.points;
    const haveRoot = this.root.accept(m.joint_names);
    const st = this.store;
    const stamp = m.header.stamp.sec + m.header.stamp.nanosec * 1e-9;
    this.t0 = stamp === 0 ? nowS : stamp;
    for (let k = 0; k < pts.length; k++) {
      const p = pts[k]!;
      this.times[k] = p.time_from_start.sec + p.time_from_start.nanosec * 1e-9;
      this.joints.gather(p.positions, this.frame.jointPos);
      st.jointPos.set(this.frame.jointPos, k * n);
      if (haveRoot) {
        this.root.gather(p.positions, this.rootScratch);
        for (let i = 0; i < 3; i++) st.rootPos[3 * k + i] = this.rootScratch[i]!;
        const qn = Math.hypot(this.rootScratch[3]!, this.rootScratch[4]!, this.rootScratch[5]!, this.rootScratch[6]!);
        for (let i = 0; i < 4; i++) st.rootQuatXyzw[4 * k + i] = this.rootScratch[3 + i]! / qn;
      } else {
        st.rootPos.fill(0, 3 * k, 3 * k + 3);
        st.rootQuatXyzw.fill(0, 4 * k, 4 * k + 3);
        st.rootQuatXyzw[4 * k + 3] = 1;
      }
      if (p.velocities.length > 0) {
        this.joints.gather(p.velocities, this.frame.jointVel);
        st.jointVel.set(this.frame.jointVel, k * n);
      }
    }
    if (pts[0]!.velocities.length === 0) {
      for (let k = 0; k < pts.length; k++) {
        const a = k < pts.length - 1 ? k : k - 1;
        const dt = a < 0 ? 0 : this.times[a + 1]! - this.times[a]!;
        for (let j = 0; j < n; j++) st.jointVel[k * n + j] = dt > 0 ? (st.jointPos[(a + 1) * n + j]! - st.jointPos[a * n + j]!) / dt : 0;
      }
    }
    this.count = pts.length;
    this.lastRejection = null;
    this.accepted++;
    return true;
  }

  /** Samples the current chunk at the node time `now[0]` s into `out` (call only when `ready`; a slot, not a float argument, so nothing is boxed). */
  sample(now: Float64Array, out: ReferenceFrame): void {
    const rel = now[0]! - this.t0;
    const times = this.times;
    const last = this.count - 1;
    let i = 0;
    while (i < last && times[i + 1]! <= rel) i++;
    const i1 = i < last ? i + 1 : i;
    const span = times[i1]! - times[i]!;
    const a = span > 0 ? Math.min(Math.max((rel - times[i]!) / span, 0), 1) : 0;
    // two-frame view (fps 1, frames i and i1) for the shared interpolation
    const b = this.buf;
    const st = this.store;
    const n = this.n;
    for (let j = 0; j < n; j++) {
      b.jointPos[j] = st.jointPos[i * n + j]!;
      b.jointPos[n + j] = st.jointPos[i1 * n + j]!;
      b.jointVel[j] = st.jointVel[i * n + j]!;
      b.jointVel[n + j] = st.jointVel[i1 * n + j]!;
    }
    for (let k = 0; k < 3; k++) {
      b.rootPos[k] = st.rootPos[3 * i + k]!;
      b.rootPos[3 + k] = st.rootPos[3 * i1 + k]!;
    }
    for (let k = 0; k < 4; k++) {
      b.rootQuatXyzw[k] = st.rootQuatXyzw[4 * i + k]!;
      b.rootQuatXyzw[4 + k] = st.rootQuatXyzw[4 * i1 + k]!;
    }
    this.at[0] = a;
    sampleFrames(b, this.at, out);
  }

  private check(m: ReferenceChunk): ChunkRejection {
    const pts = m.points;
    const names = m.joint_names.length;
    if (pts.length === 0) return 'bad_lengths';
    if (pts.length > this.maxPoints) return 'too_many_points';
    if (!this.joints.accept(m.joint_names)) return 'missing_joint';
    const haveRoot = this.root.accept(m.joint_names);
    if (this.needsRoot && !haveRoot) return 'missing_root';
    const withVel = pts[0]!.velocities.length > 0;
    let prev = -Infinity;
    for (let k = 0; k < pts.length; k++) {
      const p = pts[k]!;
      if (p.positions.length !== names || p.velocities.length !== (withVel ? names : 0)) return 'bad_lengths';
      for (let i = 0; i < names; i++) {
        if (!Number.isFinite(p.positions[i]!) || (withVel && !Number.isFinite(p.velocities[i]!))) return 'non_finite';
      }
      const t = p.time_from_start.sec + p.time_from_start.nanosec * 1e-9;
      if (!(t >= prev)) return 'time_not_increasing';
      prev = t;
    }
    if (haveRoot) {
      for (let k = 0; k < pts.length; k++) {
        this.root.gather(pts[k]!.positions, this.rootScratch);
        const qn = Math.hypot(this.rootScratch[3]!, this.rootScratch[4]!, this.rootScratch[5]!, this.rootScratch[6]!);
        if (!(Math.abs(qn - 1) < 0.1)) return 'non_finite';
      }
    }
    return null;
  }
}
