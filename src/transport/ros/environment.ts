/**
 * Is a ROS 2 environment sourced? Checked before rclnodejs is imported: when
 * its native addon cannot load, rclnodejs tries to rebuild itself in place
 * (`npm run rebuild` → `node-gyp clean`), which must never happen by accident.
 */

export type RosEnvironment =
  | { ok: true; distro: string; amentPrefixPath: string }
  | { ok: false; missing: string[]; message: string };

/** The one message a user sees when ROS mode is asked for without ROS 2. */
export function rosEnvironmentMessage(missing: readonly string[]): string {
  return (
    `ROS 2 mode needs a sourced ROS 2 environment (${missing.join(' and ')} not set). ` +
    'Source your ROS 2 setup first, e.g. `source /opt/ros/jazzy/setup.bash` (or humble), ' +
    'and `source install/setup.bash` in your colcon workspace, then run again.'
  );
}

/** Checks AMENT_PREFIX_PATH and ROS_DISTRO in the given environment (pass `process.env`). */
export function checkRosEnvironment(env: Readonly<Record<string, string | undefined>>): RosEnvironment {
  const distro = env['ROS_DISTRO']?.trim() ?? '';
  const amentPrefixPath = env['AMENT_PREFIX_PATH']?.trim() ?? '';
  const missing: string[] = [];
  if (amentPrefixPath === '') missing.push('AMENT_PREFIX_PATH');
  if (distro === '') missing.push('ROS_DISTRO');
  if (missing.length > 0) return { ok: false, missing, message: rosEnvironmentMessage(missing) };
  return { ok: true, distro, amentPrefixPath };
}

/** Thrown by the adapter's loader when ROS mode is asked for without ROS 2. */
export class RosEnvironmentError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(rosEnvironmentMessage(missing));
    this.name = 'RosEnvironmentError';
  }
}
