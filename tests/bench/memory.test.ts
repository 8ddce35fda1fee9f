import { describe, expect, it } from 'vitest';
import { GcPauseRecorder, gcPauseSummary, memoryFigures, memoryLine } from '../../src/bench/memory.js';

describe('memoryFigures', () => {
  it('gives each of RSS, heap used, external and arrayBuffers in MB (2^20 B) with one decimal, under the prefix', () => {
    const f = memoryFigures({ rss: 100 * 2 ** 20, heapUsed: 1.26 * 2 ** 20, external: 3 * 2 ** 19, arrayBuffers: 0 }, 'x_');
    expect(f).toEqual({ x_rss_mb: 100, x_heap_used_mb: 1.3, x_external_mb: 1.5, x_array_buffers_mb: 0 });
    expect(memoryLine(f, 'x_')).toBe('RSS 100 MB (native memory included), V8 heap used 1.3 MB, external 1.5 MB, arrayBuffers 0 MB');
  });
});

describe('gcPauseSummary', () => {
  it('counts and sums the pauses; p50/p99/max are nearest-rank', () => {
    // 100 pauses: 1..100 ms → p50 = 50, p99 = 99, max = 100, total = 5050.
    const pauses = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(gcPauseSummary(pauses)).toEqual({ count: 100, totalMs: 5050, p50Ms: 50, p99Ms: 99, maxMs: 100 });
  });

  it('is all zeros without a pause, and one pause is every percentile', () => {
    expect(gcPauseSummary([])).toEqual({ count: 0, totalMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
    expect(gcPauseSummary([2.5])).toEqual({ count: 1, totalMs: 2.5, p50Ms: 2.5, p99Ms: 2.5, maxMs: 2.5 });
  });
});

describe('GcPauseRecorder', () => {
  it('records the young-generation collections that garbage causes, with their kind, and nothing after stop', async () => {
    const rec = new GcPauseRecorder();
    rec.start();
    const sink: number[][] = new Array(1024);
    for (let i = 0; i < 2_000_000; i++) sink[i & 1023] = [i, i + 1, i + 2]; // ~100 MB of short-lived arrays
    await rec.stop();
    expect(sink[0]![0]).toBe(1_999_872);
    expect(rec.pausesMs.length).toBeGreaterThan(0);
    expect(rec.byKind.minor).toBeGreaterThan(0);
    expect(rec.pausesMs.every((ms) => ms >= 0)).toBe(true);
    const n = rec.pausesMs.length;
    for (let i = 0; i < 2_000_000; i++) sink[i & 1023] = [i];
    for (let turn = 0; turn < 3; turn++) await new Promise((done) => setImmediate(done));
    expect(rec.pausesMs.length).toBe(n);
  });
});
