import { describe, expect, it } from 'vitest';
import { claimBarrierRow, makeBarrierSet, makeBarrierWork, projectWithBarriers, type BarrierSet } from '../../src/safety/barrier.js';
import { prng, uniform } from './adversary.js';

function row(set: BarrierSet, h: number, g: number[]): void {
  set.claimH[0] = h;
  const j = claimBarrierRow(set, 4, 0);
  set.grad.set(g, j * set.n);
}

describe('barrier projection', () => {
  it('returns the band clamp bit for bit when no row is violated', () => {
    const set = makeBarrierSet(3, 4, 0.1);
    row(set, 0.5, [1, 0, 0]);
    const target = Float64Array.of(0.3, -0.2, 0.7);
    const out = new Float64Array(3);
    const work = makeBarrierWork(3, 4);
    projectWithBarriers(target, Float64Array.of(-1, -1, -1), Float64Array.of(1, 1, 0.5), set, new Float64Array(3), out, work);
    expect(Array.from(out)).toEqual([0.3, -0.2, 0.5]);
    expect(work.result[0]).toBe(0);
  });

  it('projects onto a single half-space in closed form when the box does not bind', () => {
    // row: g·(x − p) ≥ −γ·h with g = (1, 1), p = 0, γ·h = 0.1 → x1 + x2 ≥ −0.1
    const set = makeBarrierSet(2, 2, 0.5);
    row(set, 0.2, [1, 1]);
    const out = new Float64Array(2);
    projectWithBarriers(Float64Array.of(-1, -0.5), Float64Array.of(-10, -10), Float64Array.of(10, 10), set, new Float64Array(2), out, makeBarrierWork(2, 2));
    // t + λ·g with λ = (−0.1 − (−1.5)) / 2 = 0.7
    expect(out[0]).toBeCloseTo(-0.3, 12);
    expect(out[1]).toBeCloseTo(0.2, 12);
  });

  it('on random problems, the result satisfies the KKT conditions (box exact, rows met, multipliers only on tight rows)', () => {
    const r = prng(42);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(r() * 8);
      const m = 1 + Math.floor(r() * 5);
      const set = makeBarrierSet(n, m, 0.2);
      const p = new Float64Array(n);
      const lo = Float64Array.from({ length: n }, () => uniform(r, -1, -0.05));
      const hi = Float64Array.from({ length: n }, () => uniform(r, 0.05, 1));
      for (let j = 0; j < m; j++) row(set, uniform(r, 0, 0.5), Array.from({ length: n }, () => (r() < 0.2 ? 0 : uniform(r, -1, 1))));
      const target = Float64Array.from({ length: n }, () => uniform(r, -2, 2));
      const out = new Float64Array(n);
      const work = makeBarrierWork(n, m);
      projectWithBarriers(target, lo, hi, set, p, out, work, false, 5000); // sweeps enough to converge (the shield caps them and retreats)
      // p = 0 meets every row (h ≥ 0) inside the box, so the problem is feasible.
      expect(work.result[0]).toBeLessThanOrEqual(1e-9);
      for (let i = 0; i < n; i++) {
        expect(out[i]).toBeGreaterThanOrEqual(lo[i]!);
        expect(out[i]).toBeLessThanOrEqual(hi[i]!);
        let si = target[i]!;
        for (let j = 0; j < set.m; j++) si += work.lambda[j]! * set.grad[j * n + i]!;
        expect(out[i]).toBeCloseTo(Math.min(hi[i]!, Math.max(lo[i]!, si)), 9);
      }
      for (let j = 0; j < set.m; j++) {
        let gx = 0;
        for (let i = 0; i < n; i++) gx += set.grad[j * n + i]! * out[i]!;
        const rhs = -set.gamma * set.h[j]!;
        expect(gx).toBeGreaterThanOrEqual(rhs - 1e-9);
        expect(work.lambda[j]).toBeGreaterThanOrEqual(0);
        if (work.lambda[j]! > 1e-9) expect(gx).toBeCloseTo(rhs, 8);
      }
    }
  });

  it('keeps only the rows with the smallest values when full', () => {
    const set = makeBarrierSet(1, 2, 0.1);
    row(set, 0.3, [1]);
    row(set, 0.1, [1]);
    set.claimH[0] = 0.2;
    expect(claimBarrierRow(set, 4, 7)).toBe(0);
    set.claimH[0] = 0.5;
    expect(claimBarrierRow(set, 4, 8)).toBe(-1);
    expect(Array.from(set.h)).toEqual([0.2, 0.1]);
  });
});
