import { describe, expect, it } from 'vitest';
import { PageHinkley } from '../../src/adaptation/change-detector.js';
import { Rng } from '../../src/training/rng.js';

/** The adapter's stream under a fitting model: the mean of 14 squared unit normals (mean 1). */
function chi2Mean(rng: Rng, scale = 1): number {
  let s = 0;
  for (let i = 0; i < 14; i++) {
    const z = rng.normal() * Math.sqrt(scale);
    s += z * z;
  }
  return s / 14;
}

describe('PageHinkley change-point detector', () => {
  it('raises no false alarm in 10 000 stationary samples with the defaults (and some with a tiny threshold, so the count can fail)', () => {
    const count = (threshold: number): number => {
      const rng = new Rng(7);
      const ph = new PageHinkley({ threshold });
      let alarms = 0;
      for (let t = 0; t < 10_000; t++) {
        if (ph.update(chi2Mean(rng), t * 0.02) === 'alarm') {
          alarms++;
          ph.reset();
        }
      }
      return alarms;
    };
    expect(count(6)).toBe(0);
    expect(count(0.5)).toBeGreaterThan(10); // the same stream does alarm at a careless threshold
  });

  it('detects a step in the mean within a few samples; delay shrinks as the step grows', () => {
    const delay = (stepScale: number, seed: number): number => {
      const rng = new Rng(seed);
      const ph = new PageHinkley();
      for (let t = 0; t < 200; t++) expect(ph.update(chi2Mean(rng), t * 0.02)).toBe('ok');
      for (let k = 1; k <= 500; k++) if (ph.update(chi2Mean(rng, stepScale), (200 + k) * 0.02) === 'alarm') return k;
      return Infinity;
    };
    const big = [1, 2, 3, 4, 5].map((s) => delay(10, s));
    const small = [1, 2, 3, 4, 5].map((s) => delay(2.5, s));
    for (const d of big) expect(d).toBeLessThanOrEqual(2);
    for (const d of small) expect(d).toBeLessThanOrEqual(12);
    expect(Math.max(...big)).toBeLessThanOrEqual(Math.min(...small));
  });

  it('with the known reference (default) a stream that is already high from the start alarms; the running mean cannot see it', () => {
    const known = new PageHinkley();
    const running = new PageHinkley({ reference: 'running' });
    const first = (ph: PageHinkley): number => {
      for (let t = 1; t <= 200; t++) if (ph.update(5 + 0.3 * Math.sin(t), t) === 'alarm') return t;
      return Infinity;
    };
    expect(first(known)).toBeLessThanOrEqual(5);
    expect(first(running)).toBe(Infinity);
  });

  it('estimates the change point', () => {
    const ph = new PageHinkley();
    for (let t = 0; t < 50; t++) ph.update(1 + 0.01 * (t % 3), t);
    let v = 'ok';
    let k = 0;
    while (v !== 'alarm') v = ph.update(5 + 0.01 * (k % 3), 50 + k++);
    expect(ph.samplesSinceChange).toBe(k);
  });

  it('ignores non-finite samples and clips absurd ones (one outlier alone raises no alarm)', () => {
    const ph = new PageHinkley();
    for (let t = 0; t < 20; t++) ph.update(1 + 0.1 * Math.sin(t), t);
    expect(ph.update(NaN, 20)).toBe('ignored');
    expect(ph.stats.nonFinite).toBe(1);
    expect(ph.update(1e12, 21)).toBe('ok'); // clipped: one outlier alone cannot alarm
    expect(ph.update(1 + 0.1 * Math.sin(22), 22)).toBe('ok');
    const unclipped = new PageHinkley({ clip: 1e9 });
    for (let t = 0; t < 20; t++) unclipped.update(1 + 0.1 * Math.sin(t), t);
    expect(unclipped.update(1e12, 21)).toBe('alarm'); // without the clip it would
  });

  it('a stream whose time does not advance is stalled, never an alarm', () => {
    const ph = new PageHinkley();
    for (let t = 0; t < 10; t++) ph.update(1 + 0.1 * (t % 2), t * 0.02);
    for (let k = 0; k < 100; k++) expect(ph.update(50, 0.18)).toBe('stalled');
    expect(ph.stats.alarms).toBe(0);
    expect(ph.stalledAt(0.18 + 0.1)).toBe(false);
    expect(ph.stalledAt(0.18 + 0.25)).toBe(true); // no fresh sample for > stallTimeoutS (0.2 s)
  });

  it('a frozen value stream (bit-identical samples) is stalled', () => {
    const ph = new PageHinkley({ repeatLimit: 5 });
    const v: string[] = [];
    for (let t = 0; t < 8; t++) v.push(ph.update(1.25, t));
    expect(v.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(v.slice(4)).toEqual(['stalled', 'stalled', 'stalled', 'stalled']);
    expect(ph.stalledAt(8)).toBe(true);
    expect(ph.update(1.3, 9)).toBe('ok');
    expect(ph.stalledAt(9)).toBe(false);
  });
});
