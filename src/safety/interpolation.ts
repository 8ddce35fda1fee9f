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

import type { TickClock } from './clock.js';

/** One interpolation segment's timing. */
export interface Segment {
  /** Start time, s. */
  t0S: number;
  /** Duration, s. */
  horizonS: number;
}

/** Writes target(clock.nowS) into `out` (which may alias `start`); returns `out`. */
export function linearTarget(start: Float64Array, goal: Float64Array, seg: Segment, clock: TickClock, out: Float64Array): Float64Array {
  const horizonS = seg.horizonS;
  const s = horizonS > 0 ? (clock.nowS - seg.t0S) / horizonS : 1;
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

/** Candidate period estimate, s: an exponential average (weight 0.2) of inter-arrival gaps clamped to [minS, maxS]. */
export interface PeriodEstimate {
  estimateS: number;
  readonly minS: number;
  readonly maxS: number;
  /** Time of the last arrival, s (NaN before the first). */
  lastArrivalS: number;
}

/** Records an arrival at clock.nowS, folding the gap since the last one into the estimate. */
export function updatePeriodEstimate(e: PeriodEstimate, clock: TickClock): void {
  const now = clock.nowS;
  if (e.lastArrivalS === e.lastArrivalS) {
    const gap = now - e.lastArrivalS;
    const g = gap < e.minS ? e.minS : gap > e.maxS ? e.maxS : gap;
    e.estimateS += 0.2 * (g - e.estimateS);
  }
  e.lastArrivalS = now;
}
