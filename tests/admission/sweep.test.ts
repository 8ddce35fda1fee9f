/**
 * Robustness sweep grids (pure): one condition varied from easy to hard, every
 * other condition nominal; the margin is the last pass before the first failure.
 */
import { describe, expect, it } from 'vitest';
import { AdmissionOptionsSchema, sweepMargin, sweepTrials, sweepValues, type PlanContext } from '../../src/admission/index.js';

const ctx: PlanContext = { kind: 'velocity', commandRanges: [[-0.5, 1], [-0.3, 0.3], [-0.2, 0.2]], joints: ['a'], links: ['torso_link'], rootLink: 'pelvis' };

describe('robustness sweep', () => {
  it('grids run from the easy end to the hard end', () => {
    expect(sweepValues('latency', 5)).toEqual([0, 0.01, 0.02, 0.03, 0.04]);
    expect(sweepValues('friction', 3)).toEqual([1.2, 0.7, 0.2]);
    expect(sweepValues('push', 2)).toEqual([0, 60]);
  });

  it('only the swept condition differs from nominal', () => {
    const specs = sweepTrials(ctx, AdmissionOptionsSchema.parse({}), 'forward', 'payload', [0, 2.5, 5]);
    expect(specs.map((s) => s.conditions.addedMass.kg)).toEqual([0, 2.5, 5]);
    for (const s of specs) {
      expect(s.scenario).toBe('forward');
      expect(s.command!.vx).toBeCloseTo(0.9, 12);
      expect([s.conditions.friction, s.conditions.motorStrength, s.conditions.latencyS, s.conditions.push]).toEqual([1, 1, 0, null]);
      expect(s.conditions.poseNoiseRad).toEqual({});
    }
    const push = sweepTrials(ctx, AdmissionOptionsSchema.parse({}), 'forward', 'push', [0, 30]);
    expect(push[0]!.conditions.push).toBeNull();
    expect(push[1]!.conditions.push).toEqual({ atS: 3.5, impulseNs: [0, 30, 0] });
  });

  it('the margin is the last pass before the first failure', () => {
    expect(sweepMargin([0, 1, 2, 3], [true, true, false, true])).toEqual({ margin: 1, failsAt: 2 });
    expect(sweepMargin([0, 1], [false, true])).toEqual({ margin: null, failsAt: 0 });
    expect(sweepMargin([0, 1], [true, true])).toEqual({ margin: 1, failsAt: null });
  });
});
