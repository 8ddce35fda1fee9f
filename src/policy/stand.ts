/**
 * STAND: joint targets move from the pose at entry to the default pose along
 * a smoothstep s(u) = 3u² − 2u³ (zero velocity at both ends) over a fixed
 * duration, then hold the default pose.
 */
export class StandInterpolator {
  private readonly from: Float64Array;
  private startS = 0;

  constructor(
    private readonly to: Float64Array,
    private readonly durationS: number,
  ) {
    if (!(durationS > 0)) throw new Error(`stand duration must be positive, got ${durationS} s`);
    this.from = Float64Array.from(to);
  }

  start(fromPose: ArrayLike<number>, nowS: number): void {
    for (let j = 0; j < this.from.length; j++) this.from[j] = fromPose[j] ?? this.to[j]!;
    this.startS = nowS;
  }

  /**
   * Writes the target at time `clock[0]` (s) into `out`; returns true once
   * the default pose is reached. The time comes in a typed-array slot so the
   * per-tick call allocates nothing (a float argument may be boxed).
   */
  sample(clock: Float64Array, out: Float64Array): boolean {
    const u = Math.min(1, Math.max(0, (clock[0]! - this.startS) / this.durationS));
    const s = u * u * (3 - 2 * u);
    for (let j = 0; j < this.to.length; j++) out[j] = this.from[j]! + s * (this.to[j]! - this.from[j]!);
    return u >= 1;
  }
}
