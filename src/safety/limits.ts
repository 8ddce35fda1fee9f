/**
 * The shield's per-joint limit record, built from the URDF limits and the
 * limits config. Everything in the config can only tighten the URDF:
 *
 *   lower = max(urdf.lower + margin, override.lowerRad)      (rad)
 *   upper = min(urdf.upper − margin, override.upperRad)      (rad)
 *   velocity = urdf.velocity · velocityScale                 (rad/s)
 *   effort   = urdf.effort · effortScale                     (N·m)
 *
 * and a config that would loosen a limit (negative margin, an override outside
 * the URDF range, a margin that leaves no range, deceleration above
 * acceleration) is refused with every offending field named.
 */
import type { JointLimitArrays } from '../robot/model.js';
import type { ShieldLimitsConfig } from './config.js';

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

/** Builds the limit record, collecting every problem instead of stopping at the first. */
export function buildShieldLimits(urdf: JointLimitArrays, cfg: ShieldLimitsConfig): LimitsResult {
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
  const gains = compileGains(cfg.servoGains, issues);
  if (cfg.positionMarginRad < 0) {
    issues.push({ path: 'positionMarginRad', message: `negative margin ${cfg.positionMarginRad} rad would loosen the URDF limits` });
  }
  for (let i = 0; i < n; i++) {
    const name = urdf.names[i]!;
    const o = cfg.joints[name] ?? {};
    const at = (field: string) => (o[field as keyof typeof o] === undefined ? field : `joints.${name}.${field}`);
    const uLo = urdf.lower[i]!;
    const uHi = urdf.upper[i]!;
    const margin = o.positionMarginRad ?? cfg.positionMarginRad;
    if (o.positionMarginRad !== undefined && o.positionMarginRad < 0) {
      issues.push({ path: `joints.${name}.positionMarginRad`, message: `negative margin would loosen the URDF limits` });
    }
    if (o.lowerRad !== undefined && o.lowerRad < uLo) {
      issues.push({ path: `joints.${name}.lowerRad`, message: `${o.lowerRad} rad is below the URDF lower limit ${uLo} rad` });
    }
    if (o.upperRad !== undefined && o.upperRad > uHi) {
      issues.push({ path: `joints.${name}.upperRad`, message: `${o.upperRad} rad is above the URDF upper limit ${uHi} rad` });
    }
    const lo = Math.max(uLo + Math.max(margin, 0), o.lowerRad ?? -Infinity);
    const hi = Math.min(uHi - Math.max(margin, 0), o.upperRad ?? Infinity);
    if (!(lo < hi)) {
      issues.push({ path: at('positionMarginRad'), message: `leaves no position range for '${name}' ([${lo}, ${hi}] rad)` });
    }
    const accel = o.accelerationRadPerS2 ?? cfg.accelerationRadPerS2;
    const decel = o.decelerationRadPerS2 ?? cfg.decelerationRadPerS2;
    if (decel > accel) {
      issues.push({
        path: at('decelerationRadPerS2'),
        message: `deceleration ${decel} rad/s² above the acceleration limit ${accel} rad/s² of '${name}' cannot be commanded`,
      });
    }
    out.urdfLower[i] = uLo;
    out.urdfUpper[i] = uHi;
    out.lower[i] = lo;
    out.upper[i] = hi;
    out.velocity[i] = urdf.velocity[i]! * (o.velocityScale ?? cfg.velocityScale);
    out.effort[i] = urdf.effort[i]! * (o.effortScale ?? cfg.effortScale);
    out.acceleration[i] = accel;
    out.deceleration[i] = decel;
    out.jerk[i] = o.jerkRadPerS3 ?? cfg.jerkRadPerS3 ?? Infinity;
    out.followingError[i] = o.followingErrorRad ?? cfg.followingErrorRad ?? Infinity;
    const g = cfg.servoGains[name] ?? gains.find(([re]) => re.test(name))?.[1];
    out.kp[i] = o.kpNmPerRad ?? g?.kpNmPerRad ?? cfg.kpNmPerRad;
    out.kd[i] = o.kdNmSPerRad ?? g?.kdNmSPerRad ?? cfg.kdNmSPerRad;
  }
  return issues.length > 0 ? { success: false, issues } : { success: true, data: out };
}

type Gains = ShieldLimitsConfig['servoGains'][string];

/** Anchored regexes of the servo-gain keys, in config order; a key that is no regex is an issue. */
function compileGains(rec: ShieldLimitsConfig['servoGains'], issues: LimitIssue[]): Array<[RegExp, Gains]> {
  const out: Array<[RegExp, Gains]> = [];
  for (const [key, g] of Object.entries(rec)) {
    try {
      out.push([new RegExp(`^(?:${key})$`), g]);
    } catch {
      issues.push({ path: `servoGains.${key}`, message: 'not a valid regular expression' });
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
export function shieldLimitsOrThrow(urdf: JointLimitArrays, cfg: ShieldLimitsConfig): ShieldLimits {
  const r = buildShieldLimits(urdf, cfg);
  if (!r.success) throw new ShieldLimitsError(r.issues);
  return r.data;
}
