/**
 * Control-barrier-function constraints and the minimal-intervention projection
 * that enforces them together with the per-joint band.
 *
 * Each barrier h_j(q) ≥ 0 (a capsule distance or workspace clearance minus
 * its margin, m) is enforced in discrete time on the commanded trajectory:
 *
 *   h_j(p') ≥ (1 − γ)·h_j(p),  γ = min(1, α·dt)
 *   linearised:  g_j·(p' − p) ≥ −γ·h_j(p),   g_j = ∂h_j/∂q (m/rad)
 *
 * (distance between convex shapes is convex under translation, so the
 * linearisation errs on the safe side there; rotation curvature is covered
 * by the margin's buffer). The command is
 *
 *   p' = argmin ‖x − target‖²  s.t.  lo ≤ x ≤ hi,  g_j·x ≥ rhs_j
 *
 * solved in the dual by exact coordinate ascent (Hildreth): x(λ) =
 * clamp(target + Σ λ_j g_j, lo, hi), each λ_j found exactly by walking the
 * root of the monotone piecewise-linear g_j·x(λ) (bracketed Newton), over a working set
 * of the rows found violated so far (most rows never bind). With no violated
 * barrier λ = 0 and the band's clamp is returned unchanged.
 */

export interface BarrierSet {
  readonly n: number;
  readonly capacity: number;
  /** Rows in use. */
  m: number;
  /** Row j's gradient ∂h_j/∂q in shield joint order (m/rad), at j·n. */
  readonly grad: Float64Array;
  /** Barrier values h_j at the current command, m. */
  readonly h: Float64Array;
  /** Constraint id of each row (Collision or Workspace). */
  readonly kind: Uint8Array;
  /** The source's own id of each row (which pair or face), for re-evaluation. */
  readonly id: Int32Array;
  /** Extra tightening of each row's right-hand side (linearisation correction), m. */
  readonly shift: Float64Array;
  /** Per-tick decay γ = min(1, α·dt) of every row. */
  readonly gamma: number;
  /** The value h of the row being claimed (see {@link claimBarrierRow}), m. */
  readonly claimH: Float64Array;
}

export function makeBarrierSet(n: number, capacity: number, gamma: number): BarrierSet {
  return {
    n, capacity, m: 0, grad: new Float64Array(n * capacity), h: new Float64Array(capacity), kind: new Uint8Array(capacity),
    id: new Int32Array(capacity), shift: new Float64Array(capacity), gamma, claimH: new Float64Array(1),
  };
}

/**
 * The row to fill for a barrier of value h = set.claimH[0]: a free row, or
 * (when full) the row with the largest h if h is smaller; −1 when it does not
 * make the cut. The caller writes the gradient (zeroed here) at row·n.
 */
export function claimBarrierRow(set: BarrierSet, kind: number, id: number): number {
  const h = set.claimH[0]!;
  let row = set.m;
  if (row >= set.capacity) {
    row = 0;
    for (let j = 1; j < set.capacity; j++) if (set.h[j]! > set.h[row]!) row = j;
    if (!(h < set.h[row]!)) return -1;
  } else set.m++;
  set.h[row] = h;
  set.kind[row] = kind;
  set.id[row] = id;
  set.shift[row] = 0;
  set.grad.fill(0, row * set.n, (row + 1) * set.n);
  return row;
}

export interface BarrierWork {
  readonly lambda: Float64Array;
  readonly rhs: Float64Array;
  readonly s: Float64Array;
  /** Working set: row indices, membership per row, and size. */
  readonly active: Int32Array;
  readonly inSet: Uint8Array;
  count: number;
  /**
   * Scalar results, so that no double is returned (and boxed) per call:
   * [0] the remaining violation after `projectWithBarriers`, m; [1] scratch.
   */
  readonly result: Float64Array;
  /** Nonzero gradient entries of each row (joint indices at j·n, count in nzCount[j]): sweeps touch only these. */
  readonly nz: Int32Array;
  readonly nzCount: Int32Array;
  /** The gradient value of each nonzero entry, beside its joint index in `nz` (the same doubles, read without the indirection). */
  readonly gnz: Float64Array;
  /** clamp(s, lo, hi) of the current call's band, kept up to date as s changes (the same doubles rowSlack would compute). */
  readonly x: Float64Array;
  /** One row's solve (solveRow): t = s − λ_old·g and the two breakpoints per nonzero entry, constant over its Newton steps. */
  readonly t: Float64Array;
  readonly b1: Float64Array;
  readonly b2: Float64Array;
  /** The same row's lo, hi and g² per nonzero entry (contiguous for its Newton steps). */
  readonly lc: Float64Array;
  readonly hc: Float64Array;
  readonly g2: Float64Array;
  /**
   * Cache of g_j·x per row (rows 0..31): bit j of clean[0] says gx[j] is g_j·x for the current x (set where it is
   * computed, for rows with finite gradients; cleared for every row sharing a joint with a row whose update moved s,
   * and for all rows at the start of a call). rowsOf[i]: rows (bits) with joint i; nb[j]: rows sharing a joint with j.
   */
  readonly gx: Float64Array;
  readonly clean: Int32Array;
  readonly finite: Uint8Array;
  readonly rowsOf: Int32Array;
  readonly nb: Int32Array;
}

