/**
 * What `--record` and `--live` cost the control loop (issue 14), on the
 * shipped embedded run (config/embedded.yaml, G1 fixed base, upper-body
 * policy, shield at 500 Hz: a 2 ms tick budget), all variants in one process,
 * interleaved, `reps` runs each (order rotated per round). Every figure is
 * the median over runs; the noise band is `base`'s own run-to-run spread
 * (its min and max over its median), printed beside each ratio to `base`.
 *
 * - Control loop timing, as fast as the CPU allows (lockstep): the wall time
 *   of each lockstep step (physics step, then every due node timer: policy,
 *   shield, diagnostics), p50/p99 over the steps after the first 0.5 s (and,
 *   with a client, after its first message), and the control thread's CPU
 *   time over the run (a recording's flush at the end included) per shield
 *   tick (Linux per-thread schedstat; ONNX Runtime's and the file writes'
 *   threads not counted).
 *   Variants: `base`; `record` (`--record`); `live` (`--live`, no client);
 *   `live_client` (`--live` with a Foxglove client from @foxglove/ws-protocol
 *   in its own process, as Foxglove is, subscribed to every topic; each topic
 *   sent at most 60 times a second, the default); `live_client_all` (the same,
 *   `--live-max-hz 0`: every message).
 *   `record_in_run_cpu_us_per_tick`: `record`'s CPU per tick minus `base`'s,
 *   and its share of the 2 ms tick.
 * - Recording isolated: the messages of one recorded run (read back from its
 *   MCAP file) fed to a fresh recorder in their recorded order, timed with
 *   the process CPU clock from the first message until the file is closed
 *   (serialisation, MCAP chunking, the writes to disk: all the recorder
 *   does), divided by the recorded shield ticks; and the CPU time of the part
 *   that runs inside the publishing calls (the hot path), per tick, p50/p99.
 *
 * Not measured: lateness of a run paced to the wall clock (`--realtime`): on
 * the shared 2-core development machine the paced base run misses about half
 * its 1 ms deadlines by itself, so that figure measures the machine's other
 * load, not the live view.
 *
 * Figures only; nothing here fails on a slow machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRecording, type DecodedMessage } from '../record/reader.js';
import { DECISION_TOPIC, McapRecorder, SERVICE_CALL_TOPIC } from '../record/recorder.js';
import { SHIELD_DECISION_TYPE } from '../record/ros2-definitions.js';
import { runEmbedded } from '../runtime/embedded-run.js';
import { mujocoAvailability } from '../sim/addon.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import type { MessageTypeName } from '../transport/messages.js';
import { percentile } from './stats.js';

/** The shield's tick at 500 Hz, µs: the budget recording is measured against. */
export const TICK_BUDGET_US = 2000;
const WARMUP_S = 0.5;
const VARIANTS = ['base', 'record', 'live', 'live_client', 'live_client_all'] as const;
type Variant = (typeof VARIANTS)[number];

interface RunFigures {
  stepP50Us: number;
  stepP99Us: number;
  cpuUsPerTick: number;
  clientMessages: number;
  clientFirstS: number;
}

interface ClientResult {
  messages: number;
  bytes: number;
  firstNs: string;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/** The Foxglove client in its own process (dist/bench/live-client.js). */
async function startClient(port: number): Promise<{ stop: () => Promise<ClientResult> }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'live-client.js');
  const child = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // started (modules loaded, retrying its connection) before the run's server listens
  await new Promise<void>((r) => {
    const ready = (): void => (out.includes('ready\n') ? r() : undefined);
    child.stdout.on('data', ready);
    void exited.then(() => r());
  });
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        return JSON.parse(line) as ClientResult;
      } catch {
        return { messages: 0, bytes: 0, firstNs: '' };
      }
    },
  };
}

const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * CPU time of the calling thread (the control loop's: JavaScript runs on one
 * thread), µs: Linux's per-thread schedstat (ns on the CPU), so neither ONNX
 * Runtime's worker threads nor the file writes' thread count; elsewhere the
 * whole process's (`process.cpuUsage`).
 */
function threadCpuUs(): number {
  if (existsSync(SCHEDSTAT)) return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e3;
  const c = process.cpuUsage();
  return c.user + c.system;
}

