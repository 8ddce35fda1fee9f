/**
 * Memory and GC-pause figures for the bench.
 *
 * - {@link memoryFigures}: a `process.memoryUsage()` reading as MB figures:
 *   RSS (the whole process, so native memory too: ONNX Runtime's arenas,
 *   MuJoCo's model and data, addon buffers), V8 heap used, `external` (memory
 *   of C++ objects bound to JS objects, typed-array backing stores included)
 *   and `arrayBuffers` (the part of `external` held by ArrayBuffers).
 * - {@link gcPauseSummary}: count, total, p50/p99/max of GC pause durations.
 * - {@link GcPauseRecorder}: collects pause durations (ms) and kinds with a
 *   perf_hooks `gc` PerformanceObserver.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { percentile } from './stats.js';

const MB = 2 ** 20;

/** The fields of `process.memoryUsage()` this reads, bytes. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** `<prefix>rss_mb`, `<prefix>heap_used_mb`, `<prefix>external_mb`, `<prefix>array_buffers_mb`, MB with one decimal. */
export function memoryFigures(reading: MemoryReading, prefix = 'mem_'): Record<string, number> {
  const mb = (bytes: number): number => Number((bytes / MB).toFixed(1));
  return {
    [`${prefix}rss_mb`]: mb(reading.rss),
    [`${prefix}heap_used_mb`]: mb(reading.heapUsed),
    [`${prefix}external_mb`]: mb(reading.external),
    [`${prefix}array_buffers_mb`]: mb(reading.arrayBuffers),
  };
}

/** One line for the printed output, from {@link memoryFigures}' figures (same prefix). */
export function memoryLine(figures: Record<string, number>, prefix = 'mem_'): string {
  const f = (k: string): string => String(figures[`${prefix}${k}`]);
  return `RSS ${f('rss_mb')} MB (native memory included), V8 heap used ${f('heap_used_mb')} MB, external ${f('external_mb')} MB, arrayBuffers ${f('array_buffers_mb')} MB`;
}

export interface GcPauseSummary {
  count: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Summary of pause durations (ms); zeros for no pause. Percentiles are nearest-rank. */
export function gcPauseSummary(pausesMs: ArrayLike<number>): GcPauseSummary {
  const n = pausesMs.length;
  if (n === 0) return { count: 0, totalMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
  let total = 0;
  for (let i = 0; i < n; i++) total += pausesMs[i]!;
  return { count: n, totalMs: total, p50Ms: percentile(pausesMs, 0.5), p99Ms: percentile(pausesMs, 0.99), maxMs: percentile(pausesMs, 1) };
}

/**
 * Resolves once perf_hooks has delivered the gc entries of the collections so far: Node.js
 * queues a gc entry in one event-loop turn and calls observers in a later one (measured:
 * nothing after one setImmediate, every entry after two); this waits three.
 */
export async function gcEntriesDelivered(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((done) => setImmediate(done));
}

/** GC kinds as perf_hooks reports them (`entry.detail.kind`). */
const GC_KINDS: ReadonlyArray<[number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

/** Records every GC pause (duration, ms, and kind) from `start()` until `stop()`. */
export class GcPauseRecorder {
  readonly pausesMs: number[] = [];
  readonly byKind: Record<string, number> = Object.fromEntries(GC_KINDS.map(([, name]) => [name, 0]));
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      this.pausesMs.push(e.duration);
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const name = GC_KINDS.find(([k]) => k === kind)?.[1] ?? 'other';
      this.byKind[name] = (this.byKind[name] ?? 0) + 1;
    }
  });

  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops after the observer has reported the pauses so far ({@link gcEntriesDelivered}). */
  async stop(): Promise<void> {
    await gcEntriesDelivered();
    this.observer.disconnect();
  }
}
