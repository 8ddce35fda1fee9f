/**
 * Value-guided DDIM sampling over a {@link DiffusionModels} port: single
 * sample, best-of-N, FASTER (filter the seeds with Q_dn at the noise level)
 * and general filter schedules, all one loop over a {@link SamplingPlan}.
 *
 * Per decision: draw n seeds x_T ~ N(0, I) from the decision's seed (the same
 * seeds for every strategy: candidate i is the same seed everywhere); for
 * each DDIM step k, first apply the filter at k if any (Q_dn of the live
 * candidates at τ_k, keep the top ones, compacted in rank order), then one
 * batched denoiser call over all live candidates and the DDIM update. A
 * candidate whose state turns non-finite is dropped (counted). At the end,
 * pick by Q_a (min over two members) when the plan says so.
 *
 * Deadline: with a budget and a cost model, a plan whose predicted time
 * exceeds the budget is cut — first to FASTER keep-1 with the same n
 * ("filtered harder"), then to a single sample, then to the safe action —
 * each counted. No clock here: the adapter measures the cost model and
 * enforces the wall deadline.
 *
 * Buffers are sized once for the largest n; a decision allocates only the
 * promises of the model calls.
 */
import { Rng } from '../../training/rng.js';
import { planOf, type SamplingPlan, type Strategy } from './config.js';
import { ensembleScore, topK } from './filter.js';
import type { CostModel, DiffusionModels } from './port.js';
import { ddimPlan, ddimStep, vpSchedule, type DdimPlan } from './schedule.js';

export interface SamplerOptions {
  steps: number;
  trainSteps: number;
  betaMin: number;
  betaMax: number;
  /** Action bounds (normalised action space), x̂_0 is clipped into them. */
  lo: number;
  hi: number;
  /** Largest n any decision uses. */
  maxCandidates: number;
}

export type SafeReason = 'deadline' | 'denoiser_nan' | 'critic_nan' | 'worker' | 'late';
export type Degradation = 'none' | 'filtered_harder' | 'single';

/** What one decision did. Reused between decisions (copy what you keep). */
export interface DecisionResult {
  /** 'sampled': `action` holds the chunk; 'safe': use the safe action (hold / STAND). */
  outcome: 'sampled' | 'safe';
  safeReason: SafeReason | null;
  degradation: Degradation;
  /** The selected chunk [H·D] (valid when sampled). */
  action: Float32Array;
  /** Seed index (0..n−1) of the selected candidate, −1 when safe. */
  selectedSeed: number;
  /** Q_a score of the selected candidate (NaN when no Q_a call was made). */
  selectedQ: number;
  /** Denoiser rows (candidate-steps) and calls this decision. */
  denoiserRows: number;
  denoiserCalls: number;
  /** Critic rows (Q_dn + Q_a) and calls this decision. */
  criticRows: number;
  criticCalls: number;
  /** Candidates dropped for a non-finite state, and NaN critic scores seen. */
  droppedNaN: number;
  nanScores: number;
}

/** Running counts over decisions (diagnostics). */
export interface DiffusionCounters {
  decisions: number;
  sampled: number;
  filteredHarder: number;
  degradedToSingle: number;
  safe: Record<SafeReason, number>;
  droppedNaN: number;
  nanScores: number;
}

export function makeCounters(): DiffusionCounters {
  return {
    decisions: 0, sampled: 0, filteredHarder: 0, degradedToSingle: 0,
    safe: { deadline: 0, denoiser_nan: 0, critic_nan: 0, worker: 0, late: 0 },
    droppedNaN: 0, nanScores: 0,
  };
}

/** Adds one decision's result to running counts. */
export function countDecision(c: DiffusionCounters, r: DecisionResult): void {
  c.decisions++;
  if (r.outcome === 'sampled') c.sampled++;
  else if (r.safeReason) c.safe[r.safeReason]++;
  if (r.degradation === 'filtered_harder') c.filteredHarder++;
  else if (r.degradation === 'single') c.degradedToSingle++;
  c.droppedNaN += r.droppedNaN;
  c.nanScores += r.nanScores;
}

