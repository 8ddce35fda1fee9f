/**
 * Allocation-free rigid-transform helpers over Float64Array.
 *
 * Layout: a rigid transform is 12 doubles, a 3x4 matrix [R | t] stored
 * row-major at an offset `o`:
 *
 *   a[o+0] a[o+1] a[o+2]  a[o+3]      r00 r01 r02 tx
 *   a[o+4] a[o+5] a[o+6]  a[o+7]  =   r10 r11 r12 ty
 *   a[o+8] a[o+9] a[o+10] a[o+11]     r20 r21 r22 tz
 *
 * The implicit fourth row is [0 0 0 1]. Transforms map child-frame points to
 * parent-frame points: p_parent = R·p_child + t. Many transforms live in one
 * buffer at offsets that are multiples of TRANSFORM_SIZE.
 *
 * Quaternions are (w, x, y, z), unit length. Every function writes into `out`
 * and allocates nothing; `compose` and `transformPoint` accept `out` aliasing
 * an input.
 */

/** Doubles per transform. */
export const TRANSFORM_SIZE = 12;

/** Writes the identity transform at `o`. */
export function setIdentity(out: Float64Array, o = 0): Float64Array {
  out[o] = 1; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
  out[o + 4] = 0; out[o + 5] = 1; out[o + 6] = 0; out[o + 7] = 0;
  out[o + 8] = 0; out[o + 9] = 0; out[o + 10] = 1; out[o + 11] = 0;
  return out;
}

/** Copies the transform at `a[ao]` to `out[oo]`. */
export function copyTransform(out: Float64Array, oo: number, a: Float64Array, ao: number): Float64Array {
  for (let i = 0; i < TRANSFORM_SIZE; i++) out[oo + i] = a[ao + i]!;
  return out;
}

/** Sets the translation of the transform at `o` to (x, y, z) m; rotation untouched. */
export function setTranslation(out: Float64Array, o: number, x: number, y: number, z: number): Float64Array {
  out[o + 3] = x; out[o + 7] = y; out[o + 11] = z;
  return out;
}

/**
 * Writes the rotation of fixed-axis roll-pitch-yaw (rad), R = Rz(yaw)·Ry(pitch)·Rx(roll),
 * into the rotation part of the transform at `o`; translation untouched.
 */
export function rotationFromRpy(out: Float64Array, o: number, roll: number, pitch: number, yaw: number): Float64Array {
  const cr = Math.cos(roll), sr = Math.sin(roll);
  const cp = Math.cos(pitch), sp = Math.sin(pitch);
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  out[o] = cy * cp; out[o + 1] = cy * sp * sr - sy * cr; out[o + 2] = cy * sp * cr + sy * sr;
  out[o + 4] = sy * cp; out[o + 5] = sy * sp * sr + cy * cr; out[o + 6] = sy * sp * cr - cy * sr;
  out[o + 8] = -sp; out[o + 9] = cp * sr; out[o + 10] = cp * cr;
  return out;
}

/** Writes the full transform of a URDF `<origin xyz rpy>` at `o`. */
export function transformFromXyzRpy(
  out: Float64Array, o: number,
  x: number, y: number, z: number, roll: number, pitch: number, yaw: number,
): Float64Array {
  rotationFromRpy(out, o, roll, pitch, yaw);
  return setTranslation(out, o, x, y, z);
}

/**
 * Writes the rotation of `angle` rad about the unit axis (ax, ay, az) (Rodrigues)
 * into the rotation part of the transform at `o`; translation untouched.
 */
export function rotationFromAxisAngle(
  out: Float64Array, o: number, ax: number, ay: number, az: number, angle: number,
): Float64Array {
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
  out[o] = t * ax * ax + c; out[o + 1] = t * ax * ay - s * az; out[o + 2] = t * ax * az + s * ay;
  out[o + 4] = t * ax * ay + s * az; out[o + 5] = t * ay * ay + c; out[o + 6] = t * ay * az - s * ax;
  out[o + 8] = t * ax * az - s * ay; out[o + 9] = t * ay * az + s * ax; out[o + 10] = t * az * az + c;
  return out;
}

/** out[oo] = a[ao] · b[bo] (apply b, then a). `out` may alias `a` or `b`. */
export function compose(
  out: Float64Array, oo: number, a: Float64Array, ao: number, b: Float64Array, bo: number,
): Float64Array {
  const a00 = a[ao]!, a01 = a[ao + 1]!, a02 = a[ao + 2]!, a03 = a[ao + 3]!;
  const a10 = a[ao + 4]!, a11 = a[ao + 5]!, a12 = a[ao + 6]!, a13 = a[ao + 7]!;
  const a20 = a[ao + 8]!, a21 = a[ao + 9]!, a22 = a[ao + 10]!, a23 = a[ao + 11]!;
  const b00 = b[bo]!, b01 = b[bo + 1]!, b02 = b[bo + 2]!, b03 = b[bo + 3]!;
  const b10 = b[bo + 4]!, b11 = b[bo + 5]!, b12 = b[bo + 6]!, b13 = b[bo + 7]!;
  const b20 = b[bo + 8]!, b21 = b[bo + 9]!, b22 = b[bo + 10]!, b23 = b[bo + 11]!;
  out[oo] = a00 * b00 + a01 * b10 + a02 * b20;
  out[oo + 1] = a00 * b01 + a01 * b11 + a02 * b21;
  out[oo + 2] = a00 * b02 + a01 * b12 + a02 * b22;
  out[oo + 3] = a00 * b03 + a01 * b13 + a02 * b23 + a03;
  out[oo + 4] = a10 * b00 + a11 * b10 + a12 * b20;
  out[oo + 5] = a10 * b01 + a11 * b11 + a12 * b21;
  out[oo + 6] = a10 * b02 + a11 * b12 + a12 * b22;
  out[oo + 7] = a10 * b03 + a11 * b13 + a12 * b23 + a13;
  out[oo + 8] = a20 * b00 + a21 * b10 + a22 * b20;
  out[oo + 9] = a20 * b01 + a21 * b11 + a22 * b21;
  out[oo + 10] = a20 * b02 + a21 * b12 + a22 * b22;
  out[oo + 11] = a20 * b03 + a21 * b13 + a22 * b23 + a23;
  return out;
}