export function makeBarrierWork(n: number, capacity: number): BarrierWork {
  return {
    lambda: new Float64Array(capacity), rhs: new Float64Array(capacity), s: new Float64Array(n), result: new Float64Array(2),
    active: new Int32Array(capacity), inSet: new Uint8Array(capacity), count: 0,
    nz: new Int32Array(capacity * n), nzCount: new Int32Array(capacity), gnz: new Float64Array(capacity * n),
    x: new Float64Array(n), t: new Float64Array(n), b1: new Float64Array(n), b2: new Float64Array(n),
    lc: new Float64Array(n), hc: new Float64Array(n), g2: new Float64Array(n),
    gx: new Float64Array(capacity), clean: new Int32Array(1), finite: new Uint8Array(capacity), rowsOf: new Int32Array(n),
    nb: new Int32Array(capacity),
  };
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/**
 * The least change g·(x − p) over the band lo ≤ x ≤ hi, into out[oi] (m). A
 * row with this ≥ −γ·h cannot bind this tick and needs no row.
 */
export function rowMinChange(
  g: Float64Array, go: number, n: number, p: Float64Array, lo: Float64Array, hi: Float64Array, out: Float64Array, oi: number,
): void {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[go + i]!;
    worst += gi > 0 ? gi * (lo[i]! - p[i]!) : gi * (hi[i]! - p[i]!);
  }
  out[oi] = worst;
}

/**
 * Projects `target` onto {lo ≤ x ≤ hi, g_j·(x − p) ≥ −γ·h_j + shift_j}; writes
 * `out`, and the largest remaining row violation (m; ≤ 1e-12 when solved,
 * larger when the rows cannot be met inside the band) to work.result[0].
 */
export function projectWithBarriers(
  target: Float64Array, lo: Float64Array, hi: Float64Array, set: BarrierSet, p: Float64Array, out: Float64Array, work: BarrierWork,
  warm = false, maxSweeps = 40,
): void {
  const n = set.n;
  const gamma = set.gamma;
  const { lambda, rhs, s, active, inSet, nz, nzCount, gnz, x, finite, rowsOf, nb } = work;
  const grad = set.grad;
  rowsOf.fill(0);
  for (let j = 0; j < set.m; j++) {
    let gp = 0;
    let c = 0;
    let fin = 1;
    for (let i = 0; i < n; i++) {
      const gi = grad[j * n + i]!;
      if (gi === 0) continue;
      gp += gi * p[i]!;
      gnz[j * n + c] = gi;
      nz[j * n + c++] = i;
      if (!Number.isFinite(gi)) fin = 0;
      if (j < 32) rowsOf[i]! |= 1 << j;
    }
    nzCount[j] = c;
    finite[j] = fin;
    rhs[j] = gp - gamma * set.h[j]! + set.shift[j]!;
  }
  for (let j = 0; j < set.m; j++) {
    let mask = 0;
    for (let k = j * n; k < j * n + nzCount[j]!; k++) mask |= rowsOf[nz[k]!]!;
    nb[j] = mask;
  }
  work.clean[0] = 0;
  // Cold: λ = 0. Warm: keep λ, s = target + Σλ·g and the working set (same target and rows).
  if (!warm) {
    lambda.fill(0);
    inSet.fill(0);
    work.count = 0;
    s.set(target);
  }
  // x = clamp(s) in this call's band (a warm call may come with another band), updated wherever s changes.
  for (let i = 0; i < n; i++) x[i] = clamp(s[i]!, lo[i]!, hi[i]!);
  const r = work.result;
  // Working set: only rows violated so far take part in the sweeps (most rows never bind).
  let count = work.count;
  for (let outer = 0; outer < 8; outer++) {
    const before = count;
    for (let j = 0; j < set.m; j++) {
      if (inSet[j] || rowSlack(n, nz, gnz, nzCount, j, rhs, x, work) <= 1e-12) continue;
      inSet[j] = 1;
      active[count++] = j;
    }
    if (count === before) break;
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      let worst = 0;
      for (let a = 0; a < count; a++) {
        const j = active[a]!;
        solveRow(gnz, j, n, nz, nzCount[j]!, s, lambda, rhs, lo, hi, r, work);
        const d = r[1]! - lambda[j]!;
        if (d !== 0) {
          const e = j * n + nzCount[j]!;
          for (let k = j * n; k < e; k++) {
            const i = nz[k]!;
            const si = s[i]! + d * gnz[k]!;
            s[i] = si;
            x[i] = clamp(si, lo[i]!, hi[i]!);
          }
          work.clean[0]! &= ~nb[j]!;
        }
        lambda[j] = r[1]!;
      }
      // KKT residual: a violated row, or a row with a multiplier that is not tight.
      for (let a = 0; a < count; a++) {
        const j = active[a]!;
        const v = rowSlack(n, nz, gnz, nzCount, j, rhs, x, work);
        const kkt = lambda[j]! > 0 ? (v > 0 ? v : -v) : v;
        if (kkt > worst) worst = kkt;
      }
      if (worst <= 1e-11) break;
    }
  }
  work.count = count;
  violation(set.m, n, nz, gnz, nzCount, rhs, x, r, work);
  for (let i = 0; i < n; i++) out[i] = x[i]!;
}

