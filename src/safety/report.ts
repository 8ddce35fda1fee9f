/**
 * The shield's status as diagnostics: a level, a one-line message and
 * key/value counters, written through a setter so the caller decides the
 * message shape (diagnostic_msgs KeyValue in the node). Runs at 1 Hz.
 */
import { CONSTRAINT_NAMES } from './band.js';
import { INPUT_VERDICT_NAMES } from './inputs.js';
import { futureStampWarning, type StampOffsetWindow } from './stamp-offset.js';
import { REASON_NAMES, REFUSAL_NAMES, Reason, Refusal, SHIELD_STATE_NAMES, ShieldState, type InputCounters, type ShieldStatus, type Transition } from './status.js';

/** diagnostic_msgs/DiagnosticStatus levels used here. */
export const ReportLevel = { OK: 0, WARN: 1, ERROR: 2 } as const;
export type ReportLevel = (typeof ReportLevel)[keyof typeof ReportLevel];

const FAULTS: readonly Reason[] = [Reason.MeasuredStale, Reason.MeasuredRejected, Reason.CandidateRejected, Reason.ExternalFault];

/** Level of a status: ESTOP and fault holds are ERROR, other holds and INACTIVE are WARN, ACTIVE is OK. */
export function reportLevel(st: ShieldStatus): ReportLevel {
  if (st.state === ShieldState.Estop) return ReportLevel.ERROR;
  if (st.state === ShieldState.Hold) return FAULTS.includes(st.reason) ? ReportLevel.ERROR : ReportLevel.WARN;
  if (st.state === ShieldState.Inactive) return ReportLevel.WARN;
  return ReportLevel.OK;
}

/**
 * Why the shield has not activated yet, in one line (null once it has):
 * what blocked the last attempt, or that no attempt came. `names` are the
 * shield's joint names, `autoActivate` its config flag.
 */
export function notActivatedReason(st: ShieldStatus, names: readonly string[], autoActivate: boolean): string | null {
  if (st.activations > 0) return null;
  if (st.activationRefusals === 0) {
    if (st.state === ShieldState.Estop) return 'e-stop latched before the first activation';
    if (st.measured.accepted === 0) return 'no measured joint state was ever accepted' + rejectedNote(st);
    return autoActivate ? 'automatic activation was never attempted' : 'no activate request came (autoActivate is off: call the activate service)';
  }
  switch (st.lastRefusal) {
    case Refusal.StateNotFresh:
      return st.measured.accepted === 0
        ? `no measured joint state was ever accepted${rejectedNote(st)}`
        : `measured joint state not fresh (age ${st.measuredAgeS.toFixed(3)} s)`;
    case Refusal.OutOfLimits:
      return `measured joint '${names[st.lastRefusalJoint] ?? '?'}' outside its URDF range or speed limit`;
    case Refusal.EstopLatched:
      return 'e-stop latched (reset, then activate)';
    default:
      return REFUSAL_NAMES[st.lastRefusal];
  }
}

function rejectedNote(st: ShieldStatus): string {
  const parts: string[] = [];
  for (let v = 1; v < INPUT_VERDICT_NAMES.length; v++) if (st.measured.rejected[v]! > 0) parts.push(`${st.measured.rejected[v]} ${INPUT_VERDICT_NAMES[v]}`);
  return parts.length > 0 ? ` (rejected: ${parts.join(', ')})` : '';
}

/**
 * Writes every counter through `set` and returns the level and message. With
 * `names` (and `autoActivate`), a shield that has never activated says why.
 */
export function describeStatus(
  st: ShieldStatus,
  set: (key: string, value: string | number) => void,
  names?: readonly string[],
  autoActivate = false,
): { level: ReportLevel; message: string } {
  const state = SHIELD_STATE_NAMES[st.state];
  const reason = REASON_NAMES[st.reason];
  const why = names ? notActivatedReason(st, names, autoActivate) : null;
  set('state', state);
  set('reason', reason);
  set('transitions', st.transitions);
  set('ticks', st.ticks);
  set('outputs', st.outputs);
  set('intervention_ticks', st.interventionTicks);
  set('max_intervention_rad', st.maxInterventionRad);
  set('last_intervention_l2_rad', st.lastIntervention.l2Rad);
  for (let c = 1; c < CONSTRAINT_NAMES.length; c++) {
    set(`interventions.${CONSTRAINT_NAMES[c]}`, st.interventions[c]!);
    set(`intervention_ticks.${CONSTRAINT_NAMES[c]}`, st.interventionTicksBy[c]!);
    set(`relaxations.${CONSTRAINT_NAMES[c]}`, st.relaxations[c]!);
  }
  inputs('measured', st.measured, set);
  inputs('candidate', st.candidate, set);
  for (let s = 0; s < SHIELD_STATE_NAMES.length; s++) set(`time_in_state_s.${SHIELD_STATE_NAMES[s]}`, st.timeInStateS[s]!);
  set('measured_age_s', st.measuredAgeS);
  set('candidate_age_s', st.candidateAgeS);
  set('clock_resets', st.clockResets);
  set('activations', st.activations);
  set('activation_refusals', st.activationRefusals);
  if (why !== null) set('not_activated_reason', why);
  return { level: reportLevel(st), message: why !== null ? `${state} (${reason}): never activated: ${why}` : `${state} (${reason})` };
}

