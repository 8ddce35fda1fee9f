/**
 * Small numerical pieces of the retargeting IK, pure and allocation-free:
 * smooth joint-limit saturation and a dense SPD solve.
 *
 * Smooth saturation of an unconstrained IK variable u into (lo, hi):
 *   lo' = lo + margin, hi' = hi − margin, b = min(band, (hi' − lo')/4)
 *   q = u                                   for lo' + b ≤ u ≤ hi' − b
 *   q = hi' − b + b·tanh((u − (hi' − b))/b) for u > hi' − b
 *   q = lo' + b − b·tanh((lo' + b − u)/b)   for u < lo' + b
 * so q is C¹ in u, equals u in the interior and never reaches lo' or hi'
 * (zero limit violations by construction); dq/du = 1 − tanh²(·) near a limit,
 * which the IK multiplies into its Jacobian (it solves for u).
 */

export interface SatLimits {
  lo: number;
  hi: number;
  band: number;
}

/** Margined limits and band for one joint; infinite limits give an identity map. */
export function satLimits(lower: number, upper: number, margin: number, band: number): SatLimits {
  const lo = lower + margin;
  const hi = upper - margin;
  if (!(hi > lo)) throw new Error(`joint range [${lower}, ${upper}] is narrower than twice the margin ${margin}`);
  const b = Number.isFinite(lo) && Number.isFinite(hi) ? Math.min(band, (hi - lo) / 4) : band;
  return { lo, hi, band: b };
}

export function saturate(u: number, l: SatLimits): number {
  const top = l.hi - l.band;
  const bottom = l.lo + l.band;
  if (u > top) return top + l.band * Math.tanh((u - top) / l.band);
  if (u < bottom) return bottom - l.band * Math.tanh((bottom - u) / l.band);
  return u;
}

/** dq/du of {@link saturate}. */
export function saturateSlope(u: number, l: SatLimits): number {
  const top = l.hi - l.band;
  const bottom = l.lo + l.band;
  if (u > top) { const t = Math.tanh((u - top) / l.band); return 1 - t * t; }
  if (u < bottom) { const t = Math.tanh((bottom - u) / l.band); return 1 - t * t; }
  return 1;
}

/** The u with saturate(u) = q, for q clamped strictly inside (lo, hi). */
export function unsaturate(q: number, l: SatLimits): number {
  const top = l.hi - l.band;
  const bottom = l.lo + l.band;
  const eps = 1e-9 * Math.max(1, l.band);
  if (q > top) return top + l.band * Math.atanh(Math.min(1 - eps, (q - top) / l.band));
  if (q < bottom) return bottom - l.band * Math.atanh(Math.min(1 - eps, (bottom - q) / l.band));
  return q;
}

/**
 * Solves A·x = b in place for a symmetric positive-definite n×n A (row-major,
 * overwritten by its Cholesky factor); x is written into b. Returns false when
 * A is not positive definite (b untouched past the failing row).
 */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! * A[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  return true;
}