/** rhs_j − g_j·x with x = clamp(s) (work.x): how far row j is from being met (≤ 0 when met), m. */
function rowSlack(n: number, nz: Int32Array, gnz: Float64Array, nzCount: Int32Array, j: number, rhs: Float64Array,
  x: Float64Array, work: BarrierWork): number {
  if (j < 32 && ((work.clean[0]! >>> j) & 1) === 1) return rhs[j]! - work.gx[j]!;
  let gx = 0;
  const e = j * n + nzCount[j]!;
  for (let k = j * n; k < e; k++) gx += gnz[k]! * x[nz[k]!]!;
  if (j < 32 && work.finite[j] === 1) {
    work.gx[j] = gx;
    work.clean[0]! |= 1 << j;
  }
  return rhs[j]! - gx;
}

/** Largest row violation at x = clamp(s) into r[0], m. */
function violation(m: number, n: number, nz: Int32Array, gnz: Float64Array, nzCount: Int32Array, rhs: Float64Array,
  x: Float64Array, r: Float64Array, work: BarrierWork): void {
  let worst = 0;
  for (let j = 0; j < m; j++) {
    const v = rowSlack(n, nz, gnz, nzCount, j, rhs, x, work);
    if (v > worst) worst = v;
  }
  r[0] = worst;
}

/**
 * Entry c of one row's solve: its bounds l, h, g², and the two breakpoints in λ where t + λ·g meets l and h
 * (compared in λ, not in y, so that rounding at a breakpoint cannot stall the walk). Small enough for V8 to
 * inline into solveRow's loops (the bench's heap figure for the shield tick shows it: no boxed doubles).
 */
function setBreakpoints(work: BarrierWork, c: number, gi: number, t: number, l: number, h: number): void {
  work.lc[c] = l;
  work.hc[c] = h;
  work.g2[c] = gi * gi;
  const bl = (l - t) / gi;
  const bh = (h - t) / gi;
  work.b1[c] = bl < bh ? bl : bh;
  work.b2[c] = bl < bh ? bh : bl;
}

/**
 * The λ ≥ 0 for one row with the others fixed, into r[1]: the root of
 * φ(λ) = g·clamp(t + λ·g) = rhs, where t = s − λ_old·g (φ is nondecreasing
 * and piecewise linear); 0 when φ(0) ≥ rhs; the saturation point when no λ
 * reaches rhs. Newton steps on the current linear piece from a warm start
 * (λ_old), kept inside a bracket [a, b] with φ(a) < rhs ≤ φ(b).
 */
