/**
 * Live teleoperation input, pure: a stream of human keypoints → kinematic
 * retargeting → the reference player's {@link ReferencePlayer.follow}, with a
 * stale-input watchdog.
 *
 * Message: geometry_msgs/PoseArray, one pose per keypoint in
 * {@link TELEOP_KEYPOINT_ORDER} (16: pelvis, head, left/right shoulder,
 * elbow, wrist, hand tip, hip, knee, foot; the same keypoints a BVH clip
 * gives, ./human.ts). Positions in metres in any right-handed Z-up frame
 * (the heading comes from the hips, so the frame's yaw does not matter);
 * orientations are validated but not used (the hand's direction is wrist →
 * hand tip). `header.stamp` is not used: timing is the receive time.
 *
 * Per message ({@link TeleopInput.onMessage}), in order; a refusal is counted
 * and changes nothing (the reference keeps holding the last accepted pose):
 *   1. ignored unless the player follows a stream (a `teleop` request);
 *   2. zod: the PoseArray shape, strict, exactly 16 finite poses (the error
 *      names the path, e.g. `poses.3.position.x`);
 *   3. every keypoint within `maxReachM` of the pelvis;
 *   4. jump: no keypoint moved more than `maxJumpM` since the previous
 *      accepted message (the first message after `teleop` is not compared);
 *   5. retargeted one frame (warm-started, the retargeter's speed cap over the
 *      time since the previous accepted message), then followed by the player
 *      (a speed-limited glide, every frame checked again when published).
 * Watchdog ({@link TeleopInput.watch}, at the publish rate): while following,
 * no accepted message for more than `staleAfterS` (counted from the `teleop`
 * request when none came yet) → the player stops following, holds, then
 * glides home (`streamLost`); following again needs a new `teleop` request.
 *
 * Latency budget: an accepted message changes the reference the node
 * publishes on its next tick (≤ one publish period, 20 ms at 50 Hz) plus
 * the message handling (validation, retargeting, glide: p50 ≈ 0.25 ms,
 * `motion_teleop_message_*` in `npm run bench -- --only motion`); the pose
 * itself is reached after the speed-limited glide.
 */
import { z } from 'zod';
import { KEYPOINTS, KP } from './human.js';
import type { ReferencePlayer } from './reference-player.js';
import type { Retargeter } from './retarget.js';

/** PoseArray pose order of the teleop stream. */
export const TELEOP_KEYPOINT_ORDER = KEYPOINTS;
const K = KEYPOINTS.length;

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const Xyz = z.object({ x: finite, y: finite, z: finite }).strict();
/** The teleop message: geometry_msgs/PoseArray with exactly one pose per keypoint. */
export const TeleopPoseArraySchema = z.object({
  header: z.object({ stamp: z.object({ sec: z.number().int(), nanosec: z.number().int().min(0).max(999_999_999) }).strict(), frame_id: z.string() }).strict(),
  poses: z.array(z.object({ position: Xyz, orientation: z.object({ x: finite, y: finite, z: finite, w: finite }).strict() }).strict())
    .length(K, `${K} poses expected, one per keypoint in the order ${KEYPOINTS.join(', ')}`),
}).strict();

export const TeleopSettingsSchema = z.object({
  /** No accepted message for longer than this while following → hold, then glide home (counted), s. */
  staleAfterS: finite.positive().default(0.25),
  /** A keypoint that moved more than this since the previous accepted message → the message is refused, m. */
  maxJumpM: finite.positive().default(0.3),
  /** A keypoint farther than this from the pelvis → the message is refused, m. */
  maxReachM: finite.positive().default(2.5),
}).strict();
export type TeleopSettings = z.infer<typeof TeleopSettingsSchema>;

