import { describe, expect, it } from 'vitest';
import { heapBytesPerCall } from '../../src/bench/heap.js';

describe('heapBytesPerCall', () => {
  it('sees a step that keeps one small array per call, and not a step that allocates nothing', async () => {
    const kept: number[][] = [];
    const allocating = (): void => { kept.push([kept.length, 1, 2, 3]); }; // a 4-element array: ≥ 16 + 4·8 B
    // Small integers only: unoptimised code (the optimising compiler runs on a background thread, late on a
    // loaded machine) would box every double it reads, 16 B each.
    const slot = new Int32Array(1);
    const quiet = (): void => { slot[0] = (slot[0]! + 1) & 0xffff; };
    for (let i = 0; i < 2000; i++) { allocating(); quiet(); } // warm-up (JIT)
    const a = await heapBytesPerCall(allocating, 1000);
    const q = await heapBytesPerCall(quiet, 1000);
    expect(a).toBeGreaterThanOrEqual(40);
    expect(q).toBeLessThan(1);
    expect(kept.length).toBeGreaterThan(2000);
  });
});
