/**
 * Trains the motion-token models in TypeScript, deterministic for a seed:
 * human encoder Eh, robot encoder Er, residual VQ codebooks and the decoder D
 * (../motion/tokens.ts describes the path). Per step, on a batch of paired
 * chunks (standardised):
 *
 *   zr = Er(xr), zh = Eh(xh + noise), ẑr = RVQ(zr), ẑh = RVQ(zh)
 *   L = |D(ẑr) − y|² + |D(ẑh) − y|²                  (y = [robot chunk, visual features])
 *     + β(|zr − sg ẑr|² + |zh − sg ẑh|²)             (commitment)
 *     + α|zh − sg zr|²                               (one shared latent for both embodiments)
 *
 * with straight-through gradients across the quantiser. The first
 * `warmupSteps` run without quantisation; then each stage's codebook starts
 * from random latents (residuals) of the batch and follows EMA k-means
 * updates; a code unused for 100 steps restarts at a random residual.
 */
import { Adam, createMlp, zeroGrads, type Mlp, type MlpGrads } from './mlp.js';
import { mlpBackwardBatch, mlpForwardBatch, tapeOutput } from './mlp-chain.js';
import { Rng } from './rng.js';
import type { ChunkSet } from './motion-token-data.js';
import { rvqQuantize, type Codebooks } from '../motion/tokens.js';

export interface TokenTrainOptions {
  seed: number;
  steps: number;
  batch: number;
  latentDim: number;
  stages: number;
  codebookSize: number;
  hidden: number;
  learningRate: number;
  warmupSteps: number;
  commitment: number;
  align: number;
  /** Std of the noise added to standardised human inputs. */
  inputNoise: number;
  emaDecay: number;
  onProgress?: (step: number, loss: number) => void;
  logEvery?: number;
}

export const DEFAULT_TOKEN_TRAIN: TokenTrainOptions = {
  seed: 20260110, steps: 1500, batch: 32, latentDim: 16, stages: 2, codebookSize: 64, hidden: 128,
  learningRate: 2e-3, warmupSteps: 300, commitment: 0.25, align: 1, inputNoise: 0.05, emaDecay: 0.95,
};

export interface Standardisation { mean: Float64Array; std: Float64Array }

export function standardisation(data: Float64Array, rows: number, width: number, floor: number): Standardisation {
  const mean = new Float64Array(width), std = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) mean[i] = mean[i]! + data[r * width + i]! / rows;
  for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) { const d = data[r * width + i]! - mean[i]!; std[i] = std[i]! + (d * d) / rows; }
  for (let i = 0; i < width; i++) std[i] = Math.max(floor, Math.sqrt(std[i]!));
  return { mean, std };
}

export interface TokenModels {
  human: Mlp;
  robot: Mlp;
  decoder: Mlp;
  codebooks: Codebooks;
  humanStats: Standardisation;
  robotStats: Standardisation;
  visualStats: Standardisation;
  finalLoss: number;
}

