/**
 * Pre-arm admission with the shared unitree_rl_lab G1-29 velocity policy,
 * imported with config/robots/unitree_g1_29dof.yaml and the vendor URDF
 * (docs/bring-your-own-policy.md), as a user would: one import, then the
 * admission of the imported run config.
 *
 * - the imported setup is admitted;
 * - the same setup with each known mistake in policy.yaml (frame-major history,
 *   alphabetical term order, processed last action, two joint names swapped)
 *   is refused and the verdict names the failing criterion;
 * - the diagnosis names the right likely cause for frame-major history,
 *   alphabetical term order and processed last action;
 * - bad inputs are refused before the trial naming the file (CLI exit 2);
 * - a trial that cannot finish in its time limit is a failed trial.
 *
 * Reduced set to keep the test modest: the stand and forward scenarios (and
 * left for the admitted case), one seed, 6 s each; the CLI default is seven
 * scenarios × three seeds × 8 s (docs/admission.md). Skips with a clear
 * message when the shared folder or MuJoCo is absent.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { admit, sweep, type AdmissionReport } from '../../src/runtime/admission.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { sharedData, sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';
import { runCli } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const missing = sharedDataMissing(UNITREE_G1_VELOCITY.onnx, UNITREE_G1_VELOCITY.deploy, UNITREE_G1_VELOCITY.urdf);
const mujoco = mujocoAvailability();
if (!mujoco.available) process.stderr.write(`skipping admission runs: ${mujoco.reason}\n`);

/** The reduced trial set of these tests (the CLI default is every velocity scenario × 3 seeds × 8 s). */
const REDUCED = { seeds: 1, durationS: 6, scenarios: ['stand', 'forward'] as ('stand' | 'forward' | 'left')[] };

const cli = runCli;

let imported: string | undefined;
/** The imported folder (made by the first test's beforeAll). */
function importedSetup(): string {
  if (!imported) throw new Error('the import did not run');
  return imported;
}
/** One import of the shared policy (vendor URDF), as docs/bring-your-own-policy.md shows. */
async function importOnce(): Promise<void> {
  const out = join(mkdtempSync(join(tmpdir(), 'aegis-admit-')), 'g1');
  const r = await cli('import.ts', [
    '--robot', join(root, 'config', 'robots', 'unitree_g1_29dof.yaml'),
    '--urdf', sharedData(UNITREE_G1_VELOCITY.urdf),
    '--deploy', sharedData(UNITREE_G1_VELOCITY.deploy),
    '--onnx', sharedData(UNITREE_G1_VELOCITY.onnx),
    '--out', out,
  ]);
  expect(r.status, r.stderr).toBe(0);
  imported = out;
}

/** A copy of the imported folder (same depth, so its relative paths still resolve) with policy.yaml changed. */
function withMistake(name: string, change: (policy: Record<string, any>) => void): string {
  const src = importedSetup();
  const dst = join(src, '..', name);
  cpSync(src, dst, { recursive: true });
  const file = join(dst, 'policy.yaml');
  const policy = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  change(policy);
  writeFileSync(file, stringify(policy));
  return join(dst, 'run.yaml');
}

const MISTAKES: Record<string, (p: Record<string, any>) => void> = {
  frame_major_history: (p) => (p.observation.historyLayout = 'frame_major'),
  alphabetical_term_order: (p) => (p.observation.termOrder = 'alphabetical'),
  processed_last_action: (p) => (p.observation.terms.find((t: { source: string }) => t.source === 'last_action').mode = 'processed'),
  // two joint names swapped (not a left/right mirror pair: the diagnosis does not search arbitrary pairs)
  swapped_joint_names: (p) => {
    const a = p.joints.indexOf('left_ankle_pitch_joint');
    const b = p.joints.indexOf('left_ankle_roll_joint');
    [p.joints[a], p.joints[b]] = [p.joints[b], p.joints[a]];
  },
};

const run = (configPath: string, diagnose: boolean, options = REDUCED): Promise<AdmissionReport> =>
  admit({ configPath, root, options, diagnose, workers: 1 });

