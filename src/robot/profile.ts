/**
 * Robot profile: the small validated file that says what a robot is beyond
 * its URDF — the motor (SDK) order that deploy files index, the IMU link,
 * the base, the feet, the fall height, the servo gains and armature, and the
 * shield profile. The one place a robot's gains live: a run that names a
 * profile drives the sim servos and the shield's effort stage from them.
 *
 * Pure: data in, problems out. Paths are relative to the profile file
 * (resolved by the loader in src/io).
 */
import { z } from 'zod';
import { keyedRecord } from '../schema/keyed-record.js';
import { nameOrRegexRecord } from '../schema/name-or-regex.js';
import { actuatedJoints, type RobotModel } from './model.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const ProfileGainsSchema = z
  .object({
    /** Position gain, N·m/rad. */
    kp: finite.nonnegative().describe('Position gain, N·m/rad'),
    /** Velocity gain, N·m·s/rad. */
    kd: finite.nonnegative().describe('Velocity gain, N·m·s/rad'),
  })
  .strict();
export type ProfileGains = z.infer<typeof ProfileGainsSchema>;

export const RobotProfileSchema = z
  .object({
    /** Robot name (messages, generated setups). */
    name: z.string().min(1).describe('Robot name (messages, generated setups)'),
    /** URDF file, relative to this profile; omit it for a description that lives elsewhere (then give it with --urdf). */
    urdf: z.string().min(1).optional().describe('URDF file, relative to this profile; omit it for a description that lives elsewhere (then give it with --urdf)'),
    /** `package://name/...` → folder (relative to this profile), for mesh paths. */
    packageDirs: z.record(z.string(), z.string()).default({}).describe('`package://name/...` → folder (relative to this profile), for mesh paths'),
    /**
     * The robot's motor (SDK) order by joint name: what deploy files' indices
     * (unitree `joint_ids_map`, stiffness/damping lists) refer to. Never assumed
     * to be the URDF's joint order (on the Go2 and H1 it is not).
     */
    motorOrder: z.array(z.string().min(1)).min(1)
      .describe("The robot's motor (SDK) order by joint name: what deploy files' indices (unitree joint_ids_map, stiffness/damping lists) refer to. Never assumed to be the URDF's joint order"),
    /** Link carrying the IMU (the base's angular velocity and orientation). */
    imuLink: z.string().min(1).describe("Link carrying the IMU (the base's angular velocity and orientation)"),
    /** `floating` (a free base: legged robots) or `fixed` (welded at baseHeightM). */
    base: z.enum(['floating', 'fixed']).describe('`floating` (a free base: legged robots) or `fixed` (welded at baseHeightM)'),
    /** Root link start height above the floor, m. */
    baseHeightM: finite.positive().describe('Root link start height above the floor, m'),
    /** Links that touch the ground when standing. */
    feet: z.array(z.string().min(1)).min(1).describe('Links that touch the ground when standing'),
    /** Root link below this height counts as a fall, m. */
    fallHeightM: finite.positive().describe('Root link below this height counts as a fall, m'),
    /** Servo PD gains by exact joint name or anchored regex; every actuated joint must be matched. */
    gains: nameOrRegexRecord(ProfileGainsSchema).describe('Servo PD gains by exact joint name or anchored regex; every actuated joint must be matched'),
    armature: z
      .object({
        /** Armature (reflected rotor inertia) of every joint, kg·m². */
        defaultKgM2: finite.nonnegative().describe('Armature (reflected rotor inertia) of every joint, kg·m²'),
        /** Per joint by exact name or regex, kg·m². */
        perJoint: nameOrRegexRecord(finite.nonnegative()).default({}).describe('Per joint by exact name or regex, kg·m²'),
      })
      .strict(),
    /** Standing pose by joint name, rad (unlisted joints 0): the start pose when no policy gives one. */
    standPose: keyedRecord(z.string().min(1), finite).default({}).describe('Standing pose by joint name, rad (unlisted joints 0): the start pose when no policy gives one'),
    /** Shield profile (ShieldNodeConfig YAML), relative to this profile. */
    shield: z.string().min(1).describe('Shield profile (ShieldNodeConfig YAML), relative to this profile'),
  })
  .strict();
export type RobotProfile = z.infer<typeof RobotProfileSchema>;
export type RobotProfileInput = z.input<typeof RobotProfileSchema>;

/** Value for a joint from a name-or-regex record: exact key first, then the first regex matching the whole name. */
export function lookupJointValue<T>(rec: Readonly<Record<string, T>>, name: string): T | undefined {
  if (Object.prototype.hasOwnProperty.call(rec, name)) return rec[name];
  for (const [key, value] of Object.entries(rec)) if (new RegExp(`^(?:${key})$`).test(name)) return value;
  return undefined;
}

/** The profile's gains for each of `joints` (exact names), or undefined for a joint no key matches. */
export function profileGains(profile: RobotProfile, joints: readonly string[]): Record<string, ProfileGains | undefined> {
  return Object.fromEntries(joints.map((j) => [j, lookupJointValue(profile.gains, j)]));
}

/** Cross-checks a profile against the robot's URDF model; every problem, by field. */
export function profileProblems(profile: RobotProfile, model: RobotModel): string[] {
  const problems: string[] = [];
  const actuated = actuatedJoints(model).map((j) => j.name);
  const actuatedSet = new Set(actuated);
  const links = new Set(model.links.map((l) => l.name));
  const seen = new Set<string>();
  profile.motorOrder.forEach((name, i) => {
    if (!actuatedSet.has(name)) problems.push(`motorOrder.${i}: '${name}' is not an actuated joint of URDF '${model.name}'`);
    if (seen.has(name)) problems.push(`motorOrder.${i}: '${name}' appears twice`);
    seen.add(name);
  });
  const missing = actuated.filter((n) => !seen.has(n));
  if (missing.length > 0) problems.push(`motorOrder: the URDF's actuated joints ${missing.map((n) => `'${n}'`).join(', ')} have no motor index`);
  if (!links.has(profile.imuLink)) problems.push(`imuLink: '${profile.imuLink}' is not a link of URDF '${model.name}'`);
  profile.feet.forEach((f, i) => {
    if (!links.has(f)) problems.push(`feet.${i}: '${f}' is not a link of URDF '${model.name}'`);
  });
  for (const j of actuated) if (lookupJointValue(profile.gains, j) === undefined) problems.push(`gains: no key matches actuated joint '${j}'`);
  for (const key of Object.keys(profile.gains)) {
    if (!actuated.some((j) => j === key || new RegExp(`^(?:${key})$`).test(j))) problems.push(`gains.${key}: matches no actuated joint`);
  }
  for (const key of Object.keys(profile.standPose)) if (!actuatedSet.has(key)) problems.push(`standPose.${key}: not an actuated joint`);
  return problems;
}
