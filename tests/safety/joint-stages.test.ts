import { describe, expect, it } from 'vitest';
import { Constraint, makeBand, makeIntervention, openBand, projectOntoBand, CONSTRAINT_COUNT } from '../../src/safety/band.js';
import {
  accelerationStage, brakingSpeedRadPerS, brakingTarget, effortStage, jerkStage, positionStage, velocityStage,
} from '../../src/safety/joint-stages.js';
import { makeClock } from '../../src/safety/clock.js';
import { DT, limits } from './fixtures.js';

const CLOCK = makeClock(DT);

const f = (...x: number[]) => Float64Array.from(x);

function band3() {
  const b = makeBand(3);
  openBand(b);
  return b;
}

describe('braking speed', () => {
  it('when the bound is d away, the speed v satisfies v² = 2·D·(d − v·dt) exactly', () => {
    const v = brakingSpeedRadPerS(0.3, 50, DT);
    expect(v * v).toBeCloseTo(2 * 50 * (0.3 - v * DT), 12);
  });
  it('when at or beyond the bound, no speed toward it is allowed', () => {
    expect(brakingSpeedRadPerS(0, 50, DT)).toBe(0);
    expect(brakingSpeedRadPerS(-0.1, 50, DT)).toBe(0);
  });
  it('when the bound is infinitely far (continuous joint), speed is unbounded', () => {
    expect(brakingSpeedRadPerS(Infinity, 50, DT)).toBe(Infinity);
  });
});

describe('position stage', () => {
  it('when at rest far from the limits, the band is the position range', () => {
    const b = band3();
    positionStage(b, limits(), f(0, 0, 0), CLOCK);
    // far from the bound the stopping-distance edge lies beyond the range edge
    expect(b.hi[0]).toBeLessThanOrEqual(1);
    expect(b.lo[1]).toBeGreaterThanOrEqual(-2);
    expect(b.hi[2]).toBe(Infinity);
  });
  it('when close to the upper limit, the allowed step toward it is the stopping-distance speed', () => {
    const b = band3();
    positionStage(b, limits(), f(0.99, 0, 0), CLOCK);
    expect(b.hi[0]).toBeCloseTo(0.99 + brakingSpeedRadPerS(0.01, 50, DT) * DT, 15);
    expect(b.hiBy[0]).toBe(Constraint.Position);
  });
  it('when the command is outside the range, it may only move back in', () => {
    const b = band3();
    positionStage(b, limits(), f(1.2, -2.5, 0), CLOCK);
    expect(b.hi[0]).toBe(1.2);
    expect(b.lo[1]).toBe(-2.5);
  });
});

describe('velocity, acceleration, effort and jerk stages', () => {
  it('velocity: the step is at most V·dt either way', () => {
    const b = band3();
    expect(velocityStage(b, limits(), f(0, 0, 0), CLOCK)).toBe(0);
    expect([b.lo[0], b.hi[0], b.hi[1]]).toEqual([-2 * DT, 2 * DT, 4 * DT]);
  });
  it('acceleration: the velocity changes by at most A·dt', () => {
    const b = band3();
    accelerationStage(b, limits(), f(0, 0, 0), f(1, 0, 0), CLOCK);
    expect(b.lo[0]).toBeCloseTo((1 - 100 * DT) * DT, 15);
    expect(b.hi[0]).toBeCloseTo((1 + 100 * DT) * DT, 15);
  });
  it('effort: the command keeps kp·(p − q) − kd·q̇ + τff within ±E', () => {
    const b = band3();
    // joint a: kp 20, kd 0.5, E 10 → centre q + kd·q̇/kp = 0.1 + 0.5·2/20 = 0.15, half-width 0.5
    effortStage(b, limits(), f(0.1, 0, 0), f(2, 0, 0), f(0, 0, 0));
    expect(b.lo[0]).toBeCloseTo(-0.35, 15);
    expect(b.hi[0]).toBeCloseTo(0.65, 15);
  });
  it('effort: when incompatible with the hard band, the band collapses to the nearest edge and counts a relaxation', () => {
    const b = band3();
    velocityStage(b, limits(), f(0, 0, 0), CLOCK);
    expect(effortStage(b, limits(), f(3, 0, 0), f(0, 0, 0), f(0, 0, 0))).toBe(1);
    expect(b.lo[0]).toBe(2 * DT);
    expect(b.hi[0]).toBe(2 * DT);
    expect(b.loBy[0]).toBe(Constraint.Effort);
  });
  it('jerk: the acceleration changes by at most J·dt; joints without a jerk limit are untouched', () => {
    const b = band3();
    jerkStage(b, limits({ jerkRadPerS3: 1000 }), f(0, 0, 0), f(0, 0, 0), f(0, 0, 0), CLOCK);
    expect(b.hi[0]).toBeCloseTo(1000 * DT ** 3, 18);
    const open = band3();
    jerkStage(open, limits(), f(0, 0, 0), f(0, 0, 0), f(0, 0, 0), CLOCK);
    expect(open.hi[0]).toBe(Infinity);
  });
});

