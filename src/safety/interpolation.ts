/**
 * Interpolation between candidate updates. Candidates arrive at the policy
 * rate (~50 Hz); the shield ticks at 500–1000 Hz. Each accepted candidate
 * starts a segment from the current target to the candidate's positions over
 * a horizon (the point's time_from_start, or the estimated candidate period):
 *
 *   target(t) = start + (goal − start)·(t − t₀)/T   for t − t₀ < T
 *   target(t) = goal                                 afterwards (exactly, bit for bit)
 *
 * so a stream that arrives once per horizon traces a continuous
 * piecewise-linear path, and one that stops leaves the target at its goal.
 */

/** Writes target(nowS) into `out`; returns `out`. */
export function linearTarget(
  start: Float64Array, goal: Float64Array, t0S: number, horizonS: number, nowS: number, out: Float64Array,
): Float64Array {
  const s = horizonS > 0 ? (nowS - t0S) / horizonS : 1;
  // Within rounding of the end (t − t₀ and T on a tick grid), land exactly on the goal.
  if (s >= 1 - 1e-9) {
    out.set(goal);
    return out;
  }
  const f = s > 0 ? s : 0;
  for (let i = 0; i < out.length; i++) {
    const a = start[i]!;
    out[i] = a + (goal[i]! - a) * f;
  }
  return out;
}

/**
 * Updates the estimate of the candidate period from one inter-arrival gap
 * (exponential average, weight 0.2, gap clamped to [minS, maxS]).
 */
export function updatePeriodEstimate(estimateS: number, gapS: number, minS: number, maxS: number): number {
  const g = gapS < minS ? minS : gapS > maxS ? maxS : gapS;
  return estimateS + 0.2 * (g - estimateS);
}
