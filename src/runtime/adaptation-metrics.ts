/**
 * Metrics of the adaptation scenario, from a recorded series of squared
 * tracking errors (plain data in, numbers out; no sim):
 *
 * - phase-normalised error ratio over a window: sqrt(Σ e² / Σ ē²_nom(phase)),
 *   ē²_nom the variant's own mean squared error per motion-phase bin in the
 *   first (nominal) regime after a warm-up — the periodic motion's error
 *   varies with phase, so a raw RMSE threshold would depend on where in the
 *   motion the switch falls;
 * - time to adapt: the earliest τ ≥ 0 after a switch such that the ratio over
 *   [s + τ, s + τ + window] and over every later window (0.1 s steps) for
 *   `holdS` (or to the regime's end) is ≤ `ratio` (the 1.2× nominal);
 *   null when never;
 * - forgetting (revisits): ratio over the first `forgettingWindowS` of the
 *   second visit ÷ ratio over the last `forgettingWindowS` of the first visit − 1
 *   (the headline; it includes the switch's own transient: detection delay and the
 *   arm's physical response to the change, which the oracle has too);
 * - forgetting after the switching transient (printed beside it): the revisit's
 *   ratio over `settleWindowS` starting `settleS` after the switch ÷ the first
 *   visit's ratio over its last `settleWindowS` − 1 (a window of one motion period
 *   compares the same phases: a shifted regime's error profile over the motion need
 *   not have the nominal's shape, which the phase normalisation assumes).
 */
export interface Series {
  /** Sample times, s (increasing). */
  t: number[];
  /** Mean squared tracking error over the tracked joints, rad². */
  e2: number[];
  /** Motion phase bin of each sample. */
  bin: number[];
  /** Safety cost of each sample, cost units. */
  cost: number[];
  /** Fraction of the sample's shield ticks with a servo clamp (effort, following error); reported, not charged. */
  clamp: number[];
  /** Squared tracking error per tracked joint, `joints` entries per sample (flattened), rad² (optional: per-joint RMSE). */
  jointE2?: number[];
  /** Signed tracking error per tracked joint (measured − reference), like `jointE2` (optional: analysis), rad. */
  jointErr?: number[];
  /** Tracked joints per sample in `jointE2`. */
  joints?: number;
}

export interface MetricSettings {
  nominalWarmupS: number;
  windowS: number;
  ratio: number;
  holdS: number;
  forgettingWindowS: number;
  bins: number;
  /** Start of the revisit's window of {@link VisitMetrics.forgettingSettled}, s after the switch (default 0.5). */
  settleS?: number;
  /** Window of {@link VisitMetrics.forgettingSettled} (both visits), s (default `forgettingWindowS`). */
  settleWindowS?: number;
}

export interface Visit {
  name: string;
  startS: number;
  endS: number;
}

export interface VisitMetrics {
  name: string;
  startS: number;
  endS: number;
  /** RMSE over the visit, rad. */
  rmseRad: number;
  /** Mean safety cost per sample over the visit. */
  meanCost: number;
  /** Mean servo-clamp fraction over the visit. */
  clampRate: number;
  /** RMSE per tracked joint over the visit, rad (empty without `jointE2`). */
  jointRmseRad: number[];
  /** Time to adapt, s (null: never within the visit; not computed for the first visit). */
  adaptS: number | null;
  /**
   * Time to adapt against another nominal level, s: `policyNominal` given to {@link visitMetrics}
   * (the scenario passes the unadapted policy's own nominal profile, so a method that also improves
   * the nominal regime is not judged against its own better nominal only); null: never / not given.
   */
  adaptVsPolicyS: number | null;
  /** Phase-normalised error ratio over the visit's first / last forgettingWindowS. */
  startRatio: number;
  endRatio: number;
  /** Forgetting vs this regime's first visit (revisits only), fraction. */
  forgetting: number | null;
  /** The same over `settleWindowS` from `settleS` after the switch vs the first visit's last `settleWindowS` (the switching transient left out; revisits only), fraction. */
  forgettingSettled: number | null;
}