export function trainMotionTokens(data: ChunkSet, options: Partial<TokenTrainOptions> = {}): TokenModels {
  const o = { ...DEFAULT_TOKEN_TRAIN, ...options };
  const rng = new Rng(o.seed);
  const F = data.human.length / data.count;
  const R = data.robot.length / data.count;
  const V = data.visual.length / data.count;
  const D = o.latentDim;
  const humanStats = standardisation(data.human, data.count, F, 0.02);
  const robotStats = standardisation(data.robot, data.count, R, 0.02);
  const visualStats = standardisation(data.visual, data.count, V, 0.02);
  const Eh = createMlp([F, o.hidden, D], 'tanh', rng);
  const Er = createMlp([R, o.hidden, D], 'tanh', rng);
  const Dec = createMlp([D, o.hidden, R + V], 'tanh', rng);
  // encoders' output layers start at ordinary scale (createMlp shrinks the last layer for policies)
  for (const net of [Eh, Er]) { const l = net.layers[net.layers.length - 1]!; for (let i = 0; i < l.weight.length; i++) l.weight[i] = l.weight[i]! * 10; }
  const nets = [Eh, Er, Dec];
  const adams = nets.map((n) => new Adam(n));
  const grads: MlpGrads[] = nets.map((n) => zeroGrads(n));
  const cb: Codebooks = { stages: o.stages, size: o.codebookSize, dim: D, data: new Float64Array(o.stages * o.codebookSize * D) };
  const lastUsed = new Int32Array(o.stages * o.codebookSize);
  const B = o.batch;
  const xh = new Float64Array(B * F), xr = new Float64Array(B * R), y = new Float64Array(B * (R + V));
  const zqR = new Float64Array(B * D), zqH = new Float64Array(B * D);
  const codesR = new Int32Array(B * o.stages), codesH = new Int32Array(B * o.stages);
  let loss = NaN;
  let quantising = false;

  const initCodebooks = (zr: Float64Array, zh: Float64Array): void => {
    // stage by stage: codes = random distinct latents' residuals after the previous stages
    const pool = new Float64Array(2 * B * D);
    pool.set(zr, 0); pool.set(zh, B * D);
    for (let s = 0; s < o.stages; s++) {
      for (let k = 0; k < o.codebookSize; k++) {
        const i = Math.floor(rng.next() * 2 * B);
        for (let d = 0; d < D; d++) cb.data[(s * o.codebookSize + k) * D + d] = pool[i * D + d]! + 0.01 * rng.normal();
      }
      // residuals for the next stage: subtract each pool latent's nearest code
      for (let i = 0; i < 2 * B; i++) {
        let best = 0, bestD = Infinity;
        for (let k = 0; k < o.codebookSize; k++) {
          let dd = 0;
          for (let d = 0; d < D; d++) { const e = pool[i * D + d]! - cb.data[(s * o.codebookSize + k) * D + d]!; dd += e * e; }
          if (dd < bestD) { bestD = dd; best = k; }
        }
        for (let d = 0; d < D; d++) pool[i * D + d] = pool[i * D + d]! - cb.data[(s * o.codebookSize + best) * D + d]!;
      }
    }
  };

  const emaUpdate = (z: Float64Array, codes: Int32Array, step: number): void => {
    const sums = new Float64Array(cb.data.length), counts = new Float64Array(o.stages * o.codebookSize);
    const r = new Float64Array(D);
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) r[d] = z[b * D + d]!;
      for (let s = 0; s < o.stages; s++) {
        const k = codes[b * o.stages + s]!;
        const ci = s * o.codebookSize + k;
        counts[ci] = counts[ci]! + 1;
        lastUsed[ci] = step;
        for (let d = 0; d < D; d++) sums[ci * D + d] = sums[ci * D + d]! + r[d]!;
        for (let d = 0; d < D; d++) r[d] = r[d]! - cb.data[ci * D + d]!;
      }
    }
    for (let ci = 0; ci < counts.length; ci++) {
      const c = counts[ci]!;
      if (c > 0) for (let d = 0; d < D; d++) cb.data[ci * D + d] = o.emaDecay * cb.data[ci * D + d]! + (1 - o.emaDecay) * (sums[ci * D + d]! / c);
      else if (step - lastUsed[ci]! > 100) {
        // dead code: restart at a random batch latent's residual for this stage
        const s = Math.floor(ci / o.codebookSize);
        const b = Math.floor(rng.next() * B);
        for (let d = 0; d < D; d++) r[d] = z[b * D + d]!;
        for (let t = 0; t < s; t++) { const k = codes[b * o.stages + t]!; for (let d = 0; d < D; d++) r[d] = r[d]! - cb.data[(t * o.codebookSize + k) * D + d]!; }
        for (let d = 0; d < D; d++) cb.data[ci * D + d] = r[d]! + 0.01 * rng.normal();
        lastUsed[ci] = step;
      }
    }
  };

  for (let step = 0; step < o.steps; step++) {
    for (let b = 0; b < B; b++) {
      const c = Math.floor(rng.next() * data.count);
      for (let i = 0; i < F; i++) xh[b * F + i] = (data.human[c * F + i]! - humanStats.mean[i]!) / humanStats.std[i]! + o.inputNoise * rng.normal();
      for (let i = 0; i < R; i++) { const v = (data.robot[c * R + i]! - robotStats.mean[i]!) / robotStats.std[i]!; xr[b * R + i] = v; y[b * (R + V) + i] = v; }
      for (let i = 0; i < V; i++) y[b * (R + V) + R + i] = (data.visual[c * V + i]! - visualStats.mean[i]!) / visualStats.std[i]!;
    }
    const tr = mlpForwardBatch(Er, xr, B), th = mlpForwardBatch(Eh, xh, B);
    const zr = tapeOutput(tr), zh = tapeOutput(th);
    if (!quantising && step >= Math.min(o.warmupSteps, Math.floor(o.steps / 5))) { initCodebooks(zr, zh); quantising = true; }
    if (quantising) {
      for (let b = 0; b < B; b++) {
        rvqQuantize(cb, zr, b * D, codesR, b * o.stages, zqR, b * D);
        rvqQuantize(cb, zh, b * D, codesH, b * o.stages, zqH, b * D);
      }
    } else { zqR.set(zr); zqH.set(zh); }
    grads.forEach((g) => { g.weight.forEach((w) => w.fill(0)); g.bias.forEach((w) => w.fill(0)); });
    const W = R + V;
    let l = 0;
    const dzR = new Float64Array(B * D), dzH = new Float64Array(B * D);
    for (const [zq, dz] of [[zqR, dzR], [zqH, dzH]] as const) {
      const td = mlpForwardBatch(Dec, zq, B);
      const out = tapeOutput(td);
      const dOut = new Float64Array(B * W);
      for (let i = 0; i < B * W; i++) { const e = out[i]! - y[i]!; l += (e * e) / (B * W); dOut[i] = (2 * e) / (B * W); }
      dz.set(mlpBackwardBatch(Dec, td, dOut, grads[2]!)); // straight-through: ∂L/∂z = ∂L/∂ẑ
    }
    const k = 1 / (B * D);
    for (let i = 0; i < B * D; i++) {
      if (quantising) {
        dzR[i] = dzR[i]! + 2 * o.commitment * k * (zr[i]! - zqR[i]!);
        dzH[i] = dzH[i]! + 2 * o.commitment * k * (zh[i]! - zqH[i]!);
      }
      const e = zh[i]! - zr[i]!;
      l += o.align * k * e * e;
      dzH[i] = dzH[i]! + 2 * o.align * k * e;
    }
    mlpBackwardBatch(Er, tr, dzR, grads[1]!);
    mlpBackwardBatch(Eh, th, dzH, grads[0]!);
    const lr = o.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / o.steps)));
    nets.forEach((n, i) => adams[i]!.step(n, grads[i]!, lr));
    if (quantising) { emaUpdate(zr, codesR, step); emaUpdate(zh, codesH, step); }
    loss = l;
    if (o.onProgress && (step + 1) % (o.logEvery ?? 250) === 0) o.onProgress(step + 1, loss);
  }
  return { human: Eh, robot: Er, decoder: Dec, codebooks: cb, humanStats, robotStats, visualStats, finalLoss: loss };
}
