/**
 * `npm start`: runs the humanoid in the embedded MuJoCo sim with every node on
 * the embedded bus through the scripted scenario, with a progress bar, then
 * prints a summary once the run has fully ended (the end-of-run hold
 * included). Exit 0 when the run did what it should: no published command
 * violated a limit, the robot did not fall, no fault ended driving and the
 * shield activated; 1 otherwise (one line per reason on stderr); 2 for bad
 * arguments or files (nothing is started then). The nodes' log lines go to a
 * file (see ./progress.ts), never through the progress bar; with `--json`
 * stdout carries only the JSON summary.
 *
 *   node dist/cli/run.js [--duration <s>] [--realtime] [--config <file>] [--urdf <file>] [--log <file>|-] [--quiet] [--json] [--report <file.html>] [--record <file.mcap>]
 *
 * Every run writes a self-contained HTML report (plots; src/report); the
 * summary's last line names it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sendLogsTo } from '../log.js';
import { runEmbedded, type RunSummary } from '../runtime/embedded-run.js';
import { isMotionScenarioFile, runMotionDemo, type MotionDemoSummary } from '../runtime/motion-run.js';
import { formatMotionSummary } from './motion-summary.js';
import type { RunReportCollector } from '../report/collector.js';
import { defaultReportPath, writeRunReport } from '../report/write.js';
import { joinNegativeValues, numberFlag } from './args.js';
import { formatInterventions } from './interventions.js';
import { LogCapture, progressBar } from './progress.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: npm start -- [--duration <s>] [--realtime] [--config <file.yaml>] [--urdf <file>] [--log <file>|-] [--quiet] [--json]
  --duration <s>   sim time to run, > 0 (default: the scenario's)
  --realtime       pace the sim to the wall clock (default: as fast as possible)
  --config <file>  run config (default: config/embedded.yaml), or a motion scenario
                   (config/motion/demo.yaml: primitives, a retargeted clip; docs/motion.md)
  --urdf <file>    robot description to use instead of the config's (any URDF; missing meshes are warned about)
  --log <file>     where the nodes' JSON log lines go (default: aegis-run.log); '-' = stderr, live (no progress bar)
  --quiet          no progress bar
  --json           print the summary as JSON
  --report <file>  where to write the HTML run report (default: runs/<UTC time>/report.html)
  --record <file>  record every topic, the shield's decisions and service calls to MCAP (ROS 2 schemas, CDR)
  --live           serve the bus to Foxglove (WebSocket, ws://127.0.0.1:<port>) while running; add --realtime to watch
  --live-port <n>  port for --live (default 8765)
  --live-max-hz <n> --live sends each topic at most n times a second (default 60; 0 = every message)`;

/** A figure with `d` decimals, or `n/a (why)` when it is undefined (NaN, ±Infinity). */
const fmt = (x: number, d = 2, why = 'undefined'): string => (Number.isFinite(x) ? x.toFixed(d) : `n/a (${why})`);

