/**
 * CI type-checks the ROS adapter against rclnodejs's real typings plus the
 * shipped interface declarations (skipLibCheck off), and the check has teeth:
 * a fixture with a deliberately wrong message field fails, naming the field.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  // One tsc run (the slowest test of the suite; it used to be two): the fixture's program is the adapter
  // under tsconfig.ros.json's options plus one wrong file, so "the only error is the wrong field" also
  // proves the adapter itself compiles clean (what `npm run typecheck:ros` checks; CI runs that too).
  it('fails on a message with a wrong field and names the field; the adapter in the same program is clean', { timeout: 240_000 }, () => {
    const ros = JSON.parse(readFileSync(join(root, 'tsconfig.ros.json'), 'utf8')) as { include: string[] };
    const fixture = JSON.parse(readFileSync(join(root, 'tests', 'ros', 'fixtures', 'tsconfig.wrong-field.json'), 'utf8')) as { include: string[] };
    expect(fixture.include.filter((p) => p !== 'wrong-field.ts').map((p) => p.replace(/^(\.\.\/)+/, ''))).toEqual(ros.include);
    const r = typecheck(join('tests', 'ros', 'fixtures', 'tsconfig.wrong-field.json'));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/wrong-field\.ts\(\d+,\d+\): error TS2353: .*'positions' does not exist in type '[^']*\bJointState\b/);
    // the wrong field is the only error: the adapter itself stays clean in the same program
    expect(r.output.trim().split('\n')).toHaveLength(1);
  });
});
