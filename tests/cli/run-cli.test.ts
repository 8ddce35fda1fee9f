/**
 * `npm start`'s CLI as a user meets it (the built dist/cli/run.js, which
 * `npm test` builds first): flags are checked with a clear message, log lines
 * never reach the terminal through the progress bar, and every figure of the
 * summary is defined.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'run.js');
const built = existsSync(cli);
if (!built) console.warn('[skipped] run CLI: dist/cli/run.js is not built (npm test builds it; or npm run build)');
const mujoco = mujocoAvailability();

const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, VITEST: '', AEGIS_LOG_LEVEL: 'info' } });

describe.skipIf(!built)('npm start CLI', () => {
  it('refuses --duration -1 with a clear message and exit 2 (other values: tests/cli/args.test.ts)', () => {
    const r = run('--duration', '-1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--duration must be > 0 s, got '-1'");
    expect(r.stderr).not.toMatch(/ambiguous/);
    expect(r.stdout).toBe('');
  });

  it.skipIf(!mujoco.available)('keeps log lines in the log file and prints a summary with no NaN', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'aegis-cli-')), 'run.log');
    const r = run('--duration', '0.6', '--log', log);
    expect(r.status).toBe(0);
    // the terminal gets the bar, the log report and the summary; no JSON log line
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/"level":/);
    expect(r.stderr).toMatch(/^progress 100% /m);
    expect(r.stderr).toMatch(/log: \d+ line\(s\) in .*run\.log; no warnings or errors/);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(lines.some((l) => l.msg === 'collision model')).toBe(true);
    // the end-of-run hold is in the log and in the summary's final state
    expect(lines.at(-1)!.msg).toBe('shield hold');
    expect(r.stdout).toContain('final state HOLD (the end-of-run hold)');
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it.skipIf(!mujoco.available)('says n/a and why for figures a very short run cannot have', () => {
    const r = run('--duration', '0.001', '--log', join(mkdtempSync(join(tmpdir(), 'aegis-cli-')), 'run.log'));
    // 1 ms is too short for the shield to activate: the run fails, saying why
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/run failed: the shield never activated/);
    // (the first policy tick is at t = 0, so one inference did run)
    expect(r.stdout).toContain('tracking            max |q_cmd − q| n/a (no command and joint state to compare yet)');
    expect(r.stdout).toContain('max n/a (no intervention)');
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it.skipIf(!mujoco.available)('refuses a duration shorter than one physics step', () => {
    const r = run('--duration', '0.0001', '--log', join(mkdtempSync(join(tmpdir(), 'aegis-cli-')), 'run.log'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('duration 0.0001 s is shorter than one physics step (0.001 s)');
  });
});
