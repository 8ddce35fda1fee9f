import { describe, expect, it } from 'vitest';
import { setTimeSeconds, setTimeSecondsFrom, zeroTime } from '../../src/transport/messages.js';

describe('float seconds into a builtin_interfaces/Time', () => {
  it('rounds to the nearest nanosecond', () => {
    const t = zeroTime();
    setTimeSeconds(t, 12.25);
    expect(t).toEqual({ sec: 12, nanosec: 250_000_000 });
    setTimeSeconds(t, 0.0030000000000000001);
    expect(t).toEqual({ sec: 0, nanosec: 3_000_000 });
  });

  it('carries a fraction that rounds up to a whole second into sec', () => {
    const t = zeroTime();
    let s = 0;
    for (let k = 0; k < 1000; k++) s += 0.001; // 0.9999999999999062: what a 1 ms sim clock holds after 1000 steps
    setTimeSeconds(t, s);
    expect(t).toEqual({ sec: 1, nanosec: 0 });
  });

  it('stays a valid stamp at wall-clock magnitudes (nanosec in [0, 1e9))', () => {
    const t = zeroTime();
    for (const s of [1_732_000_000.9999999, 1_732_000_000.0000001, 1_732_000_000.5]) {
      setTimeSeconds(t, s);
      expect(t.nanosec).toBeGreaterThanOrEqual(0);
      expect(t.nanosec).toBeLessThan(1_000_000_000);
      expect(t.sec + t.nanosec * 1e-9).toBeCloseTo(s, 6);
    }
  });

  it('reads the seconds from a typed-array slot in the allocation-free form', () => {
    const a = zeroTime();
    const b = zeroTime();
    setTimeSeconds(a, 3.141592653);
    setTimeSecondsFrom(b, Float64Array.of(3.141592653));
    expect(b).toEqual(a);
    expect(b).toEqual({ sec: 3, nanosec: 141_592_653 });
  });
});
