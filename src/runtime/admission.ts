/**
 * Pre-arm admission: every input of a run is loaded and checked first (a bad
 * file is refused before any trial, naming the file), then the planned trials
 * run in the embedded sim on every core (worker threads when running the
 * built code; in this thread otherwise), then the verdict; when it refuses,
 * the diagnosis re-runs the first failed trial with each known convention
 * variant of the policy config (in memory) and names the variants that pass.
 *
 * Trials run in plan order (stand first); once one has failed the verdict is
 * settled and the remaining trials are skipped unless `all` is set.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  AdmissionOptionsSchema,
  admissionVerdict,
  conventionVariants,
  judgeTrial,
  planTrials,
  sweepMargin,
  sweepTrials,
  sweepValues,
  type SweepCondition,
  type ScenarioName,
  trialName,
  type AdmissionOptions,
  type AdmissionOptionsInput,
  type AdmissionVerdict,
  type PlanContext,
  type PolicyKind,
  type TrialMetrics,
  type TrialResult,
  type TrialSpec,
  type VariantContext,
} from '../admission/index.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { actuatedJoints } from '../robot/model.js';
import { monotonicNs } from '../timing/index.js';
import { runTrial, type TrialInputs } from './admission-trial.js';
import { loadRun } from './embedded-run.js';

/** An input of the run that cannot be used: refused before any trial. */
export class AdmissionInputError extends Error {
  constructor(readonly file: string, message: string) {
    super(message.includes(file) ? message : `${file}: ${message}`);
    this.name = 'AdmissionInputError';
  }
}

export interface AdmitOptions {
  /** Run config (what `npm run import` writes: it names the profile, URDF, shield, policy config). */
  configPath: string;
  root: string;
  options?: AdmissionOptionsInput;
  /** Parallel trials (default: every core available). */
  workers?: number;
  /** Re-run convention variants when refused (default true). */
  diagnose?: boolean;
  /** Run every planned trial even after one has failed. */
  all?: boolean;
  /** Worker threads append their log lines to this file (default: their stderr at the configured level). */
  logPath?: string;
  /** The inputs as already checked by {@link prepareAdmission} (default: checked here). */
  prepared?: Prepared;
  /** Called as each trial finishes. */
  onTrial?: (r: TrialResult, phase: 'trial' | 'diagnosis') => void;
}

export interface VariantResult {
  id: string;
  cause: string;
  /** Trials run with the variant and whether each passed. */
  trials: { trial: string; pass: boolean; failed: string[] }[];
  pass: boolean;
}

export interface Diagnosis {
  /** The failed trial the variants were tried on (and the one that confirms a pass). */
  trials: string[];
  variants: VariantResult[];
  /** The causes of the variants that passed every diagnosis trial. */
  likelyCauses: string[];
}

export interface AdmissionReport {
  configPath: string;
  policy: string;
  kind: PolicyKind;
  options: AdmissionOptions;
  workers: number;
  plannedTrials: number;
  verdict: AdmissionVerdict;
  diagnosis: Diagnosis | null;
  wallS: number;
}

export interface Prepared {
  inputs: TrialInputs;
  specs: TrialSpec[];
  planContext: PlanContext;
  policy: ResolvedPolicyConfig;
  variantContext: VariantContext;
}

const fileOf = (err: unknown): string | undefined => {
  const e = err as { file?: unknown; source?: unknown };
  return typeof e.file === 'string' ? e.file : typeof e.source === 'string' ? e.source : undefined;
};

