/**
 * Value-guided diffusion sampling on the arm-detour task (models/arm_detour.*):
 * for N ∈ {4, 8, 16, 32} and each strategy (single, best-of-N, FASTER with
 * keep 1, the schedule N → 2 at the noise level → 1 after step 3), T = 10:
 * denoiser evaluations (candidate-steps) and critic evaluations per decision,
 * wall latency p50/p99 (request → answer through the sampling worker),
 * event-loop lag while sampling (p99 of a 1 ms timer's lateness on this
 * thread while decisions are in flight), selected-action Q (min over the two
 * Q_a members, evaluated after the fact for every strategy), and the
 * kinematic shield-core rollout's return and success on the same contexts
 * and the same seeds for every strategy (candidate i is the same seed
 * everywhere). Latency and lag come from a separate timing pass (3 passes
 * over the contexts, strategies interleaved per context so that load swings
 * on a shared machine hit all alike; each round followed by an idle stretch
 * as long, whose lag is the machine's own scheduling noise). For contrast:
 * the lag when the same sampler runs inline on this thread; the node thread's
 * own busy time per decision (event-loop utilisation: load-independent, what
 * sampling can delay the thread's timers by on a quiet machine) with the
 * worker and inline; and (timing only) the latency of single / best-of-N / FASTER
 * with a compute-heavy random-weight denoiser of the same I/O
 * (23-1024-1024-1024-16), where per-row compute rather than call overhead
 * dominates. And the floor the batching rule puts on FASTER's latency ratio
 * (./diffusion-floor.ts): per-call times of each model at 1, 4, 8, 16 and 32
 * rows for the shipped and the heavy denoiser, t(N)/(N·t(1)), the floor per
 * N next to the measured ratios and the 1/3 target, with the load average,
 * and where the measured ratio leaves the floor. Printed figures only.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDiffusionBundle } from '../io/diffusion-files.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { OnnxDiffusionModels } from '../inference/diffusion-onnx.js';
import { DiffusionWorkerClient } from '../inference/diffusion-client.js';
import { ArmDetourTask, observe, sampleContext, type ArmContext } from '../policy/diffusion/arm-detour.js';
import { DiffusionPolicySchema, type DiffusionPolicyConfig, type Strategy } from '../policy/diffusion/config.js';
import type { DiffusionContract } from '../policy/diffusion/contract.js';
import type { DiffusionBundleBytes } from '../inference/diffusion-onnx.js';
import { createMlp } from '../training/mlp.js';
import { mlpGraph } from '../training/mlp-onnx.js';
import { encodeOnnxModel } from '../training/onnx-writer.js';
import { ensembleScore } from '../policy/diffusion/filter.js';
import { DiffusionSampler } from '../policy/diffusion/sampler.js';
import { Rng } from '../training/rng.js';
import { batchEfficiency, batchingFloor, FLOOR_ROWS, modelCallMs, type CallTimes } from './diffusion-floor.js';
import { percentile } from './stats.js';

const CONTRACT = 'models/arm_detour.diffusion.json';
const NS = [4, 8, 16, 32] as const;
/** Passes over the contexts per strategy for latency and lag (the actions of every pass must agree). */
const REPEATS = 3;

interface Row {
  label: string;
  denoiserEvals: number;
  criticEvals: number;
  p50: number;
  p99: number;
  /** Sampling time inside the worker, p50, ms (latency minus this = the round trip's transport and wake-ups). */
  computeP50: number;
  lagP99: number;
  /** The same timer's p99 lateness with nothing in flight, right after (machine noise). */
  idleLagP99: number;
  q: number;
  ret: number;
  success: number;
  safe: number;
}

/**
 * A 1 ms timer on this thread recording its lateness. `label` names what is
 * in flight (a strategy, 'idle', or null: not measuring); a sample counts,
 * under the label at firing, only when the timer was armed under a non-null
 * label too (a timer armed before a blocking stretch outside the measured
 * windows is not charged to them).
 */