function median(xs: readonly number[]): number {
  return percentile(xs, 0.5);
}

async function oneRun(variant: Variant, root: string, configPath: string, durationS: number, recordPath: string): Promise<RunFigures> {
  const port = variant.startsWith('live') ? await freePort() : undefined;
  const client = variant.startsWith('live_client') ? await startClient(port!) : null;
  /** Wall time (ns since the first step) at each step's physics step, indexed by step. */
  const at = new Float64Array(Math.ceil(durationS / 0.001) + 10);
  let n = 0;
  let t0 = 0n;
  let cpu0 = NaN;
  const summary = await runEmbedded({
    root,
    configPath,
    durationS,
    ...(variant === 'record' ? { recordPath } : {}),
    ...(port !== undefined ? { livePort: port } : {}),
    ...(variant === 'live_client_all' ? { liveMaxRateHz: 0 } : {}),
    onStep: () => {
      const now = process.hrtime.bigint();
      if (Number.isNaN(cpu0)) {
        cpu0 = threadCpuUs();
        t0 = now;
      }
      if (n < at.length) at[n++] = Number(now - t0);
    },
  });
  const cpu = threadCpuUs() - cpu0;
  const seen = client ? await client.stop() : null;
  const clientFirstS = seen && seen.firstNs !== '' ? Number(BigInt(seen.firstNs)) * 1e-9 : NaN;
  const from = Math.ceil(Math.max(WARMUP_S, client ? clientFirstS : 0) / 0.001);
  const steps: number[] = [];
  for (let k = Math.max(1, from); k < n; k++) steps.push((at[k]! - at[k - 1]!) / 1e3);
  return {
    stepP50Us: percentile(steps, 0.5),
    stepP99Us: percentile(steps, 0.99),
    cpuUsPerTick: cpu / summary.shield.ticks,
    clientMessages: seen?.messages ?? 0,
    clientFirstS,
  };
}

/** Feeds a recording's messages to a fresh recorder; CPU µs per recorded tick and the hot-path µs of each tick. */
async function feedRecorder(messages: readonly DecodedMessage[], path: string): Promise<{ cpuUsPerTick: number; threadCpuUsPerTick: number; hotUs: Float64Array }> {
  const ticks = messages.filter((m) => m.topic === DECISION_TOPIC).length;
  const hotUs = new Float64Array(ticks + 1);
  const { recorder, stop } = await McapRecorder.start(new EmbeddedBus(), { path, metadata: { bench: 'record' } });
  let k = 0;
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuUs();
  let tickCpu = process.cpuUsage();
  for (const m of messages) {
    if (m.topic === SERVICE_CALL_TOPIC) recorder.serviceCall(String(m.message['service']), 'std_srvs/srv/Trigger', {}, m.logTimeNs);
    else recorder.message(m.topic, (m.topic === DECISION_TOPIC ? SHIELD_DECISION_TYPE : m.type) as MessageTypeName, m.message, m.logTimeNs, true);
    if (m.topic === DECISION_TOPIC) {
      // a tick's messages end with its decision: the CPU time they took in the publishing calls
      const c = process.cpuUsage(tickCpu);
      hotUs[k++] = c.user + c.system;
      tickCpu = process.cpuUsage();
    }
  }
  const stats = await stop();
  const cpu = process.cpuUsage(cpu0);
  const thread = threadCpuUs() - thread0;
  if (stats.dropped > 0 || stats.serializeErrors > 0) throw new Error(`record bench: the recorder dropped ${stats.dropped} and failed ${stats.serializeErrors} messages`);
  return { cpuUsPerTick: (cpu.user + cpu.system) / ticks, threadCpuUsPerTick: thread / ticks, hotUs: hotUs.subarray(0, ticks) };
}

const r2 = (x: number): number => Number(x.toFixed(2));
const r3 = (x: number): number => Number(x.toFixed(3));

