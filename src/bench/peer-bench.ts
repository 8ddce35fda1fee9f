/**
 * This project beside the deploy stacks people use today, measured in the
 * same run (docs/bench.md): the bench's 480 → 3×256 ELU → 29 policy MLP
 * (policy-bench's `mlp480`), written once as ONNX and run by
 * - this project: `OnnxPolicy.runSync` (the synchronous native path), the
 *   public asynchronous `InferenceSession.run` for reference, and the policy
 *   node's whole tick on the embedded bus (sensor messages published, the
 *   node's timer fired by the bus: observation, inference, action, command
 *   published and delivered);
 * - Python onnxruntime (`sess.run`, and with IO binding), Python + torch
 *   (unitree_rl_gym-style deploy loop) and C++ libtorch (rl_sar-style loop),
 *   each with the weights read from the same ONNX file;
 * and a 1 kHz loop: {@link DeadlineSchedule} against a C loop sleeping to
 * absolute deadlines (clock_nanosleep TIMER_ABSTIME), both idle and running
 * at the same time (so under the same load) as child processes started the
 * same way ({@link ./loop-child.ts}), with their CPU share; once under the
 * default scheduler and once under SCHED_FIFO (chrt; Node.js with
 * --single-threaded-gc), when chrt may set it here.
 *
 * The machines this runs on are shared and their load varies, so every
 * comparison runs in rounds that alternate between this project and the
 * peers (samples of all rounds joined), and the 1-minute load average is
 * printed beside each row. Each peer's outputs for a check input are compared
 * with this project's, so all run the same network. A peer that is not
 * installed or fails is listed as skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxPolicy } from '../inference/onnx-policy.js';
import { gcEntriesDelivered } from './memory.js';
import { PolicyNode } from '../nodes/policy-node.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import { makeImu, makeJointState } from '../transport/messages.js';
import { bigMlpSubject } from './policy-bench.js';
import { joinSeries, peerPaths, runPeer, startPeer, summary, type PeerResult, type Series } from './peers.js';

export interface PeerBenchOptions {
  repoRoot: string;
  /** Timed calls per round for each inference subject. */
  iters?: number;
  /** Alternating rounds. */
  rounds?: number;
  /** Seconds of 1 kHz loop per side and round. */
  loopSeconds?: number;
}

/** A table row: one measured series, what it is compared with, and the load when it was taken. */
interface Row {
  key: string;
  label: string;
  series?: Series;
  skipped?: string;
  load: number;
}

/** The check input every peer reports its first outputs for: ((i % 7) − 3) / 10. */
function fillCheckInput(buf: Float32Array): void {
  for (let i = 0; i < buf.length; i++) buf[i] = ((i % 7) - 3) / 10;
}

function timeCalls(iters: number, warmup: number, call: () => void, vary: () => void): Series {
  for (let i = 0; i < warmup; i++) {
    vary();
    call();
  }
  const s = new Float64Array(iters);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < iters; i++) {
    vary();
    const t0 = performance.now();
    call();
    s[i] = (performance.now() - t0) * 1000;
  }
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { samplesUs: s, cpuPct: ((c.user + c.system) / 1000 / wallMs) * 100 };
}

async function timeAsyncCalls(iters: number, warmup: number, call: () => Promise<unknown>): Promise<Series> {
  for (let i = 0; i < warmup; i++) await call();
  const s = new Float64Array(iters);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await call();
    s[i] = (performance.now() - t0) * 1000;
  }
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { samplesUs: s, cpuPct: ((c.user + c.system) / 1000 / wallMs) * 100 };
}

