/**
 * Bring your own policy, end to end, as a user would: the unitree_rl_lab G1-29
 * velocity policy from the shared third-party folder goes through ONE import
 * (`src/cli/import.ts`) and ONE start (`src/cli/run.ts --config <it>`) with no
 * hand edits, on the vendor's URDF (and on the project's own G1 URDF):
 * - 0.5 m/s from t = 1 s for 20 s: walks ≥ 8.5 m without falling, exit 0;
 * - zero command: stands (≤ 0.2 m drift), exit 0;
 * - the same run with armature 0 falls, and the start exits non-zero saying so.
 * Skips with a clear message when the shared folder or MuJoCo is absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { runEmbedded, type RunSummary } from '../../src/runtime/embedded-run.js';
import { sharedData, sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';

const root = join(import.meta.dirname, '..', '..');
const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
const missing = sharedDataMissing(UNITREE_G1_VELOCITY.onnx, UNITREE_G1_VELOCITY.deploy, UNITREE_G1_VELOCITY.urdf);
const mujoco = mujocoAvailability();
if (!mujoco.available) process.stderr.write(`skipping bring-your-own-policy runs: ${mujoco.reason}\n`);

function cli(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [viteNode, join(root, 'src', 'cli', script), '--', ...args], {
    cwd: root,
    env: { ...process.env, VITEST: '', AEGIS_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npm start -- --config <config>`: through the CLI (exit code, stderr), or in-process (the same run, the verdict as exit code). */
async function start(config: string, viaCli: boolean): Promise<{ status: number | null; summary: RunSummary; stderr: string }> {
  if (!viaCli) {
    const summary = await runEmbedded({ configPath: config, root });
    const failures = [...summary.failures, ...(summary.monitor.violations > 0 ? ['limit violations'] : [])];
    return { status: failures.length === 0 ? 0 : 1, summary, stderr: failures.map((f) => `aegis_control: run failed: ${f}\n`).join('') };
  }
  const r = cli('run.ts', ['--config', config, '--json', '--quiet']);
  let summary: RunSummary;
  try {
    summary = JSON.parse(r.stdout) as RunSummary;
  } catch {
    throw new Error(`npm start printed no JSON summary (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  return { status: r.status, summary, stderr: r.stderr };
}

function importInto(robot: string, withUrdf: boolean): string {
  const out = join(mkdtempSync(join(tmpdir(), 'aegis-byop-')), 'setup');
  const args = ['--robot', join(root, 'config', 'robots', robot), '--deploy', sharedData(UNITREE_G1_VELOCITY.deploy), '--onnx', sharedData(UNITREE_G1_VELOCITY.onnx), '--out', out];
  if (withUrdf) args.push('--urdf', sharedData(UNITREE_G1_VELOCITY.urdf));
  const r = cli('import.ts', args);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain(`npm start -- --config ${join(out, 'run.yaml')}`);
  return out;
}

// The vendor case goes through the CLI (exit codes as a user sees them); the own-URDF case runs the same in-process.
const cases = [
  { robot: 'unitree_g1_29dof.yaml', urdf: true, what: "the vendor's URDF (no meshes)", viaCli: true },
  { robot: 'g1_29dof.yaml', urdf: false, what: "the project's own G1 URDF", viaCli: false },
] as const;

describe.skipIf(missing !== undefined || !mujoco.available)('bring your own policy: unitree_rl_lab G1-29 velocity policy, one import, one start', () => {
  describe.each(cases)('on $what', ({ robot, urdf, viaCli }) => {
    let setup: string | undefined;
    const folder = (): string => (setup ??= importInto(robot, urdf));

    it('walks ≥ 8.5 m in 20 s at 0.5 m/s without falling; exit 0', async () => {
      const r = await start(join(folder(), 'run.yaml'), viaCli);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const o = r.summary.outcome!;
      expect(o.fell).toBe(false);
      expect(o.distanceM).toBeGreaterThanOrEqual(8.5);
      expect(o.commandedS).toBeCloseTo(20, 1);
      expect(o.meanCommandMps).toBeCloseTo(0.5, 6);
      expect(r.summary.failures).toEqual([]);
      expect(r.summary.monitor.violations).toBe(0);
      process.stderr.write(`[byop ${robot}] walk: ${o.distanceM.toFixed(3)} m, mean ${o.meanVelocityMps.toFixed(3)} m/s, yaw drift ${o.yawDriftDeg.toFixed(1)}°, min height ${o.minBaseHeightM.toFixed(3)} m\n`);
    }, 120_000);

    it('stands at a zero command: ≤ 0.2 m drift; exit 0', async () => {
      const r = await start(join(folder(), 'stand.yaml'), false);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const o = r.summary.outcome!;
      expect(o.fell).toBe(false);
      expect(o.commandedS).toBe(0);
      expect(o.distanceM).toBeLessThanOrEqual(0.2);
      process.stderr.write(`[byop ${robot}] stand: drift ${o.distanceM.toFixed(3)} m, yaw drift ${o.yawDriftDeg.toFixed(1)}°\n`);
    }, 120_000);

    it('made to fall (armature 0): exit non-zero with a line saying it fell', async () => {
      const run = parse(readFileSync(join(folder(), 'run.yaml'), 'utf8')) as { sim: { armature: { defaultKgM2: number } } };
      run.sim.armature.defaultKgM2 = 0;
      const fall = join(folder(), 'fall.yaml');
      writeFileSync(fall, stringify(run));
      const r = await start(fall, viaCli);
      expect(r.status).toBe(1);
      expect(r.summary.outcome!.fell).toBe(true);
      expect(r.stderr).toMatch(/aegis_control: run failed: the robot fell: base height [\d.]+ m below the fall height 0.4 m/);
    }, 120_000);
  });
});
