/**
 * A first-order low-pass on a joint target vector, in place and allocation
 * free:
 *
 *   y_j ← y_j + α (x_j − y_j),   α = 1 − exp(−Δt / τ)
 *
 * (the exact discretisation of τ·ẏ = x − y with x held over the tick), so
 * the step response reaches 63 % after τ whatever the tick rate. τ = 0 makes
 * α = 1: y = x, the filter is off.
 */
export class TargetLowPass {
  /** Weight of the new value per tick, (0, 1]. */
  readonly alpha: number;

  /** @throws Error for a negative τ or a non-positive tick. */
  constructor(tauS: number, tickS: number) {
    if (!(tauS >= 0) || !Number.isFinite(tauS)) throw new Error(`low-pass time constant must be >= 0 s, got ${tauS}`);
    if (!(tickS > 0) || !Number.isFinite(tickS)) throw new Error(`low-pass tick must be > 0 s, got ${tickS}`);
    this.alpha = tauS === 0 ? 1 : 1 - Math.exp(-tickS / tauS);
  }

  /** One tick: moves `y` (the filter state, e.g. the published target) toward `x`. */
  step(x: ArrayLike<number>, y: Float64Array): void {
    const a = this.alpha;
    if (a === 1) {
      for (let j = 0; j < y.length; j++) y[j] = x[j]!;
      return;
    }
    for (let j = 0; j < y.length; j++) y[j] = y[j]! + a * (x[j]! - y[j]!);
  }
}
