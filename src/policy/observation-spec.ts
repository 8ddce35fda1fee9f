/**
 * The observation spec: what the policy sees, term by term, as a YAML-able
 * zod schema. Every convention that commonly differs between training and
 * deployment is a named choice with the Isaac Lab default:
 *
 * - `termOrder`: `as_listed` (default) or `alphabetical` (exporters that sort term names).
 * - `historyLayout`: `term_major` (default; Isaac Lab flattens each term's own
 *   history, then concatenates terms) or `frame_major` (whole frames stacked).
 * - `historyOrder`: `oldest_first` (default, Isaac Lab's CircularBuffer) or `newest_first`.
 * - `historyInit`: `repeat_first` (default; the first frame fills the history) or `zeros`.
 * - `clipOrder`: `clip_then_scale` (default; Isaac Lab's ObservationManager) or `scale_then_clip`.
 *
 * Term widths (n = number of policy joints): base_ang_vel 3 (rad/s, IMU gyro,
 * base frame), projected_gravity 3 (unit, base frame, R(q)ᵀ·[0,0,−1]),
 * velocity_command 3 (vx m/s, vy m/s, yaw rate rad/s; `components: linear` 2,
 * `angular` 1: holosoma's command_lin_vel / command_ang_vel), joint_pos_rel n (rad,
 * q − default), joint_vel n (rad/s), last_action n, phase 2 per foot (sin, cos;
 * `output: sin` or `cos` 1 per foot: holosoma's sin_phase / cos_phase),
 * time_step 1, reference_joint_pos n, reference_joint_vel n, motion_command 2n
 * (reference joint positions then velocities), reference_anchor_ori6d 6,
 * context_latent `width`. See docs/observation-conventions.md.
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const range = z.tuple([finite, finite]).refine(([lo, hi]) => lo <= hi, { error: 'range must be [lo, hi] with lo <= hi' });

const termBase = {
  /** Term name (used for alphabetical ordering and in messages). */
  name: z.string().min(1).describe('Term name (used for alphabetical ordering and in messages)'),
  /** Multiplier: a scalar or one value per element. */
  scale: z.union([finite, z.array(finite).min(1)]).default(1).describe('Multiplier: a scalar or one value per element'),
  /** Element-wise clip [lo, hi], applied per `clipOrder`. */
  clip: range.optional().describe('Element-wise clip [lo, hi], applied per `clipOrder`'),
  /** Frames of history (1 = current frame only). */
  history: z.number().int().min(1).max(1000).default(1).describe('Frames of history (1 = current frame only)'),
};

export const ObservationTermSchema = z.discriminatedUnion('source', [
  z.object({ ...termBase, source: z.literal('base_ang_vel') }),
  z.object({ ...termBase, source: z.literal('projected_gravity') }),
  z.object({
    ...termBase,
    source: z.literal('velocity_command'),
    /** Per-axis [lo, hi] clamp of the raw command before scaling (vx m/s, vy m/s, wz rad/s). */
    ranges: z.tuple([range, range, range]).optional().describe('Per-axis [lo, hi] clamp of the raw command before scaling (vx m/s, vy m/s, wz rad/s)'),
    /** all: [vx, vy, wz] (default); linear: [vx, vy] (holosoma command_lin_vel); angular: [wz] (holosoma command_ang_vel). */
    components: z.enum(['all', 'linear', 'angular']).optional()
      .describe('all: [vx, vy, wz] (default); linear: [vx, vy] (holosoma command_lin_vel); angular: [wz] (holosoma command_ang_vel)'),
  }),
  z.object({ ...termBase, source: z.literal('joint_pos_rel') }),
  z.object({ ...termBase, source: z.literal('joint_vel') }),
  z.object({
    ...termBase,
    source: z.literal('last_action'),
    /** raw: network output as produced; clipped: after the action clip; processed: the joint target (rad). */
    mode: z.enum(['raw', 'clipped', 'processed']).default('raw')
      .describe('raw: network output as produced; clipped: after the action clip; processed: the joint target (rad)'),
  }),
  z.object({
    ...termBase,
    source: z.literal('phase'),
    /** Gait/motion period, s. */
    periodS: finite.positive().describe('Gait/motion period, s'),
    /** 1: [sin, cos]; 2: [sin_l, cos_l, sin_r, cos_r] with the right foot offset by half a period. */
    feet: z.union([z.literal(1), z.literal(2)]).default(1)
      .describe('1: [sin, cos]; 2: [sin_l, cos_l, sin_r, cos_r] with the right foot offset by half a period'),
    /** Added to the policy time, s (unitree_rl_lab advances its phase before the first use: offset = step_dt). */
    offsetS: finite.default(0).describe('Added to the policy time, s (unitree_rl_lab advances its phase before the first use: offset = step_dt)'),
    /** sin_cos: [sin, cos] per foot (default); sin or cos: one value per foot (holosoma sin_phase / cos_phase). */
    output: z.enum(['sin_cos', 'sin', 'cos']).optional()
      .describe('sin_cos: [sin, cos] per foot (default); sin or cos: one value per foot (holosoma sin_phase / cos_phase)'),
    /** Stand pinning (holosoma): while |velocity command| < commandBelow every foot's phase is phaseRad and the gait clock restarts. */
    pin: z.object({
      /** Command norm (√(vx² + vy² + wz²)) below which the phase is pinned. */
      commandBelow: finite.nonnegative().default(0.01).describe('Command norm (√(vx² + vy² + wz²)) below which the phase is pinned'),
      /** The pinned phase, rad (holosoma: π). */
      phaseRad: finite.default(Math.PI).describe('The pinned phase, rad (holosoma: π)'),
    }).strict().optional()
      .describe('Stand pinning (holosoma): while |velocity command| < commandBelow every foot\'s phase is phaseRad and the gait clock restarts'),
  }),
  z.object({
    ...termBase,
    source: z.literal('time_step'),
    /** steps: policy ticks since start; seconds: ticks × policy period. */
    unit: z.enum(['steps', 'seconds']).default('steps').describe('steps: policy ticks since start; seconds: ticks × policy period'),
  }),
  z.object({ ...termBase, source: z.literal('reference_joint_pos') }),
  z.object({ ...termBase, source: z.literal('reference_joint_vel') }),
  z.object({ ...termBase, source: z.literal('motion_command') }),
  z.object({ ...termBase, source: z.literal('reference_anchor_ori6d') }),
  z.object({
    ...termBase,
    source: z.literal('context_latent'),
    /** Latent width, elements. */
    width: z.number().int().min(1).max(4096).describe('Latent width, elements'),
  }),
]);
export type ObservationTerm = z.infer<typeof ObservationTermSchema>;
export type ObservationSource = ObservationTerm['source'];

