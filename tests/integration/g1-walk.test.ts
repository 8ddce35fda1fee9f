/**
 * Acceptance: the shield is safe for a balancing robot. The unitree_rl_lab G1-29
 * velocity policy walks the vendor's G1 (floating base, the deploy file's
 * gains, armature 0.01) in the embedded sim through the shipped floating-base
 * profile (config/shield_g1_floating.yaml): 20 s at 0.5 m/s from t = 1 s must
 * not fall and must cover ≥ 95 % of the same run with the shield in
 * pass-through; at a zero command it must stand (≤ 0.2 m drift).
 * Distances print with: npx vite-node tests/helpers/print-g1-walk.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { runEmbedded } from '../../src/runtime/embedded-run.js';
import { sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';
import { FLOATING_PROFILE, setupG1Walk, walk, type WalkResult, type WalkSetup } from '../helpers/g1-walk.js';

const mujoco = mujocoAvailability();
const missing = sharedDataMissing(UNITREE_G1_VELOCITY.onnx, UNITREE_G1_VELOCITY.deploy, UNITREE_G1_VELOCITY.urdf);
const skip = !mujoco.available ? `MuJoCo addon unavailable: ${mujoco.reason}` : missing;
if (skip) console.warn(`[skipped] G1 walking acceptance: ${skip}`);
const REPO = join(import.meta.dirname, '..', '..');

describe.skipIf(skip !== undefined)('G1 walking policy through the floating-base shield profile', () => {
  let setup: WalkSetup;
  let shielded: WalkResult;
  let passThrough: WalkResult;
  beforeAll(async () => {
    setup = setupG1Walk();
    const pt = join(setup.dir, 'pass-through.yaml');
    const text = readFileSync(FLOATING_PROFILE, 'utf8');
    expect(text).toContain('passThrough: false');
    writeFileSync(pt, text.replace('passThrough: false', 'passThrough: true'));
    shielded = await walk(setup, FLOATING_PROFILE, 0.5);
    passThrough = await walk(setup, pt, 0.5);
    process.stderr.write(`G1 walk 20 s @ 0.5 m/s: shield ${shielded.distanceM.toFixed(3)} m, pass-through ${passThrough.distanceM.toFixed(3)} m\n`);
  }, 120_000);

  it('walks without falling and covers ≥ 95 % of the pass-through distance', () => {
    expect(shielded.summary.shield.activations).toBe(1);
    expect(shielded.fell).toBe(false);
    expect(shielded.summary.sim.minBaseHeightM).toBeGreaterThan(0.5);
    // the comparison run really walked (a broken setup would make the ratio meaningless)
    expect(passThrough.fell).toBe(false);
    expect(passThrough.forwardM).toBeGreaterThan(7);
    expect(passThrough.summary.shield.interventionTicks).toBe(0);
    expect(shielded.distanceM).toBeGreaterThanOrEqual(0.95 * passThrough.distanceM);
    // every command that reached the actuators was within the URDF limits
    expect(shielded.summary.monitor.violations).toBe(0);
  });

  it('stands at a zero command (≤ 0.2 m drift in 20 s)', async () => {
    const stand = await walk(setup, FLOATING_PROFILE, 0);
    expect(stand.fell).toBe(false);
    expect(stand.distanceM).toBeLessThanOrEqual(0.2);
  }, 60_000);

  it('refuses the fixed-base profile on the floating robot, naming both', async () => {
    await expect(runEmbedded({ configPath: setup.runConfig(join(REPO, 'config', 'shield.yaml'), 0.5, 1), root: REPO }))
      .rejects.toThrow(/fixed-base robot[\s\S]*floating base/);
  });

  it('refuses a following-error bound that would cap a leg servo below its effort limit', async () => {
    const bad = join(setup.dir, 'following.yaml');
    writeFileSync(bad, readFileSync(FLOATING_PROFILE, 'utf8').replace('followingErrorRad: null', 'followingErrorRad: 0.15'));
    await expect(runEmbedded({ configPath: setup.runConfig(bad, 0.5, 1), root: REPO }))
      .rejects.toThrow(/followingErrorRad: 0\.15 rad caps the static torque of 'left_ankle_pitch_joint' at kp·0\.15 = 6\.000 N·m, below its effort limit 35 N·m/);
  });

  it('refuses servo gains in the shield config that differ from the sim\'s, naming both values', async () => {
    const bad = join(setup.dir, 'gains.yaml');
    writeFileSync(bad, readFileSync(FLOATING_PROFILE, 'utf8').replace('  joints: {}', "  joints: { left_knee_joint: { kpNmPerRad: 100 } }"));
    await expect(runEmbedded({ configPath: setup.runConfig(bad, 0.5, 1), root: REPO }))
      .rejects.toThrow(/joints\.left_knee_joint\.kpNmPerRad: kp 100 N·m\/rad for 'left_knee_joint' differs from the robot's servo gain 150 N·m\/rad/);
  });
});