/** Predicted time of a plan under a cost model, ms. */
export function predictMs(plan: SamplingPlan, steps: number, cost: CostModel): number {
  let live = plan.n;
  let f = 0;
  let ms = 0;
  for (let k = 0; k < steps; k++) {
    const filter = plan.filters[f];
    if (filter && filter.atStep === k) {
      ms += cost.callMs + live * cost.criticRowMs;
      live = Math.min(live, filter.keep);
      f++;
    }
    ms += cost.callMs + live * cost.denoiserRowMs;
  }
  if (plan.pickByQa) ms += cost.callMs + live * cost.criticRowMs;
  return ms;
}

/** The plan to run under a budget (or null: not even a single sample fits), and how it was cut. */
export function fitPlan(plan: SamplingPlan, steps: number, budgetMs: number | undefined, cost: CostModel | undefined):
  { plan: SamplingPlan | null; degradation: Degradation } {
  if (budgetMs === undefined || !cost) return { plan, degradation: 'none' };
  if (predictMs(plan, steps, cost) <= budgetMs) return { plan, degradation: 'none' };
  if (plan.n > 1) {
    const harder: SamplingPlan = { n: plan.n, filters: [{ atStep: 0, keep: 1 }], pickByQa: false };
    if (predictMs(harder, steps, cost) <= budgetMs) return { plan: harder, degradation: 'filtered_harder' };
  }
  const single: SamplingPlan = { n: 1, filters: [], pickByQa: false };
  if (predictMs(single, steps, cost) <= budgetMs) return { plan: single, degradation: 'single' };
  return { plan: null, degradation: 'single' };
}

export class DiffusionSampler {
  readonly width: number;
  readonly ddim: DdimPlan;
  readonly result: DecisionResult;
  private readonly x: Float32Array;
  private readonly eps: Float32Array;
  private readonly t: Float32Array;
  private readonly scores: Float32Array;
  private readonly scoreOf: Float64Array;
  private readonly scoreTmp: Float64Array;
  private readonly live: Uint8Array;
  private readonly order: Int32Array;
  private readonly seedOf: Int32Array;
  private readonly seedTmp: Int32Array;
  private readonly xTmp: Float32Array;

  constructor(
    private readonly models: DiffusionModels,
    readonly options: SamplerOptions,
  ) {
    const s = models.shapes;
    this.width = s.horizon * s.actionDim;
    this.ddim = ddimPlan(vpSchedule(options.trainSteps, options.betaMin, options.betaMax), options.steps);
    const N = options.maxCandidates;
    const W = this.width;
    const members = Math.max(s.qActionMembers, s.qNoiseMembers);
    this.x = new Float32Array(N * W);
    this.xTmp = new Float32Array(N * W);
    this.eps = new Float32Array(N * W);
    this.t = new Float32Array(N);
    this.scores = new Float32Array(N * members);
    this.scoreOf = new Float64Array(N);
    this.scoreTmp = new Float64Array(N);
    this.live = new Uint8Array(N);
    this.order = new Int32Array(N);
    this.seedOf = new Int32Array(N);
    this.seedTmp = new Int32Array(N);
    this.result = {
      outcome: 'safe', safeReason: null, degradation: 'none', action: new Float32Array(W), selectedSeed: -1, selectedQ: NaN,
      denoiserRows: 0, denoiserCalls: 0, criticRows: 0, criticCalls: 0, droppedNaN: 0, nanScores: 0,
    };
  }

  /** Normal form of a strategy for this sampler's step count (throws on an inconsistent one). */
  plan(strategy: Strategy): SamplingPlan {
    const p = planOf(strategy, this.options.steps);
    if (p.n > this.options.maxCandidates) throw new Error(`strategy.n (${p.n}) exceeds the sampler's maxCandidates (${this.options.maxCandidates})`);
    return p;
  }

  /** Draws the n seeds of decision `seed` into x (the same for every strategy). */
  private drawSeeds(seed: number, n: number): void {
    const rng = new Rng(seed);
    const W = this.width;
    for (let i = 0; i < n * W; i++) this.x[i] = rng.normal();
    for (let i = 0; i < n; i++) this.seedOf[i] = i;
  }