class LagProbe {
  label: string | null = null;
  readonly lags = new Map<string, number[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private expected = 0;
  private armed = false;
  start(): void {
    const tick = (): void => {
      const now = performance.now();
      if (this.label !== null && this.armed) {
        const list = this.lags.get(this.label) ?? [];
        list.push(Math.max(0, now - this.expected));
        this.lags.set(this.label, list);
      }
      this.expected = now + 1;
      this.armed = this.label !== null;
      this.timer = setTimeout(tick, 1);
    };
    this.expected = performance.now() + 1;
    this.timer = setTimeout(tick, 1);
  }
  p99(label: string): number {
    return percentile(this.lags.get(label) ?? [], 0.99);
  }
  all(except: string): number[] {
    return [...this.lags].filter(([k]) => k !== except).flatMap(([, v]) => v);
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function benchDiffusion(opts: { repoRoot: string; episodes?: number }): Promise<Record<string, number>> {
  const root = opts.repoRoot;
  if (!existsSync(resolve(root, CONTRACT))) return {};
  const workerUrl = new URL('../inference/diffusion-worker.js', import.meta.url);
  if (!existsSync(workerUrl)) return {};
  const episodes = opts.episodes ?? Number(process.env.AEGIS_DIFFUSION_EPISODES ?? 100);
  const config = DiffusionPolicySchema.parse({ contractPath: CONTRACT, obsWidth: 6, horizon: 4, actionDim: 4, sampling: { steps: 10 } });
  const files = loadDiffusionBundle(CONTRACT, root);
  const local = await OnnxDiffusionModels.create(config, files.contract, files.bytes);
  const task = new ArmDetourTask(loadUrdfFile(resolve(root, 'urdf/g1_29dof_fixed.urdf')));
  const client = await DiffusionWorkerClient.start({ config, root, maxCandidates: 32, workerUrl });

  const rng = new Rng(2026);
  const contexts: ArmContext[] = Array.from({ length: episodes }, () => sampleContext(rng));
  const obs = contexts.map((c) => observe(c));
  const qOut = new Float32Array(2);

  const strategies: { label: string; n: number; s: Strategy }[] = [{ label: 'single', n: 1, s: { kind: 'single' } }];
  for (const n of NS) {
    strategies.push({ label: `best_of_n/${n}`, n, s: { kind: 'best_of_n', n } });
    strategies.push({ label: `faster/${n}`, n, s: { kind: 'faster', n, keep: 1 } });
    strategies.push({ label: `schedule/${n}`, n, s: { kind: 'schedule', n, filters: [{ atStep: 0, keep: 2 }, { atStep: 3, keep: 1 }] } });
  }

  // Quality pass: one decision per context and strategy (deterministic: same seeds), then Q of the choice and the rollout.
  const rows: Row[] = [];
  for (const st of strategies) {
    const dEval: number[] = [];
    const cEval: number[] = [];
    const qs: number[] = [];
    const rets: number[] = [];
    let succ = 0;
    let safeCount = 0;
    for (let e = 0; e < episodes; e++) {
      const d = await client.decide(obs[e]!, { seed: 1000 + e, strategy: st.s });
      dEval.push(d.denoiserRows);
      cEval.push(d.criticRows);
      if (!d.action) { safeCount++; continue; }
      await local.qAction(obs[e]!, d.action, 1, qOut);
      qs.push(ensembleScore(qOut, 0, 2));
      const r = task.rollout(contexts[e]!, d.action);
      rets.push(r.ret);
      if (r.success) succ++;
    }
    rows.push({
      label: st.label, denoiserEvals: mean(dEval), criticEvals: mean(cEval), p50: NaN, p99: NaN, computeP50: NaN, lagP99: NaN, idleLagP99: NaN,
      q: mean(qs), ret: mean(rets), success: succ / episodes, safe: safeCount,
    });
  }
  // Timing pass, interleaved so that the machine's load swings hit every strategy alike: for each context, every
  // strategy once (the timer's lag charged to the strategy in flight), then an idle stretch as long (the 'idle' lag).
  const probe = new LagProbe();
  probe.start();
  const lat = new Map<string, number[]>(strategies.map((st) => [st.label, []]));
  const comp = new Map<string, number[]>(strategies.map((st) => [st.label, []]));
  const load0 = loadavg()[0]!;
  for (const st of strategies) await client.decide(obs[0]!, { seed: 1, strategy: st.s }); // warm-up
  const elu0 = performance.eventLoopUtilization();
  let timedDecisions = 0;
  for (let rep = 0; rep < REPEATS; rep++) {
    for (let e = 0; e < episodes; e++) {
      const t0 = performance.now();
      for (const st of strategies) {
        probe.label = st.label;
        const d = await client.decide(obs[e]!, { seed: 1000 + e, strategy: st.s });
        lat.get(st.label)!.push(d.latencyMs);
        comp.get(st.label)!.push(d.computeMs);
        timedDecisions++;
      }
      probe.label = 'idle';
      await sleep(performance.now() - t0);
    }
  }
  probe.label = null;
  const load1 = loadavg()[0]!;
  // the node thread's own work per decision (event-loop active time; the timer probe's callbacks included)
  const busyPerDecision = performance.eventLoopUtilization(elu0).active / timedDecisions;
  for (const r of rows) {
    const l = lat.get(r.label)!;
    r.p50 = percentile(l, 0.5);
    r.p99 = percentile(l, 0.99);
    r.computeP50 = percentile(comp.get(r.label)!, 0.5);
    r.lagP99 = probe.p99(r.label);
    r.idleLagP99 = probe.p99('idle');
  }
  const samplingLag = percentile(probe.all('idle'), 0.99);
  const samplingLagSamples = probe.all('idle').length;
  const idleLagSamples = probe.lags.get('idle')?.length ?? 0;
  const syncPath = client.synchronous;
  // The batching floor, measured: per-call time of each model at 1 and N rows, in the worker (nothing else in flight).
  const loadFloor = loadavg()[0]!;
  const shippedCalls = await client.measureCallTimes({ repeats: 300, callsPerSample: 10 });
  const clientWork = [...client.nodeThreadWorkMs()];
  const idleLag = probe.p99('idle');
  probe.stop();
  await client.close();

  // Contrast: the same sampler inline on this thread (best-of-32): the timer's lag then.
  const inline = new DiffusionSampler(local, { steps: 10, trainSteps: files.contract.trainSteps, betaMin: files.contract.betaMin, betaMax: files.contract.betaMax, lo: -1, hi: 1, maxCandidates: 32 });
  const inlineProbe = new LagProbe();
  inlineProbe.start();
  inlineProbe.label = 'inline';
  const eluInline0 = performance.eventLoopUtilization();
  let inlineDecisions = 0;
  const plan = inline.plan({ kind: 'best_of_n', n: 32 });
  for (let e = 0; e < Math.min(episodes, 20); e++) {
    await inline.sample(obs[e]!, plan, 1000 + e);
    inlineDecisions++;
    await new Promise((r) => setTimeout(r, 2));
  }
  inlineProbe.label = null;
  const inlineBusyPerDecision = performance.eventLoopUtilization(eluInline0).active / inlineDecisions;
  const inlineLag = inlineProbe.p99('inline');
  inlineProbe.stop();

  await local.release();

  // Timing only: the same sampler with a compute-heavy denoiser of the same I/O (random weights,
  // 23-1024-1024-1024-16), so that per-row compute, not call overhead, dominates: its per-call times and latencies.
  const heavy = await heavyLatency(root, config, files.contract, files.bytes, workerUrl, obs.slice(0, Math.min(episodes, 30)));

  const head = `  ${'strategy'.padEnd(14)} ${'denoiser'.padStart(9)} ${'critic'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'comp p50'.padStart(8)} ${'lag p99'.padStart(8)} ${'sel. Q'.padStart(8)} ${'return'.padStart(8)} ${'success'.padStart(8)}`;
  const lines = rows.map((r) =>
    `  ${r.label.padEnd(14)} ${r.denoiserEvals.toFixed(1).padStart(9)} ${r.criticEvals.toFixed(1).padStart(7)} ${r.p50.toFixed(3).padStart(8)} ${r.p99.toFixed(3).padStart(8)} ${r.computeP50.toFixed(3).padStart(8)} ${r.lagP99.toFixed(3).padStart(8)} ${r.q.toFixed(3).padStart(8)} ${r.ret.toFixed(3).padStart(8)} ${(100 * r.success).toFixed(0).padStart(7)}%`);
  process.stderr.write(`\n  diffusion (arm detour, T = 10, ${episodes} contexts, same seeds per strategy; evaluations per decision; lag = p99 lateness of a 1 ms timer on the node thread while that strategy samples, ms; comp = sampling time inside the worker; strategies interleaved; 1-min load average ${load0.toFixed(2)} → ${load1.toFixed(2)} on ${availableParallelism()} cores)\n${head}\n${lines.join('\n')}\n  timer lag p99 with nothing in flight (interleaved idle stretches): ${idleLag.toFixed(3)} ms\n`);

  const by = (l: string): Row => rows.find((r) => r.label === l)!;
  const single = by('single');
  const figures: Record<string, number> = { episodes };
  for (const r of rows) {
    const k = r.label.replace('/', '_n');
    figures[`${k}_denoiser_evals`] = Number(r.denoiserEvals.toFixed(2));
    figures[`${k}_critic_evals`] = Number(r.criticEvals.toFixed(2));
    figures[`${k}_latency_p50_ms`] = Number(r.p50.toFixed(3));
    figures[`${k}_latency_p99_ms`] = Number(r.p99.toFixed(3));
    figures[`${k}_compute_p50_ms`] = Number(r.computeP50.toFixed(3));
    figures[`${k}_loop_lag_p99_ms`] = Number(r.lagP99.toFixed(3));
    figures[`${k}_selected_q`] = Number(r.q.toFixed(4));
    figures[`${k}_return`] = Number(r.ret.toFixed(4));
    figures[`${k}_success`] = Number(r.success.toFixed(3));
  }
  const best8 = by('best_of_n/8');
  const faster8 = by('faster/8');
  figures.faster8_return_gain_fraction = Number(((faster8.ret - single.ret) / (best8.ret - single.ret)).toFixed(3));
  figures.faster8_denoiser_evals_ratio = Number((faster8.denoiserEvals / best8.denoiserEvals).toFixed(3));
  figures.faster8_latency_p99_ratio = Number((faster8.p99 / best8.p99).toFixed(3));
  figures.best_of_n8_round_trip_p50_ms = Number((best8.p50 - best8.computeP50).toFixed(3));
  figures.load_average_1min_start = Number(load0.toFixed(2));
  figures.load_average_1min_end = Number(load1.toFixed(2));
  figures.sampling_loop_lag_p99_ms = Number(samplingLag.toFixed(3));
  figures.idle_loop_lag_p99_ms = Number(idleLag.toFixed(3));
  // how many timer firings each lag figure rests on (a strategy's own lag column rests on far fewer: its decisions last < 1 ms)
  figures.sampling_loop_lag_samples = samplingLagSamples;
  figures.idle_loop_lag_samples = idleLagSamples;
  figures.inference_synchronous_native_path = syncPath ? 1 : 0;
  figures.inline_sampling_loop_lag_p99_ms = Number(inlineLag.toFixed(3));
  figures.node_thread_busy_ms_per_decision = Number(busyPerDecision.toFixed(4));
  // the client's own handlers on the node thread (posting a request, handling an answer): what sampling itself can delay a timer by
  figures.client_handler_ms_p99 = Number(percentile(clientWork, 0.99).toFixed(4));
  figures.client_handler_ms_max = Number(Math.max(...clientWork).toFixed(4));
  figures.inline_node_thread_busy_ms_per_best_of_32_decision = Number(inlineBusyPerDecision.toFixed(4));
  for (const [n, l] of heavy.latency) {
    figures[`heavy_denoiser_single_n${n}_run_latency_p50_ms`] = Number(l.single.toFixed(3));
    figures[`heavy_denoiser_best_of_n_n${n}_latency_p50_ms`] = Number(l.best.toFixed(3));
    figures[`heavy_denoiser_faster_n${n}_latency_p50_ms`] = Number(l.faster.toFixed(3));
    figures[`heavy_denoiser_faster${n}_latency_p50_ratio`] = Number((l.faster / l.best).toFixed(3));
  }
  Object.assign(figures, reportFloor(rows, shippedCalls, loadFloor, heavy));
  return figures;
}

const ms = (x: number): string => x.toFixed(3);

/**
 * Prints the batching floor next to the measured ratios (shipped and heavy denoiser) with the load it was
 * measured at, and accounts for the gap between them; returns the figures.
 */
function reportFloor(rows: Row[], shipped: CallTimes, load: number, heavy: HeavyResult): Record<string, number> {
  const T = 10;
  const f: Record<string, number> = { floor_load_average_1min: Number(load.toFixed(2)), heavy_floor_load_average_1min: Number(heavy.load.toFixed(2)) };
  const models: [string, string, Map<number, number>][] = [
    ['denoiser', 'denoiser 23-128-128-16 (shipped)', shipped.denoiser],
    ['q_noise', 'Q_dn critic (shipped)', shipped.qNoise],
    ['q_action', 'Q_a critic (shipped)', shipped.qAction],
    ['heavy_denoiser', 'denoiser 23-1024-1024-1024-16 (random, timing only)', heavy.calls.denoiser],
  ];
  const out: string[] = [];
  out.push(`  batching floor on FASTER / best-of-N latency (T = ${T}, keep 1; both strategies make T + 1 model calls, best-of-N batching all N candidates per call as the issue requires):`);
  out.push(`    floor(N) = (T·t_den(1) + t_Qdn(N)) / (T·t_den(N) + t_Qa(N)), t = median time per call on the sampler's synchronous native path, ms`);
  out.push(`    per-call times measured in the sampling worker: shipped models at 1-min load ${load.toFixed(2)}, heavy denoiser at ${heavy.load.toFixed(2)}`);
  out.push(`    ${'model'.padEnd(52)} ${FLOOR_ROWS.map((r) => `t(${r})`.padStart(8)).join('')}   t(N)/(N·t(1)) for N = ${NS.join(', ')}`);
  for (const [key, label, m] of models) {
    out.push(`    ${label.padEnd(52)} ${FLOOR_ROWS.map((r) => ms(m.get(r)!).padStart(8)).join('')}   ${NS.map((n) => batchEfficiency(m, n).toFixed(3)).join('  ')}`);
    for (const r of FLOOR_ROWS) f[`${key}_call_ms_rows${r}`] = Number(m.get(r)!.toFixed(4));
    for (const n of NS) f[`${key}_batch_efficiency_n${n}`] = Number(batchEfficiency(m, n).toFixed(3));
  }
  const heavyCalls: CallTimes = { ...shipped, denoiser: heavy.calls.denoiser };
  out.push(`    ${'N'.padStart(4)} ${'floor'.padStart(7)} ${'latency'.padStart(8)} ${'compute'.padStart(8)}   ${'heavy floor'.padStart(11)} ${'heavy latency'.padStart(13)}   target`);
  const by = (l: string): Row => rows.find((r) => r.label === l)!;
  for (const n of NS) {
    const fl = batchingFloor(shipped, T, n);
    const hf = batchingFloor(heavyCalls, T, n);
    const fa = by(`faster/${n}`);
    const bo = by(`best_of_n/${n}`);
    const lat = fa.p50 / bo.p50;
    const comp = fa.computeP50 / bo.computeP50;
    const hl = heavy.latency.get(n)!;
    const hlat = hl.faster / hl.best;
    out.push(`    ${String(n).padStart(4)} ${fl.toFixed(3).padStart(7)} ${lat.toFixed(3).padStart(8)} ${comp.toFixed(3).padStart(8)}   ${hf.toFixed(3).padStart(11)} ${hlat.toFixed(3).padStart(13)}   ≤ 0.333`);
    const mc = modelCallMs(shipped, T, n);
    const hmc = modelCallMs(heavyCalls, T, n);
    f[`faster${n}_latency_floor`] = Number(fl.toFixed(3));
    f[`faster${n}_latency_p50_ratio`] = Number(lat.toFixed(3));
    f[`faster${n}_compute_p50_ratio`] = Number(comp.toFixed(3));
    f[`faster${n}_model_call_ms`] = Number(mc.faster.toFixed(4));
    f[`best_of_n${n}_model_call_ms`] = Number(mc.bestOfN.toFixed(4));
    f[`heavy_denoiser_faster${n}_latency_floor`] = Number(hf.toFixed(3));
    f[`heavy_denoiser_faster${n}_model_call_ms`] = Number(hmc.faster.toFixed(3));
    f[`heavy_denoiser_best_of_n${n}_model_call_ms`] = Number(hmc.bestOfN.toFixed(3));
  }
  // Where the measured ratio and the floor part: per strategy, model-call time (predicted from the per-call
  // figures), the rest of the sampling time inside the worker, and the round trip (latency − compute).
  out.push('    where the measured latency ratio leaves the floor (ms per decision, p50, FASTER / best-of-N: model calls predicted from the per-call times; other = sampling time in the worker − model calls; round trip = latency − sampling time):');
  const where = (label: string, calls: CallTimes, n: number, fa: { p50: number; computeP50: number }, bo: { p50: number; computeP50: number }): { restF: number; restB: number } => {
    const mc = modelCallMs(calls, T, n);
    const restF = fa.computeP50 - mc.faster;
    const restB = bo.computeP50 - mc.bestOfN;
    const gap = fa.p50 / bo.p50 - mc.faster / mc.bestOfN;
    const why = Math.abs(gap) <= 0.05
      ? 'measured ratio within 0.05 of the floor'
      : gap > 0
        ? `measured ratio ${gap.toFixed(3)} above the floor: time both strategies pay alike (round trip, sampling work besides the model calls) is added to both sides of the ratio`
        : `measured ratio ${(-gap).toFixed(3)} below the floor: best-of-N's sampling took ${ms(restB)} ms more than its model calls, FASTER's ${ms(restF)} ms (per-row sampler work; on a loaded machine also preemption, which a longer decision meets more often than the median single call does)`;
    out.push(`    ${label} N = ${String(n).padEnd(2)}: model calls ${ms(mc.faster)} / ${ms(mc.bestOfN)}; other ${ms(restF)} / ${ms(restB)}; round trip ${ms(fa.p50 - fa.computeP50)} / ${ms(bo.p50 - bo.computeP50)}: ${why}`);
    return { restF, restB };
  };
  for (const n of NS) {
    const { restF, restB } = where('shipped', shipped, n, by(`faster/${n}`), by(`best_of_n/${n}`));
    f[`faster${n}_non_model_compute_ms`] = Number(restF.toFixed(4));
    f[`best_of_n${n}_non_model_compute_ms`] = Number(restB.toFixed(4));
  }
  for (const n of NS) {
    const l = heavy.latency.get(n)!;
    const c = heavy.compute.get(n)!;
    const { restF, restB } = where('heavy  ', heavyCalls, n, { p50: l.faster, computeP50: c.faster }, { p50: l.best, computeP50: c.best });
    f[`heavy_denoiser_faster${n}_compute_p50_ms`] = Number(c.faster.toFixed(3));
    f[`heavy_denoiser_best_of_n${n}_compute_p50_ms`] = Number(c.best.toFixed(3));
    f[`heavy_denoiser_faster${n}_non_model_compute_ms`] = Number(restF.toFixed(3));
    f[`heavy_denoiser_best_of_n${n}_non_model_compute_ms`] = Number(restB.toFixed(3));
  }
  process.stderr.write(`${out.join('\n')}\n`);
  return f;
}

interface HeavyResult {
  /** Per-call times of the heavy denoiser (and the shipped critics), measured in the worker. */
  calls: CallTimes;
  /** 1-min load average when its call times were measured. */
  load: number;
  /** Latency p50 through the worker, ms, by N: single (the same run), best-of-N, FASTER (keep 1). */
  latency: Map<number, { single: number; best: number; faster: number }>;
  /** Sampling time p50 inside the worker, ms, by N. */
  compute: Map<number, { best: number; faster: number }>;
}

async function heavyLatency(root: string, config: DiffusionPolicyConfig, contract: DiffusionContract, bytes: DiffusionBundleBytes,
  workerUrl: URL, obs: Float32Array[]): Promise<HeavyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-heavy-denoiser-'));
  try {
    const net = createMlp([contract.obsWidth + contract.horizon * contract.actionDim + 1, 1024, 1024, 1024, contract.horizon * contract.actionDim], 'elu', new Rng(1));
    const W = contract.horizon * contract.actionDim;
    const g = mlpGraph(net, { input: 'features', output: 'eps' });
    const onnx = encodeOnnxModel({
      graphName: 'heavy_denoiser',
      nodes: [{ opType: 'Concat', name: 'inputs.concat', inputs: ['obs', 'x_t', 't'], outputs: ['features'], attributes: [{ name: 'axis', kind: 'int', value: 1 }] }, ...g.nodes],
      initializers: g.initializers,
      inputs: [{ name: 'obs', type: 'float32', shape: ['batch', contract.obsWidth] }, { name: 'x_t', type: 'float32', shape: ['batch', W] }, { name: 't', type: 'float32', shape: ['batch', 1] }],
      outputs: [{ name: 'eps', type: 'float32', shape: ['batch', W] }],
    });
    writeFileSync(join(dir, 'heavy_denoiser.onnx'), onnx);
    writeFileSync(join(dir, 'q_action.onnx'), bytes.qAction);
    writeFileSync(join(dir, 'q_noise.onnx'), bytes.qNoise);
    const c = { ...contract, denoiser: { ...contract.denoiser, file: 'heavy_denoiser.onnx' }, qAction: { ...contract.qAction, file: 'q_action.onnx' }, qNoise: { ...contract.qNoise, file: 'q_noise.onnx' } };
    writeFileSync(join(dir, 'heavy.diffusion.json'), JSON.stringify(c));
    const heavyConfig = { ...config, contractPath: join(dir, 'heavy.diffusion.json') };
    const client = await DiffusionWorkerClient.start({ config: heavyConfig, root, maxCandidates: 32, workerUrl });
    const latency = new Map<number, { single: number; best: number; faster: number }>();
    const compute = new Map<number, { best: number; faster: number }>();
    let calls: CallTimes;
    let load: number;
    try {
      // per-call times in the worker, then the latencies
      load = loadavg()[0]!;
      calls = await client.measureCallTimes({ repeats: 40, callsPerSample: 3 });
      for (const n of NS) {
        const plans = [['single', { kind: 'single' }], ['best', { kind: 'best_of_n', n }], ['faster', { kind: 'faster', n, keep: 1 }]] as [string, Strategy][];
        const lat = new Map<string, number[]>(plans.map(([name]) => [name, []]));
        const comp = new Map<string, number[]>(plans.map(([name]) => [name, []]));
        for (const [, s] of plans) for (let i = 0; i < 3; i++) await client.decide(obs[0]!, { seed: i, strategy: s });
        for (let e = 0; e < obs.length; e++) {
          for (const [name, s] of plans) {
            const d = await client.decide(obs[e]!, { seed: 1000 + e, strategy: s });
            lat.get(name)!.push(d.latencyMs);
            comp.get(name)!.push(d.computeMs);
          }
        }
        const p50 = (name: string): number => percentile(lat.get(name)!, 0.5);
        latency.set(n, { single: p50('single'), best: p50('best'), faster: p50('faster') });
        compute.set(n, { best: percentile(comp.get('best')!, 0.5), faster: percentile(comp.get('faster')!, 0.5) });
      }
    } finally {
      await client.close();
    }
    return { calls, load, latency, compute };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
