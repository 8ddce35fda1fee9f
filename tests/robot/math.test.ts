import { describe, expect, it } from 'vitest';
import {
  TRANSFORM_SIZE, compose, invertRigid, quatFromRotation, rotateVector, rotationFromAxisAngle, rotationFromQuat,
  rotationFromRpy, setIdentity, transformFromXyzRpy, transformPoint,
} from '../../src/robot/math.js';

const expectClose = (a: ArrayLike<number>, b: number[], digits = 12): void => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, digits));
};
const rot = (axis: [number, number, number], angle: number): Float64Array =>
  rotationFromAxisAngle(setIdentity(new Float64Array(TRANSFORM_SIZE)), 0, ...axis, angle);

describe('rigid transform math (3x4 row-major)', () => {
  it('builds rpy as Rz(yaw)·Ry(pitch)·Rx(roll)', () => {
    const [r, p, y] = [0.3, -0.7, 1.1];
    const expected = new Float64Array(TRANSFORM_SIZE);
    compose(expected, 0, rot([0, 0, 1], y), 0, rot([0, 1, 0], p), 0);
    compose(expected, 0, expected, 0, rot([1, 0, 0], r), 0);
    const actual = rotationFromRpy(setIdentity(new Float64Array(TRANSFORM_SIZE)), 0, r, p, y);
    expectClose(actual, Array.from(expected));
  });

  it('rotates +x to +y by a quarter turn about z and maps points through translation', () => {
    const t = transformFromXyzRpy(new Float64Array(TRANSFORM_SIZE), 0, 1, 2, 3, 0, 0, Math.PI / 2);
    expectClose(transformPoint(new Float64Array(3), 0, t, 0, [1, 0, 0]), [1, 3, 3]);
    expectClose(rotateVector(new Float64Array(3), 0, t, 0, [1, 0, 0]), [0, 1, 0]);
  });

  it('inverts a rigid transform', () => {
    const t = transformFromXyzRpy(new Float64Array(TRANSFORM_SIZE), 0, 0.4, -1, 2, 0.2, 0.5, -2.5);
    const inv = invertRigid(new Float64Array(TRANSFORM_SIZE), 0, t, 0);
    const id = compose(new Float64Array(TRANSFORM_SIZE), 0, t, 0, inv, 0);
    expectClose(id, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('works at offsets inside a shared buffer', () => {
    const buf = new Float64Array(3 * TRANSFORM_SIZE);
    transformFromXyzRpy(buf, 12, 1, 0, 0, 0, 0, 0);
    transformFromXyzRpy(buf, 24, 0, 1, 0, 0, 0, Math.PI);
    compose(buf, 0, buf, 12, buf, 24);
    expectClose(buf.subarray(0, 12), [-1, 0, 0, 1, 0, -1, 0, 1, 0, 0, 1, 0]);
  });

  it('round-trips quaternions (w, x, y, z) through matrices, w >= 0', () => {
    const cases: [number, number, number][] = [[0, 0, 0], [0.1, 0.2, 0.3], [Math.PI, 0, 0], [0, Math.PI, 0.3], [2.9, -1.2, 3.1]];
    const m = new Float64Array(TRANSFORM_SIZE);
    const q = new Float64Array(4);
    const back = new Float64Array(TRANSFORM_SIZE);
    for (const [r, p, y] of cases) {
      rotationFromRpy(m, 0, r, p, y);
      quatFromRotation(q, 0, m, 0);
      expect(Math.hypot(...q)).toBeCloseTo(1, 12);
      expect(q[0]).toBeGreaterThanOrEqual(0);
      rotationFromQuat(back, 0, q);
      for (const i of [0, 1, 2, 4, 5, 6, 8, 9, 10]) expect(back[i]).toBeCloseTo(m[i]!, 12);
    }
    // A half turn about z is (0, 0, 0, 1).
    expectClose(quatFromRotation(q, 0, rot([0, 0, 1], Math.PI), 0), [0, 0, 0, 1]);
    // 90° about x is (cos45°, sin45°, 0, 0).
    expectClose(quatFromRotation(q, 0, rot([1, 0, 0], Math.PI / 2), 0), [Math.SQRT1_2, Math.SQRT1_2, 0, 0]);
  });
});