export function formatSummary(s: RunSummary): string {
  const l = s.lockstep;
  const m = s.monitor;
  return [
    `== aegis_control embedded run: ${s.robot} ==`,
    `sim time            ${fmt(l.simTimeS, 3)} s in ${fmt(l.wallTimeS, 3)} s wall  (real-time factor ${fmt(l.realTimeFactor, 1)}x)`,
    `physics             ${l.steps} steps, ${s.physicsStepsPerWallSecond} steps/s wall${Number.isFinite(l.latenessP50Us) ? `; wake-up lateness p50 ${fmt(l.latenessP50Us, 1)} µs, p99 ${fmt(l.latenessP99Us, 1)} µs, p99.9 ${fmt(l.latenessP999Us, 1)} µs, max ${fmt(l.maxLatenessUs, 1)} µs; ${l.overruns} steps started after their deadline (docs/realtime.md)` : ''}`,
    s.diffusion ? `policy              diffusion: ${s.diffusion.decisions} decisions (${s.diffusion.sampled} sampled, ${s.diffusion.safe} safe), ${s.diffusion.targetsPublished} targets streamed; ${s.diffusion.observations} observations, ${s.diffusion.droppedObservations} dropped while busy` :
    `policy              ${s.policy.ticks} ticks, ${s.policy.published} commands, ${fmt(s.policy.rateHz, 1)} Hz achieved; inference ${Number.isFinite(s.policy.meanInferenceMs) ? `mean ${fmt(s.policy.meanInferenceMs, 3)} ms, max ${fmt(s.policy.maxInferenceMs, 3)} ms` : 'n/a (no inference ran: the run is shorter than one policy period)'}; rejected inputs ${s.policy.rejectedInputs}`,
    `shield              ${s.shield.ticks} ticks, ${s.shield.commands} commands, ${fmt(s.shield.rateHz, 1)} Hz achieved; final state ${s.shield.finalState} (${s.shield.finalReason === 'hold_requested' ? 'the end-of-run hold' : s.shield.finalReason}), ${s.shield.transitions} transitions${s.shield.notActivatedReason ? `; NEVER ACTIVATED: ${s.shield.notActivatedReason}` : ''}`,
    formatInterventions(s),
    `time in state       ${Object.entries(s.shield.timeInStateS).map(([k, v]) => `${k} ${fmt(v, 3)} s`).join(', ')}`,
    `e-stop              ${s.estop.events} event(s)${s.estop.events > 0 ? `; commands moved ${fmt(s.estop.maxHoldDeviationRad, 6)} rad from e-stop to activate` : ''}`,
    `tracking            max |q_cmd − q| ${m.maxTrackingErrorJoint ? `${fmt(m.maxTrackingErrorRad, 4)} rad (${m.maxTrackingErrorJoint})` : 'n/a (no command and joint state to compare yet)'}`,
    `limit violations    ${m.violations} in ${m.commands} published commands (position ${m.positionViolations}, velocity ${m.velocityViolations}, malformed ${m.malformed}); worst velocity ${m.commands > 1 ? `${fmt(m.worstVelocityRatio * 100, 1)} % of limit` : 'n/a (fewer than two commands)'}`,
    `sim                 ${s.sim.commandsApplied} commands applied, ${s.sim.commandsDropped} dropped; ${s.sim.dynamicsEventsApplied} dynamics changes${Number.isFinite(s.sim.minBaseHeightM) ? `; min base height ${fmt(s.sim.minBaseHeightM, 3)} m${s.sim.fell ? ' (FELL)' : ''}` : ''}`,
    `bus                 ${s.bus.published} messages, ${s.bus.callbackErrors} callback errors, ${s.bus.qosMismatches} QoS mismatches`,
    ...(s.outcome ? [formatOutcome(s.outcome)] : []),
    `verdict             ${s.failures.length === 0 ? 'OK' : `FAILED: ${s.failures.join('; ')}`}`,
  ].join('\n');
}

function formatOutcome(o: NonNullable<RunSummary['outcome']>): string {
  const commanded = o.commandedS > 0
    ? `mean velocity ${fmt(o.meanVelocityMps, 3)} m/s vs command ${fmt(o.meanCommandMps, 3)} m/s over ${fmt(o.commandedS, 1)} s; `
    : 'no velocity command; ';
  return `outcome             distance ${fmt(o.distanceM, 3)} m (path ${fmt(o.pathLengthM, 3)} m); ${commanded}drift at zero command ${fmt(o.idleDriftM, 3)} m; yaw drift ${fmt(o.yawDriftDeg, 1)}°; min base height ${fmt(o.minBaseHeightM, 3)} m; ${o.fell ? `FELL (${o.fallReason})` : 'did not fall'}`;
}

