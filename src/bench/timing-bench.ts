/**
 * Loop timing at 1 kHz: a `setTimeout` loop against absolute-deadline
 * sleeping (Atomics.wait + final spin). Figures: how far behind schedule each
 * loop is after N ticks, and the per-tick lateness p50/p99/max.
 */
import { DeadlineSchedule, monotonicNs } from '../timing/index.js';
import { percentile } from './stats.js';

const PERIOD_NS = 1_000_000n;

export async function benchTiming(ticks = 1000): Promise<Record<string, number>> {
  // setTimeout(1 ms) chained: each tick is scheduled relative to "now", so errors accumulate.
  const t0 = monotonicNs();
  await new Promise<void>((resolve) => {
    let k = 0;
    const tick = (): void => {
      if (++k >= ticks) resolve();
      else setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  const setTimeoutBehindMs = (Number(monotonicNs() - t0) - ticks * Number(PERIOD_NS)) / 1e6;

  const schedule = new DeadlineSchedule(PERIOD_NS);
  const late = new Float64Array(ticks);
  for (let k = 0; k < ticks; k++) late[k] = Number(schedule.wait()) / 1e3;
  const deadlineBehindMs = Number(monotonicNs() - schedule.startNs - BigInt(ticks) * PERIOD_NS) / 1e6;
  return {
    settimeout_1khz_behind_after_ticks_ms: Number(setTimeoutBehindMs.toFixed(2)),
    deadline_1khz_behind_after_ticks_ms: Number(deadlineBehindMs.toFixed(4)),
    deadline_lateness_p50_us: Number(percentile(late, 0.5).toFixed(2)),
    deadline_lateness_p99_us: Number(percentile(late, 0.99).toFixed(2)),
    deadline_lateness_max_us: Number(percentile(late, 1).toFixed(2)),
    ticks,
  };
}