/** Loads every input exactly as the run will (profile, URDF, shield, policy config, model); throws AdmissionInputError. */
export async function prepareAdmission(configPath: string, root: string, input: AdmissionOptionsInput = {}): Promise<Prepared> {
  if (!existsSync(configPath)) throw new AdmissionInputError(configPath, 'the run config does not exist');
  let loaded;
  try {
    loaded = await loadRun({ configPath, root });
  } catch (err) {
    throw new AdmissionInputError(fileOf(err) ?? configPath, (err as Error).message);
  }
  await loaded.policy?.policy.release();
  const policy = loaded.policy!.config;
  const options = AdmissionOptionsSchema.parse(input);
  const terms = policy.observation.terms;
  const kind: PolicyKind = policy.config.reference ? 'tracking' : terms.some((t) => t.source === 'velocity_command') ? 'velocity' : 'other';
  const cmd = terms.find((t) => t.source === 'velocity_command' && t.ranges !== undefined);
  const joints = actuatedJoints(loaded.model).map((j) => j.name);
  const ref = loaded.referenceMotion;
  const planContext: PlanContext = {
    kind,
    commandRanges: cmd && cmd.source === 'velocity_command' && cmd.ranges ? cmd.ranges : null,
    joints,
    links: loaded.model.links.map((l) => l.name),
    rootLink: loaded.model.rootLink,
    ...(ref ? { referenceDurationS: ref.frames / ref.fps } : {}),
  };
  const specs = planTrials(planContext, options);
  const variantContext: VariantContext = { urdfOrder: joints, motorOrder: loaded.motorOrder };
  return {
    inputs: { configPath, root, options, kind, fallHeightM: loaded.fallHeightM, rootLink: loaded.model.rootLink, variantContext },
    specs,
    planContext,
    policy,
    variantContext,
  };
}

/** Runs trials on worker threads (the built code) or in this thread (sources under vite-node/vitest). */
class TrialPool {
  private readonly workerFile = fileURLToPath(new URL('./admission-worker.js', import.meta.url));
  private readonly workers: Worker[] = [];
  readonly size: number;

  constructor(requested: number, logPath?: string) {
    const threaded = requested > 1 && existsSync(this.workerFile);
    this.size = threaded ? requested : 1;
    if (threaded) for (let i = 0; i < requested; i++) this.workers.push(new Worker(this.workerFile, { workerData: { logPath: logPath ?? null } }));
  }

  /** Runs `jobs` with up to `size` at once; `stop()` true skips the jobs not yet started. */
  async run(jobs: { inputs: TrialInputs; spec: TrialSpec }[], done: (i: number, m: TrialMetrics) => void, stop: () => boolean): Promise<number[]> {
    let next = 0;
    const skipped: number[] = [];
    const lane = async (w: Worker | null): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= jobs.length) return;
        if (stop()) {
          skipped.push(i);
          continue;
        }
        const job = jobs[i]!;
        const m = w ? await onWorker(w, job) : await runTrial(job.inputs, job.spec);
        done(i, m);
      }
    };
    await Promise.all(this.workers.length > 0 ? this.workers.map((w) => lane(w)) : [lane(null)]);
    return skipped.sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function onWorker(w: Worker, job: { inputs: TrialInputs; spec: TrialSpec }): Promise<TrialMetrics> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { metrics?: TrialMetrics; error?: string }): void => {
      w.off('error', onError);
      if (m.metrics) resolve(m.metrics);
      else reject(new Error(m.error ?? 'the trial worker answered nothing'));
    };
    const onError = (err: Error): void => {
      w.off('message', onMessage);
      reject(err);
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage(job);
  });
}

/** The admission: trials, verdict, diagnosis. Throws AdmissionInputError for a bad input (nothing run). */
export async function admit(opts: AdmitOptions): Promise<AdmissionReport> {
  const t0 = monotonicNs();
  const prepared = opts.prepared ?? await prepareAdmission(opts.configPath, opts.root, opts.options);
  const { inputs, specs } = prepared;
  const pool = new TrialPool(opts.workers ?? availableParallelism(), opts.logPath);
  try {
    const results: (TrialResult | undefined)[] = new Array(specs.length);
    let failed = false;
    const skippedIdx = await pool.run(specs.map((spec) => ({ inputs, spec })), (i, m) => {
      const r = judgeTrial(m, inputs.options);
      results[i] = r;
      if (!r.pass) failed = true;
      opts.onTrial?.(r, 'trial');
    }, () => failed && !opts.all);
    const done = results.filter((r): r is TrialResult => r !== undefined);
    const verdict = admissionVerdict(done, skippedIdx.map((i) => trialName(specs[i]!)));

    let diagnosis: Diagnosis | null = null;
    if (!verdict.admitted && (opts.diagnose ?? true) && done.length > 0) {
      diagnosis = await diagnose(prepared, done, pool, opts);
    }
    return {
      configPath: opts.configPath,
      policy: prepared.policy.config.name,
      kind: inputs.kind,
      options: inputs.options,
      workers: pool.size,
      plannedTrials: specs.length,
      verdict,
      diagnosis,
      wallS: Number(monotonicNs() - t0) * 1e-9,
    };
  } finally {
    await pool.close();
  }
}

