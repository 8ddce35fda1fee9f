/**
 * `npm run bench`: prints the figures the issues set targets for, with the
 * target beside each and the ratio figure/target. Heap figures are bytes per
 * tick over GC-free windows (median of 5; ./heap.ts); 0.5 B is the target for "0 B" (the floor is ~0.12 B). Figures only — nothing here
 * fails on a slow machine (these machines are noisy; see the README).
 *
 *   node dist/bench/index.js [--only peers,e2e,sim,shield,policy,timing,reference,motion,diffusion,record,adaptation,gc60] [--json]
 *
 * `peers` (first) is the side-by-side table against Python/C/C++ peers run in
 * the same run (bench/peers/, docs/bench.md). With more than one suite, each
 * runs in its own Node process (see `runSuiteInChild`). Every run also
 * writes its figures with the machine and load average to
 * results/bench-latest.json. Each suite also reports the memory of its
 * process at its end (RSS, V8 heap used, external, arrayBuffers: `mem_*`).
 * `gc60` (GC pauses over a 60 s paced run) runs only when named in --only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchAdaptation } from './adaptation-bench.js';
import { benchDiffusion } from './diffusion-bench.js';
import { benchEndToEnd } from './e2e-bench.js';
import { benchGc60 } from './gc-bench.js';
import { memoryFigures, memoryLine } from './memory.js';
import { benchMotion } from './motion-bench.js';
import { benchPeers, type PeerBenchResult } from './peer-bench.js';
import { benchPolicy } from './policy-bench.js';
import { benchRecord } from './record-bench.js';
import { benchReference } from './reference-bench.js';
import { benchShield } from './shield-bench.js';
import { benchSim } from './sim-bench.js';
import { benchTiming } from './timing-bench.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Targets from the issues: key → [target, unit, 'max' (figure should be ≤) | 'min' (≥)]. */
const TARGETS: Record<string, [number, string, 'max' | 'min']> = {
  shield_limits_p50_us: [50, 'µs', 'max'],
  shield_limits_p99_us: [50, 'µs', 'max'],
  shield_collision_p50_us: [150, 'µs', 'max'],
  shield_collision_p99_us: [150, 'µs', 'max'],
  shield_collision_arms_p50_us: [150, 'µs', 'max'],
  shield_collision_arms_p99_us: [150, 'µs', 'max'],
  shield_collision_arms_heap_bytes_per_tick: [0.5, 'B', 'max'],
  shield_collision_adversarial_p50_us: [150, 'µs', 'max'],
  shield_collision_adversarial_p99_us: [150, 'µs', 'max'],
  shield_limits_heap_bytes_per_tick: [0.5, 'B', 'max'],
  shield_collision_heap_bytes_per_tick: [0.5, 'B', 'max'],
  shield_collision_adversarial_heap_bytes_per_tick: [0.5, 'B', 'max'],
  upper_body_bytes_per_tick_outside_ort: [0.5, 'B', 'max'],
  upper_body_bytes_per_tick_stand: [0.5, 'B', 'max'],
  upper_body_bytes_per_tick_damp: [0.5, 'B', 'max'],
  mlp480_bytes_per_tick_outside_ort: [0.5, 'B', 'max'],
  g1_floating_sim_node_bytes_per_step: [0.5, 'B', 'max'],
  reference_file_anchor_bytes_per_tick: [0.5, 'B', 'max'],
  reference_topic_anchor_bytes_per_tick: [0.5, 'B', 'max'],
  holosoma_phase_bytes_per_tick: [0.5, 'B', 'max'],
  motion_retarget_p99_us: [1000, 'µs', 'max'],
  motion_retarget_x_gmr_published: [20, '×', 'min'],
  motion_token_encode_decode_p99_us: [2000, 'µs', 'max'],
  motion_token_encode_decode_cpu_p99_us: [2000, 'µs', 'max'],
  motion_retarget_cpu_p99_us: [1000, 'µs', 'max'],
  faster8_return_gain_fraction: [0.95, '', 'min'],
  faster8_denoiser_evals_ratio: [0.2, '', 'max'],
  faster8_latency_p50_ratio: [0.333, '', 'max'],
  faster8_latency_floor: [0.333, '', 'max'],
  sampling_loop_lag_p99_ms: [1, 'ms', 'max'],
  record_isolated_share_of_tick: [0.05, 'of the 2 ms tick', 'max'],
  record_in_run_share_of_tick: [0.05, 'of the 2 ms tick', 'max'],
  adaptation_step_heap_bytes_per_tick: [0.5, 'B', 'max'],
  adaptation_module_window_heap_bytes_per_tick: [0.5, 'B', 'max'],
};

function show(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
}

function verdict(value: number, [target, unit, kind]: [number, string, 'max' | 'min']): string {
  const ok = kind === 'max' ? value <= target : value >= target;
  const ratio = target === 0 ? (value === 0 ? '1.00' : 'inf') : (value / target).toFixed(2);
  return `   target ${kind === 'max' ? '≤' : '≥'} ${target} ${unit}, ratio ${ratio} ${ok ? 'ok' : 'MISSED'}`;
}