function inputs(prefix: string, c: InputCounters, set: (key: string, value: string | number) => void): void {
  set(`${prefix}.accepted`, c.accepted);
  for (let v = 1; v < INPUT_VERDICT_NAMES.length; v++) set(`${prefix}.rejected.${INPUT_VERDICT_NAMES[v]}`, c.rejected[v]!);
}

/** Log level of a shield transition. */
export type TransitionSeverity = 'info' | 'warn' | 'error';

/**
 * How loudly a transition is logged: what an operator or the start-up asked
 * for is `info` (a requested hold or e-stop, reset, activation, resuming, and
 * the hold at start-up before the first candidate has arrived); a hold
 * that nobody asked for (candidate timeout after candidates flowed, a fault)
 * is `warn`; an e-stop that nobody asked for (measured-state fault, external
 * fault) is `error`.
 */
export function transitionSeverity(t: Transition, candidateSeen: boolean): TransitionSeverity {
  const requested = t.reason === Reason.HoldRequested || t.reason === Reason.EstopRequested;
  if (t.to === ShieldState.Estop) return requested ? 'info' : 'error';
  if (t.to === ShieldState.Hold) {
    if (requested || (t.reason === Reason.CandidateTimeout && !candidateSeen)) return 'info';
    return 'warn';
  }
  return 'info';
}

/** What the shield node adds to the shield's own status on its diagnostics. */
export interface ShieldNodeReport {
  status: ShieldStatus;
  names: readonly string[];
  autoActivate: boolean;
  passThrough: boolean;
  /** Commands published; candidates dropped for a fresher higher-priority topic. */
  published: number;
  preempted: number;
  imu: { accepted: number; rejected: number; stampS: number };
  nowS: number;
  /** `core.inputs.maxFutureS`: how far ahead of the clock a stamp may be, s. */
  maxFutureS: number;
  /** Stamp leads of joint states and candidates over this window (reset here after reading). */
  measuredLead: StampOffsetWindow;
  candidateLead: StampOffsetWindow;
  /** Smallest self-collision and workspace clearance, m (absent without a collision model). */
  clearance?: { collisionM: number; workspaceM: number };
}

/**
 * The shield node's diagnostics: every counter through `set`, and the level and
 * message, raised to WARN when inputs arrive stamped systematically ahead of the
 * node's clock (with the measured offset) or when pass-through is on.
 */
export function describeShieldNode(r: ShieldNodeReport, set: (key: string, value: string | number) => void): { level: ReportLevel; message: string } {
  const { level, message } = describeStatus(r.status, set, r.names, r.autoActivate);
  if (r.passThrough) set('pass_through', 'true');
  set('published', r.published);
  set('preempted_candidates', r.preempted);
  set('imu.accepted', r.imu.accepted);
  set('imu.rejected', r.imu.rejected);
  set('imu_age_s', r.nowS - r.imu.stampS);
  const warnings: string[] = [];
  for (const [what, w] of [['measured', r.measuredLead], ['candidate', r.candidateLead]] as const) {
    set(`${what}.stamp_lead_max_s`, w.maxLeadS);
    set(`${what}.stamp_lead_mean_s`, w.meanLeadS);
    set(`${what}.stamp_ahead_share`, w.aheadShare);
    const warning = futureStampWarning(what === 'measured' ? 'joint states' : 'candidates', w, r.maxFutureS);
    if (warning) warnings.push(warning);
    w.reset();
  }
  if (r.clearance) {
    set('collision_clearance_m', r.clearance.collisionM);
    set('workspace_clearance_m', r.clearance.workspaceM);
  }
  if (r.passThrough) warnings.unshift('PASS-THROUGH: no limit stage runs (test only)');
  if (warnings.length === 0) return { level, message };
  if (level === ReportLevel.OK) return { level: ReportLevel.WARN, message: warnings.join('; ') };
  return { level, message: `${message}; ${warnings.join('; ')}` };
}

/** Logs each new shield transition once, at the level `transitionSeverity` gives it. */
export class TransitionLog {
  private seen = 0;

  constructor(private readonly log: Record<TransitionSeverity, (entry: object, msg: string) => void>) {}

  /** Call after anything that may have changed the shield's state (cheap when nothing did). */
  check(st: ShieldStatus): void {
    if (st.transitions === this.seen) return;
    this.seen = st.transitions;
    const t = st.last;
    const entry = { from: SHIELD_STATE_NAMES[t.from], to: SHIELD_STATE_NAMES[t.to], reason: REASON_NAMES[t.reason], atS: t.atS };
    const msg = t.to === ShieldState.Estop ? 'shield e-stop' : t.to === ShieldState.Hold ? 'shield hold' : 'shield transition';
    this.log[transitionSeverity(t, st.candidate.accepted > 0)](entry, msg);
  }
}