/** The policy node on an embedded bus with a sensor node and a command listener; `tick()` is one command period. */
function busRig(policy: OnnxPolicy, subject: ReturnType<typeof bigMlpSubject>): { tick: () => void; commands: () => number; node: PolicyNode; bus: EmbeddedBus } {
  const { config } = subject;
  const bus = new EmbeddedBus();
  const robotJoints = [...config.joints].reverse();
  const node = new PolicyNode({ node: bus.createNode('policy'), config, policy, robotJointNames: robotJoints });
  const sensors = bus.createNode('sensors');
  const topics = config.config.topics;
  const jsPub = sensors.createPublisher('sensor_msgs/msg/JointState', topics.jointStates, { preset: 'sensor_data' });
  const imuPub = sensors.createPublisher('sensor_msgs/msg/Imu', topics.imu, { preset: 'sensor_data' });
  let commands = 0;
  bus.createNode('listener').createSubscription('trajectory_msgs/msg/JointTrajectory', topics.command, () => {
    commands++;
  }, { preset: 'reliable' });
  const js = makeJointState(robotJoints);
  const imu = makeImu('imu_in_pelvis');
  const def = Float64Array.from(config.defaultJointPos).reverse();
  const period = config.commandPeriodNs;
  let k = 0;
  let t = 0n;
  const tick = (): void => {
    const x = Math.sin(k++ * 0.1);
    for (let j = 0; j < js.position.length; j++) js.position[j] = def[j]! + 0.01 * x;
    imu.angular_velocity.x = 0.1 * x;
    t += period;
    js.header.stamp.sec = Number(t / 1_000_000_000n);
    js.header.stamp.nanosec = Number(t % 1_000_000_000n);
    imu.header.stamp.sec = js.header.stamp.sec;
    imu.header.stamp.nanosec = js.header.stamp.nanosec;
    jsPub.publish(js);
    imuPub.publish(imu);
    bus.advanceTo(t);
    if (bus.busy) throw new Error('the policy node went asynchronous (no synchronous inference path)');
  };
  return { tick, commands: () => commands, node, bus };
}

const CHRT = '/usr/bin/chrt';
const FIFO_PRIORITY = 80;

const LOOP_CHILD = fileURLToPath(new URL('./loop-child.js', import.meta.url));

/** Undefined when chrt may start a SCHED_FIFO process here, else why not. */
function canUseFifo(): string | undefined {
  const r = spawnSync(CHRT, ['-f', String(FIFO_PRIORITY), 'true'], { encoding: 'utf8' });
  if (r.error) return `chrt: ${r.error.message}`;
  return r.status === 0 ? undefined : `chrt -f ${FIFO_PRIORITY} refused: ${(r.stderr || '').trim()}`;
}

function checkMatches(ours: Float32Array, peer: PeerResult): PeerResult {
  if (!peer.ok || !peer.out.check) return peer;
  for (let i = 0; i < peer.out.check.length; i++) {
    if (Math.abs(peer.out.check[i]! - ours[i]!) > 1e-4) {
      return { ok: false, reason: `its outputs differ from this project's for the check input (output ${i}: ${peer.out.check[i]} vs ${ours[i]}): not the same network` };
    }
  }
  return peer;
}

export interface PeerBenchResult {
  figures: Record<string, number>;
  text: string;
  json: unknown;
}

