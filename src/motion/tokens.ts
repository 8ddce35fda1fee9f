/**
 * Motion tokens (UniT-style), the pure side: a residual vector quantiser over
 * one shared latent space for human and robot 16-frame chunks, the models'
 * I/O contract, and a codec that runs the encoders/decoder through a port.
 *
 *   human chunk (16 × 21 features) ─ human encoder ─┐
 *                                                    ├─ z (latentDim) ─ RVQ ─ codes (one per stage) ─ ẑ
 *   robot chunk (16 × n joints)    ─ robot encoder ─┘
 *   ẑ ─ decoder ─ [robot chunk (16 × n), visual features (16 × 9)], standardised
 *
 * RVQ: r₀ = z; for each stage s: code_s = argmin_k |r_s − C_s[k]|², r_{s+1} = r_s − C_s[code_s];
 * ẑ = Σ_s C_s[code_s]. Inputs are standardised ((x − mean)/std) and decoder
 * outputs de-standardised with the statistics stored in the contract.
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const stats = z.object({ mean: z.array(finite), std: z.array(finite.positive()) }).strict();
const net = z.object({
  /** ONNX file beside the contract. */
  model: z.string().min(1),
  input: z.string().min(1),
  output: z.string().min(1),
  inputWidth: z.number().int().positive(),
  outputWidth: z.number().int().positive(),
}).strict();

export const TokenContractSchema = z.object({
  format: z.literal('aegis-motion-tokens/1'),
  description: z.string(),
  chunkFrames: z.number().int().positive(),
  rateHz: z.number().positive(),
  latentDim: z.number().int().positive(),
  /** Codebooks per RVQ stage: stage → code → latentDim values. */
  codebooks: z.array(z.array(z.array(finite)).min(2)).min(2),
  /** Robot joints of a chunk frame, in order. */
  jointNames: z.array(z.string().min(1)).min(1),
  humanFrameWidth: z.number().int().positive(),
  visualFrameWidth: z.number().int().positive(),
  humanEncoder: net,
  robotEncoder: net,
  decoder: net,
  /** Standardisation of the human encoder input (per chunk element). */
  humanStats: stats,
  /** Standardisation of robot chunks (encoder input and decoder output). */
  robotStats: stats,
  /** Standardisation of visual features (decoder output). */
  visualStats: stats,
  /** Figures measured when the models were trained (informational). */
  training: z.record(z.string(), z.union([finite, z.string()])),
}).strict().superRefine((c, ctx) => {
  const F = c.chunkFrames;
  const want = (path: string, got: number, exp: number): void => {
    if (got !== exp) ctx.addIssue({ code: 'custom', path: path.split('.'), message: `is ${got}, expected ${exp}` });
  };
  const n = c.jointNames.length;
  want('humanEncoder.inputWidth', c.humanEncoder.inputWidth, F * c.humanFrameWidth);
  want('robotEncoder.inputWidth', c.robotEncoder.inputWidth, F * n);
  want('humanEncoder.outputWidth', c.humanEncoder.outputWidth, c.latentDim);
  want('robotEncoder.outputWidth', c.robotEncoder.outputWidth, c.latentDim);
  want('decoder.inputWidth', c.decoder.inputWidth, c.latentDim);
  want('decoder.outputWidth', c.decoder.outputWidth, F * (n + c.visualFrameWidth));
  want('humanStats.mean.length', c.humanStats.mean.length, F * c.humanFrameWidth);
  want('humanStats.std.length', c.humanStats.std.length, F * c.humanFrameWidth);
  want('robotStats.mean.length', c.robotStats.mean.length, F * n);
  want('robotStats.std.length', c.robotStats.std.length, F * n);
  want('visualStats.mean.length', c.visualStats.mean.length, F * c.visualFrameWidth);
  want('visualStats.std.length', c.visualStats.std.length, F * c.visualFrameWidth);
  c.codebooks.forEach((cb, s) => cb.forEach((code, k) => {
    if (code.length !== c.latentDim) ctx.addIssue({ code: 'custom', path: ['codebooks', s, k], message: `has ${code.length} values, latentDim is ${c.latentDim}` });
  }));
});
export type TokenContract = z.infer<typeof TokenContractSchema>;

/** Flattened codebooks: stage s, code k at ((s·size + k)·dim). All stages share one size. */
export interface Codebooks {
  stages: number;
  size: number;
  dim: number;
  data: Float64Array;
}

export function codebooksFrom(c: TokenContract): Codebooks {
  const size = c.codebooks[0]!.length;
  if (c.codebooks.some((cb) => cb.length !== size)) throw new Error('every RVQ stage must have the same number of codes');
  const data = new Float64Array(c.codebooks.length * size * c.latentDim);
  c.codebooks.forEach((cb, s) => cb.forEach((code, k) => data.set(code, (s * size + k) * c.latentDim)));
  return { stages: c.codebooks.length, size, dim: c.latentDim, data };
}

/**
 * Residual quantisation of z (dim values at `zo`): writes one code per stage
 * into `codes` and ẑ into `zq` (dim values at `qo`). Returns the squared residual norm.
 */
