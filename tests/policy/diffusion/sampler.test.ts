/**
 * The pure diffusion core: the DDIM step against hand-computed numbers, the
 * VP schedule, the top-k filter (exact top-k, ties, NaN), ensemble scores,
 * strategy normal forms, deadline planning, and the sampler over a fake
 * models port (determinism, FASTER keeps the best seed, counts, NaN fallbacks).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiffusionPolicySchema, planOf } from '../../../src/policy/diffusion/config.js';
import { ensembleScore, topK } from '../../../src/policy/diffusion/filter.js';
import type { DiffusionModels } from '../../../src/policy/diffusion/port.js';
import { diffusionStatus } from '../../../src/policy/diffusion/health.js';
import { countDecision, DiffusionSampler, fitPlan, makeCounters, predictMs } from '../../../src/policy/diffusion/sampler.js';
import { ddimPlan, ddimStep, vpSchedule } from '../../../src/policy/diffusion/schedule.js';
import { Rng } from '../../../src/training/rng.js';

describe('DDIM step (η = 0)', () => {
  it('matches a hand-computed step: ᾱ = 0.64 → 0.81, x = 0.5, ε = 0.2', () => {
    // x̂0 = (0.5 − 0.6·0.2)/0.8 = 0.475; ε' = (0.5 − 0.8·0.475)/0.6 = 0.2; x' = 0.9·0.475 + √0.19·0.2
    const out = [0];
    ddimStep([0.5], [0.2], 0, 1, 0.64, 0.81, -1, 1, out);
    expect(out[0]).toBeCloseTo(0.9 * 0.475 + Math.sqrt(0.19) * 0.2, 12);
    expect(out[0]).toBeCloseTo(0.5146779, 6);
  });

  it('clips x̂0 to the bounds and re-derives the noise from it', () => {
    // x = 2, ε = 0: x̂0 = 2.5 → 1; ε' = (2 − 0.8)/0.6 = 2; x' = 0.9 + √0.19·2
    const out = [0];
    ddimStep([2], [0], 0, 1, 0.64, 0.81, -1, 1, out);
    expect(out[0]).toBeCloseTo(0.9 + Math.sqrt(0.19) * 2, 12);
  });

  it('returns x̂0 (inside the bounds) on the last step (ᾱ_prev = 1)', () => {
    const out = [0, 0];
    ddimStep([0.3, -3], [0.1, 0.5], 0, 2, 0.5, 1, -1, 1, out);
    expect(out[0]).toBeCloseTo((0.3 - Math.sqrt(0.5) * 0.1) / Math.sqrt(0.5), 12);
    expect(out[1]).toBe(-1);
  });

  it('VP schedule: ᾱ is the running product of 1 − β (β linear)', () => {
    const vp = vpSchedule(3, 0.1, 0.3);
    expect(Array.from(vp.betas)).toEqual([0.1, 0.2, 0.30000000000000004].map((b) => expect.closeTo(b, 15)));
    expect(vp.alphaBar[0]).toBeCloseTo(0.9, 15);
    expect(vp.alphaBar[1]).toBeCloseTo(0.72, 15);
    expect(vp.alphaBar[2]).toBeCloseTo(0.504, 15);
  });

  it('DDIM plan: leading spacing 90 … 0 for S = 100, T = 10; ᾱ_prev = 1 after the last step', () => {
    const vp = vpSchedule(100, 1e-4, 0.2);
    const p = ddimPlan(vp, 10);
    expect(Array.from(p.timesteps)).toEqual([90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
    expect(p.alphaBarPrev[0]).toBe(vp.alphaBar[80]);
    expect(p.alphaBarPrev[9]).toBe(1);
    expect(p.timeInput[1]).toBeCloseTo(0.8, 6);
    expect(() => ddimPlan(vp, 101)).toThrow(/1\.\.100/);
  });
});

/** Independent oracle: sort indices by (score desc, NaN last, index asc). */
function oracleTopK(scores: number[], live: number[], k: number): number[] {
  const idx = scores.map((_, i) => i).filter((i) => live[i]);
  idx.sort((a, b) => {
    const sa = scores[a]!, sb = scores[b]!;
    const na = Number.isNaN(sa), nb = Number.isNaN(sb);
    if (na !== nb) return na ? 1 : -1;
    if (!na && sa !== sb) return sb - sa;
    return a - b;
  });
  return idx.slice(0, k);
}

