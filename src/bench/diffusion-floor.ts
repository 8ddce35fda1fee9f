/**
 * The floor that batching puts on FASTER's latency relative to best-of-N,
 * measured rather than argued. The issue requires every strategy to batch
 * all its live candidates into one model call per denoising step, so with
 * keep = 1 both strategies make T + 1 calls per decision:
 *
 *   FASTER:    1 Q_dn call of N rows + T denoiser calls of 1 row
 *   best-of-N: T denoiser calls of N rows + 1 Q_a call of N rows
 *
 * and the ratio of their model-call time,
 *
 *   floor(N) = (T·t_den(1) + t_qdn(N)) / (T·t_den(N) + t_qa(N)),
 *
 * is what FASTER's latency ratio tends to when everything else a decision
 * costs is negligible. What else it costs moves the measured ratio off the
 * floor: time both strategies pay alike (the worker round trip, per-decision
 * bookkeeping) pushes it towards 1; best-of-N's extra per-row sampler
 * arithmetic (DDIM updates and noise of N rows) pushes it below. The bench
 * prints the per-strategy model-call time predicted from these per-call
 * figures beside the measured compute and latency, so the gap is accounted.
 *
 * t(rows) is measured inside the sampling worker, on the models and the
 * synchronous native path its sampler uses (src/inference/diffusion-call-times.ts).
 */
import type { CallTimes } from '../inference/diffusion-call-times.js';

export { FLOOR_ROWS, type CallTimes } from '../inference/diffusion-call-times.js';

/** Model-call time per decision, ms, of FASTER (keep 1) and best-of-N with T denoising steps. */
export function modelCallMs(t: CallTimes, steps: number, n: number): { faster: number; bestOfN: number } {
  const at = (m: Map<number, number>, rows: number): number => {
    const v = m.get(rows);
    if (v === undefined) throw new Error(`no call time measured for ${rows} rows`);
    return v;
  };
  return {
    faster: steps * at(t.denoiser, 1) + at(t.qNoise, n),
    bestOfN: steps * at(t.denoiser, n) + at(t.qAction, n),
  };
}

/** The batching floor on FASTER's latency ratio to best-of-N (see the file comment). */
export function batchingFloor(t: CallTimes, steps: number, n: number): number {
  const m = modelCallMs(t, steps, n);
  return m.faster / m.bestOfN;
}

/** Batch efficiency of a model at n rows: t(n) / (n·t(1)); 1/n = batching is free, 1 = no gain from batching. */
export function batchEfficiency(m: Map<number, number>, n: number): number {
  return m.get(n)! / (n * m.get(1)!);
}
