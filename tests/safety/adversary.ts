/**
 * Test helpers for the shield's property tests: a seeded PRNG, random robots,
 * a saturated-PD plant, and an independent oracle of the limits (written from
 * the spec, sharing no code with src/safety).
 */
import type { JointLimitArrays } from '../../src/robot/model.js';

/** mulberry32: a small deterministic PRNG in [0, 1) (the one the admission trials use). */
export { seededRandom as prng } from '../../src/admission/plan.js';

export const uniform = (r: () => number, lo: number, hi: number): number => lo + (hi - lo) * r();

/** A random robot of n joints: ranges 0.3–5 rad (10 % continuous), 0.5–30 rad/s, 1–200 N·m. */
export function randomRobot(r: () => number, n: number): JointLimitArrays {
  const names = Array.from({ length: n }, (_, i) => `j${i}`);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  const velocity = new Float64Array(n);
  const effort = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) {
      lower[i] = -Infinity;
      upper[i] = Infinity;
    } else {
      lower[i] = uniform(r, -3, 0.5);
      upper[i] = lower[i]! + uniform(r, 0.3, 5);
    }
    velocity[i] = uniform(r, 0.5, 30);
    effort[i] = uniform(r, 1, 200);
  }
  return { names, lower, upper, velocity, effort };
}

/** Joints with a PD servo saturated at the effort limit, hard stops at the URDF range, and random pushes. */
export class Plant {
  readonly q: Float64Array;
  readonly qd: Float64Array;
  private readonly inertia: Float64Array;

  constructor(
    private readonly r: () => number,
    private readonly urdf: JointLimitArrays,
    private readonly kp: number,
    private readonly kd: number,
  ) {
    const n = urdf.names.length;
    this.q = new Float64Array(n);
    this.qd = new Float64Array(n);
    this.inertia = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lo = Number.isFinite(urdf.lower[i]!) ? urdf.lower[i]! : -1;
      const hi = Number.isFinite(urdf.upper[i]!) ? urdf.upper[i]! : 1;
      this.q[i] = uniform(r, lo, hi);
      this.inertia[i] = uniform(r, 0.01, 1);
    }
  }

  /** One step of dt toward command `p` (or unpowered when null), with a push of probability `pushP`. */
  step(p: Float64Array | null, dt: number, pushP: number): void {
    for (let i = 0; i < this.q.length; i++) {
      const e = this.urdf.effort[i]!;
      let tau = p ? this.kp * (p[i]! - this.q[i]!) - this.kd * this.qd[i]! : -0.5 * this.qd[i]!;
      tau = Math.max(-e, Math.min(e, tau));
      if (this.r() < pushP) tau += uniform(this.r, -3, 3) * e;
      this.qd[i]! += (tau / this.inertia[i]!) * dt;
      this.q[i]! += this.qd[i]! * dt;
      if (this.q[i]! < this.urdf.lower[i]!) { this.q[i] = this.urdf.lower[i]!; this.qd[i] = 0; }
      if (this.q[i]! > this.urdf.upper[i]!) { this.q[i] = this.urdf.upper[i]!; this.qd[i] = 0; }
    }
  }
}

/** The spec's hard interval for the next command of one joint (position + stopping distance, velocity, acceleration). */
export function hardInterval(
  p: number, v: number, lo: number, hi: number, vmax: number, amax: number, decel: number, dt: number,
): [number, number] {
  const loE = Math.min(lo, p);
  const hiE = Math.max(hi, p);
  // largest v' with v'² ≤ 2·D·(hiE − p − v'·dt)
  const stop = (d: number) => (d > 0 ? (d === Infinity ? Infinity : -decel * dt + Math.sqrt((decel * dt) ** 2 + 2 * decel * d)) : 0);
  const up = Math.min(hiE, p + stop(hiE - p) * dt, p + vmax * dt, p + (v + amax * dt) * dt);
  const down = Math.max(loE, p - stop(p - loE) * dt, p - vmax * dt, p + (v - amax * dt) * dt);
  return [down, up];
}
