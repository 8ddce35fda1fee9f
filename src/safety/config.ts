/**
 * The shield's configuration: one zod schema, every field with its unit and
 * default. Cross-field checks that need the robot (tightening only, margins
 * that leave a range) live in `./limits.ts` and report every problem by path.
 *
 * Limits are stated in joint units: rad for revolute joints (m for prismatic);
 * the `Rad` suffix then reads as "rad or m".
 */
import { z } from 'zod';

const finite = z.number().finite();
const positive = finite.positive();
const scale = (what: string) =>
  z.number().gt(0, `${what} must be > 0`).max(1, `${what} above 1 would loosen the URDF limit`);

/** Per-joint overrides; each may only tighten what the URDF and the global fields give. */
export const JointOverrideSchema = z
  .object({
    /** Lower position bound, rad; must be ≥ the URDF lower limit + margin. */
    lowerRad: finite.optional(),
    /** Upper position bound, rad; must be ≤ the URDF upper limit − margin. */
    upperRad: finite.optional(),
    /** Extra margin inside the URDF range on each side, rad (replaces the global margin). */
    positionMarginRad: finite.optional(),
    /** Fraction of the URDF velocity limit, (0, 1]. */
    velocityScale: scale('velocityScale').optional(),
    /** Fraction of the URDF effort limit, (0, 1]. */
    effortScale: scale('effortScale').optional(),
    /** Acceleration limit of the commanded trajectory, rad/s². */
    accelerationRadPerS2: positive.optional(),
    /** Braking deceleration used for the stopping distance and for holds, rad/s² (≤ acceleration). */
    decelerationRadPerS2: positive.optional(),
    /** Jerk limit of the commanded trajectory, rad/s³. */
    jerkRadPerS3: positive.optional(),
    /** Position gain of the joint's PD servo, N·m/rad. */
    kpNmPerRad: positive.optional(),
    /** Damping gain of the joint's PD servo, N·m·s/rad. */
    kdNmSPerRad: finite.nonnegative().optional(),
    /** Following-error bound of this joint, rad. */
    followingErrorRad: positive.optional(),
  })
  .strict();
export type JointOverride = z.infer<typeof JointOverrideSchema>;

export const ShieldLimitsConfigSchema = z
  .object({
    /** Margin inside the URDF position range on each side, rad (≥ 0; negative would loosen). */
    positionMarginRad: finite.default(0.02),
    /** Fraction of the URDF velocity limit, (0, 1]. */
    velocityScale: scale('velocityScale').default(1),
    /** Fraction of the URDF effort limit, (0, 1]. */
    effortScale: scale('effortScale').default(1),
    /** Acceleration limit of the commanded trajectory, rad/s². */
    accelerationRadPerS2: positive.default(1000),
    /** Braking deceleration for stopping distances and holds, rad/s² (must be ≤ acceleration). */
    decelerationRadPerS2: positive.default(500),
    /** Jerk limit of the commanded trajectory, rad/s³; null disables the jerk stage. */
    jerkRadPerS3: positive.nullable().default(null),
    /** Position gain of the PD servos that follow the command, N·m/rad. */
    kpNmPerRad: positive.default(100),
    /** Damping gain of the PD servos, N·m·s/rad. */
    kdNmSPerRad: finite.nonnegative().default(2),
    /**
     * PD gains of the servos by joint name or anchored regex (first match; exact names first),
     * e.g. the sim's gains; joints without a match use kpNmPerRad/kdNmSPerRad.
     */
    servoGains: z
      .record(z.string(), z.object({ /** N·m/rad */ kpNmPerRad: positive, /** N·m·s/rad */ kdNmSPerRad: finite.nonnegative() }).strict())
      .default({}),
    /** Enforce |kp·(q_cmd − q) − kd·q̇ + τ_ff| ≤ effort limit. */
    effortStage: z.boolean().default(true),
    /**
     * Following-error bound |q_cmd − q_measured| ≤ this, rad; null disables it. Keeps the
     * command (where the collision/workspace barriers are checked) close to where the
     * robot really is when the servos lag (effort saturation, heavy links).
     */
    followingErrorRad: positive.nullable().default(null),
    /** Per-joint overrides by joint name. */
    joints: z.record(z.string(), JointOverrideSchema).default({}),
  })
  .strict();
export type ShieldLimitsConfig = z.infer<typeof ShieldLimitsConfigSchema>;

const nullableBound = z.number().finite().nullable();

export const CollisionConfigSchema = z
  .object({
    /** Enforce self-collision barriers (needs the robot model). */
    enabled: z.boolean().default(true),
    /** Smallest allowed distance between capsules, m. */
    minDistanceM: finite.nonnegative().default(0.01),
    /** Extra clearance the barriers keep beyond the minimum (covers linearisation), m. */
    bufferM: finite.nonnegative().default(0.005),
    /** Barriers closer than this to their margin become constraints this tick, m. */
    activationDistanceM: positive.default(0.15),
    /** Barrier decay rate α: h may shrink by at most α·dt·h per tick, 1/s. */
    decayRatePerS: positive.default(25),
    /** Most barrier rows per tick (the smallest clearances win). */
    maxActive: z.number().int().min(1).max(64).default(32),
    /** Skip pairs of links joined by one joint (links joined by fixed joints count as one body). */
    excludeAdjacent: z.boolean().default(true),
    /** Skip pairs closer than minDistanceM + bufferM in the reference pose (they would start inside the margin). */
    excludeTouchingAtReference: z.boolean().default(true),
    /** The reference pose by joint name, rad; unlisted joints at 0 clamped into their URDF range. */
    referencePoseRad: z.record(z.string(), finite).default({}),
    /** Further link pairs to skip. */
    excludePairs: z.array(z.tuple([z.string(), z.string()])).default([]),
  })
  .strict();
