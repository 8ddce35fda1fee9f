/**
 * The shield's per-joint limit record, built from the URDF limits and the
 * limits config. Everything in the config can only tighten the URDF:
 *
 *   lower = max(urdf.lower + margin, override.lowerRad)      (rad)
 *   upper = min(urdf.upper − margin, override.upperRad)      (rad)
 *   velocity = urdf.velocity · velocityScale                 (rad/s)
 *   effort   = urdf.effort · effortScale                     (N·m)
 *
 * Per-joint values come from `joints.<name>`, else the first matching
 * `groups` regex (a joint group: legs, arms, …), else the global field.
 *
 * A config that would loosen a limit (negative margin, an override outside
 * the URDF range, a margin that leaves no range, deceleration above
 * acceleration), servo gains that differ from the robot's, or (floating-base
 * profile) a limit that caps a servo's torque below its effort limit is
 * refused with every offending field named.
 */
import type { JointLimitArrays } from '../robot/model.js';
import type { JointOverride, ShieldLimitsConfig } from './config.js';

export interface ShieldLimits {
  /** Joint names; the order of every array here and of the shield's output. */
  readonly names: readonly string[];
  /** Shield position bounds (URDF range tightened), rad; ±Infinity for continuous joints. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The URDF's own position range, rad (activation/reset check). */
  readonly urdfLower: Float64Array;
  readonly urdfUpper: Float64Array;
  /** Speed limit, rad/s. */
  readonly velocity: Float64Array;
  /** Acceleration limit of the commanded trajectory, rad/s². */
  readonly acceleration: Float64Array;
  /** Braking deceleration (≤ acceleration), rad/s². */
  readonly deceleration: Float64Array;
  /** Jerk limit, rad/s³ (Infinity = off). */
  readonly jerk: Float64Array;
  /** Effort limit, N·m. */
  readonly effort: Float64Array;
  /** PD servo gains: N·m/rad and N·m·s/rad. */
  readonly kp: Float64Array;
  readonly kd: Float64Array;
  /** Whether the effort stage runs. */
  readonly effortStage: boolean;
  /** Following-error bound |q_cmd − q| per joint, rad (Infinity = off). */
  readonly followingError: Float64Array;
}

/** One configuration problem: the field path and why. */
export interface LimitIssue {
  path: string;
  message: string;
}

export type LimitsResult = { success: true; data: ShieldLimits } | { success: false; issues: LimitIssue[] };

/** PD gains of one servo: N·m/rad and N·m·s/rad. */
export interface ServoGains {
  kp: number;
  kd: number;
}

export interface LimitsContext {
  /**
   * The robot's servo gains by joint name (the one place they live: today the run config's
   * `sim.gains`, resolved per joint). Config gains that differ are refused with both values.
   */
  gains?: Readonly<Record<string, ServoGains>>;
  /** Where the gains came from, for messages (e.g. `sim.gains`). */
  gainsSource?: string;
  /** The profile's base: `floating` refuses limits that cap a servo's torque below its effort limit. */
  base?: 'fixed' | 'floating';
}

