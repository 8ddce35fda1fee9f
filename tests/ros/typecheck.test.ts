/**
 * CI type-checks the ROS adapter against rclnodejs's real typings plus the
 * shipped interface declarations (skipLibCheck off), and the check has teeth:
 * a fixture with a deliberately wrong message field fails, naming the field.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typecheck(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('ROS adapter type-check (npm run typecheck:ros)', () => {
  beforeAll(() => {
    // Links node_modules/rclnodejs/types/interfaces.d.ts to types/ros when rclnodejs has not generated it.
    execFileSync(process.execPath, [join(root, 'scripts', 'check-ros-files.mjs')], { cwd: root });
  });

  it('compiles the adapter clean against rclnodejs typings with skipLibCheck off', { timeout: 240_000 }, () => {
    const r = typecheck('tsconfig.ros.json');
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails on a message with a wrong field and names the field', { timeout: 240_000 }, () => {
    const r = typecheck(join('tests', 'ros', 'fixtures', 'tsconfig.wrong-field.json'));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/wrong-field\.ts\(\d+,\d+\): error TS2353: .*'positions' does not exist in type '[^']*\bJointState\b/);
    // the wrong field is the only error: the adapter itself stays clean in the same program
    expect(r.output.trim().split('\n')).toHaveLength(1);
  });
});
