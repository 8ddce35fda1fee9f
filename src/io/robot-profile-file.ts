/**
 * Loading a robot profile (src/robot/profile.ts): the YAML validated with zod,
 * its paths resolved against the profile's folder and checked to exist, the
 * URDF loaded and the profile cross-checked against it. Every problem is
 * reported at once, naming the profile file.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfigFile } from './config-file.js';
import { loadUrdfFile } from './urdf-file.js';
import { profileProblems, RobotProfileSchema, type RobotProfile } from '../robot/profile.js';
import type { RobotModel } from '../robot/model.js';

export interface LoadedRobotProfile {
  /** Absolute path of the profile file. */
  file: string;
  profile: RobotProfile;
  /** Absolute URDF path (the override when given, else the profile's). */
  urdfPath: string;
  /** Absolute shield profile path. */
  shieldPath: string;
  /** Absolute package folders. */
  packageDirs: Record<string, string>;
  model: RobotModel;
}

/** Loads a profile; `urdfOverride` (absolute or relative to the cwd) replaces the profile's URDF. */
export function loadRobotProfile(file: string, urdfOverride?: string): LoadedRobotProfile {
  const abs = resolve(file);
  const profile = loadConfigFile(RobotProfileSchema, abs);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(abs), p));
  const problems: string[] = [];
  const urdfPath = urdfOverride !== undefined ? resolve(urdfOverride) : profile.urdf !== undefined ? at(profile.urdf) : undefined;
  if (urdfPath === undefined) problems.push('urdf: this profile names no URDF; give the robot description with --urdf <file>');
  else if (!existsSync(urdfPath)) problems.push(`urdf: '${urdfPath}' does not exist${urdfOverride !== undefined ? ' (from --urdf)' : ''}`);
  const shieldPath = at(profile.shield);
  if (!existsSync(shieldPath)) problems.push(`shield: '${shieldPath}' does not exist`);
  if (problems.length > 0) throw new ConfigError(abs, problems);
  const packageDirs = Object.fromEntries(Object.entries(profile.packageDirs).map(([k, v]) => [k, at(v)]));
  const model = loadUrdfFile(urdfPath!, { packageDirs });
  const mismatch = profileProblems(profile, model);
  if (mismatch.length > 0) throw new ConfigError(abs, mismatch);
  return { file: abs, profile, urdfPath: urdfPath!, shieldPath, packageDirs, model };
}
