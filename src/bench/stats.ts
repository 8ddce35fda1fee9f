/** Small statistics helpers for benchmarks. */

/** The q-quantile (0..1) of the samples, nearest-rank. Sorts a copy. */
export function percentile(samples: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(samples).sort();
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}
