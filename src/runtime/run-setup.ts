/**
 * Resolving a run config into what the run needs: the robot (a profile and/or
 * a URDF), the sim settings (the profile's as defaults, the run config's
 * `sim` keys over them), the shield config with the servo gains the sim
 * really uses, and every file path resolved against the file that names it.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfigFile, readYamlFile, validateConfig } from '../io/config-file.js';
import { loadRobotProfile, type LoadedRobotProfile } from '../io/robot-profile-file.js';
import { ShieldNodeConfigSchema, type ShieldNodeConfig } from '../safety/config.js';
import { gainsFor, SimConfigSchema, type SimConfig } from '../sim/config.js';
import { RunConfigSchema, type RunConfig } from './run-config.js';

/** Fall height when neither the run config nor a profile gives one, m. */
export const DEFAULT_FALL_HEIGHT_M = 0.4;

export interface RunSetup {
  config: RunConfig;
  profile: LoadedRobotProfile | null;
  urdfPath: string;
  packageDirs: Record<string, string>;
  policyPath: string;
  /** The policy's adaptation file, when the run config names one. */
  adaptationPath?: string;
  shieldPath: string;
  fallHeightM: number;
}

/** The profile's sim settings, as raw config input (the run config's `sim` keys replace them). */
export function profileSimDefaults(p: LoadedRobotProfile['profile']): Record<string, unknown> {
  return { base: p.base, baseHeightM: p.baseHeightM, imuLink: p.imuLink, gains: p.gains, armature: p.armature, initialPose: p.standPose };
}

/** Reads and resolves a run config; `urdfOverride` (cwd-relative) replaces the robot description. */
export function resolveRunSetup(configPath: string, urdfOverride?: string): RunSetup {
  const file = resolve(configPath);
  const raw = readYamlFile(file);
  const parsed = validateConfig(RunConfigSchema, raw, file);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const runUrdf = urdfOverride !== undefined ? resolve(urdfOverride) : parsed.robot.urdf !== undefined ? at(parsed.robot.urdf) : undefined;
  const profile = parsed.robot.profile !== undefined ? loadRobotProfile(at(parsed.robot.profile), runUrdf) : null;
  let config = parsed;
  if (profile) {
    const rawSim = (raw as { sim?: Record<string, unknown> }).sim ?? {};
    const sim: SimConfig = validateConfig(SimConfigSchema, { ...profileSimDefaults(profile.profile), ...rawSim }, `${file} (sim, over the profile ${profile.file})`);
    config = { ...parsed, sim };
  }
  const shield = parsed.shield !== undefined ? at(parsed.shield) : profile?.shieldPath;
  if (shield === undefined) throw new ConfigError(file, ['shield: give a shield config, or a robot.profile that names one']);
  return {
    config,
    profile,
    urdfPath: profile ? profile.urdfPath : runUrdf!,
    packageDirs: profile ? profile.packageDirs : Object.fromEntries(Object.entries(parsed.robot.packageDirs).map(([k, v]) => [k, at(v)])),
    policyPath: at(parsed.policy),
    ...(parsed.adaptation !== undefined ? { adaptationPath: at(parsed.adaptation) } : {}),
    shieldPath: shield,
    fallHeightM: parsed.fallHeightM ?? profile?.profile.fallHeightM ?? DEFAULT_FALL_HEIGHT_M,
  };
}

/** Loads the shield config of a run. */
export function loadShieldConfig(path: string): ShieldNodeConfig {
  return loadConfigFile(ShieldNodeConfigSchema, path);
}