/**
 * Each convention variant on the first failed trial; a variant that passes it
 * is confirmed on a second trial (the first planned trial of another
 * scenario, when there is one) before it is named a likely cause.
 */
async function diagnose(prepared: Prepared, done: TrialResult[], pool: TrialPool, opts: AdmitOptions): Promise<Diagnosis> {
  const { inputs, specs } = prepared;
  const firstFailed = done.find((r) => !r.pass)!.metrics;
  const failedSpec = specs.find((s) => s.scenario === firstFailed.scenario && s.seed === firstFailed.seed)!;
  const confirm = specs.find((s) => s.scenario !== failedSpec.scenario && s.seed === failedSpec.seed);
  const variants = conventionVariants(prepared.policy.config, prepared.variantContext);
  const results: VariantResult[] = variants.map((v) => ({ id: v.id, cause: v.cause, trials: [], pass: false }));
  const record = (vi: number, r: TrialResult): void => {
    results[vi]!.trials.push({ trial: trialName(r.metrics), pass: r.pass, failed: r.criteria.filter((c) => !c.pass).map((c) => c.criterion) });
    opts.onTrial?.(r, 'diagnosis');
  };
  const jobs = (spec: TrialSpec, which: number[]): { inputs: TrialInputs; spec: TrialSpec }[] =>
    which.map((vi) => ({ inputs: { ...inputs, variant: variants[vi]!.id }, spec }));
  const all = variants.map((_, i) => i);
  await pool.run(jobs(failedSpec, all), (i, m) => record(all[i]!, judgeTrial(m, inputs.options)), () => false);
  const passedFirst = all.filter((vi) => results[vi]!.trials[0]?.pass);
  if (confirm && passedFirst.length > 0) {
    await pool.run(jobs(confirm, passedFirst), (i, m) => record(passedFirst[i]!, judgeTrial(m, inputs.options)), () => false);
  }
  for (const r of results) r.pass = r.trials.length > 0 && r.trials.every((t) => t.pass);
  return {
    trials: [trialName(failedSpec), ...(confirm ? [trialName(confirm)] : [])],
    variants: results,
    likelyCauses: results.filter((r) => r.pass).map((r) => r.cause),
  };
}

export interface SweepReport {
  condition: SweepCondition;
  scenario: ScenarioName;
  rows: { value: number; result: TrialResult }[];
  /** The last value that passed before the first failure (null: the easiest failed). */
  margin: number | null;
  /** The first failing value (null: every value passed). */
  failsAt: number | null;
  workers: number;
  wallS: number;
}

/**
 * The robustness sweep: one scenario (default: forward for a velocity policy, else the first planned)
 * over `points` values of one condition, every other condition nominal. Informational: no record.
 */
export async function sweep(opts: AdmitOptions & { condition: SweepCondition; points?: number; scenario?: ScenarioName }): Promise<SweepReport> {
  const t0 = monotonicNs();
  const prepared = opts.prepared ?? await prepareAdmission(opts.configPath, opts.root, opts.options);
  const { inputs } = prepared;
  const scenario = opts.scenario ?? (inputs.kind === 'velocity' ? 'forward' : prepared.specs[0]!.scenario);
  const values = sweepValues(opts.condition, opts.points ?? 6);
  const specs = sweepTrials(prepared.planContext, inputs.options, scenario, opts.condition, values);
  const pool = new TrialPool(opts.workers ?? availableParallelism(), opts.logPath);
  try {
    const results: TrialResult[] = new Array(specs.length);
    await pool.run(specs.map((spec) => ({ inputs, spec })), (i, m) => {
      results[i] = judgeTrial(m, inputs.options);
      opts.onTrial?.(results[i]!, 'trial');
    }, () => false);
    const { margin, failsAt } = sweepMargin(values, results.map((r) => r.pass));
    return { condition: opts.condition, scenario, rows: values.map((value, i) => ({ value, result: results[i]! })), margin, failsAt, workers: pool.size, wallS: Number(monotonicNs() - t0) * 1e-9 };
  } finally {
    await pool.close();
  }
}
