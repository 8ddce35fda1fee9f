/**
 * This project's 1 kHz loop as a child process of the peer bench, so it runs
 * beside the C loop under the same conditions (same scheduler class, started
 * the same way): `DeadlineSchedule` with an empty body for TICKS ticks; prints
 * the peers' JSON (per-tick wake-up lateness in µs, CPU and wall seconds).
 *
 *   node dist/bench/loop-child.js TICKS
 */
import { DeadlineSchedule } from '../timing/index.js';

const ticks = Number(process.argv[2]);
if (!Number.isInteger(ticks) || ticks <= 0) {
  process.stderr.write('usage: loop-child.js TICKS\n');
  process.exit(2);
}
const late = new Float64Array(ticks);
const schedule = new DeadlineSchedule(1_000_000n);
const c0 = process.cpuUsage();
const w0 = performance.now();
for (let k = 0; k < ticks; k++) late[k] = Number(schedule.wait()) / 1e3;
const wallS = (performance.now() - w0) / 1000;
const c = process.cpuUsage(c0);
const flags = process.execArgv.length > 0 ? ` ${process.execArgv.join(' ')}` : '';
process.stdout.write(
  JSON.stringify({
    version: `DeadlineSchedule (Node.js ${process.versions.node}${flags})`,
    figures: { deadline_loop: { samples_us: Array.from(late, (x) => Number(x.toFixed(3))), cpu_s: (c.user + c.system) / 1e6, wall_s: wallS } },
  }),
);
