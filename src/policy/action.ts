/**
 * The action map: network output → joint position targets (policy joint order),
 *
 *   clipped_j = clip(action_j, lo, hi)
 *   target_j  = offset_j + scale_j · clipped_j
 *   filtered_j = α · target_j + (1 − α) · filtered_j(previous)   (α = 1: no low-pass)
 *
 * `offset` defaults to the default joint pose. A non-finite action element
 * produces no target: the result names the element and the caller holds its
 * previous command (status is data; nothing throws per tick).
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const ActionSpecSchema = z.object({
  /** Per-joint multiplier, rad per unit action: scalar or one per policy joint. */
  scale: z.union([finite, z.array(finite).min(1)]).default(1).describe('Per-joint multiplier, rad per unit action: scalar or one per policy joint'),
  /** Clip of the raw action before scaling: a symmetric bound, [lo, hi], or null for none. */
  clip: z
    .union([finite.positive(), z.tuple([finite, finite]).refine(([lo, hi]) => lo <= hi, 'clip must be [lo, hi] with lo <= hi')])
    .nullable()
    .default(null)
    .describe('Clip of the raw action before scaling: a symmetric bound, [lo, hi], or null for none'),
  /** Target offset, rad: the default joint pose, or one value per policy joint. */
  offset: z.union([z.literal('default_joint_pos'), z.array(finite).min(1)]).default('default_joint_pos')
    .describe('Target offset, rad: the default joint pose, or one value per policy joint'),
  /** Low-pass weight of the new target, (0, 1]; 1 disables the filter. */
  lowPassAlpha: finite.gt(0).max(1).default(1).describe('Low-pass weight of the new target, (0, 1]; 1 disables the filter'),
});
export type ActionSpec = z.infer<typeof ActionSpecSchema>;
export type ActionSpecInput = z.input<typeof ActionSpecSchema>;

export type ActionResult = { readonly kind: 'ok' } | { readonly kind: 'non_finite'; readonly index: number };

const OK: ActionResult = Object.freeze({ kind: 'ok' });

/** Checks array lengths against the joint count; returns every problem. */
export function checkActionSpec(spec: ActionSpec, nJoints: number): string[] {
  const problems: string[] = [];
  if (Array.isArray(spec.scale) && spec.scale.length !== nJoints) {
    problems.push(`action.scale: ${spec.scale.length} values for ${nJoints} joints`);
  }
  if (Array.isArray(spec.offset) && spec.offset.length !== nJoints) {
    problems.push(`action.offset: ${spec.offset.length} values for ${nJoints} joints`);
  }
  return problems;
}

export class ActionMapper {
  readonly n: number;
  readonly scale: Float64Array;
  readonly offset: Float64Array;
  readonly clipLo: number;
  readonly clipHi: number;
  /** Last network output as produced. */
  readonly raw: Float64Array;
  /** Last network output after the clip. */
  readonly clipped: Float64Array;
  /** Last joint targets, rad (after the low-pass). */
  readonly target: Float64Array;
  private readonly alpha: number;
  private primed = false;
  private readonly nonFinite: { kind: 'non_finite'; index: number } = { kind: 'non_finite', index: -1 };

  /** @throws Error listing every problem when the spec does not fit the joints. */
  constructor(spec: ActionSpec, defaultJointPos: Float64Array) {
    const n = defaultJointPos.length;
    const problems = checkActionSpec(spec, n);
    if (problems.length > 0) throw new Error(`invalid action spec:\n  - ${problems.join('\n  - ')}`);
    this.n = n;
    this.scale = new Float64Array(n).fill(typeof spec.scale === 'number' ? spec.scale : 0);
    if (Array.isArray(spec.scale)) this.scale.set(spec.scale);
    this.offset = Float64Array.from(spec.offset === 'default_joint_pos' ? defaultJointPos : spec.offset);
    const clip = spec.clip;
    this.clipLo = clip === null ? -Infinity : typeof clip === 'number' ? -clip : clip[0];
    this.clipHi = clip === null ? Infinity : typeof clip === 'number' ? clip : clip[1];
    this.alpha = spec.lowPassAlpha;
    this.raw = new Float64Array(n);
    this.clipped = new Float64Array(n);
    this.target = Float64Array.from(this.offset);
  }

  /** Starts the low-pass from `positions` (e.g. the current pose) instead of the offset. */
  reset(positions?: ArrayLike<number>): void {
    if (positions) for (let j = 0; j < this.n; j++) this.target[j] = positions[j] ?? this.offset[j]!;
    else this.target.set(this.offset);
    this.raw.fill(0);
    this.clipped.fill(0);
    this.primed = positions !== undefined;
  }

  /**
   * Maps one action (policy joint order). On a non-finite element nothing is
   * updated and the result names the element.
   */
  map(action: ArrayLike<number>): ActionResult {
    for (let j = 0; j < this.n; j++) {
      if (!Number.isFinite(action[j])) {
        this.nonFinite.index = j;
        return this.nonFinite;
      }
    }
    const a = this.primed ? this.alpha : 1;
    this.primed = true;
    for (let j = 0; j < this.n; j++) {
      const r = action[j]!;
      const c = r < this.clipLo ? this.clipLo : r > this.clipHi ? this.clipHi : r;
      this.raw[j] = r;
      this.clipped[j] = c;
      const t = this.offset[j]! + this.scale[j]! * c;
      this.target[j] = a === 1 ? t : a * t + (1 - a) * this.target[j]!;
    }
    return OK;
  }
}
