/**
 * The admission trial's plan: which scenarios a policy is tried in (chosen by
 * its kind), under which randomised conditions, over which seeds, and the
 * tolerances its verdict is judged against. Pure: the plan is plain data the
 * runtime turns into runs of the embedded sim (src/runtime/admission-trial.ts).
 *
 * Every randomised condition is drawn from a seeded generator, so a trial is
 * reproduced exactly by its scenario name and seed.
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const interval = (lo: z.ZodNumber) => z.tuple([lo, lo]).refine(([a, b]) => a <= b, { error: 'range must be [lo, hi] with lo <= hi' });

/** Velocity scenarios, in the order they run (a failure of the first ones stops the rest unless every trial is asked for). */
export const VELOCITY_SCENARIOS = ['stand', 'forward', 'backward', 'left', 'right', 'turn_left', 'turn_right'] as const;
export const SCENARIO_NAMES = [...VELOCITY_SCENARIOS, 'reference', 'hold'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const AdmissionOptionsSchema = deepStrict(z.object({
  /** Seeds per scenario (each draws its own randomised conditions). */
  seeds: z.number().int().min(1).max(100).default(3).describe('Seeds per scenario (each draws its own randomised conditions)'),
  /** First seed; the trials use seed, seed + 1, … */
  seed: z.number().int().min(0).default(1).describe('First seed; the trials use seed, seed + 1, …'),
  /** Scenarios to run (default: every one suited to the policy's kind). */
  scenarios: z.array(z.enum(SCENARIO_NAMES)).min(1).optional().describe("Scenarios to run (default: every one suited to the policy's kind)"),
  /** Sim time per velocity scenario, s. */
  durationS: finite.positive().max(120).default(8).describe('Sim time per velocity scenario, s'),
  /** The velocity command starts here, s (the policy stands before it). */
  commandAtS: finite.nonnegative().default(1).describe('The velocity command starts here, s (the policy stands before it)'),
  /** Command tracking is measured from commandAtS + settleS to the end, s. */
  settleS: finite.nonnegative().default(1.5).describe('Command tracking is measured from commandAtS + settleS to the end, s'),
  /**
   * Walking commands are this fraction of the command range's bound in each direction. Not much
   * less than 1: policies trained with small commands zeroed ignore them (the shared G1 policy
   * does not step sideways at 0.24 m/s of its ±0.3, nor turn in place at all).
   */
  commandFraction: finite.gt(0).max(1).default(0.9).describe("Walking commands are this fraction of the command range's bound in each direction"),
  /** Randomised conditions, drawn per trial (uniform in each range). */
  randomise: z.object({
    /** Initial joint angles: the start pose plus uniform noise of this amplitude, rad. */
    poseNoiseRad: finite.nonnegative().default(0.03).describe('Initial joint angles: the start pose plus uniform noise of this amplitude, rad'),
    /** Sliding friction of every contact. */
    friction: interval(finite.positive()).default([0.6, 1.2]).describe('Sliding friction of every contact'),
    /** Payload on the added-mass link, kg. */
    addedMassKg: interval(finite.nonnegative()).default([0, 3]).describe('Payload on the added-mass link, kg'),
    /** Link carrying the payload (default: torso_link when the robot has one, else the root link). */
    addedMassLink: z.string().min(1).optional().describe('Link carrying the payload (default: torso_link when the robot has one, else the root link)'),
    /** Motor strength: servo stiffness (kp) and torque limits scaled by this factor (damping kept). */
    motorStrength: interval(finite.positive()).default([0.9, 1.1]).describe('Motor strength: servo stiffness (kp) and torque limits scaled by this factor (damping kept)'),
    /** Control latency: the shield's command reaches the servos this much later, s. */
    latencyS: interval(finite.nonnegative()).default([0, 0.01]).describe("Control latency: the shield's command reaches the servos this much later, s"),
    /** Impulse of one horizontal push per trial (random direction), N·s; 0: no push. */
    pushImpulseNs: finite.nonnegative().default(10).describe('Impulse of one horizontal push per trial (random direction), N·s; 0: no push'),
  }).prefault({}),
  /**
   * Pass criteria. Tracking catches a policy that does not respond or goes the wrong way, not a
   * sluggish one: the shared G1 policy makes 0.10–0.16 m/s of a 0.27 m/s sideways command under
   * the randomised conditions (0.22 m/s without them).
   */
  tolerances: z.object({
    /** Mean linear velocity error allowed per axis: max(absolute, relative × |command|), m/s. */
    linearAbsMps: finite.positive().default(0.15).describe('Mean linear velocity error allowed per axis (absolute part), m/s'),
    linearRel: finite.nonnegative().default(0.65).describe('Mean linear velocity error allowed per axis (relative part, × |command|)'),
    /** Mean yaw rate error allowed: max(absolute, relative × |command|), rad/s. */
    yawAbsRadps: finite.positive().default(0.1).describe('Mean yaw rate error allowed (absolute part), rad/s'),
    yawRel: finite.nonnegative().default(0.5).describe('Mean yaw rate error allowed (relative part, × |command|)'),
    /** Largest share of shield ticks with a safety intervention (position, velocity, collision, workspace, effort, following). */
    interventionShare: finite.min(0).max(1).default(0.15)
      .describe('Largest share of shield ticks with a safety intervention (position, velocity, collision, workspace, effort, following)'),
    /** Largest share of policy ticks with a term (or the action) outside its envelope. */
    envelopeShare: finite.min(0).max(1).default(0.02).describe('Largest share of policy ticks with a term (or the action) outside its envelope'),
  }).prefault({}),
  /** Observation and action envelope (see envelope.ts). */
  envelope: z.object({
    /** Base angular rate bound per axis, rad/s. */
    maxBaseAngVelRadps: finite.positive().default(4).describe('Base angular rate bound per axis, rad/s'),
    /** Base tilt bound (projected gravity), rad. */
    maxTiltRad: finite.positive().max(Math.PI).default(0.6).describe('Base tilt bound (projected gravity), rad'),
    /** Margin beyond the joint limits for joint positions, rad. */
    jointMarginRad: finite.nonnegative().default(0.05).describe('Margin beyond the joint limits for joint positions, rad'),
    /** Margin beyond the joint limits for action targets (targets lead the joints by design), rad. */
    targetMarginRad: finite.nonnegative().default(0.5).describe('Margin beyond the joint limits for action targets (targets lead the joints by design), rad'),
  }).prefault({}),
  /** Wall-clock limit of one trial, s: a trial that cannot finish in it fails. */
  trialTimeLimitS: finite.positive().default(60).describe('Wall-clock limit of one trial, s: a trial that cannot finish in it fails'),
}));
export type AdmissionOptions = z.infer<typeof AdmissionOptionsSchema>;
export type AdmissionOptionsInput = z.input<typeof AdmissionOptionsSchema>;

/** What kind of policy is tried: chooses the scenarios. */
export type PolicyKind = 'velocity' | 'tracking' | 'other';

/** Velocity command, body frame: m/s, m/s, rad/s. */
export interface Command {
  vx: number;
  vy: number;
  wz: number;
}

/** The randomised conditions of one trial. */
export interface TrialConditions {
  /** Added to the start pose, rad, by joint name. */
  poseNoiseRad: Record<string, number>;
  friction: number;
  addedMass: { link: string; kg: number };
  motorStrength: number;
  latencyS: number;
  /** One push (world frame impulse, N·s), or null. */
  push: { atS: number; impulseNs: [number, number, number] } | null;
}

export interface TrialSpec {
  scenario: ScenarioName;
  seed: number;
  durationS: number;
  /** The velocity command and when it starts (null: none). */
  command: (Command & { atS: number }) | null;
  /** Window of the tracking measurement, s (null: no tracking criterion). */
  trackFromS: number | null;
  conditions: TrialConditions;
}

/** What the plan needs to know about the policy and the robot. */
export interface PlanContext {
  kind: PolicyKind;
  /** Per-axis [lo, hi] command ranges of the policy (velocity kind); null: unknown. */
  commandRanges: [[number, number], [number, number], [number, number]] | null;
  /** Actuated joints (pose noise). */
  joints: readonly string[];
  /** Link names of the robot (payload link choice). */
  links: readonly string[];
  rootLink: string;
  /** Tracking kind: the reference motion's length, s. */
  referenceDurationS?: number;
}

/** Command ranges assumed when a velocity policy states none (m/s, m/s, rad/s). */
export const FALLBACK_COMMAND_RANGES: [[number, number], [number, number], [number, number]] = [[-0.5, 0.5], [-0.3, 0.3], [-0.5, 0.5]];

/** mulberry32: a small seeded generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed per (scenario, seed): every trial draws its own conditions, reproducibly. */
function trialSeed(scenario: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < scenario.length; i++) h = Math.imul(h ^ scenario.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The command of a velocity scenario (null when the range gives no room in that direction). */
export function scenarioCommand(name: ScenarioName, ranges: PlanContext['commandRanges'], fraction: number): Command | null {
  const r = ranges ?? FALLBACK_COMMAND_RANGES;
  const along = (axis: 0 | 1 | 2, bound: number): Command | null => {
    if (bound === 0) return null;
    const c: Command = { vx: 0, vy: 0, wz: 0 };
    c[axis === 0 ? 'vx' : axis === 1 ? 'vy' : 'wz'] = fraction * bound;
    return c;
  };
  switch (name) {
    case 'stand':
      return { vx: 0, vy: 0, wz: 0 };
    case 'forward':
      return along(0, Math.max(0, r[0][1]));
    case 'backward':
      return along(0, Math.min(0, r[0][0]));
    case 'left':
      return along(1, Math.max(0, r[1][1]));
    case 'right':
      return along(1, Math.min(0, r[1][0]));
    case 'turn_left':
    case 'turn_right': {
      // turning while walking forward at half the forward command (a policy need not turn in place)
      const c = along(2, name === 'turn_left' ? Math.max(0, r[2][1]) : Math.min(0, r[2][0]));
      if (c) c.vx = 0.5 * fraction * Math.max(0, r[0][1]);
      return c;
    }
    default:
      return null;
  }
}

/** Scenarios suited to a policy kind. */
export function scenariosFor(kind: PolicyKind): ScenarioName[] {
  return kind === 'velocity' ? [...VELOCITY_SCENARIOS] : kind === 'tracking' ? ['reference'] : ['hold'];
}

function drawConditions(rand: () => number, ctx: PlanContext, opts: AdmissionOptions, durationS: number, pushFromS: number): TrialConditions {
  const r = opts.randomise;
  const u = ([lo, hi]: readonly [number, number]): number => lo + (hi - lo) * rand();
  const poseNoiseRad: Record<string, number> = {};
  for (const j of ctx.joints) poseNoiseRad[j] = r.poseNoiseRad * (2 * rand() - 1);
  const link = r.addedMassLink ?? (ctx.links.includes('torso_link') ? 'torso_link' : ctx.rootLink);
  const friction = u(r.friction);
  const kg = u(r.addedMassKg);
  const motorStrength = u(r.motorStrength);
  const latencyS = u(r.latencyS);
  let push: TrialConditions['push'] = null;
  const angle = 2 * Math.PI * rand();
  const lastPushS = durationS - 2;
  const at = pushFromS + (lastPushS - pushFromS) * rand();
  if (r.pushImpulseNs > 0 && lastPushS > pushFromS) {
    push = { atS: Number(at.toFixed(3)), impulseNs: [r.pushImpulseNs * Math.cos(angle), r.pushImpulseNs * Math.sin(angle), 0] };
  }
  return { poseNoiseRad, friction, addedMass: { link, kg }, motorStrength, latencyS, push };
}

/** Every trial of an admission, in the order they run (scenario by scenario, seeds within). */
export function planTrials(ctx: PlanContext, opts: AdmissionOptions): TrialSpec[] {
  const wanted = opts.scenarios ?? scenariosFor(ctx.kind);
  const out: TrialSpec[] = [];
  for (const scenario of wanted) {
    let durationS = opts.durationS;
    let command: TrialSpec['command'] = null;
    let trackFromS: number | null = null;
    if ((VELOCITY_SCENARIOS as readonly string[]).includes(scenario)) {
      if (ctx.kind !== 'velocity') throw new Error(`scenario '${scenario}' needs a velocity policy (this one is '${ctx.kind}')`);
      const c = scenarioCommand(scenario, ctx.commandRanges, opts.commandFraction);
      if (!c) continue; // the policy's range has no room in that direction
      command = { ...c, atS: opts.commandAtS };
      trackFromS = Math.min(opts.commandAtS + opts.settleS, durationS);
    } else if (scenario === 'reference') {
      if (ctx.kind !== 'tracking') throw new Error(`scenario 'reference' needs a tracking policy (this one is '${ctx.kind}')`);
      durationS = ctx.referenceDurationS ?? opts.durationS;
    }
    for (let k = 0; k < opts.seeds; k++) {
      const seed = opts.seed + k;
      const rand = seededRandom(trialSeed(scenario, seed));
      const conditions = drawConditions(rand, ctx, opts, durationS, command ? (trackFromS ?? 1) : 1);
      out.push({ scenario, seed, durationS, command, trackFromS, conditions });
    }
  }
  return out;
}

/** One line for a trial's conditions (reports). */
export function describeConditions(c: TrialConditions): string {
  const noise = Math.max(0, ...Object.values(c.poseNoiseRad).map(Math.abs));
  const push = c.push ? `push ${Math.hypot(...c.push.impulseNs).toFixed(1)} N·s at ${c.push.atS.toFixed(2)} s` : 'no push';
  return `friction ${c.friction.toFixed(2)}, +${c.addedMass.kg.toFixed(2)} kg on ${c.addedMass.link}, motor strength ${c.motorStrength.toFixed(2)}, latency ${(c.latencyS * 1000).toFixed(1)} ms, pose noise ≤ ${noise.toFixed(3)} rad, ${push}`;
}
