import { describe, expect, it } from 'vitest';
import { nominalProfile, ratioOver, timeToAdapt, visitMetrics, type MetricSettings, type Series } from '../../src/runtime/adaptation-metrics.js';

const M: MetricSettings = { nominalWarmupS: 1, windowS: 0.5, ratio: 1.2, holdS: 2, forgettingWindowS: 2, bins: 4 };

/** 100 Hz samples over [0, end) with e2 = f(t) × the phase profile p[bin] (4 bins over a 1 s period). */
function series(end: number, f: (t: number) => number, p = [1, 2, 3, 4]): Series {
  const s: Series = { t: [], e2: [], bin: [], cost: [], clamp: [] };
  for (let i = 0; i < end * 100; i++) {
    const t = i / 100;
    const bin = Math.floor((t % 1) * 4);
    s.t.push(t);
    s.bin.push(bin);
    s.e2.push(f(t) * p[bin]!);
    s.cost.push(t >= 10 && t < 20 ? 0.5 : 0);
    s.clamp.push(0);
  }
  return s;
}

describe('adaptation scenario metrics', () => {
  it('normalises by the nominal phase profile', () => {
    const s = series(10, () => 1);
    const nom = nominalProfile(s, 1, 10, 4);
    expect(Array.from(nom)).toEqual([1, 2, 3, 4]);
    expect(ratioOver(s, nom, 2, 2.3)).toBeCloseTo(1, 12); // a partial period: still 1 (raw RMSE would depend on phase)
  });

  it('time to adapt: the first window start after which the ratio stays ≤ 1.2 for holdS', () => {
    // error ×4 (ratio 2) for 0.7 s after the switch at 10 s, then nominal
    const s = series(20, (t) => (t >= 10 && t < 10.7 ? 4 : 1));
    const nom = nominalProfile(s, 1, 10, 4);
    expect(timeToAdapt(s, nom, { name: 'x', startS: 10, endS: 20 }, M)).toBe(0.7);
    // never adapted
    const never = series(20, (t) => (t >= 10 ? 4 : 1));
    expect(timeToAdapt(never, nom, { name: 'x', startS: 10, endS: 20 }, M)).toBeNull();
    // a relapse within holdS after a good window pushes the time later
    const relapse = series(20, (t) => (t >= 10 && t < 10.5) || (t >= 11.5 && t < 12) ? 4 : 1);
    expect(timeToAdapt(relapse, nom, { name: 'x', startS: 10, endS: 20 }, M)).toBe(2);
  });

  it('per visit: RMSE, cost, and forgetting of a revisit vs the end of its first visit', () => {
    // visits: A [0,10) nominal; B [10,20) error ×4 settling after 1 s; A [20,30); B [30,40) starting at ×2.25 (ratio 1.5)
    const s = series(40, (t) => (t >= 10 && t < 11 ? 4 : t >= 30 && t < 32 ? 2.25 : 1));
    const v = visitMetrics(s, [
      { name: 'A', startS: 0, endS: 10 },
      { name: 'B', startS: 10, endS: 20 },
      { name: 'A', startS: 20, endS: 30 },
      { name: 'B', startS: 30, endS: 40 },
    ], M);
    expect(v[0]!.adaptS).toBeNull();
    expect(v[1]!.adaptS).toBe(1);
    expect(v[1]!.meanCost).toBeCloseTo(0.5, 12);
    expect(v[2]!.forgetting).toBeCloseTo(0, 12);
    expect(v[3]!.forgetting).toBeCloseTo(0.5, 9); // 1.5 / 1 − 1
    expect(v[1]!.forgetting).toBeNull();
    // from +0.5 s: [30.5, 32) at ×2.25 (profile sum over bins 2,3 + one period: (7 + 10)·25 = 425), [32, 32.5) at ×1 (bins 0,1: 75)
    expect(v[3]!.forgettingSettled).toBeCloseTo(Math.sqrt((2.25 * 425 + 75) / 500) - 1, 9);
    const visits4 = [{ name: 'A', startS: 0, endS: 10 }, { name: 'B', startS: 10, endS: 20 }, { name: 'A', startS: 20, endS: 30 }, { name: 'B', startS: 30, endS: 40 }];
    expect(visitMetrics(s, visits4, { ...M, settleS: 2 })[3]!.forgettingSettled).toBeCloseTo(0, 9);
    // a 4 s window from +0.5 s: [30.5, 32) at ×2.25 (425) and [32, 34.5) at ×1 (two periods + bins 0,1: 575); the first visit's last 4 s at ×1
    expect(visitMetrics(s, visits4, { ...M, settleWindowS: 4 })[3]!.forgettingSettled).toBeCloseTo(Math.sqrt((2.25 * 425 + 575) / 1000) - 1, 9);
    expect(v[1]!.forgettingSettled).toBeNull();
    expect(v[0]!.rmseRad).toBeCloseTo(Math.sqrt(2.5), 9); // mean of the profile 1..4
  });

  it("time to adapt against another nominal level (the unadapted policy's): a worse nominal makes the same error count as adapted sooner", () => {
    // B [10,20): error ×4 for 0.5 s, ×2 (ratio 1.41 vs its own nominal: never adapted) after
    const s = series(20, (t) => (t >= 10 && t < 10.5 ? 4 : t >= 10.5 ? 2 : 1));
    const visits = [
      { name: 'A', startS: 0, endS: 10 },
      { name: 'B', startS: 10, endS: 20 },
    ];
    // the policy's nominal profile: twice this variant's (ratio 1 for the ×2 part, 1.41 for the ×4 part)
    const policy = nominalProfile(series(10, () => 2), 1, 10, 4);
    const v = visitMetrics(s, visits, M, policy);
    expect(v[1]!.adaptS).toBeNull();
    expect(v[1]!.adaptVsPolicyS).toBe(0.3); // window [τ, τ + 0.5]: ratio² = 1 + (0.5 − τ)/0.5 ≤ 1.44 from τ ≈ 0.28, on the 0.1 s grid 0.3
    expect(v[0]!.adaptVsPolicyS).toBeNull();
    expect(visitMetrics(s, visits, M)[1]!.adaptVsPolicyS).toBeNull(); // not given
  });
});
