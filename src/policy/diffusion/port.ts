/**
 * The diffusion models port: what the sampler needs from the denoiser and the
 * critics (the ONNX adapter is src/inference/diffusion-onnx.ts). Every call
 * takes one observation (the adapter repeats it per row) and `rows`
 * candidates, row-major, and writes into `out`.
 */
export interface DiffusionShapes {
  /** Observation width. */
  readonly obsWidth: number;
  /** Chunk horizon H. */
  readonly horizon: number;
  /** Action dimension D. */
  readonly actionDim: number;
  /** Ensemble members of Q_a (the score is the minimum over the first two). */
  readonly qActionMembers: number;
  /** Ensemble members of Q_dn. */
  readonly qNoiseMembers: number;
}

export interface DiffusionModels {
  readonly shapes: DiffusionShapes;
  /** ε_θ(obs, x_t, t): x [rows, H·D], t [rows] (τ/S) → out [rows, H·D]. One call for all rows. */
  denoise(obs: Float32Array, x: Float32Array, t: Float32Array, rows: number, out: Float32Array): Promise<void>;
  /** Q_a(obs, a): a [rows, H·D] → out [rows, members]. */
  qAction(obs: Float32Array, a: Float32Array, rows: number, out: Float32Array): Promise<void>;
  /** Q_dn(obs, x_t, t): x [rows, H·D], t [rows] → out [rows, members]. */
  qNoise(obs: Float32Array, x: Float32Array, t: Float32Array, rows: number, out: Float32Array): Promise<void>;
}

/** Measured cost of the models (from the adapter's warm-up), for deadline planning. */
export interface CostModel {
  /** Fixed cost of one model call, ms. */
  callMs: number;
  /** Added cost per denoiser row, ms. */
  denoiserRowMs: number;
  /** Added cost per critic row, ms. */
  criticRowMs: number;
}
