/**
 * Per-joint limit stages of the shield, pure functions over typed arrays.
 *
 * State of the commanded trajectory (the shield's own output), per joint:
 * p (rad), v = (p − p₋₁)/dt (rad/s), a = (v − v₋₁)/dt (rad/s²). Each stage
 * narrows the admissible interval of the next command p' = p + v'·dt:
 *
 *   position  lo ≤ p' ≤ hi, and stopping distance: v'² ≤ 2·D·(hi − p') when
 *             moving up (and mirrored down), i.e.
 *             v' ≤ −D·dt + √((D·dt)² + 2·D·(hi − p))
 *             A command already outside [lo, hi] may only move back in.
 *   velocity  |v'| ≤ V
 *   accel.    |v' − v| ≤ A·dt
 *   effort    |kp·(p' − q) − kd·q̇ + τff| ≤ E
 *   jerk      |(v' − v)/dt − a| ≤ J·dt
 *
 * Feasibility: with D ≤ A, if the last command obeyed the stopping-distance
 * bound, then v' = v − sign(v)·min(|v|, D·dt) obeys position, velocity,
 * acceleration and the stopping distance again (the discrete stop covers at
 * most v²/(2D)). So those four always meet and are never relaxed. Effort
 * depends on the measured state and jerk on the history; either is relaxed
 * (nearest command, counted) when it cannot meet the others.
 */
import { Constraint, narrow, type Band } from './band.js';
import type { TickClock } from './clock.js';
import type { ShieldLimits } from './limits.js';

/**
 * Largest speed toward a bound `distanceRad` away that still allows a stop at
 * deceleration `decel` (rad/s²) after moving one tick of `dtS`: solves
 * v² = 2·decel·(distance − v·dt). Zero at or beyond the bound.
 */
export function brakingSpeedRadPerS(distanceRad: number, decel: number, dtS: number): number {
  if (!(distanceRad > 0)) return 0;
  if (distanceRad === Infinity) return Infinity;
  const ddt = decel * dtS;
  return Math.sqrt(ddt * ddt + 2 * decel * distanceRad) - ddt;
}

/** Position bounds with stopping distance. Never relaxed (the last command itself is admissible). */
export function positionStage(band: Band, limits: ShieldLimits, p: Float64Array, clock: TickClock): void {
  const dtS = clock.dtS;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const lo = Math.min(limits.lower[i]!, pi);
    const hi = Math.max(limits.upper[i]!, pi);
    // brakingSpeedRadPerS, written out: a returned double would be boxed per call.
    const d = limits.deceleration[i]!;
    const ddt = d * dtS;
    const du = hi - pi;
    const dd = pi - lo;
    // An infinite distance (continuous joint) gives an infinite speed through the sqrt itself.
    const vUp = du > 0 ? Math.sqrt(ddt * ddt + 2 * d * du) - ddt : 0;
    const vDown = dd > 0 ? Math.sqrt(ddt * ddt + 2 * d * dd) - ddt : 0;
    const up = pi + vUp * dtS;
    const down = pi - vDown * dtS;
    narrow(band, i, Math.max(lo, down), Math.min(hi, up), Constraint.Position);
  }
}

/** |v'| ≤ V. Returns the number of joints relaxed (0 when the band holds p). */
export function velocityStage(band: Band, limits: ShieldLimits, p: Float64Array, clock: TickClock): number {
  const dtS = clock.dtS;
  let relaxed = 0;
  for (let i = 0; i < p.length; i++) {
    const step = limits.velocity[i]! * dtS;
    if (!narrow(band, i, p[i]! - step, p[i]! + step, Constraint.Velocity)) relaxed++;
  }
  return relaxed;
}

/** |v' − v| ≤ A·dt. Returns the number of joints relaxed (0 while the stopping invariant holds). */
export function accelerationStage(band: Band, limits: ShieldLimits, p: Float64Array, v: Float64Array, clock: TickClock): number {
  const dtS = clock.dtS;
  let relaxed = 0;
  for (let i = 0; i < p.length; i++) {
    const dv = limits.acceleration[i]! * dtS;
    const pi = p[i]!;
    const vi = v[i]!;
    if (!narrow(band, i, pi + (vi - dv) * dtS, pi + (vi + dv) * dtS, Constraint.Acceleration)) relaxed++;
  }
  return relaxed;
}