describe('top-k filter', () => {
  it('keeps exactly the top k by score, in rank order', () => {
    const out = new Int32Array(8);
    const m = topK([0.1, 0.9, -2, 0.5, 0.7], [1, 1, 1, 1, 1], 5, 3, out);
    expect(m).toBe(3);
    expect(Array.from(out.subarray(0, m))).toEqual([1, 4, 3]);
  });

  it('ties keep the lower index first; NaN ranks below every number', () => {
    const out = new Int32Array(8);
    expect(Array.from(out.subarray(0, topK([1, 1, 1], [1, 1, 1], 3, 2, out)))).toEqual([0, 1]);
    expect(Array.from(out.subarray(0, topK([NaN, 0.5, NaN, 0.2], [1, 1, 1, 1], 4, 3, out)))).toEqual([1, 3, 0]);
    expect(Array.from(out.subarray(0, topK([NaN, -Infinity], [1, 1], 2, 1, out)))).toEqual([1]);
  });

  it('skips dead candidates and returns fewer than k when fewer are live', () => {
    const out = new Int32Array(8);
    expect(Array.from(out.subarray(0, topK([5, 4, 3], [0, 1, 0], 3, 2, out)))).toEqual([1]);
  });

  it('agrees with a sort-based oracle on random scores with ties and NaN', () => {
    const score = fc.oneof(fc.constant(NaN), fc.integer({ min: -3, max: 3 }), fc.double({ min: -5, max: 5, noNaN: true }));
    fc.assert(fc.property(fc.array(fc.tuple(score, fc.boolean()), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 20 }), (cands, k) => {
      const scores = cands.map((c) => c[0]);
      const live = cands.map((c) => (c[1] ? 1 : 0));
      const out = new Int32Array(20);
      const m = topK(scores, live, scores.length, k, out);
      expect(Array.from(out.subarray(0, m))).toEqual(oracleTopK(scores, live, k));
    }), { seed: 12, numRuns: 400 });
  });

  it('ensemble score: min over the first two members; NaN if either is NaN', () => {
    expect(ensembleScore([3, 1, 9, 2, 5, 0], 1, 3)).toBe(2);
    expect(ensembleScore([3, 1], 0, 1)).toBe(3);
    expect(ensembleScore([NaN, 1], 0, 2)).toBeNaN();
    expect(ensembleScore([1, NaN], 0, 2)).toBeNaN();
  });
});

