import { describe, expect, it } from 'vitest';
import { ActionMapper, ActionSpecSchema } from '../../src/policy/action.js';

const DEFAULT = Float64Array.of(0.3, -0.15, 0);

describe('action mapping', () => {
  it('target = default + scale · clip(action) per joint', () => {
    const m = new ActionMapper(ActionSpecSchema.parse({ scale: [0.25, 0.5, 1], clip: 10 }), DEFAULT);
    expect(m.map(Float32Array.of(2, -40, 0.5)).kind).toBe('ok');
    expect(Array.from(m.target)).toEqual([0.3 + 0.5, -0.15 - 5, 0.5]);
    expect(Array.from(m.raw)).toEqual([2, -40, 0.5]);
    expect(Array.from(m.clipped)).toEqual([2, -10, 0.5]);
  });

  it('an explicit offset and an asymmetric clip replace the defaults', () => {
    const m = new ActionMapper(ActionSpecSchema.parse({ scale: 2, clip: [-1, 0.5], offset: [1, 1, 1] }), DEFAULT);
    m.map([3, -3, 0.25]);
    expect(Array.from(m.target)).toEqual([2, -1, 1.5]);
  });

  it('a NaN in the action produces no target and names the joint', () => {
    const m = new ActionMapper(ActionSpecSchema.parse({ scale: 1 }), DEFAULT);
    m.map([1, 1, 1]);
    const before = Array.from(m.target);
    const r = m.map([0, NaN, 0]);
    expect(r).toEqual({ kind: 'non_finite', index: 1 });
    expect(Array.from(m.target)).toEqual(before);
  });

  it('the low-pass blends the new target with the previous one after the first', () => {
    const m = new ActionMapper(ActionSpecSchema.parse({ scale: 1, offset: [0, 0, 0], lowPassAlpha: 0.5 }), DEFAULT);
    m.map([1, 1, 1]);
    expect(m.target[0]).toBe(1);
    m.map([0, 0, 0]);
    expect(m.target[0]).toBe(0.5);
  });

  it('rejects per-joint arrays of the wrong length', () => {
    expect(() => new ActionMapper(ActionSpecSchema.parse({ scale: [1, 2] }), DEFAULT)).toThrow(/action.scale: 2 values for 3 joints/);
    expect(ActionSpecSchema.safeParse({ clip: [1, -1] }).success).toBe(false);
  });
});
