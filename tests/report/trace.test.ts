/** The report's bounded buffers: fixed memory, even decimation, counted drops. */
import { describe, expect, it } from 'vitest';
import { EventLog, Histogram, Trace } from '../../src/report/trace.js';
import { groupJoints } from '../../src/report/render.js';

describe('report buffers', () => {
  it('a trace never exceeds its capacity and keeps an evenly spaced subsample of everything offered', () => {
    const tr = new Trace(2, 8);
    const row = new Float64Array(2);
    for (let i = 0; i < 100; i++) {
      row[0] = i;
      row[1] = -i;
      tr.push(i * 0.5, row);
    }
    expect(tr.length).toBeLessThanOrEqual(8);
    expect(tr.length).toBeGreaterThanOrEqual(4);
    const t = tr.times();
    const steps = t.slice(1).map((x, k) => x - t[k]!);
    expect(new Set(steps).size).toBe(1); // evenly spaced
    expect(t[0]).toBe(0); // starts at the first sample
    expect(t.at(-1)! + steps[0]!).toBeGreaterThan(49.5 - steps[0]!); // reaches the end of the run
    expect(tr.channel(0)).toEqual(t.map((x) => x * 2));
    expect(tr.channel(1)).toEqual(t.map((x) => -x * 2));
    expect(tr.stride).toBe(steps[0]! / 0.5);
  });

  it('rejects an odd capacity', () => {
    expect(() => new Trace(1, 7)).toThrow(/even/);
  });

  it('an event log keeps the first events and counts the rest as dropped', () => {
    const e = new EventLog(3);
    for (let i = 0; i < 5; i++) e.push(i, i, 2 * i);
    expect(e.length).toBe(3);
    expect(e.dropped).toBe(2);
    expect(Array.from(e.code)).toEqual([0, 1, 2]);
  });

  it('a histogram bins values and puts the overflow in its last bin', () => {
    const h = new Histogram(0.5, 4);
    for (const x of [0.1, 0.6, 0.7, 1.9, 100, NaN, -1]) h.add(x);
    expect(Array.from(h.counts)).toEqual([1, 2, 0, 2]);
    expect(h.count).toBe(5);
    expect(h.max).toBe(100);
  });

  it('groups G1 joints by limb', () => {
    const g = groupJoints(['left_hip_pitch_joint', 'waist_yaw_joint', 'right_elbow_joint', 'left_knee_joint', 'mystery']);
    expect(g).toEqual([
      { group: 'left leg', joints: [0, 3] },
      { group: 'waist', joints: [1] },
      { group: 'right arm', joints: [2] },
      { group: 'other joints', joints: [4] },
    ]);
  });
});
