/**
 * Chunk execution: targets interpolated linearly from the start pose through
 * the waypoints, `waypointS` apart, holding the last; nothing before a load
 * or after a clear. Expected values computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { ChunkExecutor } from '../../../src/policy/diffusion/chunk-executor.js';

describe('ChunkExecutor', () => {
  it('interpolates from the start pose through the waypoints and holds the last one', () => {
    const x = new ChunkExecutor(3, 2, 0.5);
    const out = new Float64Array(2);
    expect(x.targetAt(0, out)).toBe(false);
    // waypoints (1, 10), (2, 20), (4, 40); start (0, 0) at t0 = 10 s
    x.load(10, [0, 0], [1, 10, 2, 20, 4, 40]);
    const at = (t: number): number[] => {
      expect(x.targetAt(t, out)).toBe(true);
      return [...out];
    };
    expect(at(9)).toEqual([0, 0]); // before the start: the start pose
    expect(at(10)).toEqual([0, 0]);
    expect(at(10.25)[0]).toBeCloseTo(0.5, 12); // half way to waypoint 0
    expect(at(10.25)[1]).toBeCloseTo(5, 12);
    expect(at(10.5)).toEqual([1, 10]); // waypoint 0
    expect(at(10.625)[0]).toBeCloseTo(1.25, 12); // a quarter from waypoint 0 to 1
    expect(at(11.25)[1]).toBeCloseTo(30, 12); // half way from waypoint 1 to 2
    expect(at(11.5)).toEqual([4, 40]); // the last waypoint
    expect(at(100)).toEqual([4, 40]); // held
    x.clear();
    out.fill(-1);
    expect(x.targetAt(11, out)).toBe(false);
    expect([...out]).toEqual([-1, -1]);
  });

  it('a reload restarts from the new start pose', () => {
    const x = new ChunkExecutor(1, 1, 1);
    const out = new Float64Array(1);
    x.load(0, [0], [1]);
    x.load(5, [3], [5]);
    x.targetAt(5.5, out);
    expect(out[0]).toBeCloseTo(4, 12);
  });

  it('refuses a shape it cannot execute', () => {
    expect(() => new ChunkExecutor(0, 2, 0.5)).toThrow(/horizon/);
    expect(() => new ChunkExecutor(2, 2, 0)).toThrow(/waypointS/);
  });
});
