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
    /** Joint groups that are adapted (e.g. one per arm). */
    groups: z.array(AdaptedGroupSchema).min(1),
    /** RLS forgetting factor per policy tick (1 = none; 0.999 ≈ a 20 s memory at 50 Hz). */
    forgetting: finite.gt(0).max(1).default(0.999),
    /** RLS covariance after a switch (prior variance of every weight, rad²): larger → faster, noisier re-fit. */
    resetVariance: finite.positive().default(1),
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
    /** The change-point detector on the normalised one-step error. */
    detector: PageHinkleyConfigSchema.prefault({}),
    match: z
      .object({
        /** Post-switch samples (policy ticks) scored against every library entry before recall-or-create. */
        windowTicks: z.number().int().positive().default(5),
        /** An entry is recalled when its mean normalised squared error on the window is at most this. */
        threshold: finite.positive().default(9),
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
         * never sent (integrator wind-up), so samples commanded at the bound are not learnt.
         */
        maxLeadRad: finite.positive().nullable().default(null),
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
    const widths = new Set(c.groups.map((g) => g.features.length));
    if (widths.size > 1) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'every group needs the same number of feature joints (one feature layout)' });
  });
export type AdaptationConfig = z.infer<typeof AdaptationConfigSchema>;
export type AdaptationConfigInput = z.input<typeof AdaptationConfigSchema>;
