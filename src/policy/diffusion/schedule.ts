/**
 * The VP (variance-preserving) noise schedule and the deterministic DDIM
 * update (η = 0) with clipping to the action bounds.
 *
 * Training (DDPM, discrete): β_i linear from βmin to βmax over i = 0..S−1,
 * ᾱ_i = Π_{j≤i} (1 − β_j), x_i = √ᾱ_i·x_0 + √(1−ᾱ_i)·ε.
 * Sampling with T ≤ S DDIM steps ("leading" spacing): timesteps
 * τ_k = (T−1−k)·⌊S/T⌋ for k = 0..T−1 (descending, last τ = 0); step k maps
 * x at τ_k to x at τ_{k+1} (ᾱ_prev = 1 after the last step):
 *
 *   x̂_0  = clip((x − √(1−ᾱ)·ε̂) / √ᾱ, lo, hi)
 *   ε'   = (x − √ᾱ·x̂_0) / √(1−ᾱ)          (the noise consistent with the clipped x̂_0)
 *   x'   = √ᾱ_prev·x̂_0 + √(1−ᾱ_prev)·ε'
 *
 * After the last step x' = x̂_0, inside the bounds.
 */

export interface VpSchedule {
  /** Training diffusion steps S. */
  readonly trainSteps: number;
  readonly betas: Float64Array;
  /** ᾱ_i, i = 0..S−1. */
  readonly alphaBar: Float64Array;
}

export function vpSchedule(trainSteps: number, betaMin: number, betaMax: number): VpSchedule {
  if (!Number.isInteger(trainSteps) || trainSteps < 1) throw new Error(`trainSteps must be an integer ≥ 1 (got ${trainSteps})`);
  if (!(betaMin > 0 && betaMax >= betaMin && betaMax < 1)) throw new Error(`need 0 < betaMin ≤ betaMax < 1 (got ${betaMin}, ${betaMax})`);
  const betas = new Float64Array(trainSteps);
  const alphaBar = new Float64Array(trainSteps);
  let prod = 1;
  for (let i = 0; i < trainSteps; i++) {
    betas[i] = trainSteps === 1 ? betaMin : betaMin + ((betaMax - betaMin) * i) / (trainSteps - 1);
    prod *= 1 - betas[i]!;
    alphaBar[i] = prod;
  }
  return { trainSteps, betas, alphaBar };
}

/** Precomputed DDIM step table for T steps. */
export interface DdimPlan {
  readonly steps: number;
  /** τ_k, descending. */
  readonly timesteps: Int32Array;
  /** τ_k / S: the time input of the networks at step k. */
  readonly timeInput: Float32Array;
  /** ᾱ at τ_k. */
  readonly alphaBar: Float64Array;
  /** ᾱ at τ_{k+1}; 1 after the last step. */
  readonly alphaBarPrev: Float64Array;
}

export function ddimPlan(vp: VpSchedule, steps: number): DdimPlan {
  if (!Number.isInteger(steps) || steps < 1 || steps > vp.trainSteps) {
    throw new Error(`DDIM steps must be an integer in 1..${vp.trainSteps} (got ${steps})`);
  }
  const stride = Math.floor(vp.trainSteps / steps);
  const timesteps = Int32Array.from({ length: steps }, (_, k) => (steps - 1 - k) * stride);
  const alphaBar = Float64Array.from(timesteps, (t) => vp.alphaBar[t]!);
  const alphaBarPrev = Float64Array.from(timesteps, (_, k) => (k + 1 < steps ? vp.alphaBar[timesteps[k + 1]!]! : 1));
  const timeInput = Float32Array.from(timesteps, (t) => t / vp.trainSteps);
  return { steps, timesteps, timeInput, alphaBar, alphaBarPrev };
}

/**
 * One DDIM (η = 0) step for one candidate: reads x[o..o+w) and eps[o..o+w),
 * writes x'[o..o+w) into `out` (may be `x`). Bounds lo/hi apply to x̂_0.
 * Allocates nothing.
 */
export function ddimStep(
  x: ArrayLike<number>, eps: ArrayLike<number>, o: number, w: number,
  alphaBar: number, alphaBarPrev: number, lo: number, hi: number, out: { [i: number]: number },
): void {
  const sa = Math.sqrt(alphaBar);
  const s1a = Math.sqrt(1 - alphaBar);
  const sp = Math.sqrt(alphaBarPrev);
  const s1p = Math.sqrt(Math.max(0, 1 - alphaBarPrev));
  for (let i = o; i < o + w; i++) {
    const xi = x[i]!;
    let x0 = (xi - s1a * eps[i]!) / sa;
    if (x0 < lo) x0 = lo;
    else if (x0 > hi) x0 = hi;
    // NaN stays NaN (both comparisons false): the caller drops the candidate.
    const e = s1a > 0 ? (xi - sa * x0) / s1a : 0;
    out[i] = sp * x0 + s1p * e;
  }
}