  /** Samples one decision. `obs` [obsWidth]. Never throws for NaN model outputs (safe outcome instead); port errors propagate. */
  async sample(obs: Float32Array, plan: SamplingPlan, seed: number, budgetMs?: number, cost?: CostModel): Promise<DecisionResult> {
    const r = this.result;
    r.outcome = 'safe'; r.safeReason = null; r.selectedSeed = -1; r.selectedQ = NaN;
    r.denoiserRows = 0; r.denoiserCalls = 0; r.criticRows = 0; r.criticCalls = 0; r.droppedNaN = 0; r.nanScores = 0;
    const fitted = fitPlan(plan, this.options.steps, budgetMs, cost);
    r.degradation = fitted.degradation;
    if (!fitted.plan) {
      r.safeReason = 'deadline';
      return r;
    }
    const p = fitted.plan;
    this.drawSeeds(seed >>> 0, p.n);
    let rows = p.n;
    let f = 0;
    const W = this.width;
    const d = this.ddim;
    const { lo, hi } = this.options;
    for (let k = 0; k < d.steps; k++) {
      const filter = p.filters[f];
      if (filter && filter.atStep === k) {
        f++;
        this.t.fill(d.timeInput[k]!, 0, rows);
        await this.models.qNoise(obs, this.x, this.t, rows, this.scores);
        r.criticRows += rows; r.criticCalls++;
        rows = this.keepTop(rows, filter.keep, this.models.shapes.qNoiseMembers);
        if (rows === 0) {
          r.safeReason = 'critic_nan';
          return r;
        }
      }
      this.t.fill(d.timeInput[k]!, 0, rows);
      await this.models.denoise(obs, this.x, this.t, rows, this.eps);
      r.denoiserRows += rows; r.denoiserCalls++;
      for (let i = 0; i < rows; i++) ddimStep(this.x, this.eps, i * W, W, d.alphaBar[k]!, d.alphaBarPrev[k]!, lo, hi, this.x);
      rows = this.dropNonFinite(rows);
      if (rows === 0) {
        r.safeReason = 'denoiser_nan';
        return r;
      }
    }
    let pick = 0;
    if (p.pickByQa) {
      await this.models.qAction(obs, this.x, rows, this.scores);
      r.criticRows += rows; r.criticCalls++;
      const kept = this.keepTop(rows, 1, this.models.shapes.qActionMembers);
      if (kept === 0) {
        r.safeReason = 'critic_nan';
        return r;
      }
      r.selectedQ = this.scoreOf[0]!;
      pick = 0;
    }
    r.action.set(this.x.subarray(pick * W, (pick + 1) * W));
    r.selectedSeed = this.seedOf[pick]!;
    r.outcome = 'sampled';
    return r;
  }

  /**
   * Keeps the top `keep` of the first `rows` candidates by ensemble score
   * (NaN scores rank last and are never kept), compacting them to the front
   * in rank order; their scores go to scoreOf[0..m). Returns the count kept.
   */
  private keepTop(rows: number, keep: number, members: number): number {
    const W = this.width;
    for (let i = 0; i < rows; i++) {
      const s = ensembleScore(this.scores, i, members);
      this.scoreOf[i] = s;
      const numeric = s === s;
      this.live[i] = numeric ? 1 : 0;
      if (!numeric) this.result.nanScores++;
    }
    const m = topK(this.scoreOf, this.live, rows, keep, this.order);
    for (let j = 0; j < m; j++) {
      const i = this.order[j]!;
      this.xTmp.set(this.x.subarray(i * W, (i + 1) * W), j * W);
      this.seedTmp[j] = this.seedOf[i]!;
      this.scoreTmp[j] = this.scoreOf[i]!;
    }
    this.x.set(this.xTmp.subarray(0, m * W));
    for (let j = 0; j < m; j++) {
      this.seedOf[j] = this.seedTmp[j]!;
      this.scoreOf[j] = this.scoreTmp[j]!;
    }
    return m;
  }

  /** Drops candidates with a non-finite state (keeping order); returns the count left. */
  private dropNonFinite(rows: number): number {
    const W = this.width;
    let m = 0;
    for (let i = 0; i < rows; i++) {
      let ok = true;
      for (let j = i * W; j < (i + 1) * W; j++) {
        if (!Number.isFinite(this.x[j]!)) { ok = false; break; }
      }
      if (!ok) { this.result.droppedNaN++; continue; }
      if (m !== i) {
        this.x.copyWithin(m * W, i * W, (i + 1) * W);
        this.seedOf[m] = this.seedOf[i]!;
      }
      m++;
    }
    return m;
  }
}
