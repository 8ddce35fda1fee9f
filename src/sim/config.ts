/**
 * Configuration of the embedded MuJoCo simulation (MJCF generation and the
 * sim adapter), validated with zod. Units are in each field's comment.
 * Defaults follow docs/sim2sim.md: armature 0.02 kg·m², 1 ms Euler
 * step, floor friction 1.
 */
import { z } from 'zod';
import { keyedRecord } from '../schema/keyed-record.js';
import { nameOrRegexRecord } from '../schema/name-or-regex.js';
import { deepStrict } from '../schema/strict.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const PdGainsSchema = z.object({
  /** Position gain, N·m/rad (N/m for prismatic). */
  kp: finite.nonnegative().describe('Position gain, N·m/rad (N/m for prismatic)'),
  /** Velocity gain, N·m·s/rad. */
  kd: finite.nonnegative().describe('Velocity gain, N·m·s/rad'),
});
export type PdGains = z.infer<typeof PdGainsSchema>;

/** G1-style per-group PD gains (keys are anchored regexes over joint names). */
export const DEFAULT_GAINS: Record<string, PdGains> = {
  '.*_hip_.*': { kp: 100, kd: 2 },
  '.*_knee_.*': { kp: 150, kd: 4 },
  '.*_ankle_.*': { kp: 40, kd: 2 },
  'waist_.*': { kp: 200, kd: 5 },
  '.*_(shoulder|elbow)_.*': { kp: 40, kd: 1 },
  '.*_wrist_.*': { kp: 20, kd: 1 },
};

