/**
 * Reads the reference motion file a policy config names (`reference.source:
 * file`) and parses it with the pure core parser (src/policy/reference.ts).
 * The path is resolved against `root` (callers pass the config file's folder) unless absolute; every problem names the file.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-file.js';
import type { PolicyConfig } from '../policy/policy-config.js';
import { parseReferenceCsv, ReferenceMotionError, type ReferenceMotion } from '../policy/reference.js';

/**
 * The parsed motion in policy joint order, or undefined when the config reads no file.
 * `robotJointNames`: the robot's motor order, the file's joint columns unless `reference.jointNames` says otherwise.
 */
export function loadReferenceMotion(config: PolicyConfig, root: string, robotJointNames: readonly string[]): ReferenceMotion | undefined {
  const ref = config.reference;
  if (ref?.source !== 'file') return undefined;
  const path = isAbsolute(ref.path) ? ref.path : resolve(root, ref.path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the reference motion: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  try {
    return parseReferenceCsv(text, ref.fps, ref.jointNames ?? robotJointNames, config.joints);
  } catch (err) {
    if (err instanceof ReferenceMotionError) throw new ConfigError(path, err.problems.slice(0, 20).concat(err.problems.length > 20 ? [`… and ${err.problems.length - 20} more`] : []));
    throw err;
  }
}