describe('strategies and config', () => {
  it('normal forms', () => {
    expect(planOf({ kind: 'single' }, 10)).toEqual({ n: 1, filters: [], pickByQa: false });
    expect(planOf({ kind: 'best_of_n', n: 8 }, 10)).toEqual({ n: 8, filters: [], pickByQa: true });
    expect(planOf({ kind: 'faster', n: 8, keep: 1 }, 10)).toEqual({ n: 8, filters: [{ atStep: 0, keep: 1 }], pickByQa: false });
    expect(planOf({ kind: 'faster', n: 8, keep: 2 }, 10)).toEqual({ n: 8, filters: [{ atStep: 0, keep: 2 }], pickByQa: true });
    expect(planOf({ kind: 'schedule', n: 8, filters: [{ atStep: 0, keep: 2 }, { atStep: 3, keep: 1 }] }, 10).pickByQa).toBe(false);
  });

  it('refuses inconsistent schedules at configure time, naming the filter', () => {
    expect(() => planOf({ kind: 'faster', n: 4, keep: 5 }, 10)).toThrow(/keep \(5\) exceeds/);
    expect(() => planOf({ kind: 'schedule', n: 8, filters: [{ atStep: 3, keep: 2 }, { atStep: 3, keep: 1 }] }, 10)).toThrow(/filters\.1\.atStep/);
    expect(() => planOf({ kind: 'schedule', n: 8, filters: [{ atStep: 0, keep: 8 }] }, 10)).toThrow(/filters\.0\.keep/);
    expect(() => planOf({ kind: 'schedule', n: 8, filters: [{ atStep: 10, keep: 2 }] }, 10)).toThrow(/not before the last/);
  });

  it('config is strict: an unknown key is an error naming its path', () => {
    const r = DiffusionPolicySchema.safeParse({ contractPath: 'x.json', obsWidth: 6, horizon: 4, actionDim: 4, sampling: { strategy: { kind: 'faster', n: 8, keeep: 1 } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/keeep/);
    expect(JSON.stringify(r.error?.issues)).toMatch(/sampling.*strategy/);
  });

  it('deadline planning: filters harder, then single, then the safe action', () => {
    const cost = { callMs: 0.1, denoiserRowMs: 0.1, criticRowMs: 0.01 };
    const best = planOf({ kind: 'best_of_n', n: 8 }, 10);
    expect(predictMs(best, 10, cost)).toBeCloseTo(10 * (0.1 + 0.8) + 0.1 + 0.08, 9);
    expect(fitPlan(best, 10, 100, cost).degradation).toBe('none');
    const harder = fitPlan(best, 10, 2.3, cost); // keep-1 FASTER: 0.1 + 0.08 + 10·0.2 = 2.18
    expect(harder.degradation).toBe('filtered_harder');
    expect(harder.plan).toEqual({ n: 8, filters: [{ atStep: 0, keep: 1 }], pickByQa: false });
    expect(fitPlan(best, 10, 2.1, cost)).toEqual({ plan: { n: 1, filters: [], pickByQa: false }, degradation: 'single' });
    expect(fitPlan(best, 10, 1.9, cost).plan).toBeNull();
  });
});

/** A fake port: ε̂ = k·x (contracts toward 0), Q_dn = first value of x, Q_a = first value of a (both members, or per-row overrides). */
function fakeModels(opts: { nanDenoiseRows?: Set<number>; nanFirstCallOnly?: boolean; qNoise?: (x: Float32Array, row: number) => number; qAction?: (row: number) => number } = {}): DiffusionModels & { calls: string[] } {
  const W = 2;
  const calls: string[] = [];
  return {
    calls,
    shapes: { obsWidth: 1, horizon: 1, actionDim: W, qActionMembers: 2, qNoiseMembers: 2 },
    async denoise(_o, x, _t, rows, out) {
      calls.push(`denoise:${rows}`);
      const nan = opts.nanDenoiseRows && (!opts.nanFirstCallOnly || calls.length === 1) ? opts.nanDenoiseRows : undefined;
      for (let r = 0; r < rows; r++) for (let j = 0; j < W; j++) out[r * W + j] = nan?.has(r) ? NaN : 0.5 * x[r * W + j]!;
    },
    async qAction(_o, a, rows, out) {
      calls.push(`qa:${rows}`);
      for (let r = 0; r < rows; r++) { const v = opts.qAction ? opts.qAction(r) : a[r * W]!; out[2 * r] = v; out[2 * r + 1] = v + 1; }
    },
    async qNoise(_o, x, _t, rows, out) {
      calls.push(`qdn:${rows}`);
      for (let r = 0; r < rows; r++) { const v = opts.qNoise ? opts.qNoise(x, r) : x[r * W]!; out[2 * r] = v; out[2 * r + 1] = v + 1; }
    },
  };
}

const OPTS = { steps: 5, trainSteps: 50, betaMin: 1e-3, betaMax: 0.2, lo: -1, hi: 1, maxCandidates: 16 };
const OBS = new Float32Array(1);

describe('sampler over a models port', () => {
  it('is deterministic with a seed, and different seeds give different chunks', async () => {
    const a = new DiffusionSampler(fakeModels(), OPTS);
    const b = new DiffusionSampler(fakeModels(), OPTS);
    const plan = a.plan({ kind: 'best_of_n', n: 8 });
    const r1 = Array.from((await a.sample(OBS, plan, 42)).action);
    const r2 = Array.from((await b.sample(OBS, plan, 42)).action);
    const r3 = Array.from((await b.sample(OBS, plan, 43)).action);
    expect(r1).toEqual(r2);
    expect(r1).not.toEqual(r3);
  });

  it('FASTER keeps the seed with the best Q_dn and denoises only it (T denoiser rows, N critic rows)', async () => {
    const m = fakeModels();
    const s = new DiffusionSampler(m, OPTS);
    const r = await s.sample(OBS, s.plan({ kind: 'faster', n: 8, keep: 1 }), 7);
    // oracle: the same seeds drawn independently; Q_dn = min(x0, x0 + 1) = first noise value of each seed
    const rng = new Rng(7);
    const seeds = Array.from({ length: 8 }, () => [rng.normal(), rng.normal()]);
    const best = seeds.map((x) => x[0]!).reduce((bi, v, i, arr) => (v > arr[bi]! ? i : bi), 0);
    expect(r.outcome).toBe('sampled');
    expect(r.selectedSeed).toBe(best);
    expect(r.denoiserRows).toBe(5);
    expect(r.criticRows).toBe(8);
    expect(m.calls).toEqual(['qdn:8', 'denoise:1', 'denoise:1', 'denoise:1', 'denoise:1', 'denoise:1']);
  });

  it('best-of-N denoises all N in one call per step and picks the argmax of Q_a (min over two members)', async () => {
    const m = fakeModels({ qAction: (row) => [0.2, 0.9, 0.4, 0.1][row]! });
    const s = new DiffusionSampler(m, OPTS);
    const r = await s.sample(OBS, s.plan({ kind: 'best_of_n', n: 4 }), 3);
    expect(r.selectedSeed).toBe(1);
    expect(r.selectedQ).toBeCloseTo(0.9, 6);
    expect(r.denoiserRows).toBe(20);
    expect(m.calls.filter((c) => c === 'denoise:4')).toHaveLength(5);
    expect(m.calls.at(-1)).toBe('qa:4');
  });

  it('a schedule filters at the chosen steps (8 → 2 at the noise level, 2 → 1 after step 3)', async () => {
    const m = fakeModels();
    const s = new DiffusionSampler(m, OPTS);
    const r = await s.sample(OBS, s.plan({ kind: 'schedule', n: 8, filters: [{ atStep: 0, keep: 2 }, { atStep: 3, keep: 1 }] }), 5);
    expect(m.calls).toEqual(['qdn:8', 'denoise:2', 'denoise:2', 'denoise:2', 'qdn:2', 'denoise:1', 'denoise:1']);
    expect(r.denoiserRows).toBe(3 * 2 + 2);
    expect(r.criticRows).toBe(10);
  });

  it('the same seed index yields the same chunk under every strategy (seeds shared)', async () => {
    const s = new DiffusionSampler(fakeModels(), OPTS);
    const fast = await s.sample(OBS, s.plan({ kind: 'faster', n: 8, keep: 1 }), 11);
    const fastAction = Array.from(fast.action);
    const seed = fast.selectedSeed;
    const best = await new DiffusionSampler(fakeModels({ qAction: (row) => (row === seed ? 1 : 0) }), OPTS)
      .sample(OBS, planOf({ kind: 'best_of_n', n: 8 }, 5), 11);
    expect(best.selectedSeed).toBe(seed);
    expect(Array.from(best.action)).toEqual(fastAction);
  });

  it('drops candidates whose denoised state is NaN (counted); all NaN → the safe outcome', async () => {
    const m = fakeModels({ nanDenoiseRows: new Set([0]), nanFirstCallOnly: true, qAction: (row) => -row });
    const s = new DiffusionSampler(m, OPTS);
    const r = await s.sample(OBS, s.plan({ kind: 'best_of_n', n: 4 }), 1);
    expect(r.outcome).toBe('sampled');
    expect(r.droppedNaN).toBe(1);
    expect(m.calls).toEqual(['denoise:4', 'denoise:3', 'denoise:3', 'denoise:3', 'denoise:3', 'qa:3']);
    expect(r.selectedSeed).toBe(1); // seed 0 dropped; Q_a prefers the first remaining row
    const all = new DiffusionSampler(fakeModels({ nanDenoiseRows: new Set([0, 1, 2, 3]) }), OPTS);
    const r2 = await all.sample(OBS, all.plan({ kind: 'best_of_n', n: 4 }), 1);
    expect(r2.outcome).toBe('safe');
    expect(r2.safeReason).toBe('denoiser_nan');
  });

  it('NaN critic scores are never kept; all NaN → the safe outcome', async () => {
    const some = new DiffusionSampler(fakeModels({ qNoise: (x, r) => (r === 0 ? NaN : -r) }), OPTS);
    const r = await some.sample(OBS, some.plan({ kind: 'faster', n: 4, keep: 1 }), 1);
    expect(r.selectedSeed).toBe(1);
    expect(r.nanScores).toBe(1);
    const none = new DiffusionSampler(fakeModels({ qNoise: () => NaN }), OPTS);
    expect((await none.sample(OBS, none.plan({ kind: 'faster', n: 4, keep: 1 }), 1)).safeReason).toBe('critic_nan');
    const qa = new DiffusionSampler(fakeModels({ qAction: () => NaN }), OPTS);
    expect((await qa.sample(OBS, qa.plan({ kind: 'best_of_n', n: 4 }), 1)).safeReason).toBe('critic_nan');
  });

  it('a deadline no plan can meet gives the safe outcome without calling the models', async () => {
    const m = fakeModels();
    const s = new DiffusionSampler(m, OPTS);
    const r = await s.sample(OBS, s.plan({ kind: 'best_of_n', n: 8 }), 1, 0.01, { callMs: 1, denoiserRowMs: 1, criticRowMs: 1 });
    expect(r.outcome).toBe('safe');
    expect(r.safeReason).toBe('deadline');
    expect(m.calls).toEqual([]);
  });

  it('refuses a strategy with more candidates than the sampler was sized for', () => {
    const s = new DiffusionSampler(fakeModels(), OPTS);
    expect(() => s.plan({ kind: 'best_of_n', n: 17 })).toThrow(/maxCandidates/);
  });
});

describe('diagnostics status', () => {
  const base = (): ReturnType<typeof makeCounters> => makeCounters();
  it('OK when every decision sampled, WARN on some fallbacks or cut plans, ERROR when all fell back', () => {
    const before = base();
    const ok = { ...base(), decisions: 5, sampled: 5 };
    expect(diffusionStatus(ok, before).level).toBe('OK');
    const cut = { ...base(), decisions: 5, sampled: 5, filteredHarder: 1 };
    expect(diffusionStatus(cut, before).level).toBe('WARN');
    const some = { ...base(), decisions: 5, sampled: 4, safe: { ...base().safe, worker: 1 } };
    const s = diffusionStatus(some, before);
    expect(s.level).toBe('WARN');
    expect(s.values).toContainEqual(['safe_worker', '1']);
    const all = { ...base(), decisions: 5, sampled: 3, safe: { ...base().safe, late: 2 } };
    expect(diffusionStatus({ ...all, decisions: 7, safe: { ...all.safe, late: 4 } }, all).level).toBe('ERROR');
  });

  it('counts decisions into the running counters', () => {
    const c = makeCounters();
    countDecision(c, { outcome: 'safe', safeReason: 'late', degradation: 'single', droppedNaN: 1, nanScores: 2 } as never);
    countDecision(c, { outcome: 'sampled', safeReason: null, degradation: 'none', droppedNaN: 0, nanScores: 0 } as never);
    expect(c).toMatchObject({ decisions: 2, sampled: 1, degradedToSingle: 1, droppedNaN: 1, nanScores: 2 });
    expect(c.safe.late).toBe(1);
  });
});