async function main(argv: string[]): Promise<number> {
  let args;
  let durationS: number | undefined;
  let livePort: number | undefined;
  let liveMaxRateHz: number | undefined;
  try {
    args = parseArgs({
      args: joinNegativeValues(argv, ['duration']),
      options: {
        duration: { type: 'string' },
        realtime: { type: 'boolean', default: false },
        config: { type: 'string', default: resolve(ROOT, 'config', 'embedded.yaml') },
        urdf: { type: 'string' },
        log: { type: 'string', default: 'aegis-run.log' },
        quiet: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
        record: { type: 'string' },
        live: { type: 'boolean', default: false },
        'live-port': { type: 'string', default: '8765' },
        'live-max-hz': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
    if (args.duration !== undefined) durationS = numberFlag('duration', args.duration, { above: 0, unit: 's' });
    if (args.live) livePort = numberFlag('live-port', args['live-port']!, { integer: true, atLeast: 0 });
    if (args['live-max-hz'] !== undefined) liveMaxRateHz = numberFlag('live-max-hz', args['live-max-hz'], { atLeast: 0 });
  } catch (err) {
    process.stderr.write(`${(err as Error).message} (npm start -- --help lists the flags)\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let logs: LogCapture;
  try {
    logs = new LogCapture(args.log!);
  } catch (err) {
    process.stderr.write(`cannot write the log file: ${(err as Error).message}; pass --log <file>, or --log - for stderr\n`);
    return 2;
  }
  sendLogsTo(logs);
  const showBar = !args.quiet && args.log !== '-';
  let summary: RunSummary;
  let motion: MotionDemoSummary | null = null;
  let collector: RunReportCollector | null = null;
  try {
    const configPath = resolve(args.config!);
    const common = {
      realtime: args.realtime!,
      onReport: (r: RunReportCollector) => (collector = r),
      ...(args.record !== undefined ? { recordPath: args.record } : {}),
      ...(livePort !== undefined ? { livePort } : {}),
      ...(liveMaxRateHz !== undefined ? { liveMaxRateHz } : {}),
    };
    if (isMotionScenarioFile(configPath)) {
      if (args.urdf !== undefined) throw new Error('--urdf does not apply to a motion scenario (its run config names the robot)');
      motion = await runMotionDemo({ configPath, root: ROOT, onProgress: progressBar(showBar ? process.stderr : null), embedded: common, ...(durationS !== undefined ? { durationS } : {}) });
      summary = motion.run;
    } else {
      summary = await runEmbedded({
        configPath,
        root: ROOT,
        onProgress: progressBar(showBar ? process.stderr : null),
        ...common,
        ...(durationS !== undefined ? { durationS } : {}),
        ...(args.urdf !== undefined ? { urdfPath: args.urdf } : {}),
      });
    }
  } catch (err) {
    if (showBar && process.stderr.isTTY) process.stderr.write('\n'); // below an unfinished bar
    const report = logs.report();
    process.stderr.write(`${logs.warnings.length > 0 ? `${report}\n` : ''}aegis_control: ${(err as Error).message}\n`);
    return 2;
  }
  const report = logs.report();
  if (report) process.stderr.write(`${report}\n`);
  const rec = summary.record;
  const text = formatSummary(summary) + (rec ? `\nrecording           ${rec.messages} messages (${(rec.bytes / 1e6).toFixed(1)} MB CDR), ${rec.dropped} dropped: ${rec.path}` : '') + (motion ? `\n${formatMotionSummary(motion)}` : '');
  let reportLine: string;
  let reportPath: string | null = null;
  try {
    reportPath = writeRunReport(args.report ?? defaultReportPath(ROOT, new Date()), (collector as RunReportCollector | null)!.data({
      title: `aegis_control embedded run: ${summary.robot}`, robot: summary.robot, summary: text.split('\n'), createdAt: new Date().toISOString(),
    }));
    reportLine = `report              ${reportPath}`;
  } catch (err) {
    reportLine = `report              not written: ${(err as Error).message}`;
  }
  process.stdout.write(args.json ? `${JSON.stringify({ ...summary, ...(motion ? { motion: { ...motion, run: undefined } } : {}), report: reportPath }, null, 2)}\n` : `${text}\n${reportLine}\n`);
  if (args.json && reportPath === null) process.stderr.write(`${reportLine}\n`);
  const failures = [...summary.failures];
  if (summary.monitor.violations > 0) failures.push(`${summary.monitor.violations} published commands violated a limit`);
  if (summary.bus.callbackErrors > 0) failures.push(`${summary.bus.callbackErrors} callback errors on the bus`);
  if (motion && motion.referenceLimitViolations > 0) failures.push(`${motion.referenceLimitViolations} published motion reference points outside the URDF limits`);
  for (const f of failures) process.stderr.write(`aegis_control: run failed: ${f}\n`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
