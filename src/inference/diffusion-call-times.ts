/**
 * Time per model call by row count, on the models the sampler uses (in the
 * sampling worker: {@link DiffusionWorkerClient.measureCallTimes}), for the
 * bench's batching floor (src/bench/diffusion-floor.ts): every call awaited
 * as the sampler awaits it; calls of every model and row count interleaved
 * so that load swings on a shared machine hit all alike; per (model, rows)
 * the median over repeats of the mean of a few back-to-back calls, each run
 * of them after one untimed call. A decision calls the denoiser T times in a
 * row at one row count; each (model, rows) has its own native session and
 * weights, so a first call after the others ran meets a cold cache (measured:
 * the 23-1024³-16 denoiser's 1-row call 0.5 ms cold against 0.15 ms inside a
 * decision) — the warm call is what T − 1 of the T steps cost.
 */
import type { DiffusionModels } from '../policy/diffusion/port.js';

export const FLOOR_ROWS = [1, 4, 8, 16, 32] as const;

/** Median time per call, ms, by row count, of each model. */
export interface CallTimes {
  denoiser: Map<number, number>;
  qNoise: Map<number, number>;
  qAction: Map<number, number>;
}

const median = (xs: number[]): number => {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? NaN : s[Math.ceil(0.5 * s.length) - 1]!;
};

/**
 * Measures t(rows) for every row count in {@link FLOOR_ROWS} for the three models: `repeats` rounds, each
 * timing `callsPerSample` back-to-back calls after one untimed call per model and row count (interleaved), median per (model, rows).
 */
export async function measureCallTimes(models: DiffusionModels, opts: { repeats: number; callsPerSample: number }): Promise<CallTimes> {
  const s = models.shapes;
  const W = s.horizon * s.actionDim;
  const maxRows = FLOOR_ROWS[FLOOR_ROWS.length - 1]!;
  const obs = new Float32Array(s.obsWidth).fill(0.1);
  const x = new Float32Array(maxRows * W);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
  const t = new Float32Array(maxRows).fill(0.5);
  const out = new Float32Array(maxRows * Math.max(W, s.qActionMembers, s.qNoiseMembers));
  const calls: [keyof CallTimes, (rows: number) => Promise<void>][] = [
    ['denoiser', (rows) => models.denoise(obs, x, t, rows, out)],
    ['qNoise', (rows) => models.qNoise(obs, x, t, rows, out)],
    ['qAction', (rows) => models.qAction(obs, x, rows, out)],
  ];
  const samples = new Map<string, number[]>();
  for (const [name, call] of calls) for (const rows of FLOOR_ROWS) for (let i = 0; i < 3; i++) { samples.set(`${name}/${rows}`, []); await call(rows); } // warm-up: native session per row count
  for (let r = 0; r < opts.repeats; r++) {
    for (const [name, call] of calls) {
      for (const rows of FLOOR_ROWS) {
        await call(rows); // untimed: brings this session's weights into the cache, as the previous step of a decision has
        const t0 = performance.now();
        for (let k = 0; k < opts.callsPerSample; k++) await call(rows);
        samples.get(`${name}/${rows}`)!.push((performance.now() - t0) / opts.callsPerSample);
      }
    }
  }
  const med = (name: string): Map<number, number> => new Map(FLOOR_ROWS.map((rows) => [rows, median(samples.get(`${name}/${rows}`)!)]));
  return { denoiser: med('denoiser'), qNoise: med('qNoise'), qAction: med('qAction') };
}