export async function benchPeers(options: PeerBenchOptions): Promise<PeerBenchResult> {
  const iters = options.iters ?? 5000;
  const rounds = options.rounds ?? 2;
  const loopSeconds = options.loopSeconds ?? 5;
  const warmup = 2000;
  const root = options.repoRoot;
  const paths = peerPaths(root);
  const subject = bigMlpSubject();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-peers-'));
  const modelPath = join(dir, 'mlp480.onnx');
  writeFileSync(modelPath, subject.model);
  const weightsDir = join(dir, 'weights');

  const policy = await OnnxPolicy.create({ model: subject.model, config: subject.config });
  if (!policy.runSync) throw new Error('OnnxPolicy has no synchronous path with this onnxruntime-node (see src/inference/ort-sync-session.ts)');
  const runSync = policy.runSync;
  fillCheckInput(policy.input);
  const ours = Float32Array.from(runSync());
  const asyncSession = await ort.InferenceSession.create(subject.model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const asyncFeeds = { obs: new ort.Tensor('float32', policy.input, [1, policy.obsWidth]) };
  const asyncFetches = { actions: new ort.Tensor('float32', new Float32Array(policy.actionWidth), [1, policy.actionWidth]) };
  const rig = busRig(policy, subject);

  const weights = runPeer(root, paths.python, ['onnx_weights.py', modelPath, weightsDir], [paths.python]);
  const parts = new Map<string, Series[]>();
  const skipped = new Map<string, string>();
  const loads = new Map<string, number[]>();
  const add = (key: string, s: Series | string): void => {
    (loads.get(key) ?? loads.set(key, []).get(key)!).push(loadavg()[0]!);
    if (typeof s === 'string') skipped.set(key, s);
    else (parts.get(key) ?? parts.set(key, []).get(key)!).push(s);
  };
  const addPeer = (r: PeerResult, keys: Record<string, string>): string | undefined => {
    const checked = checkMatches(ours, r);
    for (const [figure, key] of Object.entries(keys)) {
      if (!checked.ok) add(key, checked.reason);
      else if (checked.out.figures[figure]) add(key, checked.out.figures[figure]!);
      else add(key, `printed no '${figure}' figure`);
    }
    return checked.ok ? checked.out.version : undefined;
  };
  const versions: Record<string, string> = { node: `onnxruntime-node ${ort.env.versions.common} (Node.js ${process.versions.node})` };

  // GC pauses over the whole suite (this process), and memory with the sessions loaded.
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let v = 0;
  const vary = (): void => {
    policy.input[0] = (v++ % 100) * 1e-3;
  };
  for (let round = 0; round < rounds; round++) {
    add('node_infer', timeCalls(iters, warmup, runSync, vary));
    add('node_tick_bus', timeCalls(iters, warmup, rig.tick, () => {}));
    add('node_infer_async', await timeAsyncCalls(iters, warmup, () => asyncSession.run(asyncFeeds, asyncFetches)));
    const py = runPeer(root, paths.python, ['ort_infer.py', modelPath, 'obs', String(iters), String(warmup)], [paths.python]);
    versions.python_ort = addPeer(py, { sess_run: 'python_ort_sess_run', iobinding: 'python_ort_iobinding' }) ?? versions.python_ort ?? '';
    const torch = runPeer(root, paths.python, ['torch_loop.py', modelPath, String(iters), String(warmup)], [paths.python]);
    versions.python_torch = addPeer(torch, { deploy_loop: 'python_torch' }) ?? versions.python_torch ?? '';
    const cxx = weights.ok
      ? runPeer(root, join(paths.build, 'torch_loop'), [weightsDir, String(iters), String(warmup)])
      : ({ ok: false, reason: `no weights for it: ${weights.reason}` } as const);
    versions.cxx_libtorch = addPeer(cxx, { deploy_loop: 'cxx_libtorch' }) ?? versions.cxx_libtorch ?? '';
    // The two loops run at the same time (same load) as child processes started the same way; each sleeps most of the period.
    const loopTicks = String(Math.round(loopSeconds * 1000));
    const c = startPeer(root, join(paths.build, 'deadline_loop'), [loopTicks]);
    const ours = startPeer(root, process.execPath, [LOOP_CHILD, loopTicks]);
    addPeer(await ours(), { deadline_loop: 'node_loop_1khz' });
    versions.c_loop = addPeer(await c(), { deadline_loop: 'c_loop_1khz' }) ?? versions.c_loop ?? '';
    // The same pair under SCHED_FIFO (as on a robot, docs/realtime.md); Node.js with --single-threaded-gc (V8's
    // parallel GC helpers would otherwise hold the loop's thread up; measured: p99 25-58 µs → 1 µs).
    const fifo = canUseFifo();
    if (fifo !== undefined) {
      add('node_loop_1khz_fifo', fifo);
      add('c_loop_1khz_fifo', fifo);
    } else {
      const cf = startPeer(root, CHRT, ['-f', String(FIFO_PRIORITY), join(paths.build, 'deadline_loop'), loopTicks]);
      const of = startPeer(root, CHRT, ['-f', String(FIFO_PRIORITY), process.execPath, '--single-threaded-gc', LOOP_CHILD, loopTicks]);
      versions.node_loop_fifo = addPeer(await of(), { deadline_loop: 'node_loop_1khz_fifo' }) ?? versions.node_loop_fifo ?? '';
      addPeer(await cf(), { deadline_loop: 'c_loop_1khz_fifo' });
    }
  }
  const mem = process.memoryUsage();
  await gcEntriesDelivered(); // let the observer report
  gcObserver.disconnect();
  const ticks = rounds * (iters + warmup);
  if (rig.node.mode !== 'POLICY' || rig.commands() < ticks || rig.node.stats.inferences < ticks) {
    throw new Error(`bench rig: the policy node is in ${rig.node.mode} and made ${rig.node.stats.inferences} inferences and ${rig.commands()} commands in ${ticks} ticks (each tick must infer and publish)`);
  }
  rig.node.destroy();
  await rig.bus.shutdown();
  await asyncSession.release();
  await policy.release();
  rmSync(dir, { recursive: true, force: true });

  const rows: Row[] = [
    ['node_infer', 'this project: OnnxPolicy.runSync (sync native path)'],
    ['node_tick_bus', 'this project: policy tick on the embedded bus'],
    ['node_infer_async', 'onnxruntime-node public session.run (await)'],
    ['python_ort_sess_run', 'Python onnxruntime sess.run'],
    ['python_ort_iobinding', 'Python onnxruntime run_with_iobinding'],
    ['python_torch', 'Python torch deploy loop (TorchScript)'],
    ['cxx_libtorch', 'C++ libtorch deploy loop'],
    ['node_loop_1khz', 'this project: DeadlineSchedule 1 kHz lateness'],
    ['c_loop_1khz', 'C clock_nanosleep ABSTIME 1 kHz lateness'],
    ['node_loop_1khz_fifo', 'same, SCHED_FIFO 80: DeadlineSchedule (1-thread GC)'],
    ['c_loop_1khz_fifo', 'same, SCHED_FIFO 80: C clock_nanosleep'],
  ].map(([key, label]) => {
    const ps = parts.get(key!);
    const l = loads.get(key!) ?? [NaN];
    const load = l.reduce((a, b) => a + b, 0) / l.length;
    return ps && ps.length === rounds ? { key: key!, label: label!, series: joinSeries(ps), load } : { key: key!, label: label!, skipped: skipped.get(key!) ?? 'not measured', load };
  });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const stat = (key: string): ReturnType<typeof summary> | undefined => {
    const r = byKey.get(key);
    return r?.series ? summary(r.series) : undefined;
  };
  const ratio = (a: string, b: string, which: 'p50' | 'p99'): number => {
    const x = stat(a);
    const y = stat(b);
    return x && y ? Number((x[which] / y[which]).toFixed(3)) : NaN;
  };
  const compare: Record<string, [string, string, 'p50' | 'p99', string]> = {
    ratio_infer_p50_vs_python_ort_sess_run: ['node_infer', 'python_ort_sess_run', 'p50', '≤ 1.0'],
    ratio_infer_p50_vs_python_ort_iobinding: ['node_infer', 'python_ort_iobinding', 'p50', '(no target)'],
    ratio_tick_bus_p50_vs_python_ort_sess_run: ['node_tick_bus', 'python_ort_sess_run', 'p50', '≤ 1.0'],
    ratio_infer_p50_vs_python_torch: ['node_infer', 'python_torch', 'p50', '≤ 0.5 (≥ 2× faster)'],
    ratio_infer_p50_vs_cxx_libtorch: ['node_infer', 'cxx_libtorch', 'p50', '(no target)'],
    ratio_infer_async_p50_vs_python_ort_sess_run: ['node_infer_async', 'python_ort_sess_run', 'p50', '(before: the public async API)'],
    ratio_loop_p99_vs_c_loop: ['node_loop_1khz', 'c_loop_1khz', 'p99', '≤ 1.0 at ≤ 30 % CPU'],
    ratio_loop_fifo_p99_vs_c_loop_fifo: ['node_loop_1khz_fifo', 'c_loop_1khz_fifo', 'p99', '≤ 1.0 at ≤ 30 % CPU'],
  };
  const figures: Record<string, number> = {};
  for (const r of rows) {
    const s = r.series ? summary(r.series) : undefined;
    if (!s) continue;
    figures[`${r.key}_p50_us`] = Number(s.p50.toFixed(2));
    figures[`${r.key}_p99_us`] = Number(s.p99.toFixed(2));
    figures[`${r.key}_cpu_pct`] = Number(s.cpuPct.toFixed(1));
  }
  for (const [name, [a, b, which]] of Object.entries(compare)) figures[name] = ratio(a, b, which);
  figures.node_rss_mb = Number((mem.rss / 2 ** 20).toFixed(1));
  figures.node_heap_used_mb = Number((mem.heapUsed / 2 ** 20).toFixed(1));
  figures.node_external_mb = Number((mem.external / 2 ** 20).toFixed(1));
  figures.node_gc_pauses = gcPauses.length;
  figures.node_gc_pause_max_ms = Number(Math.max(0, ...gcPauses).toFixed(3));
  figures.node_gc_pause_total_ms = Number(gcPauses.reduce((a, b) => a + b, 0).toFixed(1));

  const f = (x: number): string => (Number.isNaN(x) ? 'n/a' : x >= 1000 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `  ${'subject'.padEnd(50)} ${'median µs'.padStart(10)} ${'p99 µs'.padStart(9)} ${'max µs'.padStart(9)} ${'CPU %'.padStart(6)} ${'load1'.padStart(6)}`,
  ];
  for (const r of rows) {
    const s = r.series ? summary(r.series) : undefined;
    lines.push(
      s
        ? `  ${r.label.padEnd(50)} ${f(s.p50).padStart(10)} ${f(s.p99).padStart(9)} ${f(s.max).padStart(9)} ${f(s.cpuPct).padStart(6)} ${r.load.toFixed(2).padStart(6)}`
        : `  ${r.label.padEnd(50)} skipped: ${r.skipped}`,
    );
  }
  lines.push('', `  ratios (same run; this project / peer):`);
  for (const [name, [a, b, which, target]] of Object.entries(compare)) {
    const x = figures[name]!;
    lines.push(`  ${name.padEnd(48)} ${(Number.isNaN(x) ? 'n/a' : x.toFixed(3)).padStart(7)}  ${which} ${a} / ${b}, target ${target}`);
  }
  lines.push(
    '',
    `  this process with the sessions loaded: RSS ${figures.node_rss_mb} MB (includes ONNX Runtime's native memory), V8 heap used ${figures.node_heap_used_mb} MB, external ${figures.node_external_mb} MB`,
    `  GC pauses in this process over the suite (all its series, warm-ups and loops): ${figures.node_gc_pauses} pauses, max ${figures.node_gc_pause_max_ms} ms, total ${figures.node_gc_pause_total_ms} ms`,
  );
  lines.push('', `  versions: ${Object.entries(versions).filter(([, x]) => x).map(([k, x]) => `${k}: ${x}`).join('; ')}`);
  lines.push(`  ${rounds} alternating rounds × ${iters} calls (after ${warmup} warm-up) per subject; loops ${rounds} × ${loopSeconds} s each; CPU % of one core over the timed window`);
  const json = {
    rows: rows.map((r) => ({ key: r.key, label: r.label, load1: r.load, ...(r.series ? summary(r.series) : { skipped: r.skipped }) })),
    ratios: Object.fromEntries(Object.entries(compare).map(([name, [a, b, which, target]]) => [name, { value: figures[name], of: `${which} ${a} / ${b}`, target }])),
    versions,
    rounds,
    iters,
    loopSeconds,
  };
  return { figures, text: lines.join('\n'), json };
}
