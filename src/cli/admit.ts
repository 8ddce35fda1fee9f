/**
 * `npm run admit`: the pre-arm admission of a run's exact files (the run
 * config from `npm run import`, naming the policy config, model, robot
 * profile, shield profile and URDF). Runs the policy's trial scenarios in the
 * embedded sim under randomised conditions over several seeds (every core),
 * prints the per-trial figures and the verdict (each failed criterion naming
 * what failed and where), the diagnosis when refused, the wall time, and
 * writes the admission record beside the policy config (src/io/admission-record-file.ts).
 *
 * Exit 0 admitted, 1 refused, 2 bad arguments or an input refused before the
 * trial (missing or unreadable file, a profile for another robot, a model that
 * cannot load: the message names the file).
 *
 *   node dist/cli/admit.js <run.yaml> [--seeds n] [--seed n] [--scenarios a,b] [--duration s] [--workers n]
 *     [--all] [--no-diagnose] [--record <file> | --no-record] [--log <file>] [--json] [--quiet]
 */
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { changedFiles, formatVerdict, SCENARIO_NAMES, SWEEP_CONDITIONS, SWEEP_GRIDS, type SweepCondition, trialName, type AdmissionOptionsInput, type ScenarioName } from '../admission/index.js';
import { admissionRecordPath, codeVersion, hashAdmissionFiles, runAdmissionFiles, writeAdmissionRecord } from '../io/admission-record-file.js';
import { sendLogsTo } from '../log.js';
import { admit, AdmissionInputError, prepareAdmission, sweep, type AdmissionReport, type Prepared, type SweepReport } from '../runtime/admission.js';
import { resolveRunSetup } from '../runtime/run-setup.js';
import { numberFlag } from './args.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: npm run admit -- <run.yaml> [flags]      (or --config <run.yaml>)
  --seeds <n>         seeds per scenario (default 3)
  --seed <n>          first seed (default 1)
  --scenarios <a,b>   scenarios to run (default: every one for the policy's kind: ${SCENARIO_NAMES.join(', ')})
  --duration <s>      sim time per velocity scenario (default 8)
  --workers <n>       parallel trials (default: every core)
  --all               run every trial even after one has failed (default: stop once the verdict is settled)
  --no-diagnose       no convention-variant diagnosis when refused
  --record <file>     where to write the admission record (default: <policy config>.admission.json beside it)
  --no-record         write no record
  --log <file>        the nodes' log lines (default: a file in the temp folder)
  --json              print the report as JSON only
  --quiet             no per-trial progress lines
  --sweep <condition> robustness sweep instead of the admission: one scenario over a grid of one condition
                      (${SWEEP_CONDITIONS.join(', ')}), the others nominal; prints the table and the margin; no record
  --sweep-points <n>  grid points (default 6)
  --sweep-scenario <s> the swept scenario (default: forward for a velocity policy)`;

async function main(argv: string[]): Promise<number> {
  let args;
  const options: AdmissionOptionsInput = {};
  let workers: number | undefined;
  let sweepPoints: number | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        seeds: { type: 'string' },
        seed: { type: 'string' },
        scenarios: { type: 'string' },
        duration: { type: 'string' },
        workers: { type: 'string' },
        all: { type: 'boolean', default: false },
        'no-diagnose': { type: 'boolean', default: false },
        record: { type: 'string' },
        'no-record': { type: 'boolean', default: false },
        log: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        sweep: { type: 'string' },
        'sweep-points': { type: 'string' },
        'sweep-scenario': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    args = parsed.values;
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const config = args.config ?? parsed.positionals[0];
    if (config === undefined || parsed.positionals.length > (args.config ? 0 : 1)) throw new Error('give one run config: npm run admit -- <run.yaml>');
    args.config = config;
    if (args.seeds !== undefined) options.seeds = numberFlag('seeds', args.seeds, { integer: true, atLeast: 1 });
    if (args.seed !== undefined) options.seed = numberFlag('seed', args.seed, { integer: true, atLeast: 0 });
    if (args.duration !== undefined) options.durationS = numberFlag('duration', args.duration, { above: 0, unit: 's' });
    if (args.workers !== undefined) workers = numberFlag('workers', args.workers, { integer: true, atLeast: 1 });
    if (args.scenarios !== undefined) {
      const names = args.scenarios.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--scenarios: unknown scenario ${unknown.map((u) => `'${u}'`).join(', ') || '(none given)'} (known: ${SCENARIO_NAMES.join(', ')})`);
      options.scenarios = names as ScenarioName[];
    }
    if (args.record !== undefined && args['no-record']) throw new Error('give --record <file> or --no-record, not both');
    if (args.sweep !== undefined && !(SWEEP_CONDITIONS as readonly string[]).includes(args.sweep)) throw new Error(`--sweep: unknown condition '${args.sweep}' (known: ${SWEEP_CONDITIONS.join(', ')})`);
    if (args['sweep-points'] !== undefined) sweepPoints = numberFlag('sweep-points', args['sweep-points'], { integer: true, atLeast: 2 });
    if (args['sweep-scenario'] !== undefined && !(SCENARIO_NAMES as readonly string[]).includes(args['sweep-scenario'])) throw new Error(`--sweep-scenario: unknown scenario '${args['sweep-scenario']}'`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message} (npm run admit -- --help lists the flags)\n`);
    return 2;
  }
  const configPath = resolve(args.config);
  const logPath = resolve(args.log ?? join(tmpdir(), `aegis-admit-${process.pid}.log`));
  sendLogsTo(pino.destination({ dest: logPath, append: true, sync: true }));
  const say = (line: string): void => {
    if (!args.quiet && !args.json) process.stderr.write(`${line}\n`);
  };

  // Everything is loaded and checked before the first trial; the files that run are hashed now.
  let files;
  let prepared: Prepared;
  let recordPath: string | null = null;
  try {
    prepared = await prepareAdmission(configPath, ROOT, options);
    files = hashAdmissionFiles(runAdmissionFiles(configPath));
    if (!args['no-record']) recordPath = resolve(args.record ?? admissionRecordPath(resolveRunSetup(configPath).policyPath));
  } catch (err) {
    const msg = err instanceof AdmissionInputError ? err.message : `${configPath}: ${(err as Error).message}`;
    process.stderr.write(`aegis_control admit: refused before the trial: ${msg}\n`);
    return 2;
  }

  if (args.sweep !== undefined) {
    let r: SweepReport;
    try {
      r = await sweep({
        configPath, root: ROOT, options, prepared, logPath,
        condition: args.sweep as SweepCondition,
        ...(sweepPoints !== undefined ? { points: sweepPoints } : {}),
        ...(args['sweep-scenario'] !== undefined ? { scenario: args['sweep-scenario'] as ScenarioName } : {}),
        ...(workers !== undefined ? { workers } : {}),
        onTrial: (t) => say(`sweep     ${trialName(t.metrics).padEnd(14)} ${t.pass ? 'pass' : 'FAIL'}  ${t.metrics.wallS.toFixed(1)} s`),
      });
    } catch (err) {
      process.stderr.write(`aegis_control admit: ${(err as Error).message}\n`);
      return 2;
    }
    if (args.json) process.stdout.write(`${JSON.stringify({ ...r, logPath }, null, 2)}\n`);
    else process.stdout.write(`${formatSweep(r)}\nwall time           ${r.wallS.toFixed(1)} s for ${r.rows.length} trial(s) on ${r.workers} worker(s)\n`);
    return 0;
  }

  let report: AdmissionReport;
  try {
    report = await admit({
      configPath,
      root: ROOT,
      options,
      prepared,
      logPath,
      all: args.all!,
      diagnose: !args['no-diagnose'],
      ...(workers !== undefined ? { workers } : {}),
      onTrial: (r, phase) => say(`${phase === 'trial' ? 'trial    ' : `diagnosis`} ${trialName(r.metrics).padEnd(14)} ${r.pass ? 'pass' : `FAIL (${r.criteria.filter((c) => !c.pass).map((c) => c.criterion).join(', ')})`}  ${r.metrics.wallS.toFixed(1)} s`),
    });
  } catch (err) {
    const msg = err instanceof AdmissionInputError ? err.message : (err as Error).message;
    process.stderr.write(`aegis_control admit: refused before the trial: ${msg}\n`);
    return 2;
  }

  const v = report.verdict;
  let recordLine = 'record              not written (--no-record)';
  if (recordPath) {
    try {
      const after = hashAdmissionFiles(runAdmissionFiles(configPath));
      const changed = changedFiles(files, after);
      if (changed.length > 0) throw new Error(`the files changed during the trial (${changed.join(', ')}): no record written; run the admission again`);
      const ran = v.trials.length;
      const passed = v.trials.filter((t) => t.pass).length;
      writeAdmissionRecord(recordPath, {
        verdict: v.admitted ? 'admitted' : 'refused',
        date: new Date().toISOString(),
        codeVersion: codeVersion(ROOT),
        files,
        summary: `${passed}/${ran} trials passed${v.skipped.length > 0 ? `, ${v.skipped.length} not run` : ''} (${report.kind} policy '${report.policy}', ${report.options.seeds} seeds)`,
        failures: v.failed.map((c) => `${c.criterion}: ${c.detail}`),
      });
      recordLine = `record              ${recordPath} (${v.admitted ? 'admitted' : 'refused'})`;
    } catch (err) {
      recordLine = `record              NOT WRITTEN: ${(err as Error).message}`;
    }
  }
  const wall = `wall time           ${report.wallS.toFixed(1)} s for ${v.trials.length} trial(s) (${report.plannedTrials} planned) on ${report.workers} worker(s)`;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...report, record: recordPath, recordLine, logPath }, null, 2)}\n`);
  } else {
    const lines = [
      `== aegis_control admission: ${report.policy} (${report.kind} policy) ==`,
      `run config          ${configPath}`,
      formatVerdict(v),
    ];
    const d = report.diagnosis;
    if (d) {
      lines.push(`diagnosis           ${d.variants.length} convention variants tried on ${d.trials.join(' then ')} (in memory; your files are unchanged)`);
      if (d.likelyCauses.length === 0) lines.push('  no variant passed: the cause is not one of the known convention mistakes');
      for (const c of d.likelyCauses) lines.push(`  likely cause: ${c}`);
    }
    lines.push(wall, recordLine, `log                 ${logPath}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return v.admitted ? 0 : 1;
}

/** The sweep's table and margin. */
function formatSweep(r: SweepReport): string {
  const unit = SWEEP_GRIDS[r.condition].unit;
  const v = (x: number): string => (r.condition === 'latency' ? `${(x * 1000).toFixed(1)} ms` : `${x}${unit ? ` ${unit}` : ''}`);
  const lines = [`== robustness sweep: ${r.condition} on ${r.scenario} (every other condition nominal) ==`, `${r.condition.padEnd(12)} result  fell      measured (vx, vy, wz)   failed`];
  for (const { value, result } of r.rows) {
    const m = result.metrics;
    const mo = m.motion && m.motion.windowS > 0 ? `(${m.motion.vx.toFixed(2)}, ${m.motion.vy.toFixed(2)}, ${m.motion.wz.toFixed(2)})` : '-';
    lines.push(`${v(value).padEnd(12)} ${(result.pass ? 'pass' : 'FAIL').padEnd(7)} ${(m.fell ? `${(m.fellAtS ?? NaN).toFixed(2)} s` : '-').padEnd(9)} ${mo.padEnd(23)} ${result.criteria.filter((c) => !c.pass).map((c) => c.criterion).join(', ')}`);
  }
  lines.push(r.failsAt === null
    ? `margin              every value passed (up to ${v(r.margin!)})`
    : r.margin === null ? `margin              fails already at ${v(r.failsAt)}` : `margin              passes up to ${v(r.margin)}, starts failing at ${v(r.failsAt)}`);
  return lines.join('\n');
}

process.exitCode = await main(process.argv.slice(2));
