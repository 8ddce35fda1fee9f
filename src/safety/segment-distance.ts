/**
 * Closest points between two segments (Ericson, Real-Time Collision
 * Detection, §5.1.9), the core of capsule–capsule distance:
 *
 *   P(s) = p0 + s·(p1 − p0),  Q(t) = q0 + t·(q1 − q0),  s, t ∈ [0, 1]
 *
 * The distance between capsules (segment, radius) is |P(s*) − Q(t*)| − rA − rB.
 * Points are read from `pts` at offsets (3 doubles each); the closest points
 * are written to out[0..2] (on P) and out[3..5] (on Q). Allocates nothing.
 */

const EPS = 1e-12;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Returns the distance between the segments, m; writes the closest points into out[0..5]. */
export function segmentClosestPoints(
  pts: Float64Array, p0: number, p1: number, q0: number, q1: number, out: Float64Array,
): number {
  const px = pts[p0]!, py = pts[p0 + 1]!, pz = pts[p0 + 2]!;
  const qx = pts[q0]!, qy = pts[q0 + 1]!, qz = pts[q0 + 2]!;
  const d1x = pts[p1]! - px, d1y = pts[p1 + 1]! - py, d1z = pts[p1 + 2]! - pz;
  const d2x = pts[q1]! - qx, d2y = pts[q1 + 1]! - qy, d2z = pts[q1 + 2]! - qz;
  const rx = px - qx, ry = py - qy, rz = pz - qz;
  const a = d1x * d1x + d1y * d1y + d1z * d1z;
  const e = d2x * d2x + d2y * d2y + d2z * d2z;
  const f = d2x * rx + d2y * ry + d2z * rz;
  let s: number;
  let t: number;
  if (a <= EPS && e <= EPS) {
    s = 0;
    t = 0;
  } else if (a <= EPS) {
    s = 0;
    t = clamp01(f / e);
  } else {
    const c = d1x * rx + d1y * ry + d1z * rz;
    if (e <= EPS) {
      t = 0;
      s = clamp01(-c / a);
    } else {
      const b = d1x * d2x + d1y * d2y + d1z * d2z;
      const denom = a * e - b * b;
      s = denom > EPS * a * e ? clamp01((b * f - c * e) / denom) : 0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = clamp01(-c / a);
      } else if (t > 1) {
        t = 1;
        s = clamp01((b - c) / a);
      }
    }
  }
  const cx = px + d1x * s, cy = py + d1y * s, cz = pz + d1z * s;
  const dx = qx + d2x * t, dy = qy + d2y * t, dz = qz + d2z * t;
  out[0] = cx; out[1] = cy; out[2] = cz;
  out[3] = dx; out[4] = dy; out[5] = dz;
  const ex = cx - dx, ey = cy - dy, ez = cz - dz;
  return Math.sqrt(ex * ex + ey * ey + ez * ez);
}
