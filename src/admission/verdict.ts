/**
 * The admission verdict: each trial's figures judged against the plan's
 * tolerances, criterion by criterion; every failed criterion says what failed
 * and where (scenario, seed, sim time, term, joint). A policy is admitted only
 * when every trial ran to its end and passed every criterion.
 */
import type { BaseMotion } from './base-motion.js';
import type { EnvelopeTermReport } from './envelope.js';
import type { AdmissionOptions, Command, ScenarioName, TrialConditions } from './plan.js';

export const CRITERIA = [
  'finished',
  'no_fall',
  'command_tracking',
  'shield_activated',
  'shield_interventions',
  'no_estop',
  'observation_envelope',
  'action_envelope',
  'inference',
] as const;
export type Criterion = (typeof CRITERIA)[number];

/** What the runtime measured in one trial (plain data). */
export interface TrialMetrics {
  scenario: ScenarioName;
  seed: number;
  conditions: TrialConditions;
  command: (Command & { atS: number }) | null;
  /** Planned sim time, s. */
  durationS: number;
  /** Sim time run, s (less after a fall or a time-out). */
  simTimeS: number;
  wallS: number;
  timedOut: boolean;
  /** The run stopped with an error (message). */
  error: string | null;
  fell: boolean;
  fellAtS: number | null;
  /** Tracking window figures (null: no command tracking in this scenario). */
  motion: BaseMotion | null;
  policy: {
    /** Policy ticks with an inference result. */
    ticks: number;
    inferenceErrors: number;
    missedDeadlines: number;
    lateResults: number;
    nonFiniteObservations: number;
    nonFiniteActions: number;
    /** Transitions into DAMP: `reason at t s`. */
    faults: string[];
  };
  shield: {
    ticks: number;
    /** Ticks with an intervention other than the acceleration/jerk shaping every step gets. */
    safetyInterventionTicks: number;
    /** Joint-ticks per constraint, shaping included. */
    interventions: Record<string, number>;
    estopS: number;
    activated: boolean;
    notActivatedReason: string | null;
  };
  envelope: EnvelopeTermReport[];
}

export interface CriterionResult {
  criterion: Criterion;
  pass: boolean;
  /** What was measured (and, when failed, what failed and where). */
  detail: string;
}

export interface TrialResult {
  metrics: TrialMetrics;
  pass: boolean;
  criteria: CriterionResult[];
}

const pct = (x: number): string => `${(100 * x).toFixed(x < 0.01 && x > 0 ? 2 : 0)} %`;
const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** Tracking error allowed on one axis. */
function allowed(command: number, abs: number, rel: number): number {
  return Math.max(abs, rel * Math.abs(command));
}