function solveRow(
  gnz: Float64Array, j: number, n: number, nz: Int32Array, count: number, s: Float64Array, lambdas: Float64Array, rhsAll: Float64Array,
  lo: Float64Array, hi: Float64Array, r: Float64Array, work: BarrierWork,
): void {
  const go = j * n;
  const lambdaOld = lambdas[j]!;
  const rhs = rhsAll[j]!;
  const tol = 1e-13 * (1 + Math.abs(rhs));
  const tb = work.t;
  // λ_old = 0 and g_j·x cached (finite gradient): φ(0) is that same sum (each term g·clamp(s − 0·g + 0·g) differs
  // from g·clamp(s) at most in the sign of a zero, which a sum starting at +0 does not keep), so the test is the same.
  const cached = lambdaOld === 0 && j < 32 && ((work.clean[0]! >>> j) & 1) === 1;
  if (cached && work.gx[j]! >= rhs) {
    r[1] = 0;
    return;
  }
  let a = 0;
  let b = -1; // −1: no upper bracket yet
  let lambda = 0;
  const b1s = work.b1;
  const b2s = work.b2;
  const lcs = work.lc;
  const hcs = work.hc;
  const g2s = work.g2;
  let phi0 = 0;
  if (lambdaOld > 0) {
    // A row with a multiplier mostly keeps it: φ(0) and the breakpoints in one pass (the same values as the two passes below).
    for (let c = 0; c < count; c++) {
      const i = nz[go + c]!;
      const gi = gnz[go + c]!;
      const t = s[i]! - lambdaOld * gi;
      tb[c] = t;
      const l = lo[i]!;
      const h = hi[i]!;
      const y = t + lambda * gi;
      phi0 += gi * (y < l ? l : y > h ? h : y);
      setBreakpoints(work, c, gi, t, l, h);
    }
    if (phi0 >= rhs) {
      r[1] = 0;
      return;
    }
  } else if (lambdaOld === 0 && work.finite[j] === 1) {
    // φ(0) alone first (no breakpoints): most rows of the working set are met at λ = 0. With λ_old = 0 and a finite
    // gradient, g·clamp(s − 0·g + 0·g) is g·x term by term up to the sign of a zero, which a sum from +0 does not keep.
    const x = work.x;
    for (let c = 0; c < count; c++) phi0 += gnz[go + c]! * x[nz[go + c]!]!;
    if (phi0 >= rhs) {
      if (j < 32) {
        work.gx[j] = phi0;
        work.clean[0]! |= 1 << j;
      }
      r[1] = 0;
      return;
    }
    // t and the breakpoints in λ of each entry (fixed over this row's Newton steps).
    for (let c = 0; c < count; c++) {
      const i = nz[go + c]!;
      const gi = gnz[go + c]!;
      const t = s[i]! - lambdaOld * gi;
      tb[c] = t;
      setBreakpoints(work, c, gi, t, lo[i]!, hi[i]!);
    }
  } else {
    // A non-finite gradient entry (or λ_old not a number): the plain passes.
    for (let c = 0; c < count; c++) {
      const i = nz[go + c]!;
      const gi = gnz[go + c]!;
      const t = s[i]! - lambdaOld * gi;
      tb[c] = t;
      const l = lo[i]!;
      const h = hi[i]!;
      const y = t + lambda * gi;
      phi0 += gi * (y < l ? l : y > h ? h : y);
    }
    if (phi0 >= rhs) {
      r[1] = 0;
      return;
    }
    for (let c = 0; c < count; c++) {
      const i = nz[go + c]!;
      const gi = gnz[go + c]!;
      setBreakpoints(work, c, gi, tb[c]!, lo[i]!, hi[i]!);
    }
  }
  let start = 0;
  if (lambdaOld > 0) {
    lambda = lambdaOld; // warm start (re-evaluate there)
    start = 1;
  }
  for (let iter = start; iter < 60; iter++) {
    let phi = 0;
    let slopeR = 0;
    let slopeL = 0;
    for (let c = 0; c < count; c++) {
      const gi = gnz[go + c]!;
      const t = tb[c]!;
      const l = lcs[c]!;
      const h = hcs[c]!;
      const y = t + lambda * gi;
      phi += gi * (y < l ? l : y > h ? h : y);
      const b1 = b1s[c]!;
      const b2 = b2s[c]!;
      const g2 = g2s[c]!;
      if (lambda >= b1 && lambda < b2) slopeR += g2;
      if (lambda > b1 && lambda <= b2) slopeL += g2;
    }
    if (phi - rhs <= tol && rhs - phi <= tol) break; // converged
    let cand: number;
    if (phi < rhs) {
      a = lambda;
      if (slopeR > 0) cand = lambda + (rhs - phi) / slopeR;
      else {
        // Flat here: the next breakpoint to the right (only needed on this rare branch, so not found in the pass above).
        let nextR = -1;
        for (let c = 0; c < count; c++) {
          const b1 = b1s[c]!;
          const b2 = b2s[c]!;
          const bp = lambda < b1 ? b1 : lambda < b2 ? b2 : -1;
          if (bp > lambda && (nextR < 0 || bp < nextR)) nextR = bp;
        }
        if (nextR > 0) cand = nextR;
        else break; // saturated: no λ reaches rhs
      }
    } else {
      b = lambda;
      cand = slopeL > 0 ? lambda - (phi - rhs) / slopeL : (a + b) / 2;
    }
    if (!(cand < 1e12)) break; // a vanishing slope: treat as saturated rather than step to ∞
    if (!(cand > a) || (b >= 0 && !(cand < b))) cand = b >= 0 ? (a + b) / 2 : cand > a ? cand : a;
    if (Math.abs(cand - lambda) <= 1e-15 * (1 + lambda)) {
      lambda = cand;
      break;
    }
    lambda = cand;
  }
  r[1] = lambda;
}
