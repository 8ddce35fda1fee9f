import { describe, expect, it } from 'vitest';
import { DeadlineSchedule, monotonicNs, sleepUntil } from '../../src/timing/index.js';

describe('absolute-deadline sleeping', () => {
  it('never returns before the deadline', () => {
    for (let i = 0; i < 20; i++) {
      const deadline = monotonicNs() + 300_000n;
      sleepUntil(deadline);
      expect(monotonicNs() >= deadline).toBe(true);
    }
  });

  it('schedules deadlines at start + k·period, independent of when wait() returns', () => {
    const s = new DeadlineSchedule(1_000_000n, 5_000_000n);
    expect(s.nextNs).toBe(6_000_000n);
    // the start lies in the past: every wait is an overrun, and the deadlines still advance by exactly one period
    s.wait();
    expect(s.nextNs).toBe(7_000_000n);
    expect(s.overruns).toBe(1);
  });

  it('rejects a non-positive period', () => {
    expect(() => new DeadlineSchedule(0n)).toThrow(/positive/);
  });
});
