/**
 * Robustness sweep (optional): the same trial over a grid of one varied
 * condition, every other condition nominal (no pose noise, friction 1, no
 * payload, full motor strength, no latency, no push), from easy to hard; the
 * margin is the last value that passed before the first failure.
 */
import { planTrials, type AdmissionOptions, type PlanContext, type ScenarioName, type TrialConditions, type TrialSpec } from './plan.js';

export const SWEEP_CONDITIONS = ['latency', 'payload', 'friction', 'push', 'strength'] as const;
export type SweepCondition = (typeof SWEEP_CONDITIONS)[number];

/** The grid of each condition, easy → hard, and its unit. */
export const SWEEP_GRIDS: Record<SweepCondition, { from: number; to: number; unit: string }> = {
  latency: { from: 0, to: 0.04, unit: 's' },
  payload: { from: 0, to: 10, unit: 'kg' },
  friction: { from: 1.2, to: 0.2, unit: '' },
  push: { from: 0, to: 60, unit: 'N·s' },
  strength: { from: 1, to: 0.5, unit: '' },
};

/** `n` values from the grid's easy end to its hard end. */
export function sweepValues(condition: SweepCondition, n: number): number[] {
  const g = SWEEP_GRIDS[condition];
  if (n < 2) return [g.from];
  return Array.from({ length: n }, (_, i) => Number((g.from + ((g.to - g.from) * i) / (n - 1)).toFixed(6)));
}

/** One trial per value: the scenario's first seed, nominal conditions, `condition` set to the value. */
export function sweepTrials(ctx: PlanContext, opts: AdmissionOptions, scenario: ScenarioName, condition: SweepCondition, values: readonly number[]): TrialSpec[] {
  const base = planTrials(ctx, { ...opts, seeds: 1, scenarios: [scenario] })[0];
  if (!base) throw new Error(`scenario '${scenario}' has no trial for this policy (its command range gives no room)`);
  const nominal: TrialConditions = {
    poseNoiseRad: {},
    friction: 1,
    addedMass: { link: base.conditions.addedMass.link, kg: 0 },
    motorStrength: 1,
    latencyS: 0,
    push: null,
  };
  const pushAtS = Math.min(base.durationS - 2, (base.trackFromS ?? 1) + 1);
  return values.map((v) => {
    const c: TrialConditions = { ...nominal, addedMass: { ...nominal.addedMass } };
    if (condition === 'latency') c.latencyS = v;
    else if (condition === 'payload') c.addedMass.kg = v;
    else if (condition === 'friction') c.friction = v;
    else if (condition === 'strength') c.motorStrength = v;
    else c.push = v > 0 ? { atS: pushAtS, impulseNs: [0, v, 0] } : null;
    return { ...base, conditions: c };
  });
}

/** The last passing value before the first failure (null: the first value failed); `failsAt` null: none failed. */
export function sweepMargin(values: readonly number[], pass: readonly boolean[]): { margin: number | null; failsAt: number | null } {
  const first = pass.findIndex((p) => !p);
  if (first < 0) return { margin: values[values.length - 1] ?? null, failsAt: null };
  return { margin: first === 0 ? null : values[first - 1]!, failsAt: values[first]! };
}
