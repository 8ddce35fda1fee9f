/**
 * What the base did in a trial's tracking window, in the robot's own heading
 * frame: mean forward and lateral velocity (m/s) and mean yaw rate (rad/s),
 * from base poses sampled during the run. The displacement between samples is
 * rotated into the heading at that moment, so a robot that walks forward
 * while turning still reads as walking forward.
 */

/** Yaw (rad) of a quaternion w, x, y, z. */
export function yawOf(w: number, x: number, y: number, z: number): number {
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

export interface BaseMotion {
  /** Window length actually measured, s (0: no samples in the window). */
  windowS: number;
  vx: number;
  vy: number;
  wz: number;
}

export class BaseMotionTracker {
  private last: { t: number; x: number; y: number; yaw: number } | null = null;
  private fx = 0;
  private fy = 0;
  private dyaw = 0;
  private from = NaN;
  private to = NaN;

  /** Measures from `fromS` on. */
  constructor(private readonly fromS: number) {}

  /** A base pose at sim time t: [x, y, z, qw, qx, qy, qz]. */
  sample(t: number, pose: ArrayLike<number>): void {
    if (t < this.fromS) return;
    const yaw = yawOf(pose[3]!, pose[4]!, pose[5]!, pose[6]!);
    const x = pose[0]!;
    const y = pose[1]!;
    const p = this.last;
    if (p) {
      let d = yaw - p.yaw;
      d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
      const mid = p.yaw + d / 2;
      const dx = x - p.x;
      const dy = y - p.y;
      this.fx += Math.cos(mid) * dx + Math.sin(mid) * dy;
      this.fy += -Math.sin(mid) * dx + Math.cos(mid) * dy;
      this.dyaw += d;
      this.to = t;
    } else {
      this.from = t;
      this.to = t;
    }
    this.last = { t, x, y, yaw };
  }

  result(): BaseMotion {
    const T = this.to - this.from;
    if (!(T > 0)) return { windowS: 0, vx: NaN, vy: NaN, wz: NaN };
    return { windowS: T, vx: this.fx / T, vy: this.fy / T, wz: this.dyaw / T };
  }
}
