/**
 * `--realtime` reports the wake-up lateness distribution of the paced loop
 * (p50/p99/p99.9 beside the max), not only a count of late steps.
 */
import { describe, expect, it } from 'vitest';
import { runLockstep, type SteppedSim } from '../../src/runtime/lockstep.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';

function fakeSim(timestepS: number, workMs = 0): SteppedSim {
  const sim = { time: 0, timestepS };
  return {
    sim,
    publishState: () => {},
    advance: () => {
      sim.time += timestepS;
      if (workMs > 0) {
        const end = performance.now() + workMs;
        while (performance.now() < end);
      }
    },
  };
}

describe('lockstep lateness percentiles', () => {
  it('realtime: ordered, finite percentiles up to the max', async () => {
    const r = await runLockstep({ bus: new EmbeddedBus(), sim: fakeSim(0.002), durationS: 0.1, realtime: true });
    expect(r.steps).toBe(50);
    for (const x of [r.latenessP50Us, r.latenessP99Us, r.latenessP999Us]) expect(Number.isFinite(x)).toBe(true);
    expect(r.latenessP50Us).toBeGreaterThanOrEqual(0);
    expect(r.latenessP50Us).toBeLessThanOrEqual(r.latenessP99Us);
    expect(r.latenessP99Us).toBeLessThanOrEqual(r.latenessP999Us);
    expect(r.latenessP999Us).toBeLessThanOrEqual(r.maxLatenessUs);
  });

  it('realtime with steps longer than the period: the lateness grows and is reported in the percentiles', async () => {
    // 3 ms of work per 2 ms step: every deadline after the first is already past, by ~1 ms more each step.
    const r = await runLockstep({ bus: new EmbeddedBus(), sim: fakeSim(0.002, 3), durationS: 0.04, realtime: true });
    expect(r.overruns).toBeGreaterThanOrEqual(15);
    expect(r.latenessP50Us).toBeGreaterThan(5_000);
    expect(r.latenessP99Us).toBeGreaterThan(r.latenessP50Us);
  });

  it('not realtime: no lateness figures (NaN), no late steps', async () => {
    const r = await runLockstep({ bus: new EmbeddedBus(), sim: fakeSim(0.002), durationS: 0.02, realtime: false });
    expect(r.latenessP50Us).toBeNaN();
    expect(r.latenessP99Us).toBeNaN();
    expect(r.overruns).toBe(0);
  });
});
