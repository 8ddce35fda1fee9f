/**
 * Heap bytes allocated per call of a step function, for benchmarks: the
 * growth of `heapUsed` over windows of calls in which no garbage collection
 * ran (observed with a `gc` PerformanceObserver; windows with a GC are
 * discarded). The least growth over up to 5 clean windows is reported, since
 * a window may also hold a one-off JIT recompilation.
 *
 * The step must not allocate for the harness's own sake: keep its clock in a
 * typed-array slot and call no timer inside it (`performance.now()` returns a
 * freshly allocated number, 16 B).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { MaybePromise } from '../transport/port.js';
import { gcEntriesDelivered } from './memory.js';

/** Bytes per call (NaN when no window was free of garbage collection). */
export async function heapBytesPerCall(step: () => MaybePromise, window: number): Promise<number> {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    let best = NaN;
    for (let attempt = 0, clean = 0; attempt < 30 && clean < 5; attempt++) {
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
      clean++;
      const perCall = (h1 - h0) / window;
      best = Number.isNaN(best) ? perCall : Math.min(best, perCall);
    }
    return best;
  } finally {
    observer.disconnect();
  }
}
