/**
 * The batching floor the diffusion bench prints (src/bench/diffusion-floor.ts):
 * the formula against a hand-computed case, and the measurement calling each
 * model at every row count (no timing asserted).
 */
import { describe, expect, it } from 'vitest';
import { batchEfficiency, batchingFloor, modelCallMs, type CallTimes } from '../../src/bench/diffusion-floor.js';
import { FLOOR_ROWS, measureCallTimes } from '../../src/inference/diffusion-call-times.js';
import type { DiffusionModels } from '../../src/policy/diffusion/port.js';

const times = (pairs: [number, number][]): Map<number, number> => new Map(pairs);

describe('batching floor', () => {
  // denoiser: 0.02 ms at 1 row, 0.03 at 8; Q_dn 0.025 at 8; Q_a 0.026 at 8; T = 10
  const t: CallTimes = {
    denoiser: times([[1, 0.02], [8, 0.03]]),
    qNoise: times([[1, 0.02], [8, 0.025]]),
    qAction: times([[1, 0.02], [8, 0.026]]),
  };

  it('counts T one-row denoiser calls + one N-row Q_dn call against T N-row denoiser calls + one N-row Q_a call', () => {
    // FASTER: 10·0.02 + 0.025 = 0.225; best-of-8: 10·0.03 + 0.026 = 0.326
    const m = modelCallMs(t, 10, 8);
    expect(m.faster).toBeCloseTo(0.225, 12);
    expect(m.bestOfN).toBeCloseTo(0.326, 12);
    expect(batchingFloor(t, 10, 8)).toBeCloseTo(0.225 / 0.326, 12);
  });

  it('batch efficiency is t(N) / (N·t(1)): 1/N when batching is free, 1 when it gains nothing', () => {
    expect(batchEfficiency(t.denoiser, 8)).toBeCloseTo(0.03 / 0.16, 12);
    expect(batchEfficiency(times([[1, 1], [8, 1]]), 8)).toBeCloseTo(1 / 8, 12);
    expect(batchEfficiency(times([[1, 1], [8, 8]]), 8)).toBeCloseTo(1, 12);
  });

  it('a denoiser whose cost is all per-row compute puts the floor near 1/N; one that is all per-call overhead near 1', () => {
    const perRow = (n: number): number => 0.001 * n;
    const rowBound: CallTimes = { denoiser: times([[1, perRow(1)], [32, perRow(32)]]), qNoise: times([[32, 0]]), qAction: times([[32, 0]]) };
    expect(batchingFloor(rowBound, 10, 32)).toBeCloseTo(1 / 32, 12);
    const callBound: CallTimes = { denoiser: times([[1, 0.02], [32, 0.02]]), qNoise: times([[32, 0.02]]), qAction: times([[32, 0.02]]) };
    expect(batchingFloor(callBound, 10, 32)).toBeCloseTo(1, 12);
  });

  it('refuses a row count that was not measured', () => {
    expect(() => modelCallMs(t, 10, 4)).toThrow(/no call time measured for 4 rows/);
  });

  it('measures every model at every row count with that many rows', async () => {
    const calls: string[] = [];
    const shapes = { obsWidth: 6, horizon: 4, actionDim: 4, qActionMembers: 2, qNoiseMembers: 2 };
    const fake: DiffusionModels = {
      shapes,
      denoise: async (_o, _x, _t, rows) => void calls.push(`denoiser/${rows}`),
      qNoise: async (_o, _x, _t, rows) => void calls.push(`qNoise/${rows}`),
      qAction: async (_o, _a, rows) => void calls.push(`qAction/${rows}`),
    };
    const r = await measureCallTimes(fake, { repeats: 4, callsPerSample: 2 });
    for (const model of ['denoiser', 'qNoise', 'qAction'] as const) {
      expect([...r[model].keys()]).toEqual([...FLOOR_ROWS]);
      for (const rows of FLOOR_ROWS) {
        expect(calls.filter((c) => c === `${model}/${rows}`)).toHaveLength(3 + 4 * (1 + 2)); // warm-up + repeats × (one untimed + calls per sample)
        expect(Number.isFinite(r[model].get(rows))).toBe(true);
      }
    }
  });
});