const SUITES: Record<string, () => Promise<Record<string, number> | PeerBenchResult>> = {
  peers: () => benchPeers({ repoRoot: ROOT }),
  e2e: () => benchEndToEnd({ repoRoot: ROOT }),
  sim: () => benchSim({ repoRoot: ROOT }),
  shield: () => benchShield({ repoRoot: ROOT }),
  policy: () => benchPolicy({ repoRoot: ROOT }),
  timing: () => benchTiming(),
  reference: () => benchReference({ repoRoot: ROOT }),
  motion: () => benchMotion({ repoRoot: ROOT }),
  diffusion: () => benchDiffusion({ repoRoot: ROOT }),
  record: () => benchRecord({ repoRoot: ROOT }),
  adaptation: () => benchAdaptation({ repoRoot: ROOT }),
  gc60: () => benchGc60({ repoRoot: ROOT }),
};
/** Suites that run only when named in --only (too long for the default run). */
const NOT_BY_DEFAULT = new Set(['gc60']);

/** One suite's result: its figures, and a table (text and JSON) for the peers suite. */
interface SuiteResult { figures: Record<string, number>; text?: string; json?: unknown }

async function runSuite(name: string): Promise<SuiteResult> {
  const suite = SUITES[name];
  if (!suite) throw new Error(`unknown bench suite '${name}' (have: ${Object.keys(SUITES).join(', ')})`);
  const result = await suite();
  // The memory of this process (which ran this suite only, in a multi-suite run) at the suite's end.
  const mem = memoryFigures(process.memoryUsage());
  if ('text' in result) {
    const r = result as PeerBenchResult;
    return { figures: { ...r.figures, ...mem }, text: `${r.text}\n  memory at the end of the suite: ${memoryLine(mem)}`, json: r.json };
  }
  return { figures: { ...(result as Record<string, number>), ...mem } };
}

/**
 * Each suite of a multi-suite run gets a fresh Node process: per-tick heap and latency figures
 * depend on what V8 has already compiled, and a suite that runs the whole embedded stack first
 * (e2e, record) leaves the shared classes' code polymorphic, which is not what a node process runs.
 */
function runSuiteInChild(name: string): SuiteResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--suite-child', name], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench suite '${name}' exited with ${r.status ?? r.signal}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(line) as SuiteResult;
  // JSON has no NaN: a figure the suite could not take (NaN) comes back as null
  for (const [k, v] of Object.entries(result.figures)) if (v === null) result.figures[k] = Number.NaN;
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, json: { type: 'boolean', default: false }, 'suite-child': { type: 'string' } } });
  if (values['suite-child']) {
    process.stdout.write(`${JSON.stringify(await runSuite(values['suite-child']))}\n`);
    return;
  }
  const names = values.only ? values.only.split(',') : Object.keys(SUITES).filter((n) => !NOT_BY_DEFAULT.has(n));
  const all: Record<string, Record<string, number>> = {};
  const tables: Record<string, unknown> = {};
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node.js ${process.versions.node}`;
  if (!values.json) process.stdout.write(`machine: ${machine}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  for (const name of names) {
    if (!SUITES[name]) throw new Error(`unknown bench suite '${name}' (have: ${Object.keys(SUITES).join(', ')})`);
    const result = names.length === 1 ? await runSuite(name) : runSuiteInChild(name);
    const figures = result.figures;
    all[name] = { ...figures, load1_after: Number(loadavg()[0]!.toFixed(2)) };
    if (result.text !== undefined) tables[name] = result.json;
    if (values.json) continue;
    process.stdout.write(`\n== ${name}   (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
    if (result.text !== undefined) {
      process.stdout.write(`${result.text}\n`);
      continue;
    }
    if (Object.keys(figures).length === 0) process.stdout.write('  (skipped: prerequisites missing, see the suite)\n');
    for (const [key, value] of Object.entries(figures)) {
      const t = TARGETS[key];
      process.stdout.write(`  ${key.padEnd(48)} ${show(value).padStart(12)}${t ? verdict(value, t) : ''}\n`);
    }
  }
  // A target is a claim: say which ones this run did not measure (a suite skipped, or a figure not produced).
  const measured = new Set(Object.values(all).flatMap((f) => Object.keys(f)));
  const unmeasured = values.only ? [] : Object.keys(TARGETS).filter((k) => !measured.has(k));
  if (!values.json && unmeasured.length > 0) process.stdout.write(`\ntargets not measured in this run: ${unmeasured.join(', ')}\n`);
  const report = { date: new Date().toISOString(), machine, figures: all, tables, unmeasuredTargets: unmeasured };
  mkdirSync(resolve(ROOT, 'results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'results', 'bench-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  else process.stdout.write(`\nfigures written to results/bench-latest.json\n`);
}

await main();
