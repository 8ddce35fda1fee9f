/**
 * The ROS entry point without ROS 2 (what CI and this machine have): asking
 * for ROS mode gives one clear message and a non-zero exit, and rclnodejs is
 * never imported (so it never tries to rebuild itself).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');

function runRosNode(args: string[]): { status: number | null; stderr: string } {
  const env = { ...process.env };
  delete env['ROS_DISTRO'];
  delete env['AMENT_PREFIX_PATH'];
  const r = spawnSync(process.execPath, [viteNode, join(root, 'src', 'cli', 'ros-node.ts'), ...args], { cwd: root, env, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('ros-node without a sourced ROS 2', () => {
  it('prints one message telling the user to source ROS 2 and exits 1', () => {
    const rclBuild = join(root, 'node_modules', 'rclnodejs', 'build');
    const builtBefore = existsSync(rclBuild);
    const r = runRosNode(['shield', '--ros-args', '-p', 'limits.velocityScale:=0.5']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'ROS 2 mode needs a sourced ROS 2 environment (AMENT_PREFIX_PATH and ROS_DISTRO not set). ' +
        'Source your ROS 2 setup first, e.g. `source /opt/ros/jazzy/setup.bash` (or humble), ' +
        'and `source install/setup.bash` in your colcon workspace, then run again.',
    ]);
    // rclnodejs was not loaded: its in-place rebuild would have created (or cleaned) build/
    expect(existsSync(rclBuild)).toBe(builtBefore);
  });

  it('rejects an unknown node kind with the usage line', () => {
    const r = runRosNode(['planner']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: ros-node\.js <shield\|policy\|sim>/);
  });
});
