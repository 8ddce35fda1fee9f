/**
 * Configuration of an embedded run (`npm start`): which robot, how the sim is
 * set up, which node configs to load, and the scripted scenario. Relative
 * paths are resolved against the config file's folder.
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';
import { SimConfigSchema } from '../sim/config.js';
import { ScenarioEventSchema } from '../sim/scenario.js';
import { SimNodeConfigSchema } from '../sim/sim-node.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

/** Scripted operator actions, done through the same topics and services an operator uses. */
export const OperatorActionSchema = z.discriminatedUnion('action', [
  /** Publishes std_msgs/Bool true on the e-stop topic. */
  z.object({ atS: finite.nonnegative(), action: z.literal('estop') }).strict(),
  /** Calls the shield's reset service (std_srvs/Trigger). */
  z.object({ atS: finite.nonnegative(), action: z.literal('reset') }).strict(),
  /** Calls the shield's activate service (std_srvs/Trigger). */
  z.object({ atS: finite.nonnegative(), action: z.literal('activate') }).strict(),
  /** Publishes a geometry_msgs/Twist velocity command (body frame: m/s, rad/s) and keeps it until the next one. */
  z.object({
    atS: finite.nonnegative(),
    action: z.literal('cmd_vel'),
    /** Forward, lateral, yaw rate: m/s, m/s, rad/s. */
    linear: z.tuple([finite, finite]).default([0, 0]),
    yawRate: finite.default(0),
    topic: z.string().default('/cmd_vel'),
  }).strict(),
]);
export type OperatorAction = z.infer<typeof OperatorActionSchema>;

export const RunConfigSchema = deepStrict(z
  .object({
    robot: z
      .object({
        /**
         * Robot profile (config/robots/*.yaml): URDF, motor order, IMU link, base, gains, armature,
         * stand pose, fall height, shield. Its sim settings are the defaults the `sim` section overrides
         * key by key; its gains feed both the sim servos and the shield's effort stage.
         */
        profile: z.string().min(1).optional(),
        /** URDF file (overrides the profile's). */
        urdf: z.string().min(1).optional(),
        /** `package://name/...` → folder, for mesh paths. */
        packageDirs: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .refine((r) => r.profile !== undefined || r.urdf !== undefined, { error: 'give robot.urdf or robot.profile' }),
    sim: SimConfigSchema.prefault({}),
    simNode: SimNodeConfigSchema.omit({ scenario: true }).prefault({}),
    /** Policy node config file (YAML). */
    policy: z.string().min(1),
    /** Adaptation file of the policy node (YAML, src/io/adaptation-file.ts): its online adapter and regime library; absent = no adaptation. */
    adaptation: z.string().min(1).optional(),
    /** Shield node config file (YAML); default: the robot profile's. */
    shield: z.string().min(1).optional(),
    scenario: z
      .object({
        /** Sim time to run, s. */
        durationS: finite.positive().default(12),
        /** Dynamics changes (payload, mass, damping, friction, gains, effort limits). */
        dynamics: z.array(ScenarioEventSchema).default([]),
        operator: z.array(OperatorActionSchema).default([]),
      })
      .strict()
      .prefault({}),
    /** Robot base below this height (m) counts as a fall in the summary (floating base only); default: the profile's, else 0.4. */
    fallHeightM: finite.positive().optional(),
  })
  .strict());
export type RunConfig = z.infer<typeof RunConfigSchema>;
