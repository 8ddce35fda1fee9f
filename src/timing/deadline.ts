/**
 * Absolute-deadline sleeping for control loops.
 *
 * `setTimeout` loops drift by tens of milliseconds at 1 kHz on these machines.
 * Sleeping to an absolute deadline with `Atomics.wait` (a real futex sleep that
 * blocks this thread only) for all but the last `spinNs`, then spinning on the
 * monotonic clock, holds sub-microsecond error. Deadlines are computed as
 * `start + k·period`, never `now + period`, so errors never accumulate.
 *
 * This blocks the calling thread: use it on a thread that nothing else needs
 * (a worker, or the lockstep runner whose only job is the loop).
 */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Monotonic clock, ns. */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

const pauseSink = new Int32Array(1);

/**
 * Burns about a microsecond without allocating or reading a clock. Every
 * clock read allocates (a bigint, or a boxed double) and here costs ~0.3 µs,
 * so a spin that read the clock back to back made a young-generation
 * collection every ~20 ticks at 1 kHz, and those pauses were most of the
 * late ticks; pausing between reads cuts the garbage ~4× for ~1 µs of
 * resolution.
 */
function pauseAbout1us(): void {
  let x = pauseSink[0]!;
  for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
  pauseSink[0] = x;
}

/** Default final spin: long enough to absorb futex wake-up latency. */
export const DEFAULT_SPIN_NS = 200_000n;

/**
 * Blocks until the monotonic clock reaches `deadlineNs`. Returns the lateness
 * in ns (>= 0; 0 when on time or when the deadline had already passed by less
 * than the measuring resolution).
 */
export function sleepUntil(deadlineNs: bigint, spinNs: bigint = DEFAULT_SPIN_NS): bigint {
  let now = process.hrtime.bigint();
  const sleepNs = deadlineNs - now - spinNs;
  if (sleepNs > 0n) {
    Atomics.wait(sleepCell, 0, 0, Number(sleepNs) / 1e6);
  }
  now = process.hrtime.bigint();
  while (now < deadlineNs) {
    pauseAbout1us();
    now = process.hrtime.bigint();
  }
  return now - deadlineNs;
}

/** A periodic schedule of absolute deadlines: `startNs + k·periodNs`. */
export class DeadlineSchedule {
  private k = 0n;
  /** Deadlines that were already past when their turn came. */
  overruns = 0;
  /** Largest lateness seen, ns. */
  maxLatenessNs = 0n;

  constructor(
    readonly periodNs: bigint,
    readonly startNs: bigint = monotonicNs(),
  ) {
    if (periodNs <= 0n) throw new Error(`period must be positive, got ${periodNs} ns`);
  }

  /** The next deadline, ns (monotonic clock). */
  get nextNs(): bigint {
    return this.startNs + (this.k + 1n) * this.periodNs;
  }

  /** Sleeps to the next deadline and advances the schedule. Returns lateness, ns. */
  wait(spinNs: bigint = DEFAULT_SPIN_NS): bigint {
    const deadline = this.nextNs;
    this.k++;
    if (monotonicNs() > deadline) this.overruns++;
    const late = sleepUntil(deadline, spinNs);
    if (late > this.maxLatenessNs) this.maxLatenessNs = late;
    return late;
  }
}
