/**
 * The runtime's modes, a small explicit state machine:
 *
 *   PASSIVE  no command is published (the consumer decides: zero torque or hold)
 *   STAND    interpolate from the pose at entry to the default pose (standDurationS)
 *   POLICY   the policy drives the joints
 *   MOTION   reference playback (positions from the reference topic)
 *   DAMP     soft stop: target = measured position, so the PD servo only damps
 *
 * Requested transitions follow {@link ALLOWED}; a fault sends any driving mode
 * (STAND, POLICY, MOTION) to DAMP. Results are data; every transition is kept
 * in a bounded log with its reason and time.
 */
import { z } from 'zod';

export const MODE_NAMES = ['PASSIVE', 'STAND', 'POLICY', 'MOTION', 'DAMP'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export const FAULT_REASONS = ['stale_state', 'tilt', 'non_finite_observation', 'non_finite_action', 'deadline_misses', 'inference_error'] as const;
export type FaultReason = (typeof FAULT_REASONS)[number];

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const JoyComboSchema = z.object({
  /** Button indices (sensor_msgs/Joy.buttons) that must all be held. */
  buttons: z.array(z.number().int().min(0).max(63)).min(1).describe('Button indices (sensor_msgs/Joy.buttons) that must all be held'),
  /** Mode requested when the combo fires. */
  mode: z.enum(MODE_NAMES).describe('Mode requested when the combo fires'),
});

export const ModesConfigSchema = z.object({
  /** Mode at start. POLICY starts the policy as soon as state arrives (the embedded demo); robots should start PASSIVE. */
  initial: z.enum(MODE_NAMES).default('POLICY')
    .describe('Mode at start. POLICY starts the policy as soon as state arrives (the embedded demo); robots should start PASSIVE'),
  /** STAND interpolation time, s. */
  standDurationS: finite.positive().max(60).default(2).describe('STAND interpolation time, s'),
  /**
   * First-order low-pass time constant on the STAND target, s (0: off). Applied per command tick,
   * starting from the pose at entry; smooths the start of the move at the cost of a lag of about τ.
   */
  standLowPassS: finite.nonnegative().max(5).default(0)
    .describe('First-order low-pass time constant on the STAND target, s (0: off). Applied per command tick, starting from the pose at entry; smooths the start of the move at the cost of a lag of about τ'),
  /**
   * First-order low-pass time constant on the DAMP target (the measured pose), s (0: off). Keeps
   * encoder noise out of the hold command; the lagging target also resists motion, like a damper.
   */
  dampLowPassS: finite.nonnegative().max(5).default(0)
    .describe('First-order low-pass time constant on the DAMP target (the measured pose), s (0: off). Keeps encoder noise out of the hold command; the lagging target also resists motion, like a damper'),
  joy: z
    .object({
      /** Joystick input (sensor_msgs/Joy). */
      topic: z.string().default('/joy').describe('Joystick input (sensor_msgs/Joy)'),
      /** Fired on the message where the whole combo becomes held; more buttons win over fewer. */
      combos: z.array(JoyComboSchema).default([]).describe('Fired on the message where the whole combo becomes held; more buttons win over fewer'),
    })
    .prefault({}),
  faults: z
    .object({
      /** Joint state or IMU older than this (receive time) → DAMP, s. */
      staleStateS: finite.positive().default(0.2).describe('Joint state or IMU older than this (receive time) → DAMP, s'),
      /** Base tilt (angle between base z and world z) beyond this → DAMP, rad. */
      maxTiltRad: finite.positive().max(Math.PI).default(1.0).describe('Base tilt (angle between base z and world z) beyond this → DAMP, rad'),
      /** Consecutive missed or late inferences → DAMP. */
      maxConsecutiveMisses: z.number().int().min(1).default(5).describe('Consecutive missed or late inferences → DAMP'),
      /** An inference result later than this after its tick is dropped, s (default: one policy period). */
      inferenceBudgetS: finite.positive().optional().describe('An inference result later than this after its tick is dropped, s (default: one policy period)'),
    })
    .prefault({}),
});
export type ModesConfig = z.infer<typeof ModesConfigSchema>;
export type ModesConfigInput = z.input<typeof ModesConfigSchema>;

/** Requested transitions that are allowed (to the same mode is 'unchanged'). */
export const ALLOWED: Readonly<Record<ModeName, readonly ModeName[]>> = {
  PASSIVE: ['STAND', 'DAMP'],
  STAND: ['POLICY', 'MOTION', 'DAMP', 'PASSIVE'],
  POLICY: ['STAND', 'MOTION', 'DAMP', 'PASSIVE'],
  MOTION: ['STAND', 'POLICY', 'DAMP', 'PASSIVE'],
  DAMP: ['PASSIVE', 'STAND'],
};

export const DRIVING_MODES: readonly ModeName[] = ['STAND', 'POLICY', 'MOTION'];

export interface Transition {
  from: ModeName;
  to: ModeName;
  /** `request:<source>` or `fault:<reason>`. */
  reason: string;
  /** Node clock, s. */
  timeS: number;
}

export type TransitionResult =
  | { kind: 'accepted'; transition: Transition }
  | { kind: 'unchanged'; mode: ModeName }
  | { kind: 'rejected'; reason: string };

/** Parses a mode name case-insensitively; null when unknown. */
export function parseModeName(s: string): ModeName | null {
  const u = s.trim().toUpperCase();
  return (MODE_NAMES as readonly string[]).includes(u) ? (u as ModeName) : null;
}

export class ModeMachine {
  private current: ModeName;
  /** Most recent transitions, oldest first (at most `logSize`). */
  readonly log: Transition[] = [];
  /** Transitions per fault reason. */
  readonly faultCounts: Record<FaultReason, number> = Object.fromEntries(FAULT_REASONS.map((r) => [r, 0])) as Record<FaultReason, number>;

  constructor(
    initial: ModeName,
    private readonly logSize = 50,
  ) {
    this.current = initial;
  }

  get mode(): ModeName {
    return this.current;
  }

  /** A requested transition; `guard` may veto with a reason (e.g. no joint state yet). */
  request(to: ModeName, source: string, timeS: number, guard?: (to: ModeName) => string | null): TransitionResult {
    if (to === this.current) return { kind: 'unchanged', mode: to };
    if (!ALLOWED[this.current].includes(to)) {
      return { kind: 'rejected', reason: `${this.current} → ${to} is not allowed (from ${this.current}: ${ALLOWED[this.current].join(', ')})` };
    }
    const veto = guard?.(to) ?? null;
    if (veto !== null) return { kind: 'rejected', reason: veto };
    return { kind: 'accepted', transition: this.enter(to, `request:${source}`, timeS) };
  }

  /** A fault: a driving mode goes to DAMP; other modes are kept. Returns the transition, or null. */
  fault(reason: FaultReason, timeS: number): Transition | null {
    if (!DRIVING_MODES.includes(this.current)) return null;
    this.faultCounts[reason]++;
    return this.enter('DAMP', `fault:${reason}`, timeS);
  }

  private enter(to: ModeName, reason: string, timeS: number): Transition {
    const t: Transition = { from: this.current, to, reason, timeS };
    this.current = to;
    this.log.push(t);
    if (this.log.length > this.logSize) this.log.shift();
    return t;
  }
}