export class TeleopInput {
  /** Counters for diagnostics. */
  readonly stats = { received: 0, accepted: 0, refused: 0, ignored: 0, staleEvents: 0, lastRefusal: '' };
  /** The last accepted pose, player joint order (rad). */
  readonly pose: Float64Array;
  private readonly frame = new Float64Array(K * 3);
  private readonly prevFrame = new Float64Array(K * 3);
  private hasPrev = false;
  private lastAcceptedS = 0;
  private wasFollowing = false;

  constructor(private readonly retargeter: Retargeter, readonly settings: TeleopSettings = TeleopSettingsSchema.parse({})) {
    this.pose = Float64Array.from(retargeter.upperBodyIndex, (i) => retargeter.q[i]!);
  }

  /** Handles one received message at `nowS`; returns why it was refused or ignored (undefined: followed). */
  onMessage(msg: unknown, nowS: number, player: ReferencePlayer): string | undefined {
    this.stats.received++;
    this.noticeStart(nowS, player);
    if (!player.following) { this.stats.ignored++; return "not following a stream (send 'teleop' on the request topic first)"; }
    const why = this.retarget(msg, nowS);
    if (why !== undefined) {
      this.stats.refused++;
      this.stats.lastRefusal = why;
      return why;
    }
    this.stats.accepted++;
    return player.follow(this.pose, nowS);
  }

  /** The watchdog; call at the publish rate before taking the reference. Returns true when it fired now. */
  watch(nowS: number, player: ReferencePlayer): boolean {
    this.noticeStart(nowS, player);
    if (!player.following || nowS - this.lastAcceptedS <= this.settings.staleAfterS) return false;
    this.stats.staleEvents++;
    player.streamLost(nowS);
    this.wasFollowing = false;
    return true;
  }

  /** A new `teleop` request starts a fresh stream: no jump reference, the watchdog counts from now, retargeting restarts warm from the reference. */
  private noticeStart(nowS: number, player: ReferencePlayer): void {
    if (player.following && !this.wasFollowing) {
      this.hasPrev = false;
      this.lastAcceptedS = nowS;
      this.retargeter.reset();
    }
    this.wasFollowing = player.following;
  }

  private retarget(msg: unknown, nowS: number): string | undefined {
    const parsed = TeleopPoseArraySchema.safeParse(msg);
    if (!parsed.success) return `malformed teleop message: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`;
    const f = this.frame, poses = parsed.data.poses;
    for (let k = 0; k < K; k++) {
      const p = poses[k]!.position;
      f[k * 3] = p.x; f[k * 3 + 1] = p.y; f[k * 3 + 2] = p.z;
    }
    const pv = KP.pelvis * 3;
    for (let k = 0; k < K; k++) {
      const d = Math.hypot(f[k * 3]! - f[pv]!, f[k * 3 + 1]! - f[pv + 1]!, f[k * 3 + 2]! - f[pv + 2]!);
      if (d > this.settings.maxReachM) return `${KEYPOINTS[k]} is ${d.toFixed(2)} m from the pelvis (> ${this.settings.maxReachM} m)`;
    }
    if (this.hasPrev) {
      for (let k = 0; k < K; k++) {
        const d = Math.hypot(f[k * 3]! - this.prevFrame[k * 3]!, f[k * 3 + 1]! - this.prevFrame[k * 3 + 1]!, f[k * 3 + 2]! - this.prevFrame[k * 3 + 2]!);
        if (d > this.settings.maxJumpM) return `${KEYPOINTS[k]} jumped ${d.toFixed(2)} m since the previous message (> ${this.settings.maxJumpM} m)`;
      }
    }
    const dt = Math.min(this.settings.staleAfterS, Math.max(1e-3, nowS - this.lastAcceptedS));
    if (this.retargeter.step(f, 0, dt) !== 'ok') return 'retargeting refused the frame';
    const r = this.retargeter;
    for (let j = 0; j < this.pose.length; j++) this.pose[j] = r.q[r.upperBodyIndex[j]!]!;
    this.prevFrame.set(f);
    this.hasPrev = true;
    this.lastAcceptedS = nowS;
    return undefined;
  }
}
