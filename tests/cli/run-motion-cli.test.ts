/**
 * `npm start -- --config config/motion/demo.yaml`: the motion scenario through
 * the standard run CLI (summary, HTML report, exit status), with the motion
 * table: per request tracking RMSE, shield intervention ticks, reference
 * points outside the URDF limits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'run.js');
const built = existsSync(cli);
if (!built) console.warn('[skipped] motion run CLI: dist/cli/run.js is not built (npm test builds it; or npm run build)');

describe.skipIf(!built || !mujocoAvailability().available)('npm start with a motion scenario', () => {
  it('plays the first primitive and prints its shield interventions and reference limit check; --urdf is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-motion-cli-'));
    const r = spawnSync(process.execPath, [cli, '--config', 'config/motion/demo.yaml', '--duration', '2.5', '--quiet', '--log', join(dir, 'run.log'), '--report', join(dir, 'r.html')], { cwd: root, encoding: 'utf8', env: { ...process.env, VITEST: '' } });
    expect(r.stderr).toMatch(/no warnings or errors/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict             OK');
    expect(r.stdout).toMatch(/^ +1\.0 +play wave_right +ok +0\.\d{4} +\d+\/7\d\d +\w+ \d+/m);
    expect(r.stdout).toMatch(/^ +4\.0 +play reach_up +not reac/m);
    expect(r.stdout).toMatch(/motion references +\d+ published; 0 points outside the URDF limits/);
    expect(existsSync(join(dir, 'r.html'))).toBe(true);
    const u = spawnSync(process.execPath, [cli, '--config', 'config/motion/demo.yaml', '--urdf', 'urdf/g1_29dof_fixed.urdf', '--quiet', '--log', join(dir, 'run2.log')], { cwd: root, encoding: 'utf8', env: { ...process.env, VITEST: '' } });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--urdf does not apply to a motion scenario/);
  }, 120_000);
});
