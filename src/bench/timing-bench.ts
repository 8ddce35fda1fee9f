/**
 * Loop timing at 1 kHz: a `setTimeout` loop against absolute-deadline
 * sleeping (Atomics.wait + final spin). Figures: how far behind schedule each
 * loop is after N ticks, the per-tick lateness p50/p99/max, and the deadline
 * loop's CPU share (the spin's cost). Idle loop bodies; the comparison with a C
 * loop in the same run is the `peers` suite (docs/bench.md).
 */
import { DeadlineSchedule, monotonicNs } from '../timing/index.js';
import { percentile } from './stats.js';

const PERIOD_NS = 1_000_000n;

export async function benchTiming(ticks = 5000): Promise<Record<string, number>> {
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
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let k = 0; k < ticks; k++) late[k] = Number(schedule.wait()) / 1e3;
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(c0);
  const deadlineBehindMs = Number(monotonicNs() - schedule.startNs - BigInt(ticks) * PERIOD_NS) / 1e6;
  return {
    settimeout_1khz_behind_after_ticks_ms: Number(setTimeoutBehindMs.toFixed(2)),
    deadline_1khz_behind_after_ticks_ms: Number(deadlineBehindMs.toFixed(4)),
    deadline_lateness_p50_us: Number(percentile(late, 0.5).toFixed(2)),
    deadline_lateness_p99_us: Number(percentile(late, 0.99).toFixed(2)),
    deadline_lateness_max_us: Number(percentile(late, 1).toFixed(2)),
    deadline_cpu_pct_of_core: Number((((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)),
    ticks,
  };
}
