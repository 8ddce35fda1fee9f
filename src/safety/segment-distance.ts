/**
 * Closest points between two segments (Ericson, Real-Time Collision
 * Detection, §5.1.9), the core of capsule–capsule distance:
 *
 *   P(s) = p0 + s·(p1 − p0),  Q(t) = q0 + t·(q1 − q0),  s, t ∈ [0, 1]
 *
 * The distance between capsules (segment, radius) is |P(s*) − Q(t*)| − rA − rB.
 * Points are read from `pts` at offsets (3 doubles each); the closest points
 * are written to out[0..2] (on P) and out[3..5] (on Q), their distance to
 * out[6] (`out` needs 9 slots). Returns nothing: a returned double would be
 * boxed on the heap when the call is not inlined, and this runs hundreds of
 * times per tick.
 */

const EPS = 1e-12;

/**
 * Writes the closest points into out[0..5] and the distance between the
 * segments (m) into out[6]; out[7], out[8] receive the parameters s, t.
 * s and t live in `out`, and clamps are written out inline: a helper taking
 * and returning a double is boxed whenever V8 does not inline it (as inside
 * the large collision loop), which would allocate on every call.
 */
export function segmentClosestPoints(
  pts: Float64Array, p0: number, p1: number, q0: number, q1: number, out: Float64Array,
): void {
  const px = pts[p0]!, py = pts[p0 + 1]!, pz = pts[p0 + 2]!;
  const qx = pts[q0]!, qy = pts[q0 + 1]!, qz = pts[q0 + 2]!;
  const d1x = pts[p1]! - px, d1y = pts[p1 + 1]! - py, d1z = pts[p1 + 2]! - pz;
  const d2x = pts[q1]! - qx, d2y = pts[q1 + 1]! - qy, d2z = pts[q1 + 2]! - qz;
  const rx = px - qx, ry = py - qy, rz = pz - qz;
  const a = d1x * d1x + d1y * d1y + d1z * d1z;
  const e = d2x * d2x + d2y * d2y + d2z * d2z;
  const f = d2x * rx + d2y * ry + d2z * rz;
  const c = d1x * rx + d1y * ry + d1z * rz;
  out[7] = 0;
  out[8] = 0;
  if (a <= EPS) {
    if (e > EPS) {
      const t = f / e;
      out[8] = t > 0 ? (t < 1 ? t : 1) : 0;
    }
  } else if (e <= EPS) {
    const s = -c / a;
    out[7] = s > 0 ? (s < 1 ? s : 1) : 0;
  } else {
    const b = d1x * d2x + d1y * d2y + d1z * d2z;
    const denom = a * e - b * b;
    if (denom > EPS * a * e) {
      const s = (b * f - c * e) / denom;
      out[7] = s > 0 ? (s < 1 ? s : 1) : 0;
    }
    const t = (b * out[7]! + f) / e;
    if (t < 0) {
      const s = -c / a;
      out[7] = s > 0 ? (s < 1 ? s : 1) : 0;
    } else if (t > 1) {
      out[8] = 1;
      const s = (b - c) / a;
      out[7] = s > 0 ? (s < 1 ? s : 1) : 0;
    } else out[8] = t;
  }
  const s = out[7]!;
  const t = out[8]!;
  const cx = px + d1x * s, cy = py + d1y * s, cz = pz + d1z * s;
  const dx = qx + d2x * t, dy = qy + d2y * t, dz = qz + d2z * t;
  out[0] = cx; out[1] = cy; out[2] = cz;
  out[3] = dx; out[4] = dy; out[5] = dz;
  const ex = cx - dx, ey = cy - dy, ez = cz - dz;
  out[6] = Math.sqrt(ex * ex + ey * ey + ez * ez);
}