export type CollisionConfig = z.infer<typeof CollisionConfigSchema>;

export const WorkspaceConfigSchema = z
  .object({
    /** Links whose capsules must stay inside the box (e.g. the hands). Empty: no workspace barrier. */
    links: z.array(z.string()).default([]),
    /** Box corners in the world frame per axis x, y, z, m; null = unbounded on that side. */
    minM: z.tuple([nullableBound, nullableBound, nullableBound]).default([null, null, 0.05]),
    maxM: z.tuple([nullableBound, nullableBound, nullableBound]).default([null, null, null]),
    /** Pose of the root link in the world (fixed base: exact; floating base: nominal), m and rad. */
    rootPose: z
      .object({ xyz: z.tuple([finite, finite, finite]).default([0, 0, 0]), rpy: z.tuple([finite, finite, finite]).default([0, 0, 0]) })
      .strict()
      .default({}),
  })
  .strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;

export const FaultReactionSchema = z.enum(['hold', 'estop']);
export type FaultReaction = z.infer<typeof FaultReactionSchema>;

export const ShieldCoreConfigSchema = z
  .object({
    /** Shield tick rate, Hz (500–1000); every per-tick limit uses dt = 1/rateHz. */
    rateHz: z.number().min(500).max(1000).default(500),
    /** Leave INACTIVE on its own once measured state is fresh and within limits. */
    autoActivate: z.boolean().default(true),
    watchdog: z
      .object({
        /** Measured state older than this (by its stamp) is a fault, s. */
        measuredTimeoutS: positive.default(0.05),
        /** Reaction to stale or repeatedly rejected measured state. */
        onMeasuredFault: FaultReactionSchema.default('hold'),
        /** No fresh candidate for this long → decelerate to a hold, s. */
        candidateTimeoutS: positive.default(0.1),
      })
      .strict()
      .default({}),
    inputs: z
      .object({
        /** A message whose stamp is older than this on arrival is rejected, s. */
        maxAgeS: positive.default(0.1),
        /** A message stamped further than this in the future is rejected, s. */
        maxFutureS: finite.nonnegative().default(0.005),
        /** This many rejections in a row on one input is a fault. */
        maxConsecutiveRejections: z.number().int().min(1).default(10),
        /** Accept candidates that name only some joints (the others keep their target). */
        allowPartialCandidates: z.boolean().default(false),
        /** Accept joint states that also name joints the shield does not command. */
        ignoreUnknownMeasuredJoints: z.boolean().default(false),
      })
      .strict()
      .default({}),
    interpolation: z
      .object({
        /** `linear`: ramp from the current target to each candidate over its horizon; `none`: step. */
        mode: z.enum(['linear', 'none']).default('linear'),
        /** Initial guess of the candidate period, used as horizon when time_from_start is 0, s. */
        candidatePeriodS: positive.default(0.02),
      })
      .strict()
      .default({}),
    /** Pass the candidate's feed-forward effort on (JointTrajectory output only); counts in the effort stage. */
    feedForwardEffort: z.boolean().default(false),
  })
  .strict();
export type ShieldCoreConfig = z.infer<typeof ShieldCoreConfigSchema>;

export const CandidateTopicSchema = z
  .object({
    /** Topic of trajectory_msgs/JointTrajectory candidates. */
    topic: z.string().min(1),
    /** Higher wins while fresh (e.g. teleop over policy). */
    priority: z.number().int().default(0),
  })
  .strict();

export const ShieldNodeConfigSchema = z
  .object({
    limits: ShieldLimitsConfigSchema.default({}),
    core: ShieldCoreConfigSchema.default({}),
    collision: CollisionConfigSchema.default({}),
    workspace: WorkspaceConfigSchema.default({}),
    topics: z
      .object({
        candidates: z.array(CandidateTopicSchema).min(1).default([{ topic: '/policy/joint_command', priority: 0 }]),
        jointStates: z.string().default('/joint_states'),
        imu: z.string().default('/imu'),
        /** std_msgs/Bool, true = stop. */
        estop: z.string().default('/estop'),
        output: z.string().default('/forward_position_controller/commands'),
        diagnostics: z.string().default('/diagnostics'),
        /** Prefix of the estop/reset/activate/hold Trigger services. */
        servicePrefix: z.string().default('/shield'),
      })
      .strict()
      .default({}),
    /** `float64_multi_array` (forward_command_controller) or `joint_trajectory`. */
    outputFormat: z.enum(['float64_multi_array', 'joint_trajectory']).default('float64_multi_array'),
    /** Controller joint order of the output; null = the URDF's actuated order. */
    controllerJoints: z.array(z.string().min(1)).nullable().default(null),
    /** Diagnostics publishing rate, Hz. */
    diagnosticsRateHz: z.number().gt(0).max(10).default(1),
  })
  .strict();
export type ShieldNodeConfig = z.infer<typeof ShieldNodeConfigSchema>;