export const ObservationSpecSchema = z
  .object({
    /** `as_listed` (default) or `alphabetical` (exporters that sort term names). */
    termOrder: z.enum(['as_listed', 'alphabetical']).default('as_listed').describe('`as_listed` (default) or `alphabetical` (exporters that sort term names)'),
    /** `term_major` (Isaac Lab: each term's own history, then the next term) or `frame_major` (whole frames stacked). */
    historyLayout: z
      .enum(['term_major', 'frame_major'])
      .default('term_major')
      .describe("`term_major` (Isaac Lab: each term's own history, then the next term) or `frame_major` (whole frames stacked)"),
    /** `oldest_first` (Isaac Lab's CircularBuffer) or `newest_first`. */
    historyOrder: z.enum(['oldest_first', 'newest_first']).default('oldest_first').describe("`oldest_first` (Isaac Lab's CircularBuffer) or `newest_first`"),
    /** `repeat_first` (the first frame fills the history) or `zeros`. */
    historyInit: z.enum(['repeat_first', 'zeros']).default('repeat_first').describe('`repeat_first` (the first frame fills the history) or `zeros`'),
    /** `clip_then_scale` (Isaac Lab's ObservationManager) or `scale_then_clip`. */
    clipOrder: z
      .enum(['clip_then_scale', 'scale_then_clip'])
      .default('clip_then_scale')
      .describe("`clip_then_scale` (Isaac Lab's ObservationManager) or `scale_then_clip`"),
    /** The observation terms, concatenated in `termOrder`. */
    terms: z.array(ObservationTermSchema).min(1).describe('The observation terms, concatenated in `termOrder`'),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.terms.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['terms', i, 'name'], message: `duplicate term name '${t.name}'` });
      seen.add(t.name);
    });
    if (spec.historyLayout === 'frame_major') {
      const h0 = spec.terms[0]?.history ?? 1;
      spec.terms.forEach((t, i) => {
        if (t.history !== h0) {
          ctx.addIssue({
            code: 'custom',
            path: ['terms', i, 'history'],
            message: `frame_major history needs one history length for all terms (term '${t.name}' has ${t.history}, first term ${h0})`,
          });
        }
      });
    }
  });
export type ObservationSpec = z.infer<typeof ObservationSpecSchema>;
/** The spec as written in YAML (defaults optional). */
export type ObservationSpecInput = z.input<typeof ObservationSpecSchema>;

/** Width of one frame of a term, given the number of policy joints. */
export function termWidth(term: ObservationTerm, nJoints: number): number {
  switch (term.source) {
    case 'base_ang_vel':
    case 'projected_gravity':
      return 3;
    case 'velocity_command':
      return term.components === 'linear' ? 2 : term.components === 'angular' ? 1 : 3;
    case 'joint_pos_rel':
    case 'joint_vel':
    case 'last_action':
    case 'reference_joint_pos':
    case 'reference_joint_vel':
      return nJoints;
    case 'phase':
      return (term.output === 'sin' || term.output === 'cos' ? 1 : 2) * term.feet;
    case 'motion_command':
      return 2 * nJoints;
    case 'time_step':
      return 1;
    case 'reference_anchor_ori6d':
      return 6;
    case 'context_latent':
      return term.width;
  }
}

/** Terms in the order they appear in the vector (`alphabetical` sorts by name, code-point order). */
export function orderedTerms(spec: ObservationSpec): ObservationTerm[] {
  const terms = [...spec.terms];
  if (spec.termOrder === 'alphabetical') terms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return terms;
}

/** Total observation width. */
export function observationWidth(spec: ObservationSpec, nJoints: number): number {
  return spec.terms.reduce((sum, t) => sum + termWidth(t, nJoints) * t.history, 0);
}

/**
 * Checks that need the joint count: per-element scales have the term's width.
 * Returns every problem as `terms.<i>.scale: …` lines (empty when valid).
 */
export function checkObservationSpec(spec: ObservationSpec, nJoints: number): string[] {
  const problems: string[] = [];
  spec.terms.forEach((t, i) => {
    const w = termWidth(t, nJoints);
    if (Array.isArray(t.scale) && t.scale.length !== w) {
      problems.push(`terms.${i}.scale: term '${t.name}' has width ${w} but ${t.scale.length} scale values`);
    }
  });
  return problems;
}