/** Figures keyed `<variant>_<figure>`; empty when the MuJoCo addon is missing. */
export async function benchRecord(options: { repoRoot?: string; reps?: number; durationS?: number } = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (!mujocoAvailability().available) return out;
  const root = options.repoRoot ?? process.cwd();
  const reps = options.reps ?? 5;
  const durationS = options.durationS ?? 3;
  const configPath = resolve(root, 'config/embedded.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'aegis-record-bench-'));
  try {
    const recordPath = join(dir, 'run.mcap');
    const runs = new Map<Variant, RunFigures[]>(VARIANTS.map((v) => [v, []]));
    {
      const group = VARIANTS;
      await oneRun(group[0], root, configPath, durationS, recordPath); // warm-up: JIT, file cache
      for (let r = 0; r < reps; r++) {
        for (let i = 0; i < group.length; i++) {
          const v = group[(i + r) % group.length]!;
          runs.get(v)!.push(await oneRun(v, root, configPath, durationS, recordPath));
        }
      }
      const base = runs.get(group[0])!;
      const figs = { stepP50Us: 'step_p50_us', stepP99Us: 'step_p99_us', cpuUsPerTick: 'cpu_us_per_tick' };
      for (const [fig, key] of Object.entries(figs) as Array<[keyof RunFigures, string]>) {
        const b = base.map((x) => x[fig]);
        const bm = median(b);
        out[`${group[0]}_${key}`] = r2(bm);
        out[`${group[0]}_${key}_noise_lo`] = bm === 0 ? 0 : r3(Math.min(...b) / bm);
        out[`${group[0]}_${key}_noise_hi`] = bm === 0 ? 0 : r3(Math.max(...b) / bm);
        for (const v of group.slice(1)) {
          const m = median(runs.get(v)!.map((x) => x[fig]));
          out[`${v}_${key}`] = r2(m);
          if (bm !== 0) out[`${v}_${key}_ratio`] = r3(m / bm);
        }
      }
    }
    const inRun = out['record_cpu_us_per_tick']! - out['base_cpu_us_per_tick']!;
    const baseCpu = runs.get('base')!.map((x) => x.cpuUsPerTick);
    out['record_in_run_cpu_us_per_tick'] = r2(inRun);
    out['record_in_run_share_of_tick'] = r3(inRun / TICK_BUDGET_US);
    // the in-run difference is only as good as base's own spread (µs per tick, max - min over its runs)
    out['record_in_run_noise_us_per_tick'] = r2(Math.max(...baseCpu) - Math.min(...baseCpu));
    const clients = runs.get('live_client')!;
    const all = runs.get('live_client_all')!;
    out['live_client_messages_per_run'] = median(clients.map((c) => c.clientMessages));
    out['live_client_all_messages_per_run'] = median(all.map((c) => c.clientMessages));
    out['live_client_subscribed_by_s'] = r3(Math.max(...[...clients, ...all].map((c) => c.clientFirstS)));

    // isolated: the last recorded run's messages through a fresh recorder
    const rec = await openRecording(recordPath);
    const messages: DecodedMessage[] = [];
    try {
      for await (const m of rec.messages()) messages.push(m);
    } finally {
      await rec.close();
    }
    await feedRecorder(messages, join(dir, 'feed.mcap')); // warm-up
    const feeds = [];
    for (let r = 0; r < reps; r++) feeds.push(await feedRecorder(messages, join(dir, 'feed.mcap')));
    const cpu = feeds.map((f) => f.cpuUsPerTick);
    const cm = median(cpu);
    out['record_isolated_cpu_us_per_tick'] = r2(cm);
    out['record_isolated_cpu_us_per_tick_noise_lo'] = r3(Math.min(...cpu) / cm);
    out['record_isolated_cpu_us_per_tick_noise_hi'] = r3(Math.max(...cpu) / cm);
    out['record_isolated_share_of_tick'] = r3(cm / TICK_BUDGET_US);
    out['record_isolated_control_thread_cpu_us_per_tick'] = r2(median(feeds.map((f) => f.threadCpuUsPerTick)));
    out['record_hot_path_cpu_us_per_tick_p50'] = r2(median(feeds.map((f) => percentile(f.hotUs, 0.5))));
    out['record_hot_path_cpu_us_per_tick_p99'] = r2(median(feeds.map((f) => percentile(f.hotUs, 0.99))));
    out['record_messages_per_tick'] = r2(messages.length / feeds[0]!.hotUs.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