/** Builds the limit record, collecting every problem instead of stopping at the first. */
export function buildShieldLimits(urdf: JointLimitArrays, cfg: ShieldLimitsConfig, ctx: LimitsContext = {}): LimitsResult {
  const n = urdf.names.length;
  const issues: LimitIssue[] = [];
  const arr = () => new Float64Array(n);
  const out = {
    names: [...urdf.names],
    lower: arr(), upper: arr(), urdfLower: arr(), urdfUpper: arr(), velocity: arr(), acceleration: arr(),
    deceleration: arr(), jerk: arr(), effort: arr(), kp: arr(), kd: arr(), effortStage: cfg.effortStage, followingError: arr(),
  };
  const known = new Set(urdf.names);
  for (const name of Object.keys(cfg.joints)) {
    if (!known.has(name)) issues.push({ path: `joints.${name}`, message: `no commanded joint is named '${name}'` });
  }
  const gains = compileRegexes(cfg.servoGains, 'servoGains', issues);
  const groups = compileRegexes(cfg.groups, 'groups', issues);
  Object.keys(cfg.groups).forEach((key, k) => {
    if (!urdf.names.some((name) => groups[k]![0].test(name))) issues.push({ path: `groups.${key}`, message: 'matches no commanded joint' });
  });
  if (cfg.positionMarginRad < 0) {
    issues.push({ path: 'positionMarginRad', message: `negative margin ${cfg.positionMarginRad} rad would loosen the URDF limits` });
  }
  const source = ctx.gainsSource ?? 'the robot';
  for (let i = 0; i < n; i++) {
    const name = urdf.names[i]!;
    const own = cfg.joints[name];
    const gIndex = groups.findIndex(([re]) => re.test(name));
    const group = gIndex >= 0 ? groups[gIndex]![1] : undefined;
    const groupPath = gIndex >= 0 ? `groups.${Object.keys(cfg.groups)[gIndex]!}` : '';
    type Field = keyof JointOverride;
    /** The joint's value of a field: `joints` entry, then its group; with the path that set it. */
    const pick = <K extends Field>(field: K): { value: JointOverride[K]; path: string } => {
      if (own?.[field] !== undefined) return { value: own[field], path: `joints.${name}.${field}` };
      if (group?.[field] !== undefined) return { value: group[field], path: `${groupPath}.${field}` };
      return { value: undefined, path: field };
    };
    const uLo = urdf.lower[i]!;
    const uHi = urdf.upper[i]!;
    const m = pick('positionMarginRad');
    const margin = m.value ?? cfg.positionMarginRad;
    if (m.value !== undefined && m.value < 0) issues.push({ path: m.path, message: `negative margin would loosen the URDF limits` });
    const loO = pick('lowerRad');
    const hiO = pick('upperRad');
    if (loO.value !== undefined && loO.value < uLo) {
      issues.push({ path: loO.path, message: `${loO.value} rad is below the URDF lower limit ${uLo} rad of '${name}'` });
    }
    if (hiO.value !== undefined && hiO.value > uHi) {
      issues.push({ path: hiO.path, message: `${hiO.value} rad is above the URDF upper limit ${uHi} rad of '${name}'` });
    }
    const lo = Math.max(uLo + Math.max(margin, 0), loO.value ?? -Infinity);
    const hi = Math.min(uHi - Math.max(margin, 0), hiO.value ?? Infinity);
    if (!(lo < hi)) {
      issues.push({ path: m.path === 'positionMarginRad' && m.value === undefined ? 'positionMarginRad' : m.path, message: `leaves no position range for '${name}' ([${lo}, ${hi}] rad)` });
    }
    const accel = pick('accelerationRadPerS2').value ?? cfg.accelerationRadPerS2;
    const dec = pick('decelerationRadPerS2');
    const decel = dec.value ?? cfg.decelerationRadPerS2;
    if (decel > accel) {
      issues.push({
        path: dec.path,
        message: `deceleration ${decel} rad/s² above the acceleration limit ${accel} rad/s² of '${name}' cannot be commanded`,
      });
    }
    const effortScale = pick('effortScale');
    out.urdfLower[i] = uLo;
    out.urdfUpper[i] = uHi;
    out.lower[i] = lo;
    out.upper[i] = hi;
    out.velocity[i] = urdf.velocity[i]! * (pick('velocityScale').value ?? cfg.velocityScale);
    out.effort[i] = urdf.effort[i]! * (effortScale.value ?? cfg.effortScale);
    out.acceleration[i] = accel;
    out.deceleration[i] = decel;
    out.jerk[i] = pick('jerkRadPerS3').value ?? cfg.jerkRadPerS3 ?? Infinity;
    const fe = pick('followingErrorRad');
    out.followingError[i] = fe.value ?? cfg.followingErrorRad ?? Infinity;

    // Servo gains: the robot's (ctx.gains) or the config's; both given must agree.
    const kpO = pick('kpNmPerRad');
    const kdO = pick('kdNmSPerRad');
    const sg = cfg.servoGains[name] ?? gains.find(([re]) => re.test(name))?.[1];
    const cfgKp = kpO.value !== undefined ? { v: kpO.value, path: kpO.path } : sg ? { v: sg.kpNmPerRad, path: 'servoGains' } : cfg.kpNmPerRad !== undefined ? { v: cfg.kpNmPerRad, path: 'kpNmPerRad' } : null;
    const cfgKd = kdO.value !== undefined ? { v: kdO.value, path: kdO.path } : sg ? { v: sg.kdNmSPerRad, path: 'servoGains' } : cfg.kdNmSPerRad !== undefined ? { v: cfg.kdNmSPerRad, path: 'kdNmSPerRad' } : null;
    const robot = ctx.gains?.[name];
    if (ctx.gains && !robot) issues.push({ path: 'gains', message: `${source} gives no servo gains for '${name}'` });
    if (robot && cfgKp && cfgKp.v !== robot.kp) {
      issues.push({ path: cfgKp.path, message: `kp ${cfgKp.v} N·m/rad for '${name}' differs from the robot's servo gain ${robot.kp} N·m/rad (${source}); remove it or make them equal` });
    }
    if (robot && cfgKd && cfgKd.v !== robot.kd) {
      issues.push({ path: cfgKd.path, message: `kd ${cfgKd.v} N·m·s/rad for '${name}' differs from the robot's servo gain ${robot.kd} N·m·s/rad (${source}); remove it or make them equal` });
    }
    const kp = robot?.kp ?? cfgKp?.v;
    const kd = robot?.kd ?? cfgKd?.v;
    if ((kp === undefined || kd === undefined) && cfg.effortStage && !ctx.gains) {
      issues.push({ path: 'kpNmPerRad', message: `the effort stage needs the servo gains of '${name}': none were handed to the shield and the config names none` });
    }
    out.kp[i] = kp ?? 0;
    out.kd[i] = kd ?? 0;
    if (cfg.effortStage && kp === 0) issues.push({ path: cfgKp?.path ?? 'gains', message: `the effort stage needs kp > 0 for '${name}'` });

    // A balancing robot: nothing may cap a servo's torque below its effort limit.
    if (ctx.base === 'floating') {
      const eff = effortScale.value ?? cfg.effortScale;
      if (eff < 1) {
        issues.push({ path: effortScale.value !== undefined ? effortScale.path : 'effortScale', message: `${eff} caps the torque of '${name}' below its effort limit; a floating-base profile must not (a balancing robot falls)` });
      }
      const l = out.followingError[i]!;
      if (l !== Infinity) {
        const need = urdf.effort[i]! / (kp ?? NaN);
        if (!(l >= need)) {
          issues.push({
            path: fe.value !== undefined ? fe.path : 'followingErrorRad',
            message: `${l} rad caps the static torque of '${name}' at kp·${l} = ${((kp ?? NaN) * l).toFixed(3)} N·m, below its effort limit ${urdf.effort[i]} N·m; a floating-base profile needs ≥ effort/kp = ${need.toFixed(4)} rad or null`,
          });
        }
      }
    }
  }
  return issues.length > 0 ? { success: false, issues } : { success: true, data: out };
}

/** Anchored regexes of a record's keys, in config order; a key that is no regex is an issue. */
function compileRegexes<T>(rec: Readonly<Record<string, T>>, at: string, issues: LimitIssue[]): Array<[RegExp, T]> {
  const out: Array<[RegExp, T]> = [];
  for (const [key, g] of Object.entries(rec)) {
    try {
      out.push([new RegExp(`^(?:${key})$`), g]);
    } catch {
      issues.push({ path: `${at}.${key}`, message: 'not a valid regular expression' });
      out.push([/$^/, g]);
    }
  }
  return out;
}

export class ShieldLimitsError extends Error {
  constructor(readonly issues: LimitIssue[]) {
    super(`invalid shield limits:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ShieldLimitsError';
  }
}

/** {@link buildShieldLimits}, throwing a {@link ShieldLimitsError} that names every field (for construction time). */
export function shieldLimitsOrThrow(urdf: JointLimitArrays, cfg: ShieldLimitsConfig, ctx: LimitsContext = {}): ShieldLimits {
  const r = buildShieldLimits(urdf, cfg, ctx);
  if (!r.success) throw new ShieldLimitsError(r.issues);
  return r.data;
}
