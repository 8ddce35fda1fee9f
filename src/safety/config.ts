/**
 * The shield's configuration: one zod schema, every field with its unit and
 * default. Cross-field checks that need the robot (tightening only, margins
 * that leave a range) live in `./limits.ts` and report every problem by path.
 *
 * Limits are stated in joint units: rad for revolute joints (m for prismatic);
 * the `Rad` suffix then reads as "rad or m".
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const positive = finite.positive();
const scale = (what: string) =>
  z.number().gt(0, `${what} must be > 0`).max(1, `${what} above 1 would loosen the URDF limit`);

/** Per-joint overrides; each may only tighten what the URDF and the global fields give. */
export const JointOverrideSchema = z
  .object({
    /** Lower position bound, rad; must be ≥ the URDF lower limit + margin. */
    lowerRad: finite.optional().describe('Lower position bound, rad; must be ≥ the URDF lower limit + margin'),
    /** Upper position bound, rad; must be ≤ the URDF upper limit − margin. */
    upperRad: finite.optional().describe('Upper position bound, rad; must be ≤ the URDF upper limit − margin'),
    /** Extra margin inside the URDF range on each side, rad (replaces the global margin). */
    positionMarginRad: finite.optional().describe('Extra margin inside the URDF range on each side, rad (replaces the global margin)'),
    /** Fraction of the URDF velocity limit, (0, 1]. */
    velocityScale: scale('velocityScale').optional().describe('Fraction of the URDF velocity limit, (0, 1]'),
    /** Fraction of the URDF effort limit, (0, 1]. */
    effortScale: scale('effortScale').optional().describe('Fraction of the URDF effort limit, (0, 1]'),
    /** Acceleration limit of the commanded trajectory, rad/s². */
    accelerationRadPerS2: positive.optional().describe('Acceleration limit of the commanded trajectory, rad/s²'),
    /** Braking deceleration used for the stopping distance and for holds, rad/s² (≤ acceleration). */
    decelerationRadPerS2: positive.optional().describe('Braking deceleration used for the stopping distance and for holds, rad/s² (≤ acceleration)'),
    /** Jerk limit of the commanded trajectory, rad/s³. */
    jerkRadPerS3: positive.optional().describe('Jerk limit of the commanded trajectory, rad/s³'),
    /** Position gain of the joint's PD servo, N·m/rad. */
    kpNmPerRad: positive.optional().describe("Position gain of the joint's PD servo, N·m/rad"),
    /** Damping gain of the joint's PD servo, N·m·s/rad. */
    kdNmSPerRad: finite.nonnegative().optional().describe("Damping gain of the joint's PD servo, N·m·s/rad"),
    /** Following-error bound of this joint, rad. */
    followingErrorRad: positive.optional().describe('Following-error bound of this joint, rad'),
  })
  .strict();
export type JointOverride = z.infer<typeof JointOverrideSchema>;

