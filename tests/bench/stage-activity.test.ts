import { describe, expect, it } from 'vitest';
import { Constraint, CONSTRAINT_COUNT } from '../../src/safety/band.js';
import { makeBarrierSet, type BarrierSet } from '../../src/safety/barrier.js';
import type { BarrierSource } from '../../src/safety/barrier-stage.js';
import { RowCountingSource, StageActivity } from '../../src/bench/stage-activity.js';
import { at, command, makeShield, state } from '../safety/fixtures.js';

function counters() {
  return { interventions: new Uint32Array(CONSTRAINT_COUNT), relaxations: new Uint32Array(CONSTRAINT_COUNT) };
}

describe('StageActivity', () => {
  it('counts a tick once per constraint whose intervention or relaxation counter grew, from the counters at construction', () => {
    const c = counters();
    c.interventions[Constraint.Effort] = 7; // before counting starts: not a tick
    const a = new StageActivity(c);
    c.interventions[Constraint.Effort]! += 3; // tick 1: effort changed 3 joints
    a.record(c);
    a.record(c); // tick 2: nothing
    c.relaxations[Constraint.Following]! += 1; // tick 3: following relaxed
    c.interventions[Constraint.Collision]! += 1;
    a.record(c);
    expect(a.ticks).toBe(3);
    expect(a.activeTicks[Constraint.Effort]).toBe(1);
    expect(a.share('effort')).toBeCloseTo(1 / 3, 12);
    expect(a.share('following')).toBeCloseTo(1 / 3, 12);
    expect(a.share('collision')).toBeCloseTo(1 / 3, 12);
    expect(a.share('velocity')).toBe(0);
  });

  it('is NaN before any tick', () => {
    expect(new StageActivity(counters()).share('effort')).toBeNaN();
  });

  it("sees a real shield's following-error bound when the measured joint does not follow", () => {
    // Joint a is commanded to 0.9 rad but its measured position stays at 0: the command ramps at the
    // acceleration limit (100 rad/s²) and must stop 0.15 rad from the measurement (the bound), so the
    // following-error stage changes the command on some ticks, and never before the ramp gets there
    // (the bound yields to the acceleration limit while braking, counted as a relaxation: at most the braking
    // distance from the 2 rad/s velocity limit at 100 rad/s², 2²/(2·100) = 0.02 rad, past it).
    const shield = makeShield({ followingErrorRad: 0.15, effortStage: false });
    const activity = new StageActivity(shield.status);
    let firstActive = -1;
    for (let k = 0; k < 200; k++) {
      shield.tick(at(k), state(at(k), [0, 0, 0]), k % 10 === 0 ? command(at(k), [0.9, 0, 0]) : null);
      activity.record(shield.status);
      if (firstActive < 0 && activity.activeTicks[Constraint.Following]! > 0) firstActive = k;
      expect(Math.abs(shield.output[0]!)).toBeLessThanOrEqual(0.15 + 0.02 + 1e-9);
    }
    expect(activity.share('following')).toBeGreaterThan(0);
    // 0.15 rad at 100 rad/s² takes ≥ √(2·0.15/100) ≈ 55 ms ≈ 27 ticks.
    expect(firstActive).toBeGreaterThanOrEqual(20);
    expect(activity.share('effort')).toBe(0);
  });
});

describe('RowCountingSource', () => {
  it('counts evaluations, those with rows, rows and the most rows, and forwards both calls', () => {
    const script = [0, 3, 0, 5];
    let calls = 0;
    let valueCalls = 0;
    const inner: BarrierSource = {
      evaluate: (_p, set: BarrierSet) => { set.m = script[calls++]!; },
      values: (_p, _set, out) => { valueCalls++; out[0] = 42; },
    };
    const src = new RowCountingSource(inner);
    const set = makeBarrierSet(3, 8, 0.05);
    const p = new Float64Array(3);
    for (let i = 0; i < script.length; i++) src.evaluate(p, set, p, p);
    expect([src.evaluations, src.withRows, src.rows, src.maxRows]).toEqual([4, 2, 8, 5]);
    const out = new Float64Array(1);
    src.values(p, set, out);
    expect([valueCalls, out[0]]).toEqual([1, 42]);
    src.clear();
    expect([src.evaluations, src.withRows, src.rows, src.maxRows]).toEqual([0, 0, 0, 0]);
  });
});
