/**
 * Executes an action chunk as a stream of single joint targets (the shield
 * takes one trajectory point per message): segment h runs linearly from the
 * previous waypoint (from the pose the chunk starts at, for h = 0) to
 * waypoint h over `waypointS`; after the last waypoint the target holds it.
 * The interpolation of the arm-detour rollout (./arm-detour.ts), which the
 * critics were trained on. Allocation-free after construction.
 */
export class ChunkExecutor {
  private readonly from: Float64Array;
  private readonly waypoints: Float64Array;
  private t0S = NaN;

  constructor(
    /** Waypoints per chunk H. */
    readonly horizon: number,
    /** Joints per waypoint D. */
    readonly dim: number,
    /** Time from one waypoint to the next, s. */
    readonly waypointS: number,
  ) {
    if (!(horizon >= 1 && dim >= 1 && waypointS > 0)) throw new Error(`ChunkExecutor: need horizon ≥ 1, dim ≥ 1, waypointS > 0 (got ${horizon}, ${dim}, ${waypointS})`);
    this.from = new Float64Array(dim);
    this.waypoints = new Float64Array(horizon * dim);
  }

  /** Whether a chunk is loaded. */
  get loaded(): boolean {
    return !Number.isNaN(this.t0S);
  }

  /** Loads a chunk (joint positions, H × D row-major) that starts at `t0S` from the pose `from` (D). */
  load(t0S: number, from: ArrayLike<number>, waypoints: ArrayLike<number>): void {
    for (let j = 0; j < this.dim; j++) this.from[j] = from[j]!;
    for (let i = 0; i < this.waypoints.length; i++) this.waypoints[i] = waypoints[i]!;
    this.t0S = t0S;
  }

  /** Drops the chunk: {@link targetAt} answers false until the next load. */
  clear(): void {
    this.t0S = NaN;
  }

  /** The target at time `tS` into `out` (D); false (out untouched) when no chunk is loaded. Before t0 it is the start pose. */
  targetAt(tS: number, out: Float64Array): boolean {
    if (!this.loaded) return false;
    const D = this.dim;
    const seg = Math.min(this.horizon, Math.max(0, (tS - this.t0S) / this.waypointS));
    const h = Math.floor(seg);
    const f = seg - h;
    for (let j = 0; j < D; j++) {
      const a = h === 0 ? this.from[j]! : this.waypoints[(h - 1) * D + j]!;
      const b = h >= this.horizon ? a : this.waypoints[h * D + j]!;
      out[j] = a + f * (b - a);
    }
    return true;
  }
}
