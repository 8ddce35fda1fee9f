/**
 * Loads rclnodejs, the only value import of it in the project, and only after
 * the ROS environment check: without ROS 2 sourced, rclnodejs's native addon
 * cannot load and rclnodejs would try to rebuild itself in place.
 */
import type * as R from 'rclnodejs';
import { checkRosEnvironment, RosEnvironmentError } from './environment.js';

/** The rclnodejs module object (a CommonJS default export under ESM). */
export type Rclnodejs = typeof import('rclnodejs');
export type { R };

let loaded: Promise<Rclnodejs> | undefined;

/** Checks the environment, then imports rclnodejs once. Rejects with {@link RosEnvironmentError} without ROS 2. */
export function loadRclnodejs(env: Readonly<Record<string, string | undefined>> = process.env): Promise<Rclnodejs> {
  const check = checkRosEnvironment(env);
  if (!check.ok) return Promise.reject(new RosEnvironmentError(check.missing));
  loaded ??= import('rclnodejs').then((mod) => mod.default);
  return loaded;
}
