/**
 * GC pauses during a 60 s run (`--only gc60`; not in the default set: it
 * takes a minute of wall time). The default embedded run (config/embedded.yaml:
 * MuJoCo sim node, upper-body policy node, shield, on the embedded bus, the
 * scripted scenario) paced to the wall clock (`--realtime`), for 60 s of sim
 * time = 60 s of wall time. Every GC pause from the first progress report (1 %
 * of the run: everything loaded, the nodes running) to the last (perf_hooks
 * `gc` entries): count, total, p50/p99/max, by kind; RSS, V8 heap used,
 * external and arrayBuffers at the first and the last report; the loop's
 * wake-up lateness and overruns for context.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runEmbedded } from '../runtime/embedded-run.js';
import { GcPauseRecorder, gcPauseSummary, memoryFigures } from './memory.js';

export async function benchGc60(options: { repoRoot: string; durationS?: number }): Promise<Record<string, number>> {
  const durationS = options.durationS ?? 60;
  const rec = new GcPauseRecorder();
  const mem: { start?: Record<string, number>; end?: Record<string, number> } = {};
  let reports = 0;
  const run = await runEmbedded({
    configPath: resolve(options.repoRoot, 'config', 'embedded.yaml'),
    root: options.repoRoot,
    durationS,
    realtime: true,
    onProgress: () => {
      if (reports++ === 0) {
        mem.start = memoryFigures(process.memoryUsage(), 'gc60_start_');
        rec.start();
      } else mem.end = memoryFigures(process.memoryUsage(), 'gc60_end_');
    },
  });
  await rec.stop();
  if (!mem.start || !mem.end) throw new Error('gc60 bench: the run made fewer than two progress reports');
  const s = gcPauseSummary(rec.pausesMs);
  const r = (x: number, d = 3): number => Number(x.toFixed(d));
  const ls = run.lockstep;
  return {
    gc60_wall_s: r(ls.wallTimeS, 1),
    gc60_sim_s: r(ls.simTimeS, 1),
    gc60_pauses: s.count,
    gc60_pause_total_ms: r(s.totalMs, 1),
    gc60_pause_share_of_wall: r(s.totalMs / 1000 / ls.wallTimeS, 5),
    gc60_pause_p50_ms: r(s.p50Ms),
    gc60_pause_p99_ms: r(s.p99Ms),
    gc60_pause_max_ms: r(s.maxMs),
    gc60_minor: rec.byKind.minor ?? 0,
    gc60_major: rec.byKind.major ?? 0,
    gc60_incremental: rec.byKind.incremental ?? 0,
    gc60_weakcb: rec.byKind.weakcb ?? 0,
    ...mem.start,
    ...mem.end,
    gc60_overruns: ls.overruns,
    gc60_lateness_p99_us: r(ls.latenessP99Us, 1),
    gc60_lateness_max_us: r(ls.maxLatenessUs, 1),
    gc60_load1: r(loadavg()[0]!, 2),
  };
}
