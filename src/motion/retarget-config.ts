/**
 * The per-robot retargeting map: which URDF joints and links play the human's
 * torso and arms, and the IK settings. Names only (no geometry): lengths,
 * axes and zero poses come from the URDF through forward kinematics, so a
 * map survives URDF changes that keep the names.
 */
import { z } from 'zod';

const name = z.string().min(1);

export const ArmMapSchema = z.object({
  /** Arm joints from the torso outwards (shoulder … wrist). */
  joints: z.array(name).min(2),
  /** Link whose origin is the robot's shoulder centre (upper-arm root). */
  shoulderLink: name,
  /** Link whose origin is the elbow. */
  elbowLink: name,
  /** Link whose origin is the wrist centre (the wrist position target). */
  wristLink: name,
  /** Link out along the hand; wrist → this link is the hand's pointing direction. */
  handLink: name,
}).strict();
export type ArmMap = z.infer<typeof ArmMapSchema>;

export const IkSettingsSchema = z.object({
  /** DLS iterations per frame (warm-started from the previous frame). */
  iterations: z.number().int().min(1).max(100).default(12),
  /** Damping λ of the damped least squares, in the units of the weighted task rows (m). */
  damping: z.number().positive().default(0.02),
  /** Weight of the elbow position rows relative to the wrist's (1). */
  elbowWeight: z.number().nonnegative().default(0.3),
  /** Weight of the hand-direction rows (rad, relative to 1 m of wrist error). */
  handWeight: z.number().nonnegative().default(0.05),
  /** Weight pulling each joint toward the default pose (per rad). */
  postureWeight: z.number().nonnegative().default(0.01),
  /** Every output joint stays at least this far inside its URDF limits, rad. */
  limitMarginRad: z.number().nonnegative().default(0.02),
  /** Width of the smooth saturation band inside each (margined) limit, rad. */
  saturationBandRad: z.number().positive().default(0.15),
  /** Joint speed cap, rad/s (the URDF velocity limit applies too). */
  maxVelocityRadS: z.number().positive().default(4),
}).strict();
export type IkSettings = z.infer<typeof IkSettingsSchema>;

export const RetargetMapSchema = z.object({
  /** The robot this map is written for (informational; every joint and link name is checked against the URDF). */
  robot: name,
  /** Link that plays the human pelvis frame (x forward, y left, z up). */
  pelvisLink: name,
  /** Torso: the link that plays the human chest, and the waist joints that turn it (pelvis outwards). */
  torso: z.object({ link: name, joints: z.array(name).min(1) }).strict(),
  arms: z.object({ left: ArmMapSchema, right: ArmMapSchema }).strict(),
  /** Head link (the head point of the visual features); the torso link when absent. */
  headLink: name.optional(),
  /** Default pose by joint name, rad (missing: 0, clamped inside the limits). The reference glides here when input fails. */
  defaultPose: z.record(z.string(), z.number()).default({}),
  ik: IkSettingsSchema.prefault({}),
}).strict();
export type RetargetMap = z.infer<typeof RetargetMapSchema>;
export type RetargetMapInput = z.input<typeof RetargetMapSchema>;
