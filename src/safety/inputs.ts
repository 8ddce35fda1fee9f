/**
 * Input checks for the shield's two streams (measured joint state, candidate
 * commands), allocation-free per message. Each message gets one verdict;
 * anything but `Accepted` means the message was dropped and counted.
 *
 * Messages arrive in any joint order and are mapped by name onto the shield's
 * order (`ShieldLimits.names`).
 */
import type { TickClock } from './clock.js';

export const InputVerdict = {
  Accepted: 0,
  /** A position/velocity/effort value is NaN or ±Inf. */
  NonFinite: 1,
  /** An array's length does not match the names (velocity/effort may also be empty). */
  WrongLength: 2,
  /** A name the shield does not command. */
  UnknownJoint: 3,
  /** A commanded joint is absent. */
  MissingJoint: 4,
  /** A name appears twice. */
  DuplicateJoint: 5,
  /** Stamped longer ago than the allowed age. */
  Stale: 6,
  /** Stamped in the future beyond the allowed skew. */
  Future: 7,
  /** Not the expected shape (e.g. a trajectory with no point). */
  Malformed: 8,
  /** A finite value beyond `inputs.maxMagnitude` (e.g. 1e308): rejected before any arithmetic could overflow. */
  OutOfRange: 9,
  /** A JointTrajectory with more than one point: refused (the shield follows one point at a time). */
  MultiPoint: 10,
} as const;
export type InputVerdict = (typeof InputVerdict)[keyof typeof InputVerdict];
export const INPUT_VERDICT_NAMES = [
  'accepted', 'non_finite', 'wrong_length', 'unknown_joint', 'missing_joint', 'duplicate_joint', 'stale', 'future', 'malformed',
  'out_of_range', 'multi_point',
] as const;
export const INPUT_VERDICT_COUNT = INPUT_VERDICT_NAMES.length;

/** A measured joint state, by name (the fields of sensor_msgs/JointState). */
export interface NamedJointState {
  /** Header stamp, s on the shield's clock. */
  stampS: number;
  names: readonly string[];
  /** rad */
  position: Float64Array;
  /** rad/s; empty when the driver gives none (treated as 0). */
  velocity: Float64Array;
}

/** A candidate command, by name (one trajectory_msgs/JointTrajectoryPoint). */
export interface NamedCandidate {
  /** Header stamp, s on the shield's clock; exactly 0 means "now" (ROS JointTrajectory convention). */
  stampS: number;
  names: readonly string[];
  /** Target positions, rad. */
  positions: Float64Array;
  /** Target velocities, rad/s; may be empty. Checked, not used for limits. */
  velocities: Float64Array;
  /** Feed-forward effort, N·m; may be empty. */
  effort: Float64Array;
  /** time_from_start of the point: reach the target this long after the stamp, s (0 or already past: a step target). */
  horizonS: number;
}

/**
 * Maps a message's names onto shield joint indices, caching the last layout
 * (a new array is allocated only when the layout changes).
 */
export class NameMapper {
  /** Shield index per message entry (−1 = ignored), valid after `map` accepted. */
  slot: Int32Array = new Int32Array(0);
  /** Number of shield joints the last accepted message named. */
  covered = 0;
  private cached: string[] = [];
  private cachedVerdict: InputVerdict = InputVerdict.Malformed;
  private readonly seen: Uint8Array;

  constructor(
    private readonly index: ReadonlyMap<string, number>,
    private readonly allowUnknown: boolean,
    private readonly allowMissing: boolean,
  ) {
    this.seen = new Uint8Array(index.size);
  }

  map(names: readonly string[]): InputVerdict {
    if (this.sameLayout(names)) return this.cachedVerdict;
    this.cached = names.slice();
    this.slot = new Int32Array(names.length);
    this.seen.fill(0);
    let covered = 0;
    let verdict: InputVerdict = InputVerdict.Accepted;
    for (let k = 0; k < names.length; k++) {
      const i = this.index.get(names[k]!);
      if (i === undefined) {
        this.slot[k] = -1;
        if (!this.allowUnknown && verdict === InputVerdict.Accepted) verdict = InputVerdict.UnknownJoint;
        continue;
      }
      if (this.seen[i]) {
        if (verdict === InputVerdict.Accepted) verdict = InputVerdict.DuplicateJoint;
        continue;
      }
      this.seen[i] = 1;
      this.slot[k] = i;
      covered++;
    }
    if (verdict === InputVerdict.Accepted && covered < this.index.size && (!this.allowMissing || covered === 0)) {
      verdict = InputVerdict.MissingJoint;
    }
    this.covered = covered;
    this.cachedVerdict = verdict;
    return verdict;
  }

  private sameLayout(names: readonly string[]): boolean {
    const c = this.cached;
    if (c.length !== names.length || c.length === 0) return false;
    for (let k = 0; k < c.length; k++) if (c[k] !== names[k]) return false;
    return true;
  }
}

/** Whether every entry of `values` that maps to a shield joint is finite. */
export function mappedFinite(values: Float64Array, slot: Int32Array): boolean {
  for (let k = 0; k < slot.length; k++) {
    if (slot[k]! >= 0 && !Number.isFinite(values[k]!)) return false;
  }
  return true;
}

/** Whether every entry of `values` that maps to a shield joint has |value| ≤ max (true when empty, an optional field). */
export function mappedWithin(values: Float64Array, slot: Int32Array, max: number): boolean {
  if (values.length === 0) return true;
  for (let k = 0; k < slot.length; k++) {
    const x = values[k]!;
    if (slot[k]! >= 0 && !(x <= max && x >= -max)) return false;
  }
  return true;
}

/** Stamp check of a message against the shield clock: `Stale`, `Future`, `Malformed` (non-finite) or `Accepted`. */
export function checkStamp(
  msg: { readonly stampS: number }, clock: TickClock, limits: { readonly maxAgeS: number; readonly maxFutureS: number },
): InputVerdict {
  const stampS = msg.stampS;
  const nowS = clock.nowS;
  if (!Number.isFinite(stampS)) return InputVerdict.Malformed;
  if (stampS > nowS + limits.maxFutureS) return InputVerdict.Future;
  if (nowS - stampS > limits.maxAgeS) return InputVerdict.Stale;
  return InputVerdict.Accepted;
}

/** Length check: `values` must have one entry per name, or be empty when `optional`. */
export function lengthOk(values: Float64Array, names: number, optional: boolean): boolean {
  return values.length === names || (optional && values.length === 0);
}