export const ShieldLimitsConfigSchema = z
  .object({
    /** Margin inside the URDF position range on each side, rad (≥ 0; negative would loosen). */
    positionMarginRad: finite.default(0.02).describe('Margin inside the URDF position range on each side, rad (≥ 0; negative would loosen)'),
    /** Fraction of the URDF velocity limit, (0, 1]. */
    velocityScale: scale('velocityScale').default(1).describe('Fraction of the URDF velocity limit, (0, 1]'),
    /** Fraction of the URDF effort limit, (0, 1]. */
    effortScale: scale('effortScale').default(1).describe('Fraction of the URDF effort limit, (0, 1]'),
    /** Acceleration limit of the commanded trajectory, rad/s². */
    accelerationRadPerS2: positive.default(1000).describe('Acceleration limit of the commanded trajectory, rad/s²'),
    /** Braking deceleration for stopping distances and holds, rad/s² (must be ≤ acceleration). */
    decelerationRadPerS2: positive.default(500).describe('Braking deceleration for stopping distances and holds, rad/s² (must be ≤ acceleration)'),
    /** Jerk limit of the commanded trajectory, rad/s³; null disables the jerk stage. */
    jerkRadPerS3: positive.nullable().default(null).describe('Jerk limit of the commanded trajectory, rad/s³; null disables the jerk stage'),
    /**
     * Position gain of the PD servos, N·m/rad: only for a shield that is not handed the robot's
     * gains (the embedded run hands it the sim's); when both are given they must be equal.
     */
    kpNmPerRad: positive.optional()
      .describe("Position gain of the PD servos, N·m/rad: only for a shield that is not handed the robot's gains (the embedded run hands it the sim's); when both are given they must be equal"),
    /** Damping gain of the PD servos, N·m·s/rad (same rule as kpNmPerRad). */
    kdNmSPerRad: finite.nonnegative().optional().describe('Damping gain of the PD servos, N·m·s/rad (same rule as kpNmPerRad)'),
    /**
     * PD gains of the servos by joint name or anchored regex (first match; exact names first),
     * same rule as kpNmPerRad.
     */
    servoGains: z
      .record(z.string(), z.object({ /** N·m/rad */ kpNmPerRad: positive, /** N·m·s/rad */ kdNmSPerRad: finite.nonnegative() }).strict())
      .default({})
      .describe('PD gains of the servos by joint name or anchored regex (first match; exact names first), same rule as kpNmPerRad'),
    /** Enforce |kp·(q_cmd − q) − kd·q̇ + τ_ff| ≤ effort limit. */
    effortStage: z.boolean().default(true).describe('Enforce |kp·(q_cmd − q) − kd·q̇ + τ_ff| ≤ effort limit'),
    /**
     * Following-error bound |q_cmd − q_measured| ≤ this, rad; null disables it. Keeps the
     * command (where the collision/workspace barriers are checked) close to where the
     * robot really is. It also caps the servo's static torque at kp·this: a floating-base
     * profile refuses any bound below effort/kp (see docs/shield.md).
     */
    followingErrorRad: positive.nullable().default(null)
      .describe("Following-error bound |q_cmd − q_measured| ≤ this, rad; null disables it. Keeps the command (where the collision/workspace barriers are checked) close to where the robot really is. It also caps the servo's static torque at kp·this: a floating-base profile refuses any bound below effort/kp"),
    /** Per-joint-group overrides by anchored regex over joint names (first match in key order); `joints` wins. */
    groups: z.record(z.string(), JointOverrideSchema).default({})
      .describe('Per-joint-group overrides by anchored regex over joint names (first match in key order); `joints` wins'),
    /** Per-joint overrides by joint name. */
    joints: z.record(z.string(), JointOverrideSchema).default({}).describe('Per-joint overrides by joint name'),
  })
  .strict();
export type ShieldLimitsConfig = z.infer<typeof ShieldLimitsConfigSchema>;

const nullableBound = z.number().nullable();

export const CollisionConfigSchema = z
  .object({
    /** Enforce self-collision barriers (needs the robot model). */
    enabled: z.boolean().default(true).describe('Enforce self-collision barriers (needs the robot model)'),
    /** Smallest allowed distance between capsules, m. */
    minDistanceM: finite.nonnegative().default(0.01).describe('Smallest allowed distance between capsules, m'),
    /** Extra clearance the barriers keep beyond the minimum (covers linearisation), m. */
    bufferM: finite.nonnegative().default(0.005).describe('Extra clearance the barriers keep beyond the minimum (covers linearisation), m'),
    /** Barriers closer than this to their margin become constraints this tick, m. */
    activationDistanceM: positive.default(0.15).describe('Barriers closer than this to their margin become constraints this tick, m'),
    /** Barrier decay rate α: h may shrink by at most α·dt·h per tick, 1/s. */
    decayRatePerS: positive.default(25).describe('Barrier decay rate α: h may shrink by at most α·dt·h per tick, 1/s'),
    /** Most barrier rows per tick (the smallest clearances win). */
    maxActive: z.number().int().min(1).max(64).default(32).describe('Most barrier rows per tick (the smallest clearances win)'),
    /** Skip pairs of links joined by one joint (links joined by fixed joints count as one body). */
    excludeAdjacent: z.boolean().default(true).describe('Skip pairs of links joined by one joint (links joined by fixed joints count as one body)'),
    /** Skip pairs closer than minDistanceM + bufferM in the reference pose (they would start inside the margin). */
    excludeTouchingAtReference: z.boolean().default(true)
      .describe('Skip pairs closer than minDistanceM + bufferM in the reference pose (they would start inside the margin)'),
    /** The reference pose by joint name, rad; unlisted joints at 0 clamped into their URDF range. */
    referencePoseRad: z.record(z.string(), finite).default({})
      .describe('The reference pose by joint name, rad; unlisted joints at 0 clamped into their URDF range'),
    /** Further link pairs to skip. */
    excludePairs: z.array(z.tuple([z.string(), z.string()])).default([]).describe('Further link pairs to skip'),
  })
  .strict();
export type CollisionConfig = z.infer<typeof CollisionConfigSchema>;

