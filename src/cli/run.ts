/**
 * `npm start`: runs the humanoid in the embedded MuJoCo sim with every node on
 * the embedded bus through the scripted scenario, with a progress bar, then
 * prints a summary. Exit 0 when no published command violated a limit; 1 when
 * one did; 2 for bad arguments or files (nothing is started then).
 *
 *   node dist/cli/run.js [--duration <s>] [--realtime] [--config <file>] [--urdf <file>] [--quiet] [--json] [--report <file.html>]
 *
 * Every run writes a self-contained HTML report (plots; src/report); the
 * summary's last line names it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runEmbedded, type RunSummary } from '../runtime/embedded-run.js';
import type { RunReportCollector } from '../report/collector.js';
import { defaultReportPath, writeRunReport } from '../report/write.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: npm start -- [--duration <s>] [--realtime] [--config <file.yaml>] [--urdf <file>] [--quiet] [--json]
  --duration <s>   sim time to run (default: the scenario's)
  --realtime       pace the sim to the wall clock (default: as fast as possible)
  --config <file>  run config (default: config/embedded.yaml)
  --urdf <file>    robot description to use instead of the config's (any URDF; missing meshes are warned about)
  --quiet          no progress bar
  --json           print the summary as JSON
  --report <file>  where to write the HTML run report (default: runs/<UTC time>/report.html)
  --record <file>  record every topic, the shield's decisions and service calls to MCAP (ROS 2 schemas, CDR)`;

function progressBar(quiet: boolean): (t: number, total: number) => void {
  if (quiet) return () => {};
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return (t, total) => {
    const f = Math.min(1, t / total);
    if (tty) {
      const width = 40;
      const full = Math.round(f * width);
      process.stderr.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%  t = ${t.toFixed(2)} / ${total.toFixed(1)} s`);
      if (f >= 1) process.stderr.write('\n');
    } else {
      const decile = Math.floor(f * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`progress ${decile * 10}% (t = ${t.toFixed(1)} s)\n`);
      }
    }
  };
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

export function formatSummary(s: RunSummary): string {
  const l = s.lockstep;
  const m = s.monitor;
  const iv = Object.entries(s.shield.interventions).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  return [
    `== aegis_control embedded run: ${s.robot} ==`,
    `sim time            ${fmt(l.simTimeS, 3)} s in ${fmt(l.wallTimeS, 3)} s wall  (real-time factor ${fmt(l.realTimeFactor, 1)}x)`,
    `physics             ${l.steps} steps, ${s.physicsStepsPerWallSecond} steps/s wall${l.overruns ? `, ${l.overruns} late steps (max ${fmt(l.maxLatenessUs, 1)} µs)` : ''}`,
    `policy              ${s.policy.ticks} ticks, ${s.policy.published} commands, ${fmt(s.policy.rateHz, 1)} Hz achieved; inference mean ${fmt(s.policy.meanInferenceMs, 3)} ms, max ${fmt(s.policy.maxInferenceMs, 3)} ms; rejected inputs ${s.policy.rejectedInputs}`,
    `shield              ${s.shield.ticks} ticks, ${s.shield.commands} commands, ${fmt(s.shield.rateHz, 1)} Hz achieved; final state ${s.shield.finalState}, ${s.shield.transitions} transitions`,
    `shield intervention ${s.shield.interventionTicks} ticks (${iv}); max ${fmt(s.shield.maxInterventionRad, 4)} rad; rejected measured ${s.shield.rejectedMeasured}, candidates ${s.shield.rejectedCandidates}`,
    `time in state       ${Object.entries(s.shield.timeInStateS).map(([k, v]) => `${k} ${fmt(v, 3)} s`).join(', ')}`,
    `e-stop              ${s.estop.events} event(s); commands moved ${fmt(s.estop.maxHoldDeviationRad, 6)} rad while latched`,
    `tracking            max |q_cmd − q| ${fmt(m.maxTrackingErrorRad, 4)} rad (${m.maxTrackingErrorJoint || '-'})`,
    `limit violations    ${m.violations} in ${m.commands} published commands (position ${m.positionViolations}, velocity ${m.velocityViolations}, malformed ${m.malformed}); worst velocity ${fmt(m.worstVelocityRatio * 100, 1)} % of limit`,
    `sim                 ${s.sim.commandsApplied} commands applied, ${s.sim.commandsDropped} dropped; ${s.sim.dynamicsEventsApplied} dynamics changes${Number.isFinite(s.sim.minBaseHeightM) ? `; min base height ${fmt(s.sim.minBaseHeightM, 3)} m${s.sim.fell ? ' (FELL)' : ''}` : ''}`,
    `bus                 ${s.bus.published} messages, ${s.bus.callbackErrors} callback errors, ${s.bus.qosMismatches} QoS mismatches`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        realtime: { type: 'boolean', default: false },
        config: { type: 'string', default: resolve(ROOT, 'config', 'embedded.yaml') },
        urdf: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
        record: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let durationS: number | undefined;
  if (args.duration !== undefined) {
    durationS = Number(args.duration);
    if (!(Number.isFinite(durationS) && durationS > 0)) {
      process.stderr.write(`--duration must be a positive number of seconds, got '${args.duration}'\n`);
      return 2;
    }
  }
  let summary: RunSummary;
  let report: RunReportCollector | null = null;
  try {
    summary = await runEmbedded({
      configPath: resolve(args.config!),
      root: ROOT,
      realtime: args.realtime!,
      onProgress: progressBar(args.quiet!),
      onReport: (r) => (report = r),
      ...(args.record !== undefined ? { recordPath: args.record } : {}),
      ...(durationS !== undefined ? { durationS } : {}),
      ...(args.urdf !== undefined ? { urdfPath: args.urdf } : {}),
    });
  } catch (err) {
    process.stderr.write(`aegis_control: ${(err as Error).message}\n`);
    return 2;
  }
  const rec = summary.record;
  const text = formatSummary(summary) + (rec ? `\nrecording           ${rec.messages} messages (${(rec.bytes / 1e6).toFixed(1)} MB CDR), ${rec.dropped} dropped: ${rec.path}` : '');
  let reportLine: string;
  let reportPath: string | null = null;
  try {
    const path = writeRunReport(args.report ?? defaultReportPath(ROOT, new Date()), (report as RunReportCollector | null)!.data({
      title: `aegis_control embedded run: ${summary.robot}`, robot: summary.robot, summary: text.split('\n'), createdAt: new Date().toISOString(),
    }));
    reportPath = path;
    reportLine = `report              ${path}`;
  } catch (err) {
    reportLine = `report              not written: ${(err as Error).message}`;
  }
  process.stdout.write(args.json ? `${JSON.stringify({ ...summary, report: reportPath }, null, 2)}\n` : `${text}\n${reportLine}\n`);
  if (args.json && reportPath === null) process.stderr.write(`${reportLine}\n`);
  return summary.monitor.violations === 0 && summary.bus.callbackErrors === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
