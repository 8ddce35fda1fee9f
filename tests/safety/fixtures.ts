/** Fixed fixtures for the shield tests: a three-joint limit set and message views. */
import type { JointLimitArrays } from '../../src/robot/model.js';
import { ShieldCoreConfigSchema, ShieldLimitsConfigSchema, type ShieldCoreConfig } from '../../src/safety/config.js';
import type { NamedCandidate, NamedJointState } from '../../src/safety/inputs.js';
import { shieldLimitsOrThrow, type ShieldLimits } from '../../src/safety/limits.js';
import { Shield } from '../../src/safety/shield.js';
import type { z } from 'zod';

export const NAMES = ['a', 'b', 'c'] as const;

/** a: [−1, 1] rad, 2 rad/s, 10 N·m; b: [−2, 0.5] rad, 4 rad/s, 50 N·m; c: continuous, 1 rad/s, 5 N·m. */
export function urdfLimits(): JointLimitArrays {
  return {
    names: [...NAMES],
    lower: Float64Array.of(-1, -2, -Infinity),
    upper: Float64Array.of(1, 0.5, Infinity),
    velocity: Float64Array.of(2, 4, 1),
    effort: Float64Array.of(10, 50, 5),
  };
}

export function limits(cfg: z.input<typeof ShieldLimitsConfigSchema> = {}): ShieldLimits {
  return shieldLimitsOrThrow(urdfLimits(), ShieldLimitsConfigSchema.parse({
    positionMarginRad: 0, accelerationRadPerS2: 100, decelerationRadPerS2: 50, kpNmPerRad: 20, kdNmSPerRad: 0.5, ...cfg,
  }));
}

/** The embedded demo's start (autoActivate at the first start) unless a test says otherwise. */
export function coreConfig(cfg: z.input<typeof ShieldCoreConfigSchema> = {}): ShieldCoreConfig {
  return ShieldCoreConfigSchema.parse({ rateHz: 500, autoActivate: true, ...cfg });
}

export function makeShield(
  lim: z.input<typeof ShieldLimitsConfigSchema> = {},
  core: z.input<typeof ShieldCoreConfigSchema> = {},
): Shield {
  return new Shield(limits(lim), coreConfig(core));
}

export function state(stampS: number, position: number[], velocity: number[] = position.map(() => 0), names: readonly string[] = NAMES): NamedJointState {
  return { stampS, names, position: Float64Array.from(position), velocity: Float64Array.from(velocity) };
}

export function command(stampS: number, positions: number[], names: readonly string[] = NAMES, horizonS = 0): NamedCandidate {
  return {
    stampS, names, positions: Float64Array.from(positions), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS,
  };
}

export const DT = 1 / 500;

/** Tick time k on the 500 Hz grid, s. */
export const at = (k: number): number => k * DT;
