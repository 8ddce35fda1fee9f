/**
 * A shield as a node runs it, built from plain data: the limits in controller
 * joint order (the URDF's, the config's overrides, the robot's servo gains),
 * the self-collision/workspace model when the config asks for one, and the
 * pure `Shield`. Everything is validated here, before any node starts.
 */
import { actuatedJoints, jointLimitArrays, type JointLimitArrays, type RobotModel } from '../robot/model.js';
import { CollisionModel } from './collision-model.js';
import type { ShieldNodeConfig } from './config.js';
import { shieldLimitsOrThrow, type ServoGains, type ShieldLimits } from './limits.js';
import { Shield } from './shield.js';

export interface ShieldRobot {
  /** The robot (limits from its URDF), or limit arrays already in some joint order. */
  robot: RobotModel | JointLimitArrays;
  /**
   * The robot's servo gains by joint name, from the one place they live (the embedded run: the
   * sim's resolved `sim.gains`); gains in the shield config that differ are refused.
   */
  servoGains?: Readonly<Record<string, ServoGains>>;
  /** Where `servoGains` came from, for messages (e.g. `sim.gains`). */
  gainsSource?: string;
  /** The robot's base; a profile made for the other base is refused. */
  base?: 'fixed' | 'floating';
}

export interface AssembledShield {
  shield: Shield;
  limits: ShieldLimits;
  /** Self-collision/workspace model (null without a RobotModel or with both disabled). */
  collision: CollisionModel | null;
}

/** Builds the shield `cfg` describes for `r`; throws naming the field when they do not fit together. */
export function assembleShield(r: ShieldRobot, cfg: ShieldNodeConfig): AssembledShield {
  if (r.base && r.base !== cfg.profile.base) {
    throw new Error(`shield profile is for a ${cfg.profile.base}-base robot (profile.base) but the robot has a ${r.base} base: use a profile made for it`);
  }
  const limits = shieldLimitsOrThrow(controllerLimits(r.robot, cfg.controllerJoints), cfg.limits, {
    ...(r.servoGains ? { gains: r.servoGains } : {}), ...(r.gainsSource ? { gainsSource: r.gainsSource } : {}), base: cfg.profile.base,
  });
  const robot = r.robot;
  const collision = 'joints' in robot && (cfg.collision.enabled || cfg.workspace.links.length > 0)
    ? new CollisionModel(robot, limits.names, cfg.collision, cfg.workspace)
    : null;
  const shield = new Shield(limits, cfg.core, collision
    ? { source: collision, decayRatePerS: cfg.collision.decayRatePerS, maxActive: cfg.collision.maxActive }
    : null);
  return { shield, limits, collision };
}

/** Limit arrays in controller joint order (default: the URDF's actuated order). */
export function controllerLimits(robot: RobotModel | JointLimitArrays, order: readonly string[] | null): JointLimitArrays {
  if ('joints' in robot) return jointLimitArrays(robot, order ?? actuatedJoints(robot).map((j) => j.name));
  if (order === null) return robot;
  const index = new Map(robot.names.map((n, i) => [n, i]));
  const pick = (src: Float64Array) => Float64Array.from(order, (name) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`controllerJoints: no limits for joint '${name}'`);
    return src[i]!;
  });
  return { names: [...order], lower: pick(robot.lower), upper: pick(robot.upper), velocity: pick(robot.velocity), effort: pick(robot.effort) };
}