export const SimConfigSchema = deepStrict(z
  .object({
    /**
     * `fixed`: the root link is welded to the world (at the URDF `world` joint's
     * origin, or at `baseHeightM`); `floating`: a free joint on the root link;
     * `auto`: fixed when the URDF's root link is `world` with a fixed joint to
     * the robot, else floating.
     */
    base: z.enum(['auto', 'fixed', 'floating']).default('auto')
      .describe("`fixed`: the root link is welded to the world (at the URDF `world` joint's origin, or at `baseHeightM`); `floating`: a free joint on the root link; `auto`: fixed when the URDF's root link is `world` with a fixed joint to the robot, else floating"),
    /** Root link start height above the floor, m. Default: the URDF world joint's z, else 0.8. */
    baseHeightM: finite.optional().describe("Root link start height above the floor, m. Default: the URDF world joint's z, else 0.8"),
    /** Physics step, s. */
    timestepS: finite.positive().max(0.01).default(0.001).describe('Physics step, s'),
    /** MuJoCo 2.2.2 integrators (`implicitfast` does not exist in 2.2.2). */
    integrator: z.enum(['Euler', 'implicit', 'RK4']).default('Euler').describe('MuJoCo 2.2.2 integrators (`implicitfast` does not exist in 2.2.2)'),
    /** Gravity in the world frame, m/s². */
    gravity: z.tuple([finite, finite, finite]).default([0, 0, -9.81]).describe('Gravity in the world frame, m/s²'),
    /** PD servo gains by exact joint name or regex; exact names win, then regexes in key order. */
    gains: nameOrRegexRecord(PdGainsSchema).prefault(DEFAULT_GAINS)
      .describe('PD servo gains by exact joint name or regex; exact names win, then regexes in key order'),
    /** Gains of joints no `gains` key matches. */
    defaultGains: PdGainsSchema.default({ kp: 50, kd: 1 }),
    armature: z
      .object({
        /** Armature (reflected rotor inertia) of every joint, kg·m². */
        defaultKgM2: finite.nonnegative().default(0.02).describe('Armature (reflected rotor inertia) of every joint, kg·m²'),
        /** Per joint by exact name or regex, kg·m². */
        perJoint: nameOrRegexRecord(finite.nonnegative()).default({}).describe('Per joint by exact name or regex, kg·m²'),
      })
      .prefault({}),
    /** Initial joint positions by exact joint name, rad (others start at 0); also the servo's initial target. */
    initialPose: keyedRecord(z.string().min(1), finite).default({})
      .describe("Initial joint positions by exact joint name, rad (others start at 0); also the servo's initial target"),
    /** Link carrying the IMU site. Default: `imu_in_pelvis` if present, else `pelvis`, else the root link. */
    imuLink: z.string().min(1).optional().describe('Link carrying the IMU site. Default: `imu_in_pelvis` if present, else `pelvis`, else the root link'),
    /** Mesh collision geoms: include those whose file resolved, or skip all meshes (primitives only). */
    meshes: z.enum(['include', 'skip']).default('include')
      .describe('Mesh collision geoms: include those whose file resolved, or skip all meshes (primitives only)'),
    /**
     * Links whose only collision geometry is absent mesh files: `fit_box` gives each a box fitted to
     * its mass and inertia (with a warning naming them); `none` leaves them without collision.
     */
    missingMeshCollision: z.enum(['fit_box', 'none']).default('fit_box')
      .describe('Links whose only collision geometry is absent mesh files: `fit_box` gives each a box fitted to its mass and inertia (with a warning naming them); `none` leaves them without collision'),
    /** Robot–robot contacts (parent–child pairs are always excluded by MuJoCo). Off: robot geoms touch only the floor. */
    selfCollision: z.boolean().default(false)
      .describe('Robot–robot contacts (parent–child pairs are always excluded by MuJoCo). Off: robot geoms touch only the floor'),
    /** Sliding friction of the floor (MuJoCo takes the max of the two geoms). */
    floorFriction: finite.positive().default(1).describe('Sliding friction of the floor (MuJoCo takes the max of the two geoms)'),
    /**
     * Sliding friction of every contact (floor and robot geoms alike), overriding `floorFriction`; unset:
     * robot geoms keep MuJoCo's default 1, so a floor friction below 1 has no effect (MuJoCo takes the max).
     */
    contactFriction: finite.positive().optional()
      .describe("Sliding friction of every contact (floor and robot geoms alike), overriding `floorFriction`; unset: robot geoms keep MuJoCo's default 1, so a floor friction below 1 has no effect (MuJoCo takes the max)"),
    /** MuJoCo 2.2.2 preallocation: constraint rows. */
    njmax: z.number().int().positive().default(1000).describe('MuJoCo 2.2.2 preallocation: constraint rows'),
    /** MuJoCo 2.2.2 preallocation: contacts. */
    nconmax: z.number().int().positive().default(300).describe('MuJoCo 2.2.2 preallocation: contacts'),
  })
  .superRefine((c, ctx) => {
    if (c.integrator === 'Euler' && c.timestepS > 0.002) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestepS'],
        message: `explicit PD with the Euler integrator needs timestepS <= 0.002 (got ${c.timestepS}); use a smaller step or integrator 'implicit'`,
      });
    }
  }));
export type SimConfig = z.infer<typeof SimConfigSchema>;
export type SimConfigInput = z.input<typeof SimConfigSchema>;

/** Value for a joint from a name-or-regex record: exact key first, then the first regex that matches the whole name. */
export function lookupByNameOrRegex<T>(rec: Readonly<Record<string, T>>, name: string): T | undefined {
  if (Object.prototype.hasOwnProperty.call(rec, name)) return rec[name];
  for (const [key, value] of Object.entries(rec)) {
    if (new RegExp(`^(?:${key})$`).test(name)) return value;
  }
  return undefined;
}

export function gainsFor(config: SimConfig, joint: string): PdGains {
  return lookupByNameOrRegex(config.gains, joint) ?? config.defaultGains;
}

/**
 * The servo gains of the given joints, by name: what the sim's servos use, and so what the
 * shield's effort stage must model (the one place a run keeps the robot's gains).
 */
export function servoGainsByJoint(config: SimConfig, joints: readonly string[]): Record<string, PdGains> {
  return Object.fromEntries(joints.map((j) => [j, gainsFor(config, j)]));
}

export function armatureFor(config: SimConfig, joint: string): number {
  return lookupByNameOrRegex(config.armature.perJoint, joint) ?? config.armature.defaultKgM2;
}
