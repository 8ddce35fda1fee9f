/**
 * The motion demo end to end on the embedded sim (shortened): primitives
 * decoded from the shipped token models, played by the motion node, tracked
 * through the shield by the policy node in MOTION mode.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pointsOutsideLimits, runMotionDemo } from '../../src/runtime/motion-run.js';
import { sharedDataMissing } from '../helpers/shared-data.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const cfg = (requests: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'motion-demo-'));
  const file = join(dir, 'demo.yaml');
  const c = (p: string): string => JSON.stringify(join(ROOT, p));
  writeFileSync(file, `run: ${c('config/embedded_motion.yaml')}\nretargetMap: ${c('config/motion/g1_retarget.yaml')}\ntokens: ${c('models/motion_tokens.contract.json')}\nprimitives: ${c('config/motion/primitives.yaml')}\nrequests:\n${requests}`);
  return file;
};

describe('motion demo (embedded sim)', () => {
  it('plays primitives through the shield with zero limit violations at the actuators; unknown primitives are refused', async () => {
    const s = await runMotionDemo({
      configPath: cfg('  - { atS: 0.5, command: play wave_right }\n  - { atS: 3.0, command: play fly }\n  - { atS: 3.5, command: "play wipe scale 0.8" }\n'),
      root: ROOT, durationS: 6,
    });
    expect(s.requests.map((r) => r.outcome)).toEqual(['ok', expect.stringMatching(/unknown primitive 'fly'/), 'ok']);
    expect(s.run.monitor.violations).toBe(0);
    expect(s.published).toBeGreaterThan(250);
    expect(s.requests[0]!.samples).toBeGreaterThan(500);
    expect(s.requests[0]!.trackingRmseRad).toBeLessThan(0.3);
    // per request: the shield's ticks and intervention ticks over its span, and every published reference point checked against the URDF
    const [wave, fly, wipe] = s.requests;
    expect(wave!.shieldTicks).toBeGreaterThan(1200); // 0.5 → 3.0 s at 500 Hz
    expect(wave!.shieldInterventionTicks).toBeGreaterThan(0);
    expect(wave!.shieldInterventionTicks).toBeLessThanOrEqual(wave!.shieldTicks);
    expect(Object.values(wave!.shieldInterventions).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(wave!.shieldInterventionTicks);
    expect(fly!.shieldTicks).toBeGreaterThan(0);
    expect(wave!.shieldTicks + fly!.shieldTicks + wipe!.shieldTicks).toBeLessThanOrEqual(s.run.shield.ticks);
    expect(wave!.referencePoints).toBeGreaterThan(16 * 100);
    expect(s.requests.reduce((a, r) => a + r.referencePoints, 0)).toBeLessThanOrEqual(16 * s.published);
    expect(s.referenceLimitViolations).toBe(0);
    expect(s.requests.every((r) => r.referenceLimitViolations === 0)).toBe(true);
    // active through the run (one activation), held only by the end-of-run hold; the run's verdict has no failures
    expect(s.run.shield.activations).toBe(1);
    expect(s.run.shield.finalReason).toBe('hold_requested');
    expect(s.run.failures).toEqual([]);
  }, 120_000);

  it.skipIf(sharedDataMissing('cmu_mocap/cmu_14_37.bvh'))('follows a streamed clip (PoseArray keypoints) through the shield; when the stream stops the watchdog holds, then glides home', async () => {
    const s = await runMotionDemo({
      configPath: cfg('  - { atS: 0.3, command: teleop }\nteleopStreams:\n  - { atS: 0.5, file: cmu_14_37.bvh, fromS: 0.5, toS: 2.5, rateHz: 30 }\n'),
      root: ROOT, durationS: 4,
    });
    const r = s.requests[0]!;
    expect(r.outcome).toBe('ok');
    expect(s.teleop.accepted).toBeGreaterThanOrEqual(55); // 2 s at 30 Hz
    expect(s.teleop.refused).toBe(0);
    expect(s.teleop.staleEvents).toBe(1);
    expect(r.trackingRmseRad).toBeLessThan(0.3);
    expect(r.shieldTicks).toBeGreaterThan(1800);
    expect(r.referenceLimitViolations).toBe(0);
    expect(s.referenceLimitViolations).toBe(0);
    expect(s.run.monitor.violations).toBe(0);
    expect(s.run.failures).toEqual([]);
  }, 120_000);

  it('the reference limit check counts a point outside the limits, a non-finite one and one of the wrong length', () => {
    const lim = { lower: [-1, -2], upper: [1, 2] };
    const pts = [[0, 0], [1, 2], [1.0001, 0], [0, -2.1], [NaN, 0], [0], [-1, -2]].map((p) => ({ positions: p }));
    expect(pointsOutsideLimits(pts, lim)).toBe(4);
  });
});
