/**
 * The shield's barrier stage: collects self-collision/workspace rows at the
 * current command and enforces them on the band-projected command with the
 * minimal-intervention projection of ./barrier.ts.
 *
 * Priority: position and velocity are never relaxed. If the barriers cannot
 * be met inside the full band, acceleration/effort/jerk are relaxed (counted
 * as an acceleration relaxation); if not even then, the barrier is relaxed
 * (counted) and the command moves from p only as far as the rows allow.
 * Linearisation: the exact h at the result is compared with (1 − γ)·h; rows
 * that fell short are tightened by the shortfall and re-solved (twice at most).
 */
import { Constraint, type Band, type Intervention } from './band.js';
import {
  makeBarrierSet, makeBarrierWork, projectWithBarriers, type BarrierSet, type BarrierWork,
} from './barrier.js';
import type { TickClock } from './clock.js';

/** Something that writes barrier rows (h, ∂h/∂q) for a command: the collision/workspace model. */
export interface BarrierSource {
  /** Rows at command p that could bind inside [lo, hi] with the set's per-tick decay γ. */
  evaluate(p: Float64Array, set: BarrierSet, lo: Float64Array, hi: Float64Array): void;
  /** The exact h of each row of `set` at command p, into out. */
  values(p: Float64Array, set: BarrierSet, out: Float64Array): void;
}

export interface ShieldBarriers {
  source: BarrierSource;
  /** Barrier decay rate α, 1/s (γ = min(1, α·dt)). */
  decayRatePerS: number;
  /** Most barrier rows per tick. */
  maxActive: number;
}

/** A barrier row counts as met within this much, m. */
const BARRIER_TOL_M = 1e-9;

export class BarrierStage {
  readonly set: BarrierSet;
  private readonly work: BarrierWork;
  private readonly hardLo: Float64Array;
  private readonly hardHi: Float64Array;
  private readonly out: Float64Array;
  private readonly hTrue: Float64Array;
  /** [0] = 1 when a retreat toward the current command left the band it was solving in (counted as a relaxation). */
  private readonly retreatedOut = new Uint8Array(1);

  constructor(
    private readonly n: number,
    private readonly barriers: ShieldBarriers,
    clock: TickClock,
  ) {
    this.set = makeBarrierSet(n, barriers.maxActive, Math.min(1, barriers.decayRatePerS * clock.dtS));
    this.work = makeBarrierWork(n, barriers.maxActive);
    this.hardLo = new Float64Array(n);
    this.hardHi = new Float64Array(n);
    this.out = new Float64Array(n);
    this.hTrue = new Float64Array(barriers.maxActive);
  }

  /** The rows at command p; remembers the hard (position + velocity) band for relaxation. */
  collect(p: Float64Array, band: Band): void {
    this.barriers.source.evaluate(p, this.set, band.lo, band.hi);
    if (this.set.m > 0) {
      this.hardLo.set(band.lo);
      this.hardHi.set(band.hi);
    }
  }

  /**
   * Enforces the rows on `next` (the band's projection of `target`), in place;
   * counts interventions and relaxations and updates the intervention size.
   */
  enforce(target: Float64Array, band: Band, p: Float64Array, next: Float64Array,
    interventions: Uint32Array, relaxations: Uint32Array, size: Intervention): void {
    const bs = this.set;
    if (bs.m === 0) return;
    const r = this.work.result;
    this.retreatedOut[0] = 0;
    this.solve(target, band.lo, band.hi, p, false);
    if (r[0]! > BARRIER_TOL_M) {
      relaxations[Constraint.Acceleration]!++;
      this.solve(target, this.hardLo, this.hardHi, p, true);
      if (r[0]! > BARRIER_TOL_M) relaxations[bs.kind[0]!]!++;
    } else if (this.retreatedOut[0] === 1) {
      // The retreat toward the current command met the rows by braking harder than the band allows.
      relaxations[Constraint.Acceleration]!++;
    }
    // Numerical safety net: a non-finite result holds the current command (which keeps every row with h ≥ 0).
    const out0 = this.out;
    for (let i = 0; i < this.n; i++) {
      if (!Number.isFinite(out0[i]!)) {
        out0.set(p);
        relaxations[bs.kind[0]!]!++;
        break;
      }
    }
    // Attribute the change to the barrier kind with the largest multiplier.
    const lambda = this.work.lambda;
    let top = 0;
    for (let j = 1; j < bs.m; j++) if (lambda[j]! > lambda[top]!) top = j;
    const kind = bs.kind[top]!;
    const out = this.out;
    let sq = size.l2Rad * size.l2Rad;
    for (let i = 0; i < this.n; i++) {
      const o = out[i]!;
      if (o === next[i]) continue;
      interventions[kind]!++;
      const t = target[i]!;
      const before = Math.abs(next[i]! - t);
      const d = Math.abs(o - t);
      if (before === 0) size.joints++;
      sq += d * d - before * before;
      if (d > size.linfRad) size.linfRad = d;
      next[i] = o;
    }
    size.l2Rad = Math.sqrt(sq > 0 ? sq : 0);
  }

  /** Projection with linearisation correction into `out`; remaining violation into work.result[0]. */
  private solve(target: Float64Array, lo: Float64Array, hi: Float64Array, p: Float64Array, warm: boolean): void {
    const bs = this.set;
    const r = this.work.result;
    const out = this.out;
    const hTrue = this.hTrue;
    bs.shift.fill(0);
    for (let round = 0; round < 3; round++) {
      // Later rounds (and the relaxed band) continue from the last multipliers.
      projectWithBarriers(target, lo, hi, bs, p, out, this.work, warm || round > 0);
      if (r[0]! > BARRIER_TOL_M) {
        this.retreat(p);
        for (let i = 0; i < this.n; i++) {
          if (out[i]! < lo[i]! - 1e-12 || out[i]! > hi[i]! + 1e-12) {
            this.retreatedOut[0] = 1;
            break;
          }
        }
      }
      this.barriers.source.values(out, bs, hTrue);
      let short = 0;
      for (let j = 0; j < bs.m; j++) {
        const need = (1 - bs.gamma) * bs.h[j]! - hTrue[j]!;
        if (need > 1e-7) {
          bs.shift[j]! += need + 1e-7;
          if (need > short) short = need;
        }
      }
      if (short === 0) return;
      if (round === 2 && short > r[0]!) r[0] = short;
    }
  }

  /**
   * Scales out − p back until every linearised row holds (p holds each row
   * with h ≥ 0); the violation left (rows already negative) into result[0].
   */
  private retreat(p: Float64Array): void {
    const bs = this.set;
    const out = this.out;
    const n = this.n;
    let t = 1;
    let worst = 0;
    for (let j = 0; j < bs.m; j++) {
      let gd = 0;
      for (let i = 0; i < n; i++) gd += bs.grad[j * n + i]! * (out[i]! - p[i]!);
      const slack = bs.gamma * bs.h[j]! - bs.shift[j]!; // row: gd ≥ −slack
      if (slack < 0) worst = Math.max(worst, -slack);
      else if (gd < -slack) t = Math.min(t, slack / -gd);
    }
    if (t < 1) for (let i = 0; i < n; i++) out[i] = p[i]! + t * (out[i]! - p[i]!);
    this.work.result[0] = worst;
  }
}