/** Mean squared error per phase bin in [from, to) (bins with no sample get the overall mean). */
export function nominalProfile(s: Series, from: number, to: number, bins: number): Float64Array {
  const sum = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  let all = 0;
  let n = 0;
  for (let i = 0; i < s.t.length; i++) {
    const t = s.t[i]!;
    if (t < from || t >= to) continue;
    sum[s.bin[i]!]! += s.e2[i]!;
    cnt[s.bin[i]!]!++;
    all += s.e2[i]!;
    n++;
  }
  if (n === 0) throw new Error(`no samples in the nominal window [${from}, ${to}) s`);
  return sum.map((v, b) => (cnt[b]! > 0 ? v / cnt[b]! : all / n));
}

/** Phase-normalised error ratio over [from, to) (NaN with no sample). */
export function ratioOver(s: Series, nominal: Float64Array, from: number, to: number): number {
  let num = 0;
  let den = 0;
  for (let i = lowerBound(s.t, from); i < s.t.length && s.t[i]! < to; i++) {
    num += s.e2[i]!;
    den += nominal[s.bin[i]!]!;
  }
  return den > 0 ? Math.sqrt(num / den) : NaN;
}

export function timeToAdapt(s: Series, nominal: Float64Array, v: Visit, m: MetricSettings): number | null {
  const step = 0.1;
  const lastStart = v.endS - m.windowS;
  for (let tau = 0; v.startS + tau <= lastStart + 1e-9; tau += step) {
    let ok = true;
    for (let u = tau; v.startS + u <= lastStart + 1e-9 && u <= tau + m.holdS + 1e-9; u += step) {
      if (!(ratioOver(s, nominal, v.startS + u, v.startS + u + m.windowS) <= m.ratio)) {
        ok = false;
        break;
      }
    }
    if (ok) return Math.round(tau * 10) / 10;
  }
  return null;
}

export function visitMetrics(s: Series, visits: readonly Visit[], m: MetricSettings, policyNominal?: Float64Array): VisitMetrics[] {
  const first = visits[0]!;
  const nominal = nominalProfile(s, first.startS + m.nominalWarmupS, first.endS, m.bins);
  const out: VisitMetrics[] = [];
  visits.forEach((v, i) => {
    let sq = 0;
    let c = 0;
    let cl = 0;
    let n = 0;
    const nj = s.jointE2 && s.joints ? s.joints : 0;
    const jsq = new Float64Array(nj);
    for (let k = lowerBound(s.t, v.startS); k < s.t.length && s.t[k]! < v.endS; k++) {
      for (let j = 0; j < nj; j++) jsq[j]! += s.jointE2![k * nj + j]!;
      sq += s.e2[k]!;
      c += s.cost[k]!;
      cl += s.clamp[k] ?? 0;
      n++;
    }
    const startRatio = ratioOver(s, nominal, v.startS, v.startS + m.forgettingWindowS);
    const endRatio = ratioOver(s, nominal, v.endS - m.forgettingWindowS, v.endS);
    const settle = m.settleS ?? 0.5;
    const sw = m.settleWindowS ?? m.forgettingWindowS;
    const settledRatio = ratioOver(s, nominal, v.startS + settle, v.startS + settle + sw);
    const earlier = out.find((o) => o.name === v.name);
    const earlierVisit = earlier ? visits.find((x) => x.name === v.name && x.startS === earlier.startS) : undefined;
    out.push({
      name: v.name,
      startS: v.startS,
      endS: v.endS,
      rmseRad: n > 0 ? Math.sqrt(sq / n) : NaN,
      meanCost: n > 0 ? c / n : NaN,
      clampRate: n > 0 ? cl / n : NaN,
      jointRmseRad: Array.from(jsq, (x) => (n > 0 ? Math.sqrt(x / n) : NaN)),
      adaptS: i === 0 ? null : timeToAdapt(s, nominal, v, m),
      adaptVsPolicyS: i === 0 || !policyNominal ? null : timeToAdapt(s, policyNominal, v, m),
      startRatio,
      endRatio,
      forgetting: earlier ? startRatio / earlier.endRatio - 1 : null,
      forgettingSettled: earlier && earlierVisit ? settledRatio / ratioOver(s, nominal, earlierVisit.endS - sw, earlierVisit.endS) - 1 : null,
    });
  });
  return out;
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