describe.skipIf(missing !== undefined || !mujoco.available)('admission: the shared unitree_rl_lab G1-29 velocity policy', () => {
  beforeAll(importOnce, 300_000);

  it('the imported setup is admitted (stand, forward, left; every criterion passes)', async () => {
    const r = await run(join(importedSetup(), 'run.yaml'), false, { ...REDUCED, scenarios: ['stand', 'forward', 'left'] });
    const table = r.verdict.failed.map((f) => `${f.criterion}: ${f.detail}`).join('\n');
    expect(r.kind).toBe('velocity');
    expect(r.verdict.trials.map((t) => `${t.metrics.scenario}#${t.metrics.seed}`)).toEqual(['stand#1', 'forward#1', 'left#1']);
    expect(r.verdict.admitted, table).toBe(true);
    const fwd = r.verdict.trials[1]!.metrics;
    // the command really was tracked (independent of the tolerance: forward 0.9 m/s commanded)
    expect(fwd.command!.vx).toBeCloseTo(0.9, 6);
    expect(fwd.motion!.vx).toBeGreaterThan(0.6);
    expect(r.verdict.trials[2]!.metrics.motion!.vy).toBeGreaterThan(0.1);
    // the envelope saw every policy tick of the run
    expect(fwd.envelope.find((e) => e.term === 'joint_vel_rel')!.ticks).toBeGreaterThanOrEqual(290);
  }, 600_000);

  it.each(Object.keys(MISTAKES))('%s: refused, the verdict names the fall (and where)', async (name) => {
    const r = await run(withMistake(name, MISTAKES[name]!), false);
    expect(r.verdict.admitted).toBe(false);
    const fall = r.verdict.failed.find((f) => f.criterion === 'no_fall');
    expect(fall, JSON.stringify(r.verdict.failed)).toBeDefined();
    expect(fall!.detail).toMatch(/^stand#1: fell at \d+\.\d\d s$/);
    // the verdict was settled by the first failed trial: the rest were not run
    expect(r.verdict.skipped).toEqual(['forward#1']);
  }, 600_000);

  const diagnosed: [string, RegExp][] = [
    ['frame_major_history', /^history layout: the model expects `historyLayout: term_major`/],
    ['alphabetical_term_order', /^term order: the model expects `termOrder: as_listed`/],
    ['processed_last_action', /^last action: the model expects `mode: raw`/],
  ];
  it.each(diagnosed)('%s: the diagnosis names the right likely cause (and only that one)', async (name, cause) => {
    const r = await run(withMistake(`${name}_diag`, MISTAKES[name]!), true);
    expect(r.verdict.admitted).toBe(false);
    expect(r.diagnosis!.trials).toEqual(['stand#1', 'forward#1']);
    expect(r.diagnosis!.likelyCauses).toHaveLength(1);
    expect(r.diagnosis!.likelyCauses[0]).toMatch(cause);
  }, 900_000);

  it('robustness sweep: no push passes, a 60 N·s sideways push while walking fails; the margin says so', async () => {
    const r = await sweep({ configPath: join(importedSetup(), 'run.yaml'), root, options: { durationS: 6 }, condition: 'push', points: 2, workers: 1 });
    expect(r.scenario).toBe('forward');
    expect(r.rows.map((x) => [x.value, x.result.pass])).toEqual([[0, true], [60, false]]);
    expect(r.rows[1]!.result.metrics.fell).toBe(true);
    expect([r.margin, r.failsAt]).toEqual([0, 60]);
  }, 600_000);

  it('a trial that cannot finish in its time limit is a failed trial', async () => {
    const r = await run(join(importedSetup(), 'run.yaml'), false, { ...REDUCED, trialTimeLimitS: 0.05 } as typeof REDUCED);
    expect(r.verdict.admitted).toBe(false);
    const f = r.verdict.failed.find((c) => c.criterion === 'finished');
    expect(f!.detail).toMatch(/did not finish within the 0.05 s time limit/);
  }, 600_000);

  it('CLI: admitted exits 0 and writes the admission record beside the policy config; a mistake exits 1 naming the criterion', async () => {
    const folder = importedSetup();
    const ok = await cli('admit.ts', [join(folder, 'run.yaml'), '--scenarios', 'stand', '--seeds', '1', '--duration', '4', '--quiet']);
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toContain('verdict: ADMITTED');
    expect(ok.stdout).toMatch(/wall time\s+\d+\.\d s for 1 trial\(s\)/);
    const recordFile = join(folder, 'policy.admission.json');
    expect(existsSync(recordFile)).toBe(true);
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { verdict: string; files: { role: string }[] };
    expect(record.verdict).toBe('admitted');
    expect(record.files.map((f) => f.role).sort()).toEqual(['model', 'policy_config', 'robot_profile', 'run_config', 'shield_config', 'urdf']);

    const bad = await cli('admit.ts', [withMistake('frame_cli', MISTAKES.frame_major_history!), '--scenarios', 'stand', '--seeds', '1', '--no-diagnose', '--no-record', '--quiet']);
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stdout).toContain('verdict: REFUSED');
    expect(bad.stdout).toMatch(/failed no_fall in 1 trial\(s\) \[stand#1\]: stand#1: fell at/);
  }, 600_000);

  describe('bad input is refused before the trial, naming the file (exit 2)', () => {
    it('a missing run config', async () => {
      const r = await cli('admit.ts', ['/nonexistent/run.yaml', '--no-record']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('refused before the trial: /nonexistent/run.yaml');
    }, 180_000);

    it('a model that cannot load', async () => {
      const run = withMistake('bad_model', (p) => (p.modelPath = 'garbage.onnx'));
      const model = join(run, '..', 'garbage.onnx');
      writeFileSync(model, 'this is not an ONNX model');
      const r = await cli('admit.ts', [run, '--no-record']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('refused before the trial');
      expect(r.stderr).toContain(model);
    }, 180_000);

    it('a missing model file', async () => {
      const run = withMistake('no_model', (p) => (p.modelPath = 'absent.onnx'));
      const r = await cli('admit.ts', [run, '--no-record']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(join(run, '..', 'absent.onnx'));
    }, 180_000);

    it('a robot profile for another robot', async () => {
      const run = withMistake('other_robot', () => {});
      const profile = join(run, '..', 'other_robot.yaml');
      const g1 = parse(readFileSync(join(root, 'config', 'robots', 'unitree_g1_29dof.yaml'), 'utf8')) as Record<string, any>;
      g1.name = 'go2';
      g1.motorOrder = ['FR_hip_joint', 'FR_thigh_joint', 'FR_calf_joint', 'FL_hip_joint', 'FL_thigh_joint', 'FL_calf_joint'];
      g1.shield = join(root, 'config', 'shield_g1_floating.yaml');
      writeFileSync(profile, stringify(g1));
      const cfg = parse(readFileSync(run, 'utf8')) as Record<string, any>;
      cfg.robot.profile = 'other_robot.yaml';
      writeFileSync(run, stringify(cfg));
      const r = await cli('admit.ts', [run, '--no-record']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`refused before the trial: invalid configuration in ${profile}`);
    }, 180_000);
  });
});
