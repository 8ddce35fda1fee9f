/**
 * Orientation helpers with the quaternion convention explicit in every name.
 * ROS `sensor_msgs/Imu.orientation` has named fields x, y, z, w (Hamilton,
 * body → world). Arrays from other sources say their order: `xyzw` (ROS,
 * Eigen coeffs, SciPy) or `wxyz` (MuJoCo, Isaac Lab).
 *
 * Projected gravity is gravity's direction in the base frame:
 * g_b = R(q)ᵀ · [0, 0, −1]. Upright → [0, 0, −1]; pitched nose-down by θ →
 * [sin θ, 0, −cos θ].
 */

export type QuatOrder = 'xyzw' | 'wxyz';

/**
 * Writes R(q)ᵀ·[0, 0, −1] into out[offset..offset+3] for q = [x, y, z, w]
 * (normalised here; a zero quaternion gives NaN so the caller sees it).
 * The quaternion comes as an array, not four numbers: float arguments of a
 * call V8 does not inline are boxed (16 B each), and this runs every tick.
 */
export function projectedGravityXyzw(q: ArrayLike<number>, out: Float64Array, offset = 0): void {
  const x = q[0] ?? NaN, y = q[1] ?? NaN, z = q[2] ?? NaN, w = q[3] ?? NaN;
  const n = x * x + y * y + z * z + w * w;
  const s = 2 / n;
  // third row of R(q): [2(xz − wy), 2(yz + wx), 1 − 2(x² + y²)] (for unit q)
  out[offset] = -s * (x * z - w * y);
  out[offset + 1] = -s * (y * z + w * x);
  out[offset + 2] = -(1 - s * (x * x + y * y));
}

/** Reads a quaternion stored in `order` from src[offset..] and writes x, y, z, w into out[0..4]. */
export function quatToXyzw(src: ArrayLike<number>, order: QuatOrder, out: Float64Array, offset = 0): void {
  if (order === 'xyzw') {
    out[0] = src[offset] ?? NaN;
    out[1] = src[offset + 1] ?? NaN;
    out[2] = src[offset + 2] ?? NaN;
    out[3] = src[offset + 3] ?? NaN;
  } else {
    out[3] = src[offset] ?? NaN;
    out[0] = src[offset + 1] ?? NaN;
    out[1] = src[offset + 2] ?? NaN;
    out[2] = src[offset + 3] ?? NaN;
  }
}

/**
 * First two columns of the rotation matrix of q_a⁻¹ ⊗ q_b (both xyzw, unit),
 * written row-major as [r00, r01, r10, r11, r20, r21] — the "6D" orientation
 * of body b relative to body a used by motion-tracking policies.
 */
export function relativeOri6dXyzw(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array, offset = 0): void {
  const ax = -(a[0] ?? NaN), ay = -(a[1] ?? NaN), az = -(a[2] ?? NaN), aw = a[3] ?? NaN;
  const bx = b[0] ?? NaN, by = b[1] ?? NaN, bz = b[2] ?? NaN, bw = b[3] ?? NaN;
  // q = conj(a) ⊗ b
  const w = aw * bw - ax * bx - ay * by - az * bz;
  const x = aw * bx + ax * bw + ay * bz - az * by;
  const y = aw * by - ax * bz + ay * bw + az * bx;
  const z = aw * bz + ax * by - ay * bx + az * bw;
  out[offset] = 1 - 2 * (y * y + z * z);
  out[offset + 1] = 2 * (x * y - z * w);
  out[offset + 2] = 2 * (x * y + z * w);
  out[offset + 3] = 1 - 2 * (x * x + z * z);
  out[offset + 4] = 2 * (x * z - y * w);
  out[offset + 5] = 2 * (y * z + x * w);
}