describe('projection', () => {
  it('when the target is inside the band, it is copied bit for bit and nothing is counted', () => {
    const b = band3();
    velocityStage(b, limits(), f(0.1, 0.2, 0.3), CLOCK);
    const target = f(0.1 + 1e-17, 0.2 + DT, 0.3 - 1e-9);
    const out = new Float64Array(3);
    const counts = new Uint32Array(CONSTRAINT_COUNT);
    const size = projectOntoBand(target, b, out, counts, makeIntervention());
    expect(Object.is(out[0], target[0]) && Object.is(out[1], target[1]) && Object.is(out[2], target[2])).toBe(true);
    expect(size.joints).toBe(0);
    expect(counts.every((c) => c === 0)).toBe(true);
  });
  it('when the target is outside, it is clamped to the nearest edge; the size and the binding constraint are reported', () => {
    const b = band3();
    velocityStage(b, limits(), f(0, 0, 0), CLOCK);
    const counts = new Uint32Array(CONSTRAINT_COUNT);
    const out = new Float64Array(3);
    const size = projectOntoBand(f(1, 0, -1), b, out, counts, makeIntervention());
    expect(Array.from(out)).toEqual([2 * DT, 0, -DT]);
    expect(size.joints).toBe(2);
    expect(size.linfRad).toBeCloseTo(1 - DT, 15);
    expect(counts[Constraint.Velocity]).toBe(2);
  });
});

describe('braking target', () => {
  it('reduces each speed toward zero by D·dt and stops when below it', () => {
    const out = new Float64Array(3);
    brakingTarget(limits(), f(0, 0, 0), f(1, -1, 0.05), CLOCK, out);
    expect(out[0]).toBeCloseTo((1 - 50 * DT) * DT, 15);
    expect(out[1]).toBeCloseTo(-(1 - 50 * DT) * DT, 15);
    expect(out[2]).toBe(0);
  });
});

describe('following-error stage', () => {
  it('when_command_leads_the_measured_position_by_more_than_the_bound_expect_it_clamped_to_the_bound', async () => {
    const { makeBand, openBand } = await import('../../src/safety/band.js');
    const { followingErrorStage } = await import('../../src/safety/joint-stages.js');
    const band = makeBand(2);
    openBand(band);
    const limits = { followingError: Float64Array.of(0.1, Infinity) } as unknown as Parameters<typeof followingErrorStage>[1];
    const relaxed = followingErrorStage(band, limits, Float64Array.of(0.5, 0.5));
    expect(relaxed).toBe(0);
    expect(band.lo[0]).toBeCloseTo(0.4, 12);
    expect(band.hi[0]).toBeCloseTo(0.6, 12);
    expect(band.hi[1]).toBe(Infinity); // joint without a bound is untouched
  });
});
