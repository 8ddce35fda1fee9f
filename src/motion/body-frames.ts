/**
 * Body frames of a keypoint skeleton (human or robot), as 3x3 row-major
 * rotations whose columns are the frame's x (forward), y (left), z (up) axes
 * in the Z-up world:
 *
 *   pelvis frame: z = world up; y = (left hip − right hip) made horizontal;
 *                 x = y × z. Heading only: a bow shows up in the torso frame.
 *   torso frame:  z = shoulder centre − hip centre; y = left shoulder − right
 *                 shoulder, orthogonalised to z; x = y × z.
 *
 * Pure, allocation-free (write into caller buffers).
 */

/** √(x² + y² + z²) without Math.hypot, whose builtin allocates a scratch array per call. */
export function norm3(x: number, y: number, z: number): number {
  return Math.sqrt(x * x + y * y + z * z);
}

/** Keypoint positions accessor: 3 doubles at `o` in `p`. */
function sub(out: number[], p: Float64Array, a: number, b: number): void {
  out[0] = p[a]! - p[b]!; out[1] = p[a + 1]! - p[b + 1]!; out[2] = p[a + 2]! - p[b + 2]!;
}

const tmpY = [0, 0, 0];
const tmpZ = [0, 0, 0];

/** Writes the rotation with columns (y × z, y, z) after orthonormalising y against unit z. */
function frameFromYZ(out: Float64Array, y: number[], z: number[]): void {
  let zn = norm3(z[0]!, z[1]!, z[2]!);
  if (!(zn > 1e-9)) { z[0] = 0; z[1] = 0; z[2] = 1; zn = 1; }
  const zx = z[0]! / zn, zy = z[1]! / zn, zz = z[2]! / zn;
  const d = y[0]! * zx + y[1]! * zy + y[2]! * zz;
  let yx = y[0]! - d * zx, yy = y[1]! - d * zy, yz = y[2]! - d * zz;
  let yn = norm3(yx, yy, yz);
  if (!(yn > 1e-9)) {
    // degenerate (y parallel to z): any y orthogonal to z
    if (Math.abs(zx) < 0.9) { yx = 0; yy = zz; yz = -zy; } else { yx = -zz; yy = 0; yz = zx; }
    yn = norm3(yx, yy, yz);
  }
  yx /= yn; yy /= yn; yz /= yn;
  const xx = yy * zz - yz * zy, xy = yz * zx - yx * zz, xz = yx * zy - yy * zx;
  out[0] = xx; out[1] = yx; out[2] = zx;
  out[3] = xy; out[4] = yy; out[5] = zy;
  out[6] = xz; out[7] = yz; out[8] = zz;
}

/**
 * Pelvis frame from the hip keypoints at offsets `lh`, `rh` of `p`.
 */
export function pelvisFrame(out: Float64Array, p: Float64Array, lh: number, rh: number): void {
  sub(tmpY, p, lh, rh);
  tmpZ[0] = 0; tmpZ[1] = 0; tmpZ[2] = 1;
  frameFromYZ(out, tmpY, tmpZ);
}

/** Torso frame from shoulders (`ls`, `rs`) and hips (`lh`, `rh`) offsets of `p`. */
export function torsoFrame(out: Float64Array, p: Float64Array, ls: number, rs: number, lh: number, rh: number): void {
  sub(tmpY, p, ls, rs);
  for (let i = 0; i < 3; i++) tmpZ[i] = 0.5 * (p[ls + i]! + p[rs + i]! - p[lh + i]! - p[rh + i]!);
  frameFromYZ(out, tmpY, tmpZ);
}

/** out = Rᵀ·v (v and out 3 doubles; out may alias v). */
export function rotateInv(out: Float64Array | number[], oo: number, R: Float64Array, v: ArrayLike<number>, vo: number): void {
  const x = v[vo]!, y = v[vo + 1]!, z = v[vo + 2]!;
  out[oo] = R[0]! * x + R[3]! * y + R[6]! * z;
  out[oo + 1] = R[1]! * x + R[4]! * y + R[7]! * z;
  out[oo + 2] = R[2]! * x + R[5]! * y + R[8]! * z;
}

/** out = R·v. */
export function rotate(out: Float64Array | number[], oo: number, R: Float64Array, v: ArrayLike<number>, vo: number): void {
  const x = v[vo]!, y = v[vo + 1]!, z = v[vo + 2]!;
  out[oo] = R[0]! * x + R[1]! * y + R[2]! * z;
  out[oo + 1] = R[3]! * x + R[4]! * y + R[5]! * z;
  out[oo + 2] = R[6]! * x + R[7]! * y + R[8]! * z;
}

/** Angle (rad) of the rotation Aᵀ·B between two 3x3 rotations. */
export function rotationAngle(A: Float64Array, ao: number, B: Float64Array, bo: number): number {
  let tr = 0;
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) tr += A[ao + k * 3 + i]! * B[bo + k * 3 + i]!;
  return Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2)));
}
