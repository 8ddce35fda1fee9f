import { describe, expect, it } from 'vitest';
import { CONSTRAINT_NAMES } from '../../src/safety/band.js';
import { InterventionPhases } from '../../src/runtime/intervention-phases.js';
import { ShieldState, type ShieldStatus } from '../../src/safety/status.js';

/** The fields the recorder reads, driven by hand. */
function fakeStatus() {
  return {
    ticks: 0,
    interventionTicks: 0,
    interventions: new Uint32Array(CONSTRAINT_NAMES.length),
    timeInStateS: new Float64Array(4),
  };
}
const EFFORT = CONSTRAINT_NAMES.indexOf('effort');
const FOLLOWING = CONSTRAINT_NAMES.indexOf('following');

describe('interventions by scenario phase', () => {
  it('splits counts at every event time, merging events at one time and ignoring those outside the run', () => {
    const st = fakeStatus();
    const phases = new InterventionPhases(
      [
        { atS: 5, label: 'set_friction j' },
        { atS: 2, label: 'add_payload hand' },
        { atS: 5, label: 'set_damping k' },
        { atS: 0, label: 'cmd_vel' }, // at t = 0: part of the first phase
        { atS: 99, label: 'estop' }, // after the end
      ],
      10,
      st as unknown as ShieldStatus,
    );
    const advance = (t: number, ticks: number, changed: number, effort: number, following: number) => {
      st.ticks += ticks;
      st.interventionTicks += changed;
      st.interventions[EFFORT]! += effort;
      st.interventions[FOLLOWING]! += following;
      st.timeInStateS[ShieldState.Active]! += ticks * 0.002;
      phases.sample(t);
    };
    advance(1, 500, 0, 0, 0);
    advance(2, 500, 3, 2, 1); // reaches the 2 s boundary: counted in the first phase
    advance(4.999, 1500, 10, 10, 0);
    advance(5, 0, 0, 0, 0);
    advance(10, 2500, 2500, 2500, 7);
    const p = phases.finish(10);
    expect(p.map((x) => [x.fromS, x.toS, x.events])).toEqual([
      [0, 2, ['start']],
      [2, 5, ['add_payload hand']],
      [5, 10, ['set_friction j', 'set_damping k']],
    ]);
    expect(p.map((x) => x.ticks)).toEqual([1000, 1500, 2500]);
    expect(p.map((x) => x.interventionTicks)).toEqual([3, 10, 2500]);
    expect(p.map((x) => x.interventions)).toEqual([{ effort: 2, following: 1 }, { effort: 10 }, { effort: 2500, following: 7 }]);
    expect(p[2]!.activeS).toBe(5);
  });

  it('ends the last phase at the run end when the run stopped early', () => {
    const st = fakeStatus();
    const phases = new InterventionPhases([{ atS: 3, label: 'estop' }], 12, st as unknown as ShieldStatus);
    st.ticks = 100;
    phases.sample(1);
    expect(phases.finish(1).map((x) => [x.fromS, x.toS, x.ticks])).toEqual([[0, 1, 100]]);
  });
});
