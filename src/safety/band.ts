/**
 * A per-joint admissible interval for the next position command, lo ≤ p' ≤ hi
 * (rad), narrowed stage by stage, remembering which constraint set each edge.
 *
 * Stages are applied in priority order. A stage whose interval does not meet
 * the band is *relaxed*: the band collapses to its edge nearest that interval
 * (the smallest possible violation of the lower-priority constraint), and the
 * relaxation is counted.
 */

/** Constraint ids, in safety order; index of the intervention counters. */
export const Constraint = {
  None: 0,
  Position: 1,
  Velocity: 2,
  Acceleration: 3,
  Collision: 4,
  Workspace: 5,
  Effort: 6,
  Jerk: 7,
  /** |q_cmd − q_measured| ≤ following-error bound. */
  Following: 8,
} as const;
export type Constraint = (typeof Constraint)[keyof typeof Constraint];
export const CONSTRAINT_NAMES = ['none', 'position', 'velocity', 'acceleration', 'collision', 'workspace', 'effort', 'jerk', 'following'] as const;
export const CONSTRAINT_COUNT = CONSTRAINT_NAMES.length;

export interface Band {
  /** Lowest admissible command per joint, rad. */
  readonly lo: Float64Array;
  /** Highest admissible command per joint, rad. */
  readonly hi: Float64Array;
  /** Constraint that set `lo` / `hi` per joint. */
  readonly loBy: Uint8Array;
  readonly hiBy: Uint8Array;
}

export function makeBand(n: number): Band {
  return { lo: new Float64Array(n), hi: new Float64Array(n), loBy: new Uint8Array(n), hiBy: new Uint8Array(n) };
}

/** Opens every joint's band to (−∞, +∞). */
export function openBand(band: Band): void {
  band.lo.fill(-Infinity);
  band.hi.fill(Infinity);
  band.loBy.fill(Constraint.None);
  band.hiBy.fill(Constraint.None);
}

/**
 * Narrows joint i's band to [lo, hi] set by constraint `by`. Returns true when
 * the two met; false when the stage was relaxed (band collapsed to the edge
 * nearest [lo, hi]).
 */
export function narrow(band: Band, i: number, lo: number, hi: number, by: Constraint): boolean {
  const bLo = band.lo[i]!;
  const bHi = band.hi[i]!;
  if (lo > bHi) {
    band.lo[i] = bHi;
    band.loBy[i] = by;
    return false;
  }
  if (hi < bLo) {
    band.hi[i] = bLo;
    band.hiBy[i] = by;
    return false;
  }
  if (lo > bLo) {
    band.lo[i] = lo;
    band.loBy[i] = by;
  }
  if (hi < bHi) {
    band.hi[i] = hi;
    band.hiBy[i] = by;
  }
  return true;
}

/** Size of one projection: the change from target to output. */
export interface Intervention {
  /** Joints changed this tick. */
  joints: number;
  /** Euclidean norm of the change, rad. */
  l2Rad: number;
  /** Largest single-joint change, rad. */
  linfRad: number;
}

class InterventionRecord implements Intervention {
  joints = 0;
  l2Rad = 0.5;
  linfRad = 0.5;
  constructor() {
    // Initialised with doubles so the fields hold doubles from the start (stored in place).
    this.l2Rad = 0;
    this.linfRad = 0;
  }
}

export function makeIntervention(): Intervention {
  return new InterventionRecord();
}

/**
 * The minimal-intervention projection of `target` onto the band (exact and
 * per joint, because every constraint here is an interval): out = clamp(target,
 * lo, hi). A target inside the band is copied bit for bit. Counts, per joint
 * changed, the constraint whose edge it met in `counts` and fills `size`.
 */
export function projectOntoBand(
  target: Float64Array,
  band: Band,
  out: Float64Array,
  counts: Uint32Array,
  size: Intervention,
): Intervention {
  let joints = 0;
  let sq = 0;
  let linf = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const lo = band.lo[i]!;
    const hi = band.hi[i]!;
    let o = t;
    if (t > hi) {
      o = hi;
      counts[band.hiBy[i]!]!++;
    } else if (t < lo) {
      o = lo;
      counts[band.loBy[i]!]!++;
    } else if (t !== t) {
      // Unreachable for checked inputs; a NaN target takes the band's lower edge.
      o = lo;
      counts[band.loBy[i]!]!++;
    }
    out[i] = o;
    if (o !== t) {
      // (No `Infinity` in a conditional here: V8 would box the result on every call.)
      const d = Math.abs(o - t);
      joints++;
      sq += d * d;
      if (d > linf) linf = d;
    }
  }
  size.joints = joints;
  size.l2Rad = Math.sqrt(sq);
  size.linfRad = linf;
  return size;
}