/**
 * PD servo torque kp·(p' − q) − kd·q̇ + τff within ±E, as a bound on p'.
 * `q` rad, `qd` rad/s, `tauFf` N·m (all zeros when no feed-forward).
 */
export function effortStage(band: Band, limits: ShieldLimits, q: Float64Array, qd: Float64Array, tauFf: Float64Array): number {
  let relaxed = 0;
  for (let i = 0; i < q.length; i++) {
    const kp = limits.kp[i]!;
    const e = limits.effort[i]!;
    const centre = q[i]! + (limits.kd[i]! * qd[i]! - tauFf[i]!) / kp;
    if (!narrow(band, i, centre - e / kp, centre + e / kp, Constraint.Effort)) relaxed++;
  }
  return relaxed;
}

/**
 * Following error |p' − q| ≤ L: the command may lead (or trail) the measured
 * position by at most L, so limits checked on the command hold near the robot's
 * real pose. Joints with L = ∞ are skipped.
 */
export function followingErrorStage(band: Band, limits: ShieldLimits, q: Float64Array): number {
  let relaxed = 0;
  for (let i = 0; i < q.length; i++) {
    const l = limits.followingError[i]!;
    if (l === Infinity) continue;
    if (!narrow(band, i, q[i]! - l, q[i]! + l, Constraint.Following)) relaxed++;
  }
  return relaxed;
}

/** |a' − a| ≤ J·dt with a' = (v' − v)/dt. Joints with J = ∞ are skipped. */
export function jerkStage(
  band: Band, limits: ShieldLimits, p: Float64Array, v: Float64Array, a: Float64Array, clock: TickClock,
): number {
  const dtS = clock.dtS;
  let relaxed = 0;
  for (let i = 0; i < p.length; i++) {
    const j = limits.jerk[i]!;
    if (j === Infinity) continue;
    const base = p[i]! + (v[i]! + a[i]! * dtS) * dtS;
    const w = j * dtS * dtS * dtS;
    if (!narrow(band, i, base - w, base + w, Constraint.Jerk)) relaxed++;
  }
  return relaxed;
}

/**
 * The soft-stop target: each joint's speed brought toward zero by at most
 * D·dt this tick (out = p + v'·dt). Admissible for every hard stage.
 */
export function brakingTarget(limits: ShieldLimits, p: Float64Array, v: Float64Array, clock: TickClock, out: Float64Array): Float64Array {
  const dtS = clock.dtS;
  for (let i = 0; i < p.length; i++) {
    const vi = v[i]!;
    const dv = limits.deceleration[i]! * dtS;
    const next = vi > dv ? vi - dv : vi < -dv ? vi + dv : 0;
    out[i] = next === 0 ? p[i]! : p[i]! + next * dtS;
  }
  return out;
}

/** Advances the trajectory state after output p': v, a from finite differences; p ← p'. */
export function advanceTrajectory(p: Float64Array, v: Float64Array, a: Float64Array, next: Float64Array, clock: TickClock): void {
  const dtS = clock.dtS;
  for (let i = 0; i < p.length; i++) {
    const vn = (next[i]! - p[i]!) / dtS;
    a[i] = (vn - v[i]!) / dtS;
    v[i] = vn;
    p[i] = next[i]!;
  }
}

/** Whether every joint of `q` lies in [lower − tol, upper + tol] and |qd| ≤ velocity + tol (rad, rad/s). */
export function withinLimits(
  lower: Float64Array, upper: Float64Array, velocity: Float64Array, q: Float64Array, qd: Float64Array, tol: number,
): boolean {
  for (let i = 0; i < q.length; i++) {
    const x = q[i]!;
    if (!(x >= lower[i]! - tol && x <= upper[i]! + tol)) return false;
    if (!(Math.abs(qd[i]!) <= velocity[i]! + tol)) return false;
  }
  return true;
}
