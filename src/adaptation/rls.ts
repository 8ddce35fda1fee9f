/**
 * Recursive least squares for one output y ≈ wᵀφ (dimension d), with an
 * exponential forgetting factor and a Gaussian prior — which is exactly the
 * EWC anchor: starting from w₀ with covariance P₀ = F⁻¹ (F the anchor's
 * precision/Fisher), after samples (φᵢ, yᵢ) with forgetting ρ the estimate is
 *
 *   w = argmin Σᵢ ρ^{n−i} (yᵢ − wᵀφᵢ)² + ρⁿ (w − w₀)ᵀ F (w − w₀)
 *
 * (checked against the closed form in tests/adaptation/rls.test.ts). The
 * covariance P = (information)⁻¹ is kept symmetric and its diagonal capped at
 * `maxVariance` (no wind-up while the features do not excite every
 * direction). Every method is allocation-free.
 */
export class Rls {
  readonly dim: number;
  /** Estimate w [d]. */
  readonly w: Float64Array;
  /** Covariance P [d×d], row-major. */
  readonly P: Float64Array;
  private readonly Pphi: Float64Array;
  private readonly phiP: Float64Array;

  constructor(
    dim: number,
    /** Forgetting factor ρ in (0, 1]. */
    public forgetting = 1,
    /** Cap of every diagonal entry of P. */
    public maxVariance = 1e6,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`Rls: dimension must be a positive integer (got ${dim})`);
    if (!(forgetting > 0 && forgetting <= 1)) throw new Error(`Rls: forgetting must be in (0, 1] (got ${forgetting})`);
    this.dim = dim;
    this.w = new Float64Array(dim);
    this.P = new Float64Array(dim * dim);
    this.Pphi = new Float64Array(dim);
    this.phiP = new Float64Array(dim);
    this.reset(null, 1);
  }

  /** w ← w0 (zeros when null), P ← p0·I (a number) or a copy of p0 (d×d). */
  reset(w0: ArrayLike<number> | null, p0: number | ArrayLike<number>): void {
    const d = this.dim;
    if (w0) for (let i = 0; i < d; i++) this.w[i] = w0[i]!;
    else this.w.fill(0);
    if (typeof p0 === 'number') {
      this.P.fill(0);
      for (let i = 0; i < d; i++) this.P[i * d + i] = p0;
    } else {
      for (let i = 0; i < d * d; i++) this.P[i] = p0[i]!;
    }
  }

  /** wᵀφ (φ read from `phi` at `off`). */
  predict(phi: ArrayLike<number>, off = 0): number {
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += this.w[i]! * phi[off + i]!;
    return s;
  }

  /**
   * Scalar slots of {@link Rls.updateSlot}: [0] the label y (in), [1] the prior
   * error y − wᵀφ (out, NaN when nothing was learnt). Typed slots, so no float
   * crosses a call boundary (a boxed heap number per call otherwise).
   */
  readonly io = new Float64Array(2);

  /**
   * One update with (φ, y); returns the prior error y − wᵀφ. A non-finite
   * φ or y changes nothing and returns NaN.
   */
  update(phi: ArrayLike<number>, y: number, off = 0): number {
    this.io[0] = y;
    this.updateSlot(phi, off);
    return this.io[1]!;
  }

  /** {@link Rls.update} with y read from `io[0]` and the prior error written to `io[1]` (the allocation-free form). */
  updateSlot(phi: ArrayLike<number>, off: number): void {
    const y = this.io[0]!;
    this.io[1] = NaN;
    const d = this.dim;
    const P = this.P;
    if (!Number.isFinite(y)) return;
    for (let i = 0; i < d; i++) if (!Number.isFinite(phi[off + i]!)) return;
    const rho = this.forgetting;
    let denom = asFloat(rho);
    for (let i = 0; i < d; i++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < d; j++) {
        a += P[i * d + j]! * phi[off + j]!;
        b += phi[off + j]! * P[j * d + i]!;
      }
      this.Pphi[i] = a;
      this.phiP[i] = b;
    }
    for (let i = 0; i < d; i++) denom += phi[off + i]! * this.Pphi[i]!;
    const e = y - this.predict(phi, off);
    // w += k e, k = Pφ / denom
    for (let i = 0; i < d; i++) this.w[i] = this.w[i]! + (this.Pphi[i]! / denom) * e;
    // P = (P − Pφ φᵀP / denom) / ρ, symmetrised, diagonal capped
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const pij = 0.5 * (P[i * d + j]! + P[j * d + i]!) - (this.Pphi[i]! * this.phiP[j]!) / denom;
        const v = pij / rho;
        P[i * d + j] = v;
        P[j * d + i] = v;
      }
    }
    for (let i = 0; i < d; i++) {
      const pii = P[i * d + i]!;
      if (pii > this.maxVariance) {
        const s = Math.sqrt(this.maxVariance / pii);
        for (let j = 0; j < d; j++) {
          P[i * d + j] = P[i * d + j]! * s;
          P[j * d + i] = P[j * d + i]! * s;
        }
      }
    }
    this.io[1] = e;
  }
}

/**
 * The number as an unboxed float in optimised code. A local that starts as a
 * loaded field or a parameter and is then updated with float arithmetic can be
 * kept tagged by the JIT, boxing a fresh heap number on every update (measured:
 * 16 B per call here); starting it from a float operation keeps it unboxed.
 */
export function asFloat(x: number): number {
  return Math.max(x, -Infinity);
}
