/**
 * The shield's status as data: state, why it was entered, and counters. One
 * record, mutated in place by the shield (no allocation per tick) and read by
 * the node for diagnostics and logs.
 */
import { CONSTRAINT_COUNT, makeIntervention, type Intervention } from './band.js';
import { INPUT_VERDICT_COUNT } from './inputs.js';

/** INACTIVE → ACTIVE ↔ HOLD; any → ESTOP (latched); ESTOP → HOLD on reset (docs/shield.md). */
export const ShieldState = { Inactive: 0, Active: 1, Hold: 2, Estop: 3 } as const;
export type ShieldState = (typeof ShieldState)[keyof typeof ShieldState];
export const SHIELD_STATE_NAMES = ['INACTIVE', 'ACTIVE', 'HOLD', 'ESTOP'] as const;

/** Why the current state was entered. */
export const Reason = {
  Start: 0,
  Activated: 1,
  AutoActivated: 2,
  /** No fresh candidate within the candidate timeout (resumes on its own). */
  CandidateTimeout: 3,
  /** A fresh candidate arrived after a candidate timeout. */
  CandidateResumed: 4,
  /** Measured state older than the watchdog limit (fault). */
  MeasuredStale: 5,
  /** Too many measured-state messages rejected in a row (fault). */
  MeasuredRejected: 6,
  /** Too many candidates rejected in a row (fault). */
  CandidateRejected: 7,
  /** Hold requested (service, shutdown). */
  HoldRequested: 8,
  /** E-stop requested (topic or service). */
  EstopRequested: 9,
  /** Reset accepted (ESTOP → HOLD; motion needs an activate). */
  Reset: 10,
  /** The clock went backwards (sim reset) or was not finite: inputs dropped, the command held. */
  ClockReset: 11,
  /** Tilt or other external fault signalled to the shield. */
  ExternalFault: 12,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
export const REASON_NAMES = [
  'start', 'activated', 'auto_activated', 'candidate_timeout', 'candidate_resumed', 'measured_stale', 'measured_rejected',
  'candidate_rejected', 'hold_requested', 'estop_requested', 'reset', 'clock_reset', 'external_fault',
] as const;

/** Why the last activation attempt was refused. */
export const Refusal = {
  None: 0,
  /** No accepted measured state within the watchdog timeout (none at all, stale, or all rejected). */
  StateNotFresh: 1,
  /** A measured joint outside its URDF range or over its speed limit (`lastRefusalJoint`). */
  OutOfLimits: 2,
  /** The e-stop is latched (reset first). */
  EstopLatched: 3,
} as const;
export type Refusal = (typeof Refusal)[keyof typeof Refusal];
export const REFUSAL_NAMES = ['none', 'state_not_fresh', 'out_of_limits', 'estop_latched'] as const;

/** What one tick did. */
export type TickOutcome =
  /** Nothing published (no fresh state yet, or INACTIVE without a command to hold). */
  | 'no_output'
  /** The target passed unchanged. */
  | 'passed'
  /** The target was changed by at least one stage. */
  | 'intervened'
  /** HOLD: decelerating or holding. */
  | 'holding'
  /** ESTOP or INACTIVE with a held command: the output is a constant hold. */
  | 'stopped';

export interface Transition {
  from: ShieldState;
  to: ShieldState;
  reason: Reason;
  /** Shield clock, s. */
  atS: number;
}

export interface InputCounters {
  accepted: number;
  /** Rejections per verdict (index = InputVerdict). */
  rejected: Uint32Array;
  /** Rejections in a row. */
  consecutive: number;
}

export interface ShieldStatus {
  state: ShieldState;
  reason: Reason;
  /** Number of transitions so far; `last` is the latest. */
  transitions: number;
  last: Transition;
  ticks: number;
  /** Ticks that produced an output. */
  outputs: number;
  /** Ticks where the output differed from the target. */
  interventionTicks: number;
  /** Joint-ticks changed, per constraint (index = Constraint). */
  interventions: Uint32Array;
  /** Ticks on which a constraint changed at least one joint, per constraint (index = Constraint). */
  interventionTicksBy: Uint32Array;
  /** Joint-ticks where a lower-priority constraint could not be met and was relaxed, per constraint. */
  relaxations: Uint32Array;
  /** Size of this tick's intervention. */
  lastIntervention: Intervention;
  /** Largest single-joint change so far, rad. */
  maxInterventionRad: number;
  measured: InputCounters;
  candidate: InputCounters;
  /** Time spent in each state, s (index = ShieldState). */
  timeInStateS: Float64Array;
  clockResets: number;
  /** Accepted activations (operator or automatic). */
  activations: number;
  /** Refused activation attempts (an automatic one counts each tick it is refused). */
  activationRefusals: number;
  /** Why the last refused attempt was refused, and the joint (index, −1 if none) for out_of_limits. */
  lastRefusal: Refusal;
  lastRefusalJoint: number;
  /** Age of the latest accepted measured state / candidate at the last tick, s (Infinity if none). */
  measuredAgeS: number;
  candidateAgeS: number;
}

function inputCounters(): InputCounters {
  return { accepted: 0, rejected: new Uint32Array(INPUT_VERDICT_COUNT), consecutive: 0 };
}

class TransitionRecord implements Transition {
  from: ShieldState = ShieldState.Inactive;
  to: ShieldState = ShieldState.Inactive;
  reason: Reason = Reason.Start;
  atS = Number.NaN;
}

/** A class rather than a literal: V8 updates its double fields in place (no allocation per tick). */
class StatusRecord implements ShieldStatus {
  state: ShieldState = ShieldState.Inactive;
  reason: Reason = Reason.Start;
  transitions = 0;
  readonly last: Transition = new TransitionRecord();
  ticks = 0;
  outputs = 0;
  interventionTicks = 0;
  readonly interventions = new Uint32Array(CONSTRAINT_COUNT);
  readonly interventionTicksBy = new Uint32Array(CONSTRAINT_COUNT);
  readonly relaxations = new Uint32Array(CONSTRAINT_COUNT);
  readonly lastIntervention: Intervention = makeIntervention();
  maxInterventionRad = Number.NaN;
  readonly measured = inputCounters();
  readonly candidate = inputCounters();
  readonly timeInStateS = new Float64Array(SHIELD_STATE_NAMES.length);
  clockResets = 0;
  activations = 0;
  activationRefusals = 0;
  lastRefusal: Refusal = Refusal.None;
  lastRefusalJoint = -1;
  measuredAgeS = Infinity;
  candidateAgeS = Infinity;
  constructor() {
    this.maxInterventionRad = 0;
  }
}

export function makeStatus(): ShieldStatus {
  return new StatusRecord();
}

/** Sum of a counter array. */
export function total(counts: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i]!;
  return s;
}
