/**
 * Configuration of the online adaptation (src/adaptation/residual-adapter.ts),
 * validated with zod; every field is documented once here (units included).
 */
import { z } from 'zod';
import { PageHinkleyConfigSchema } from './change-detector.js';
import { PidLagrangianConfigSchema } from './pid-lagrangian.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const AdaptedGroupSchema = z
  .object({
    /** Joints whose commands get a residual correction (policy joint names). */
    joints: z.array(z.string().min(1)).min(1),
    /** Joints whose sin/cos enter the features of every joint of the group (the gravity-relevant chain). */
    features: z.array(z.string().min(1)).default([]),
    /**
     * A link where a payload would act (e.g. the group's hand), or absent. Present: every joint of the group
     * gets one more feature, the torque (N·m) its servo must supply to hold 1 kg at that link's centre of mass
     * in the measured pose (from the robot model's kinematics), so a payload is one weight per joint (≈ m/kp)
     * valid at every pose. Every group names one or none (one feature layout); needs the robot model.
     */
    loadLink: z.string().min(1).optional(),
  })
  .strict();

export const AdaptationConfigSchema = z
  .object({
    /** Adaptation on at start (switchable live; off = the consolidated policy's command, unchanged, from the next tick). */
    enabled: z.boolean().default(true),
    /** Use the regime library (recall/create/consolidate); off = re-learn from the anchor after every switch. */
    memory: z.boolean().default(true),
    /**
     * What the correction compensates. `shift`: only the change from the anchor (nominal) regime,
     * Δ = (w − w_anchor)·φ — the robot behaves as under the nominal dynamics, servo droop and lag
     * included. `servo`: the whole predicted servo offset, Δ = w·φ, in every regime (nominal
     * included; the anchor's own correction is the consolidated one) — the robot reaches the policy's target.
     */
    compensate: z.enum(['shift', 'servo']).default('shift'),
    /**
     * Where the correction's features are evaluated. `state`: at the measured pose and velocity (the
     * correction is then a feedback on the state: its velocity term acts as negative servo damping, so
     * only a slow `correctionGain` is stable). `target`: along the commanded trajectory — the policy's
     * target (feature joints' sin/cos) and its rate over the last policy tick (velocity term): the model
     * learnt at the measured state (offset needed to *be* at a pose with a velocity) is asked for the
     * pose the policy wants next; no state feedback, so the correction can follow the model at once
     * (`correctionGain` 1). The learning is the same in both.
     */
    correctAt: z.enum(['state', 'target']).default('state'),
    /**
     * Add the joint's acceleration to the features (measured: the change of the measured velocity over
     * the last policy tick; `correctAt: 'target'`: the change of the target's rate). The servo offset
     * is then an instantaneous identity, c − q = (I·q̈ + b·q̇ + g(q))/kp, and a command change's own
     * transient (the arm accelerating toward it) is explained by q̈ instead of being learnt as an offset.
     */
    acceleration: z.boolean().default(false),
    /**
     * `correctAt: 'target'` only: a damping term −γ·(q̇ − target rate) added to the correction, s (0 = off):
     * an extra servo damping of kp·γ against the error's velocity, zero while the arm follows the target.
     */
    dampingS: finite.nonnegative().default(0),
    /** Joint groups that are adapted (e.g. one per arm). */
    groups: z.array(AdaptedGroupSchema).min(1),
    /** RLS forgetting factor per policy tick (1 = none; 0.999 ≈ a 20 s memory at 50 Hz). */
    forgetting: finite.gt(0).max(1).default(0.999),
    /** RLS covariance while the anchor (first, nominal) regime is learnt from zero (prior variance of every weight). */
    anchorVariance: finite.positive().default(1),
    /** RLS covariance after a switch (prior variance of every weight, rad²): larger → faster, noisier re-fit. */
    resetVariance: finite.positive().default(1),
    /**
     * Prior variance of the constant (offset) weight after a switch, rad² (null = `resetVariance`). Larger than
     * `resetVariance`: a new regime's first samples move the offset (identifiable from a few ticks) before
     * the shape weights (which need a good part of the motion cycle to separate).
     */
    resetVarianceOffset: finite.positive().nullable().default(null),
    /**
     * Without `context`: prior variance of the load weight (groups' `loadLink`) after a switch. Like every RLS
     * prior here it is relative to a unit label variance (1 rad²): a physical (kg/kp)² must be divided by the
     * label noise σ² (≈ noiseFloorRad²) to weigh against the data as intended.
     */
    resetVarianceLoad: finite.positive().default(0.01),
    /**
     * Without `context`: prior variance of a common scale of the previous regime's weights after a switch (0 = none;
     * relative to a unit label variance, like `resetVarianceLoad`):
     * the re-fit's covariance gets σ²·w wᵀ added, so a servo that became uniformly weaker or stronger
     * (every term of c − q = (I·q̈ + b·q̇ + g(q))/kp scaled by the change of kp) is one direction, fitted in a few ticks.
     */
    resetVarianceScale: finite.nonnegative().default(0),
    /** Cap of every RLS covariance diagonal entry. */
    maxVariance: finite.positive().default(100),
    /** A recalled regime's covariance is multiplied by this (>= 1) so it can still refine. */
    recallInflation: finite.min(1).default(2),
    /** Floor of the one-step residual standard deviation used to normalise errors, rad. */
    noiseFloorRad: finite.positive().default(0.004),
    /** Policy ticks of the first regime used to learn the anchor (nominal) model before anything is corrected or detected. */
    anchorTicks: z.number().int().positive().default(150),
    /** After a switch, ticks the detector is not fed while the model re-fits. */
    holdoffTicks: z.number().int().nonnegative().default(15),
    /**
     * Feed the detector the largest per-group mean of the normalised one-step error instead of the mean
     * over every adapted joint: a shift that affects one group (one arm) is not diluted by the others.
     */
    detectPerGroup: z.boolean().default(false),
    /**
     * The dynamics context (src/adaptation/context-estimator.ts), or null: per group, (a, m, b) — the servo's
     * compliance change, a payload at the group's `loadLink` (kg), an added damping (N·m·s/rad) — shared by the
     * group's joints and re-fitted from all of them after every switch, while the per-joint servo models keep
     * their consolidated covariance (no reset at a switch: the slow, EWC-anchored part). Needs every group's `loadLink`.
     */
    context: z
      .object({
        /** Nominal servo stiffness per joint group (anchored regex → N·m/rad, first match; every adapted joint must match one): the robot's (the sim's) kp. */
        kp: z.record(z.string().min(1), finite.positive()),
        /** Prior variance of the context after a switch: (a, m kg, b N·m·s/rad); their squares ≈ the largest changes expected. */
        priorVariance: z
          .object({
            /** Of a (dimensionless): 1 ≈ a servo at half its kp. */
            compliance: finite.positive().default(1),
            /** Of m, kg²: 4 ≈ payloads up to 2 kg. */
            massKg: finite.positive().default(4),
            /** Of b, (N·m·s/rad)². */
            damping: finite.positive().default(1),
          })
          .strict()
          .prefault({}),
        /** Forgetting factor of the context's RLS per joint sample (7 samples per tick for an arm). */
        forgetting: finite.gt(0).max(1).default(0.999),
        /**
         * Who identifies z: `rls` — the adapter itself, by least squares on its servo-offset samples (re-fitted
         * after every switch); `module` — the adaptation file's learnt adaptation module (ONNX, on its own timer;
         * src/adaptation/context-module.ts): z is its latest accepted output (clamped into `bounds`), not learnt here.
         */
        source: z.enum(['rls', 'module']).default('rls'),
        /**
         * Plausible range of each context value, [low, high]: an estimate outside is clamped to it (and counted),
         * so bad data cannot ask for the correction of, say, a 50 kg payload. The defaults never clamp in the
         * scenario (transients swing to −0.5…−1 in the first ticks after a switch; [−0.5, 3] clamped 8 samples). The correction is bounded again by
         * the trust region and the command-lead bound, and the shield filters the command as always.
         */
        bounds: z
          .object({
            /** Of a: [−0.9, 3] = a servo from 10× stiffer (a > −1 keeps kp/(1 + a) positive) to 4× softer than nominal. */
            compliance: z.tuple([finite, finite]).default([-0.9, 3]),
            /** Of m, kg: the payloads the robot may carry, and the estimate's swing below 0 in a switch's first ticks. */
            massKg: z.tuple([finite, finite]).default([-1, 3]),
            /** Of b, N·m·s/rad. */
            damping: z.tuple([finite, finite]).default([-3, 5]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .nullable()
      .default(null),
    /** The change-point detector on the normalised one-step error. */
    detector: PageHinkleyConfigSchema.prefault({}),
    match: z
      .object({
        /** Post-switch samples (policy ticks) scored against every library entry before recall-or-create. */
        windowTicks: z.number().int().positive().default(5),
        /** An entry is recalled when its mean normalised squared error on the window is at most this. */
        threshold: finite.positive().default(9),
        /**
         * At a detector alarm, up to this many samples already seen since the detector's change estimate (the
         * lowest point of its cumulative sum) open the window, so the decision comes that many ticks sooner (0: the
         * window starts after the alarm).
         */
        seedTicks: z.number().int().nonnegative().default(0),
        /**
         * While the window fills, load per joint group (arm) the part — servo models and context — of the entry
         * that best matches that group's samples so far (counted in `provisionalLoads`), so a seen regime is
         * corrected from the alarm on; the recall-or-create decision is still taken on the whole window, and a
         * group whose part was already loaded keeps its re-fit since.
         */
        provisional: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Library size; eviction: least recently used, never the anchor nor the regime in use. */
    capacity: z.number().int().min(2).default(8),
    /** Per tick, the correction moves this fraction of the way to the model's (0, 1]: the adaptation loop's gain (1 oscillates against the servo lag). */
    correctionGain: finite.gt(0).max(1).default(0.1),
    trustRegion: z
      .object({
        /** Largest change of any joint's correction per policy tick, rad. */
        maxStepRad: finite.positive().default(0.03),
        /** Largest correction of any joint, rad. */
        maxCorrectionRad: finite.positive().default(0.35),
        /**
         * Largest command lead |command − measured position| the correction may ask for, rad (null = no
         * bound). Set it at or below the shield's following-error bound: a lead beyond it is clamped by
         * the shield, and a sample whose command was clamped would teach the servo model an offset that was
         * never sent (integrator wind-up), so samples commanded at the bound are not learnt. A record
         * (anchored regex → rad, first match) gives per-group bounds, e.g. the shield's `limits.groups`.
         */
        maxLeadRad: z
          .union([finite.positive(), z.record(z.string().min(1), finite.positive())])
          .nullable()
          .default(null)
          .describe('one bound for every adapted joint, or per joint group: anchored regex → rad (first match; every adapted joint must match one), like the shield\'s limits.groups'),
      })
      .strict()
      .prefault({}),
    cost: z
      .object({
        /** Near-limit cost starts this far from a position limit, rad. */
        limitMarginRad: finite.positive().default(0.1),
      })
      .strict()
      .prefault({}),
    /** PID-Lagrangian multiplier on the measured safety cost (budget per tick). */
    lagrangian: PidLagrangianConfigSchema.prefault({}),
    /** Over budget: the command blends toward the hold pose by 1/rampTicks per tick (and back when under). */
    fallbackRampTicks: z.number().int().positive().default(10),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.groups.forEach((g, gi) =>
      g.joints.forEach((j, ji) => {
        if (seen.has(j)) ctx.addIssue({ code: 'custom', path: ['groups', gi, 'joints', ji], message: `'${j}' is adapted twice` });
        seen.add(j);
      }),
    );
    const lead = c.trustRegion.maxLeadRad;
    if (lead !== null && typeof lead === 'object') {
      const res: RegExp[] = [];
      for (const key of Object.keys(lead)) {
        try {
          res.push(new RegExp(`^(?:${key})$`));
        } catch {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['trustRegion', 'maxLeadRad', key], message: `'${key}' is not a regular expression` });
          return;
        }
      }
      for (const j of seen) {
        if (!res.some((re) => re.test(j))) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['trustRegion', 'maxLeadRad'], message: `no entry matches adapted joint '${j}'` });
      }
    }
    if (c.dampingS > 0 && c.correctAt !== 'target') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dampingS'], message: "needs correctAt: 'target' (the damping acts on the velocity error to the target's rate)" });
    const widths = new Set(c.groups.map((g) => g.features.length));
    if (widths.size > 1) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'every group needs the same number of feature joints (one feature layout)' });
    if (c.context) {
      for (const [k, [lo, hi]] of Object.entries(c.context.bounds)) {
        if (!(lo < 0 && hi > 0)) ctx.addIssue({ code: 'custom', path: ['context', 'bounds', k], message: `[${lo}, ${hi}] must contain 0 (the nominal regime) strictly inside` });
        if (k === 'compliance' && !(lo > -1)) ctx.addIssue({ code: 'custom', path: ['context', 'bounds', k], message: `low ${lo} must be above −1 (a servo at kp/(1 + a) needs 1 + a > 0)` });
      }
      if (c.groups.some((g) => g.loadLink === undefined)) ctx.addIssue({ code: 'custom', path: ['context'], message: 'needs a loadLink in every group (the payload regressor)' });
      const res = Object.keys(c.context.kp).map((k) => {
        try {
          return new RegExp(`^(?:${k})$`);
        } catch {
          ctx.addIssue({ code: 'custom', path: ['context', 'kp', k], message: `'${k}' is not a regular expression` });
          return null;
        }
      });
      for (const j of seen) if (!res.some((re) => re?.test(j))) ctx.addIssue({ code: 'custom', path: ['context', 'kp'], message: `no entry matches adapted joint '${j}'` });
    }
    const loads = new Set(c.groups.map((g) => g.loadLink !== undefined));
    if (loads.size > 1) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'every group names a loadLink, or none does (one feature layout)' });
  });
export type AdaptationConfig = z.infer<typeof AdaptationConfigSchema>;
export type AdaptationConfigInput = z.input<typeof AdaptationConfigSchema>;

/** The value of the first entry of a regex record (anchored) matching `joint`, or undefined. */
export function groupValueOf(record: Readonly<Record<string, number>>, joint: string): number | undefined {
  for (const [key, v] of Object.entries(record)) if (new RegExp(`^(?:${key})$`).test(joint)) return v;
  return undefined;
}

/** The command-lead bound of each joint (`trustRegion.maxLeadRad`; Infinity = none), rad. */
export function leadBoundOf(lead: AdaptationConfig['trustRegion']['maxLeadRad'], joint: string): number {
  if (lead === null) return Infinity;
  if (typeof lead === 'number') return lead;
  return groupValueOf(lead, joint) ?? Infinity;
}