/** Judges one trial. */
export function judgeTrial(m: TrialMetrics, opts: AdmissionOptions): TrialResult {
  const tol = opts.tolerances;
  const out: CriterionResult[] = [];
  const add = (criterion: Criterion, pass: boolean, detail: string): void => {
    out.push({ criterion, pass, detail });
  };
  const stoppedAt = `stopped at ${f(m.simTimeS, 2)} s of ${f(m.durationS, 2)} s`;
  if (m.error) add('finished', false, `the run failed: ${m.error}`);
  else if (m.timedOut) add('finished', false, `did not finish within the ${opts.trialTimeLimitS} s time limit (${stoppedAt})`);
  else add('finished', true, m.fell ? `ended early after the fall (${stoppedAt})` : `ran ${f(m.simTimeS, 2)} s in ${f(m.wallS, 2)} s wall`);

  add('no_fall', !m.fell, m.fell ? `fell at ${f(m.fellAtS ?? NaN, 2)} s` : 'did not fall');

  if (m.command && m.motion) {
    const c = m.command;
    const mo = m.motion;
    if (m.fell || !(mo.windowS > 0)) {
      add('command_tracking', false, m.fell ? 'not measured: the robot fell' : 'not measured: the run ended before the tracking window');
    } else {
      const axes: [string, number, number, number, string][] = [
        ['vx', c.vx, mo.vx, allowed(c.vx, tol.linearAbsMps, tol.linearRel), 'm/s'],
        ['vy', c.vy, mo.vy, allowed(c.vy, tol.linearAbsMps, tol.linearRel), 'm/s'],
        ['wz', c.wz, mo.wz, allowed(c.wz, tol.yawAbsRadps, tol.yawRel), 'rad/s'],
      ];
      const bad = axes.filter(([, cmd, got, a]) => !(Math.abs(got - cmd) <= a));
      const figures = axes.map(([n, cmd, got, , u]) => `${n} ${f(got, 3)} vs ${f(cmd, 3)} ${u}`).join(', ');
      add('command_tracking', bad.length === 0, bad.length === 0
        ? `${figures} over ${f(mo.windowS, 1)} s`
        : `${bad.map(([n, cmd, got, a, u]) => `${n} ${f(got, 3)} ${u} against the command ${f(cmd, 3)} ${u} (allowed ±${f(a, 3)})`).join('; ')} over ${f(mo.windowS, 1)} s from ${f(m.durationS - mo.windowS, 1)} s`);
    }
  }

  add('shield_activated', m.shield.activated, m.shield.activated ? 'the shield activated' : `the shield never activated: ${m.shield.notActivatedReason ?? 'unknown'}`);
  const share = m.shield.ticks > 0 ? m.shield.safetyInterventionTicks / m.shield.ticks : 0;
  const byKind = Object.entries(m.shield.interventions).filter(([k, v]) => v > 0 && k !== 'acceleration' && k !== 'jerk').map(([k, v]) => `${k} ${v}`).join(', ');
  add('shield_interventions', share <= tol.interventionShare,
    `safety interventions on ${pct(share)} of ${m.shield.ticks} shield ticks (allowed ${pct(tol.interventionShare)})${byKind ? `; joint-ticks: ${byKind}` : ''}`);
  add('no_estop', m.shield.estopS === 0, m.shield.estopS === 0 ? 'no e-stop' : `the shield was in ESTOP for ${f(m.shield.estopS, 2)} s`);

  const describe = (r: EnvelopeTermReport): string =>
    `term \`${r.term}\` out of range ${pct(r.outTicks / Math.max(1, r.ticks))} of ticks${r.worst ? ` (worst ${r.worst.label} = ${f(r.worst.value, 3)}, range [${f(r.worst.lo, 3)}, ${f(r.worst.hi, 3)}])` : ''}`;
  const obsTerms = m.envelope.filter((r) => r.term !== 'action');
  const badObs = obsTerms.filter((r) => r.ticks > 0 && r.outTicks / r.ticks > tol.envelopeShare);
  const ticks = obsTerms[0]?.ticks ?? 0;
  add('observation_envelope', ticks > 0 && badObs.length === 0, ticks === 0
    ? 'no policy tick was observed'
    : badObs.length > 0
      ? badObs.map(describe).join('; ')
      : `every term inside its envelope on ≥ ${pct(1 - tol.envelopeShare)} of ${ticks} policy ticks`);
  const act = m.envelope.find((r) => r.term === 'action');
  const actShare = act && act.ticks > 0 ? act.outTicks / act.ticks : 0;
  add('action_envelope', actShare <= tol.envelopeShare, act && act.outTicks > 0 ? describe(act) : 'every action inside the joint range');

  const p = m.policy;
  const problems = [
    p.inferenceErrors > 0 ? `${p.inferenceErrors} inference errors` : '',
    p.missedDeadlines > 0 ? `${p.missedDeadlines} missed deadlines` : '',
    p.lateResults > 0 ? `${p.lateResults} late results` : '',
    p.nonFiniteObservations > 0 ? `${p.nonFiniteObservations} non-finite observations` : '',
    p.nonFiniteActions > 0 ? `${p.nonFiniteActions} non-finite actions` : '',
    ...p.faults.map((x) => `policy fault: ${x}`),
  ].filter((s) => s !== '');
  add('inference', problems.length === 0, problems.length === 0 ? `${p.ticks} policy ticks, no inference error or deadline miss` : problems.join('; '));

  return { metrics: m, pass: out.every((c) => c.pass), criteria: out };
}