export const WorkspaceConfigSchema = z
  .object({
    /** Links whose capsules must stay inside the box (e.g. the hands). Empty: no workspace barrier. */
    links: z.array(z.string()).default([]).describe('Links whose capsules must stay inside the box (e.g. the hands). Empty: no workspace barrier'),
    /** Box corners in the world frame per axis x, y, z, m; null = unbounded on that side. */
    minM: z
      .tuple([nullableBound, nullableBound, nullableBound])
      .default([null, null, 0.05])
      .describe('Lower box corner in the world frame per axis x, y, z, m; null = unbounded on that side'),
    /** Upper box corner in the world frame per axis x, y, z, m; null = unbounded on that side. */
    maxM: z
      .tuple([nullableBound, nullableBound, nullableBound])
      .default([null, null, null])
      .describe('Upper box corner in the world frame per axis x, y, z, m; null = unbounded on that side'),
    /** Pose of the root link in the world (fixed base: exact; floating base: nominal), m and rad. */
    rootPose: z
      .object({
        /** Root link position in the world frame x, y, z, m. */
        xyz: z.tuple([finite, finite, finite]).default([0, 0, 0])
          .describe('Root link position in the world frame x, y, z, m (fixed base: exact; floating base: nominal)'),
        /** Root link orientation in the world frame as roll, pitch, yaw, rad. */
        rpy: z.tuple([finite, finite, finite]).default([0, 0, 0])
          .describe('Root link orientation in the world frame as roll, pitch, yaw, rad (fixed base: exact; floating base: nominal)'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;

export const FaultReactionSchema = z.enum(['hold', 'estop']);
export type FaultReaction = z.infer<typeof FaultReactionSchema>;

export const ShieldCoreConfigSchema = z
  .object({
    /** Shield tick rate, Hz (500–1000); every per-tick limit uses dt = 1/rateHz. */
    rateHz: z.number().min(500).max(1000).default(500).describe('Shield tick rate, Hz (500–1000); every per-tick limit uses dt = 1/rateHz'),
    /**
     * Leave INACTIVE on its own, once, at the very first start (measured state fresh and within
     * limits). Never after an e-stop, a reset, a fault or a clock reset: those need an activate.
     * The embedded demo only; hardware configs keep it false.
     */
    autoActivate: z.boolean().default(false)
      .describe('Leave INACTIVE on its own, once, at the very first start (measured state fresh and within limits). Never after an e-stop, a reset, a fault or a clock reset: those need an activate. The embedded demo only; hardware configs keep it false'),
    /**
     * TEST ONLY: in ACTIVE, output the latest candidate unchanged (no limit stage runs; state
     * machine, watchdogs and holds still apply). For comparison runs; warned about at start and
     * reported as WARN on diagnostics.
     */
    passThrough: z.boolean().default(false)
      .describe('TEST ONLY: in ACTIVE, output the latest candidate unchanged (no limit stage runs; state machine, watchdogs and holds still apply). For comparison runs; warned about at start and reported as WARN on diagnostics'),
    watchdog: z
      .object({
        /** Measured state older than this (by its stamp) is a fault, s. */
        measuredTimeoutS: positive.default(0.05).describe('Measured state older than this (by its stamp) is a fault, s'),
        /** Reaction to stale or repeatedly rejected measured state. */
        onMeasuredFault: FaultReactionSchema.default('hold').describe('Reaction to stale or repeatedly rejected measured state'),
        /** No fresh candidate for this long → decelerate to a hold, s. */
        candidateTimeoutS: positive.default(0.1).describe('No fresh candidate for this long → decelerate to a hold, s'),
      })
      .strict()
      .prefault({}),
    inputs: z
      .object({
        /** A message whose stamp is older than this on arrival is rejected, s. */
        maxAgeS: positive.default(0.1).describe('A message whose stamp is older than this on arrival is rejected, s'),
        /** A message stamped further than this in the future is rejected, s. */
        maxFutureS: finite.nonnegative().default(0.005).describe('A message stamped further than this in the future is rejected, s'),
        /** This many rejections in a row on one input is a fault. */
        maxConsecutiveRejections: z.number().int().min(1).default(10).describe('This many rejections in a row on one input is a fault'),
        /**
         * Largest magnitude accepted in any position (rad), velocity (rad/s) or effort (N·m) value, and in
         * time_from_start (s); a larger finite value (e.g. 1e308) is rejected as out_of_range.
         */
        maxMagnitude: positive.default(1e4)
          .describe('Largest magnitude accepted in any position (rad), velocity (rad/s) or effort (N·m) value, and in time_from_start (s); a larger finite value (e.g. 1e308) is rejected as out_of_range'),
        /** Accept candidates that name only some joints (the others keep their target). */
        allowPartialCandidates: z.boolean().default(false).describe('Accept candidates that name only some joints (the others keep their target)'),
        /** Accept joint states that also name joints the shield does not command. */
        ignoreUnknownMeasuredJoints: z.boolean().default(false).describe('Accept joint states that also name joints the shield does not command'),
      })
      .strict()
      .prefault({}),
    interpolation: z
      .object({
        /**
         * `linear`: a point with time_from_start > 0 is reached by a straight ramp from the current
         * target at header.stamp + time_from_start (stamp 0 = arrival); a point with time_from_start 0
         * is a step target, taken at once. `none`: every point is a step target.
         */
        mode: z.enum(['linear', 'none']).default('linear')
          .describe('`linear`: a point with time_from_start > 0 is reached by a straight ramp from the current target at header.stamp + time_from_start (stamp 0 = arrival); a point with time_from_start 0 is a step target, taken at once. `none`: every point is a step target'),
      })
      .strict()
      .prefault({}),
    /** Pass the candidate's feed-forward effort on (JointTrajectory output only); counts in the effort stage. */
    feedForwardEffort: z.boolean().default(false)
      .describe("Pass the candidate's feed-forward effort on (JointTrajectory output only); counts in the effort stage"),
  })
  .strict();
export type ShieldCoreConfig = z.infer<typeof ShieldCoreConfigSchema>;

export const CandidateTopicSchema = z
  .object({
    /** Topic of trajectory_msgs/JointTrajectory candidates. */
    topic: z.string().min(1).describe('Topic of trajectory_msgs/JointTrajectory candidates'),
    /** Higher wins while fresh (e.g. teleop over policy). */
    priority: z.number().int().default(0).describe('Higher wins while fresh (e.g. teleop over policy)'),
  })
  .strict();

export const ShieldNodeConfigSchema = z
  .object({
    /** What this profile fits; checked against the robot it runs on. */
    profile: z
      .object({
        /**
         * `fixed`: a fixed-base robot (e.g. the G1 arms demo); `floating`: a balancing robot. A floating
         * profile refuses any limit that caps a servo's torque below its effort limit.
         */
        base: z.enum(['fixed', 'floating']).default('fixed')
          .describe("`fixed`: a fixed-base robot (e.g. the G1 arms demo); `floating`: a balancing robot. A floating profile refuses any limit that caps a servo's torque below its effort limit"),
      })
      .strict()
      .prefault({}),
    limits: ShieldLimitsConfigSchema.prefault({}),
    core: ShieldCoreConfigSchema.prefault({}),
    collision: CollisionConfigSchema.prefault({}),
    workspace: WorkspaceConfigSchema.prefault({}),
    topics: z
      .object({
        /** Candidate command topics with their priorities. */
        candidates: z
          .array(CandidateTopicSchema)
          .min(1)
          .prefault([{ topic: '/policy/joint_command', priority: 0 }])
          .describe('Candidate command topics with their priorities'),
        /** sensor_msgs/JointState of the measured joints. */
        jointStates: z.string().default('/joint_states').describe('sensor_msgs/JointState of the measured joints'),
        /** sensor_msgs/Imu of the base. */
        imu: z.string().default('/imu').describe('sensor_msgs/Imu of the base'),
        /** std_msgs/Bool, true = stop. */
        estop: z.string().default('/estop').describe('std_msgs/Bool, true = stop'),
        /** Safe command out: std_msgs/Float64MultiArray or trajectory_msgs/JointTrajectory (per outputFormat). */
        output: z
          .string()
          .default('/forward_position_controller/commands')
          .describe('Safe command out: std_msgs/Float64MultiArray or trajectory_msgs/JointTrajectory (per outputFormat)'),
        /** diagnostic_msgs/DiagnosticArray status of the shield. */
        diagnostics: z.string().default('/diagnostics').describe('diagnostic_msgs/DiagnosticArray status of the shield'),
        /** Prefix of the estop/reset/activate/hold Trigger services. */
        servicePrefix: z.string().default('/shield').describe('Prefix of the estop/reset/activate/hold Trigger services'),
      })
      .strict()
      .prefault({}),
    /** `float64_multi_array` (forward_command_controller) or `joint_trajectory`. */
    outputFormat: z.enum(['float64_multi_array', 'joint_trajectory']).default('float64_multi_array')
      .describe('`float64_multi_array` (forward_command_controller) or `joint_trajectory`'),
    /** Controller joint order of the output; null = the URDF's actuated order. */
    controllerJoints: z.array(z.string().min(1)).nullable().default(null).describe("Controller joint order of the output; null = the URDF's actuated order"),
    /** Diagnostics publishing rate, Hz. */
    diagnosticsRateHz: z.number().gt(0).max(10).default(1).describe('Diagnostics publishing rate, Hz'),
  })
  .strict();
export type ShieldNodeConfig = z.infer<typeof ShieldNodeConfigSchema>;