export function rvqQuantize(cb: Codebooks, z: ArrayLike<number>, zo: number, codes: Int32Array, co: number, zq: Float64Array, qo: number): number {
  const { dim, size, data } = cb;
  for (let i = 0; i < dim; i++) zq[qo + i] = 0;
  let res = 0;
  for (let s = 0; s < cb.stages; s++) {
    let best = 0, bestD = Infinity;
    for (let k = 0; k < size; k++) {
      const o = (s * size + k) * dim;
      let d = 0;
      for (let i = 0; i < dim; i++) {
        const e = z[zo + i]! - zq[qo + i]! - data[o + i]!;
        d += e * e;
      }
      if (d < bestD) { bestD = d; best = k; }
    }
    codes[co + s] = best;
    const o = (s * size + best) * dim;
    for (let i = 0; i < dim; i++) zq[qo + i] = zq[qo + i]! + data[o + i]!;
    res = bestD;
  }
  return res;
}

/** ẑ for given codes. */
export function rvqDecode(cb: Codebooks, codes: ArrayLike<number>, co: number, zq: Float64Array | Float32Array, qo: number): void {
  const { dim, size, data } = cb;
  for (let i = 0; i < dim; i++) zq[qo + i] = 0;
  for (let s = 0; s < cb.stages; s++) {
    const k = codes[co + s]!;
    if (!(Number.isInteger(k) && k >= 0 && k < size)) throw new Error(`code ${k} of stage ${s} is not in 0..${size - 1}`);
    const o = (s * size + k) * dim;
    for (let i = 0; i < dim; i++) zq[qo + i] = zq[qo + i]! + data[o + i]!;
  }
}

/** Perplexity exp(H) of code usage counts (1 = one code used; size = uniform use). */
export function perplexity(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  if (n === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / n;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.exp(h);
}

/** One network behind a port (ONNX in production, a float64 MLP in training/tests). Batch 1. */
export interface ChunkNet {
  run(input: Float32Array): Promise<Float32Array>;
}

/** Encoders + RVQ + decoder, with the contract's standardisation. Buffers reused across calls. */
export class TokenCodec {
  readonly cb: Codebooks;
  readonly jointCount: number;
  /** Decoded robot chunk (chunkFrames × jointCount, rad) of the last decode. */
  readonly joints: Float64Array;
  /** Decoded visual features (chunkFrames × visualFrameWidth) of the last decode. */
  readonly visual: Float64Array;
  private readonly hIn: Float32Array;
  private readonly rIn: Float32Array;
  private readonly zIn = new Float32Array(0);
  private readonly zq: Float64Array;
  private readonly zDec: Float32Array;

  constructor(readonly contract: TokenContract, private readonly nets: { human: ChunkNet; robot: ChunkNet; decoder: ChunkNet }) {
    this.cb = codebooksFrom(contract);
    this.jointCount = contract.jointNames.length;
    this.joints = new Float64Array(contract.chunkFrames * this.jointCount);
    this.visual = new Float64Array(contract.chunkFrames * contract.visualFrameWidth);
    this.hIn = new Float32Array(contract.humanEncoder.inputWidth);
    this.rIn = new Float32Array(contract.robotEncoder.inputWidth);
    this.zq = new Float64Array(contract.latentDim);
    this.zDec = new Float32Array(contract.latentDim);
    void this.zIn;
  }

  /** Codes (one per stage) of a human chunk (chunkFrames × humanFrameWidth features). */
  async encodeHuman(features: ArrayLike<number>, codes: Int32Array, co = 0): Promise<void> {
    const s = this.contract.humanStats;
    for (let i = 0; i < this.hIn.length; i++) this.hIn[i] = (features[i]! - s.mean[i]!) / s.std[i]!;
    const z = await this.nets.human.run(this.hIn);
    rvqQuantize(this.cb, z, 0, codes, co, this.zq, 0);
  }

  /** Codes of a robot chunk (chunkFrames × jointCount, rad). */
  async encodeRobot(chunk: ArrayLike<number>, codes: Int32Array, co = 0): Promise<void> {
    const s = this.contract.robotStats;
    for (let i = 0; i < this.rIn.length; i++) this.rIn[i] = (chunk[i]! - s.mean[i]!) / s.std[i]!;
    const z = await this.nets.robot.run(this.rIn);
    rvqQuantize(this.cb, z, 0, codes, co, this.zq, 0);
  }

  /** Decodes codes into `this.joints` and `this.visual` (de-standardised). */
  async decode(codes: ArrayLike<number>, co = 0): Promise<void> {
    rvqDecode(this.cb, codes, co, this.zDec, 0);
    const y = await this.nets.decoder.run(this.zDec);
    const nj = this.joints.length;
    const rs = this.contract.robotStats, vs = this.contract.visualStats;
    for (let i = 0; i < nj; i++) this.joints[i] = y[i]! * rs.std[i]! + rs.mean[i]!;
    for (let i = 0; i < this.visual.length; i++) this.visual[i] = y[nj + i]! * vs.std[i]! + vs.mean[i]!;
  }
}