export interface CriterionSummary {
  criterion: Criterion;
  /** `scenario#seed` of each trial where it failed. */
  trials: string[];
  /** The first failing trial's detail. */
  detail: string;
}

export interface AdmissionVerdict {
  admitted: boolean;
  trials: TrialResult[];
  /** Trials not run: an earlier one had already failed (the verdict was settled). */
  skipped: string[];
  /** Every failed criterion, in CRITERIA order. */
  failed: CriterionSummary[];
}

export function trialName(m: { scenario: string; seed: number }): string {
  return `${m.scenario}#${m.seed}`;
}

/** The verdict over every trial run; `skipped` names trials left out. */
export function admissionVerdict(trials: TrialResult[], skipped: string[] = []): AdmissionVerdict {
  const failed: CriterionSummary[] = [];
  for (const criterion of CRITERIA) {
    const bad = trials.filter((t) => t.criteria.some((c) => c.criterion === criterion && !c.pass));
    if (bad.length === 0) continue;
    const first = bad[0]!;
    failed.push({ criterion, trials: bad.map((t) => trialName(t.metrics)), detail: `${trialName(first.metrics)}: ${first.criteria.find((c) => c.criterion === criterion)!.detail}` });
  }
  return { admitted: trials.length > 0 && failed.length === 0 && skipped.length === 0, trials, skipped, failed };
}

/** The per-trial table and the failed criteria, as printed by `admit`. */
export function formatVerdict(v: AdmissionVerdict): string {
  const rows = v.trials.map((t) => {
    const m = t.metrics;
    const mo = m.motion;
    const cmd = m.command ? `(${f(m.command.vx, 2)}, ${f(m.command.vy, 2)}, ${f(m.command.wz, 2)})` : '-';
    const got = mo && mo.windowS > 0 ? `(${f(mo.vx, 2)}, ${f(mo.vy, 2)}, ${f(mo.wz, 2)})` : '-';
    const iv = m.shield.ticks > 0 ? pct(m.shield.safetyInterventionTicks / m.shield.ticks) : '-';
    const env = Math.max(0, ...m.envelope.map((r) => r.outTicks / Math.max(1, r.ticks)));
    return [
      trialName(m).padEnd(14),
      (t.pass ? 'pass' : 'FAIL').padEnd(5),
      (m.fell ? `fell ${f(m.fellAtS ?? NaN, 2)} s` : 'upright').padEnd(12),
      cmd.padEnd(20),
      got.padEnd(20),
      iv.padEnd(8),
      pct(env).padEnd(8),
      `${f(m.wallS, 1)} s`,
    ].join(' ');
  });
  const head = ['trial'.padEnd(14), 'pass'.padEnd(5), 'fall'.padEnd(12), 'command (vx,vy,wz)'.padEnd(20), 'measured'.padEnd(20), 'shield'.padEnd(8), 'envelope'.padEnd(8), 'wall'].join(' ');
  const lines = [head, ...rows];
  if (v.skipped.length > 0) lines.push(`not run (the verdict was settled by a failed trial): ${v.skipped.join(', ')}`);
  lines.push(v.admitted ? 'verdict: ADMITTED' : 'verdict: REFUSED');
  for (const c of v.failed) lines.push(`  failed ${c.criterion} in ${c.trials.length} trial(s) [${c.trials.join(', ')}]: ${c.detail}`);
  return lines.join('\n');
}

/** Paths of the files whose hash differs between two hashings (or that appear in only one): the trial did not run them. */
export function changedFiles(before: readonly { role: string; path: string; sha256: string }[], after: readonly { role: string; path: string; sha256: string }[]): string[] {
  const out = new Set<string>();
  for (const a of after) if (before.find((b) => b.role === a.role)?.sha256 !== a.sha256) out.add(a.path);
  for (const b of before) if (!after.some((a) => a.role === b.role)) out.add(b.path);
  return [...out];
}
