/**
 * Interpolation between candidate updates. Candidates arrive at the policy
 * rate (~50 Hz); the shield ticks at 500–1000 Hz. Each accepted candidate
 * starts a segment from the current target to the candidate's positions,
 * due at header.stamp + time_from_start (T = that time − arrival); a point
 * already due (time_from_start 0) is a step target: T = 0, the goal at once,
 * never delayed:
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
