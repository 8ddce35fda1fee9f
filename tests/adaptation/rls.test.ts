import { describe, expect, it } from 'vitest';
import { Rls } from '../../src/adaptation/rls.js';
import { Rng } from '../../src/training/rng.js';

/** Solves A x = b by Gaussian elimination with partial pivoting (the test's independent oracle). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k] = M[r]![k]! - f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/** argmin Σ ρ^{n−i}(yᵢ − wᵀφᵢ)² + ρⁿ (w − w₀)ᵀ F (w − w₀), in closed form. */
function closedForm(phis: number[][], ys: number[], rho: number, w0: number[], F: number[][]): number[] {
  const d = w0.length;
  const n = ys.length;
  const A = F.map((row) => row.map((v) => v * rho ** n));
  const b = F.map((row) => row.reduce((s, v, j) => s + v * w0[j]! * rho ** n, 0));
  phis.forEach((phi, i) => {
    const wt = rho ** (n - 1 - i);
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) A[r]![c] = A[r]![c]! + wt * phi[r]! * phi[c]!;
      b[r] = b[r]! + wt * phi[r]! * ys[i]!;
    }
  });
  return solve(A, b);
}

function data(seed: number, n: number, d: number): { phis: number[][]; ys: number[] } {
  const rng = new Rng(seed);
  const wTrue = Array.from({ length: d }, () => rng.normal());
  const phis: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const phi = [1, ...Array.from({ length: d - 1 }, () => rng.normal())];
    phis.push(phi);
    ys.push(phi.reduce((s, v, j) => s + v * wTrue[j]!, 0) + 0.1 * rng.normal());
  }
  return { phis, ys };
}

describe('RLS', () => {
  it('equals the closed-form ridge solution (no forgetting, isotropic prior at 0)', () => {
    const d = 5;
    const { phis, ys } = data(1, 40, d);
    const rls = new Rls(d, 1, 1e12);
    rls.reset(null, 100); // P0 = 100 I  ↔  F = I/100
    for (let i = 0; i < ys.length; i++) rls.update(phis[i]!, ys[i]!);
    const F = Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 0.01 : 0)));
    const want = closedForm(phis, ys, 1, new Array(d).fill(0), F);
    for (let i = 0; i < d; i++) expect(rls.w[i]).toBeCloseTo(want[i]!, 9);
  });

  it('equals the closed-form EWC-anchored, exponentially weighted solution (prior w0 with a full precision F, forgetting 0.95)', () => {
    const d = 4;
    const { phis, ys } = data(2, 30, d);
    const w0 = [0.3, -0.2, 0.5, 0.1];
    // F = L Lᵀ (positive definite), P0 = F⁻¹
    const L = [[2, 0, 0, 0], [0.5, 1, 0, 0], [0.1, -0.3, 1.5, 0], [0.2, 0.1, 0.4, 0.8]];
    const F = L.map((_, r) => L.map((__, c) => L[r]!.reduce((s, v, k) => s + v * L[c]![k]!, 0)));
    const P0 = F.map((_, c) => solve(F, F.map((__, r) => (r === c ? 1 : 0)))); // columns of F⁻¹ (symmetric)
    const rls = new Rls(d, 0.95, 1e12);
    rls.reset(w0, P0.flat());
    for (let i = 0; i < ys.length; i++) rls.update(phis[i]!, ys[i]!);
    const want = closedForm(phis, ys, 0.95, w0, F);
    for (let i = 0; i < d; i++) expect(rls.w[i]).toBeCloseTo(want[i]!, 8);
    // and the anchor matters: a different w0 gives a different answer
    const other = closedForm(phis, ys, 0.95, [0, 0, 0, 0], F);
    expect(Math.max(...want.map((v, i) => Math.abs(v - other[i]!)))).toBeGreaterThan(1e-3);
  });

  it('returns the prior error, ignores non-finite samples, and caps the covariance diagonal', () => {
    const rls = new Rls(2, 0.5, 10);
    rls.reset([1, 2], 1);
    expect(rls.update([1, 1], 4)).toBeCloseTo(1, 12);
    const w = Float64Array.from(rls.w);
    expect(rls.update([NaN, 1], 4)).toBeNaN();
    expect(rls.update([1, 1], Infinity)).toBeNaN();
    expect(Array.from(rls.w)).toEqual(Array.from(w));
    for (let i = 0; i < 100; i++) rls.update([1, 0], 1); // direction 2 never excited: P22 would grow as 2^i
    expect(rls.P[3]).toBeLessThanOrEqual(10 + 1e-9);
    expect(rls.P[1]).toBe(rls.P[2]); // symmetric
  });

  it('rejects a bad dimension or forgetting factor', () => {
    expect(() => new Rls(0)).toThrow(/dimension/);
    expect(() => new Rls(2, 0)).toThrow(/forgetting/);
    expect(() => new Rls(2, 1.5)).toThrow(/forgetting/);
  });
});
