/**
 * The adaptation's own safety rules (the shield downstream is unchanged and
 * still the only path to the actuators; these only shape what the policy asks):
 *
 * - near-limit cost: Σ_j ((m − dist_j)/m)² over joints closer than the margin m
 *   to a position limit (dist ≤ 0 counts as 1 + overshoot/m);
 * - trust region: every step moves the correction by at most `maxStepRad` per
 *   joint, and the correction stays within ±`maxCorrectionRad`;
 * - predicted-cost check: a new correction whose predicted near-limit cost
 *   (at policy target + correction) exceeds both the previous correction's
 *   and the uncorrected target's is rejected;
 * - fallback blend: out = (1 − β)·(target + correction) + β·hold.
 * All allocation-free.
 */

/** Near-limit cost of positions `q` (entries `idx` of q; limits per entry of idx). */
export function nearLimitCost(q: ArrayLike<number>, idx: Int32Array, lower: Float64Array, upper: Float64Array, marginRad: number): number {
  nearLimitCostInto(q, idx, lower, upper, marginRad, SCRATCH, 0);
  return SCRATCH[0]!;
}
const SCRATCH = new Float64Array(1);

/**
 * {@link nearLimitCost} written into `out[slot]`: the control hot path's form (a float returned
 * from a call the JIT does not inline is boxed: a heap number per call).
 */
export function nearLimitCostInto(q: ArrayLike<number>, idx: Int32Array, lower: Float64Array, upper: Float64Array, marginRad: number, out: Float64Array, slot: number): void {
  let c = 0;
  for (let k = 0; k < idx.length; k++) {
    const x = q[idx[k]!]!;
    if (!Number.isFinite(x)) {
      out[slot] = Infinity;
      return;
    }
    const dist = Math.min(x - lower[k]!, upper[k]! - x);
    if (dist < marginRad) {
      const r = (marginRad - dist) / marginRad;
      c += r * r;
    }
  }
  out[slot] = c;
}

/** Moves `prev` toward `want` by at most `maxStep` per entry and clips to ±maxAbs, in place into `prev`; returns how many entries were limited. */
export function trustRegionStep(prev: Float64Array, want: Float64Array, maxStep: number, maxAbs: number): number {
  // Math.min/max only: a clamp written as `if (d > maxStep) d = maxStep` merges a tagged parameter into a
  // float local, and the JIT then boxes every value (measured: 32 B per joint per tick)
  let limited = 0;
  for (let k = 0; k < prev.length; k++) {
    const w = want[k]!;
    const p = prev[k]!;
    const v = Math.min(maxAbs, Math.max(-maxAbs, p + Math.min(maxStep, Math.max(-maxStep, w - p))));
    if (v !== w) limited++;
    prev[k] = v;
  }
  return limited;
}

/** out[idx[k]] = base[idx[k]] + corr[k]·scale for every k; other entries out = base. */
export function addCorrection(base: ArrayLike<number>, idx: Int32Array, corr: Float64Array, scale: number, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = base[i]!;
  for (let k = 0; k < idx.length; k++) out[idx[k]!] = out[idx[k]!]! + corr[k]! * scale;
}

/** out = (1 − β)·out + β·hold, β in [0, 1]. */
export function blendToward(out: Float64Array, hold: Float64Array, beta: number): void {
  const b = Math.min(1, Math.max(0, beta));
  if (b === 0) return;
  for (let i = 0; i < out.length; i++) out[i] = (1 - b) * out[i]! + b * hold[i]!;
}

/**
 * Fixed-settings forms of the rules above for the control hot path. A float setting passed as an
 * argument from a config field is boxed into a fresh heap number on every call the JIT does not
 * inline (measured: 16 B per argument per tick); captured once in a closure it is not.
 */
export function trustRegionWith(maxStep: number, maxAbs: number): (prev: Float64Array, want: Float64Array) => number {
  return (prev, want) => trustRegionStep(prev, want, maxStep, maxAbs);
}

/** {@link nearLimitCostInto} with fixed joints, limits and margin (see {@link trustRegionWith}). */
export function nearLimitCostWith(idx: Int32Array, lower: Float64Array, upper: Float64Array, marginRad: number): (q: ArrayLike<number>, out: Float64Array, slot: number) => void {
  return (q, out, slot) => nearLimitCostInto(q, idx, lower, upper, marginRad, out, slot);
}

/** Where the tilt margin cost starts, as a fraction of the fault's maximum tilt. */
export const TILT_COST_START = 0.5;

/**
 * The base's tilt margin as a safety cost: 0 below {@link TILT_COST_START}·`maxTiltRad`, then
 * ((tilt − start)/(max − start))², 1 at the tilt fault (the controller's DAMP), growing past it.
 * Tilt = the angle between the base's z axis and the world's, from the base orientation
 * quaternion (x, y, z, w; need not be normalised). Written into `out[slot]`; a degenerate
 * quaternion (zero or non-finite norm) costs 1. Allocation-free: the cost stays in the slot.
 */
export function tiltMarginCostInto(quatXyzw: ArrayLike<number>, maxTiltRad: number, out: Float64Array, slot: number): void {
  const x = quatXyzw[0]!, y = quatXyzw[1]!, z = quatXyzw[2]!, w = quatXyzw[3]!;
  const n2 = x * x + y * y + z * z + w * w;
  if (!(n2 > 0 && n2 < Infinity)) {
    out[slot] = 1;
    return;
  }
  const cosTilt = 1 - (2 * (x * x + y * y)) / n2; // base z · world z
  const tilt = Math.acos(Math.min(1, Math.max(-1, cosTilt)));
  const start = TILT_COST_START * maxTiltRad;
  const r = tilt > start ? (tilt - start) / (maxTiltRad - start) : 0;
  out[slot] = r * r;
}