/** Writes the inverse of the rigid transform at `a[ao]` ([Rᵀ | −Rᵀt]) to `out[oo]`. `out` may alias `a`. */
export function invertRigid(out: Float64Array, oo: number, a: Float64Array, ao: number): Float64Array {
  const r00 = a[ao]!, r01 = a[ao + 1]!, r02 = a[ao + 2]!, tx = a[ao + 3]!;
  const r10 = a[ao + 4]!, r11 = a[ao + 5]!, r12 = a[ao + 6]!, ty = a[ao + 7]!;
  const r20 = a[ao + 8]!, r21 = a[ao + 9]!, r22 = a[ao + 10]!, tz = a[ao + 11]!;
  out[oo] = r00; out[oo + 1] = r10; out[oo + 2] = r20; out[oo + 3] = -(r00 * tx + r10 * ty + r20 * tz);
  out[oo + 4] = r01; out[oo + 5] = r11; out[oo + 6] = r21; out[oo + 7] = -(r01 * tx + r11 * ty + r21 * tz);
  out[oo + 8] = r02; out[oo + 9] = r12; out[oo + 10] = r22; out[oo + 11] = -(r02 * tx + r12 * ty + r22 * tz);
  return out;
}

/** out[oo..oo+2] = T·p for the transform at `t[to]` and the point p[po..po+2] (m). `out` may alias `p`. */
export function transformPoint(
  out: Float64Array, oo: number, t: Float64Array, to: number, p: ArrayLike<number>, po = 0,
): Float64Array {
  const x = p[po]!, y = p[po + 1]!, z = p[po + 2]!;
  out[oo] = t[to]! * x + t[to + 1]! * y + t[to + 2]! * z + t[to + 3]!;
  out[oo + 1] = t[to + 4]! * x + t[to + 5]! * y + t[to + 6]! * z + t[to + 7]!;
  out[oo + 2] = t[to + 8]! * x + t[to + 9]! * y + t[to + 10]! * z + t[to + 11]!;
  return out;
}

/** out[oo..oo+2] = R·v (rotation only) for the transform at `t[to]`. `out` may alias `v`. */
export function rotateVector(
  out: Float64Array, oo: number, t: Float64Array, to: number, v: ArrayLike<number>, vo = 0,
): Float64Array {
  const x = v[vo]!, y = v[vo + 1]!, z = v[vo + 2]!;
  out[oo] = t[to]! * x + t[to + 1]! * y + t[to + 2]! * z;
  out[oo + 1] = t[to + 4]! * x + t[to + 5]! * y + t[to + 6]! * z;
  out[oo + 2] = t[to + 8]! * x + t[to + 9]! * y + t[to + 10]! * z;
  return out;
}

/** Writes the rotation of the unit quaternion (w, x, y, z) at `q[qo]` into the rotation part at `out[o]`. */
export function rotationFromQuat(out: Float64Array, o: number, q: ArrayLike<number>, qo = 0): Float64Array {
  const w = q[qo]!, x = q[qo + 1]!, y = q[qo + 2]!, z = q[qo + 3]!;
  out[o] = 1 - 2 * (y * y + z * z); out[o + 1] = 2 * (x * y - w * z); out[o + 2] = 2 * (x * z + w * y);
  out[o + 4] = 2 * (x * y + w * z); out[o + 5] = 1 - 2 * (x * x + z * z); out[o + 6] = 2 * (y * z - w * x);
  out[o + 8] = 2 * (x * z - w * y); out[o + 9] = 2 * (y * z + w * x); out[o + 10] = 1 - 2 * (x * x + y * y);
  return out;
}

/**
 * Writes the unit quaternion (w, x, y, z), w ≥ 0, of the rotation part of the
 * transform at `t[to]` to `out[oo..oo+3]` (Shepperd's method).
 */
export function quatFromRotation(out: Float64Array, oo: number, t: Float64Array, to: number): Float64Array {
  const m00 = t[to]!, m01 = t[to + 1]!, m02 = t[to + 2]!;
  const m10 = t[to + 4]!, m11 = t[to + 5]!, m12 = t[to + 6]!;
  const m20 = t[to + 8]!, m21 = t[to + 9]!, m22 = t[to + 10]!;
  const trace = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (trace > 0) {
    const s = 2 * Math.sqrt(trace + 1);
    w = 0.25 * s; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m21 - m12) / s; x = 0.25 * s; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = 0.25 * s; z = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = 0.25 * s;
  }
  const sign = w < 0 ? -1 : 1;
  const n = sign / Math.sqrt(w * w + x * x + y * y + z * z);
  out[oo] = w * n; out[oo + 1] = x * n; out[oo + 2] = y * n; out[oo + 3] = z * n;
  return out;
}
