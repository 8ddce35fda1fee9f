/**
 * Heap bytes allocated per call of a step function, for benchmarks: the
 * growth of `heapUsed` over windows of calls in which no garbage collection
 * ran (observed with a `gc` PerformanceObserver; windows with a GC are
 * discarded). The median growth over 5 clean windows is reported (fewer
 * when 30 windows did not give 5 clean ones): not the least, which would
 * hide a steady allocation that shows in most windows; the median still
 * drops a window holding a one-off JIT recompilation.
 *
 * The step must not allocate for the harness's own sake: keep its clock in a
 * typed-array slot and call no timer inside it (`performance.now()` returns a
 * freshly allocated number, 16 B).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { MaybePromise } from '../transport/port.js';
import { gcEntriesDelivered } from './memory.js';
import { percentile } from './stats.js';

/** Bytes per call (NaN when no window was free of garbage collection). */
export async function heapBytesPerCall(step: () => MaybePromise, window: number): Promise<number> {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const perCall: number[] = [];
    for (let attempt = 0; attempt < 30 && perCall.length < 5; attempt++) {
      const gc0 = gcs;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < window; i++) {
        const p = step();
        if (p) await p;
      }
      const h1 = process.memoryUsage().heapUsed;
      // Let the observer report this window's collections (one turn is not enough: a GC in this
      // window would be charged to the next one, and this one counted clean with too little growth).
      await gcEntriesDelivered();
      if (gcs !== gc0 || h1 < h0) continue;
      perCall.push((h1 - h0) / window);
    }
    return percentile(perCall, 0.5);
  } finally {
    observer.disconnect();
  }
}
