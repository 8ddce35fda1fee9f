/**
 * Runs the bench-only peer programs in bench/peers/ (installed by
 * `bash bench/peers/setup.sh`) and reads what they print: one JSON object
 * `{ version, figures: { name: { samples_us, cpu_s, wall_s } }, check? }`.
 * A peer that is not installed, fails or prints something else is returned
 * as skipped with the reason; nothing is ever made up for it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { percentile } from './stats.js';

/** One measured series: per-call (or per-tick) samples in µs and the CPU share while they were taken. */
export interface Series {
  samplesUs: ArrayLike<number>;
  /** Process CPU time / wall time over the measuring window, % of one core. */
  cpuPct: number;
}

export interface PeerOutput {
  version: string;
  figures: Record<string, Series>;
  /** The peer's first outputs for the bench's check input, when it reports them. */
  check?: number[];
}

export type PeerResult = { ok: true; out: PeerOutput } | { ok: false; reason: string };

/** Where the peers and their build outputs live. */
export function peerPaths(repoRoot: string): { dir: string; python: string; build: string } {
  const dir = resolve(repoRoot, 'bench', 'peers');
  return { dir, python: resolve(dir, '.venv', 'bin', 'python'), build: resolve(dir, 'build') };
}

/** Runs `cmd args` (cwd bench/peers); `needs` are files that must exist first (else skipped: set-up not run). */
export function runPeer(repoRoot: string, cmd: string, args: string[], needs: string[] = [cmd], timeoutMs = 300_000): PeerResult {
  const { dir } = peerPaths(repoRoot);
  for (const f of needs) {
    if (!existsSync(f)) return { ok: false, reason: `${f} missing (run: bash bench/peers/setup.sh)` };
  }
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  if (r.error) return { ok: false, reason: `${cmd}: ${r.error.message}` };
  return parsePeer(cmd, args, r.status, r.signal, r.stdout, r.stderr);
}

/**
 * Starts `cmd args` now and returns a function that, called later (after
 * this process's own measurement, which may block the event loop), waits for
 * it and reads its result: so a peer and this project run in the same
 * window, under the same load.
 */
export function startPeer(repoRoot: string, cmd: string, args: string[]): () => Promise<PeerResult> {
  const { dir } = peerPaths(repoRoot);
  if (!existsSync(cmd)) return () => Promise.resolve({ ok: false, reason: `${cmd} missing (run: bash bench/peers/setup.sh)` });
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<PeerResult>((res) => {
    child.on('error', (e) => res({ ok: false, reason: `${cmd}: ${e.message}` }));
    child.on('close', (code, signal) => res(parsePeer(cmd, args, code, signal, out, err)));
  });
  return () => done;
}

function parsePeer(cmd: string, args: string[], status: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): PeerResult {
  if (status !== 0) {
    const why = (stderr || stdout || '').trim().split('\n').slice(-2).join(' | ');
    return { ok: false, reason: `${cmd.split('/').pop()} ${args[0] ?? ''} exited ${status ?? signal}: ${why.slice(0, 300)}` };
  }
  try {
    const raw = JSON.parse(stdout) as { version: string; figures: Record<string, { samples_us: number[]; cpu_s: number; wall_s: number }>; check?: number[] };
    const figures: Record<string, Series> = {};
    for (const [name, f] of Object.entries(raw.figures)) {
      if (!Array.isArray(f.samples_us) || f.samples_us.length === 0) throw new Error(`figure '${name}' has no samples`);
      figures[name] = { samplesUs: Float64Array.from(f.samples_us), cpuPct: (100 * f.cpu_s) / f.wall_s };
    }
    return { ok: true, out: { version: String(raw.version), figures, ...(raw.check ? { check: raw.check } : {}) } };
  } catch (err) {
    return { ok: false, reason: `${cmd.split('/').pop()} printed no valid result: ${(err as Error).message}` };
  }
}

/** Median, p99 and max of a series, µs. */
export function summary(s: Series): { p50: number; p99: number; max: number; cpuPct: number } {
  return { p50: percentile(s.samplesUs, 0.5), p99: percentile(s.samplesUs, 0.99), max: percentile(s.samplesUs, 1), cpuPct: s.cpuPct };
}

/** Joins the samples of several runs of one series (interleaved rounds); CPU % is the mean. */
export function joinSeries(parts: readonly Series[]): Series {
  const n = parts.reduce((a, p) => a + p.samplesUs.length, 0);
  const all = new Float64Array(n);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.samplesUs.length; i++) all[k++] = p.samplesUs[i]!;
  return { samplesUs: all, cpuPct: parts.reduce((a, p) => a + p.cpuPct, 0) / Math.max(1, parts.length) };
}
