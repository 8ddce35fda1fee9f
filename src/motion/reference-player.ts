/**
 * The motion reference timeline behind the motion node, pure: requests in
 * (`play`, `queue`, `stop`), reference windows out (frames at the chunk rate
 * from a given time), and the safety reactions.
 *
 * - `play …` replaces the future with the program, blended in from the pose
 *   the reference has at that moment; `queue …` appends it after what is
 *   planned; a finished program (or `stop`) glides back to the default pose.
 * - Every frame handed out is checked (finite, inside the margined limits,
 *   change from the previous frame within speed × dt, plus an optional extra
 *   check such as the collision model). A frame that fails is never handed
 *   out: the timeline is replaced by "hold the last safe frame for holdS,
 *   then glide to the default pose" (speed-limited) and the failure counted.
 * - An unknown primitive or a malformed request is refused with a message and
 *   changes nothing.
 * - `teleop` makes the player follow a live stream ({@link follow}, fed by
 *   ./teleop.ts): each streamed pose is reached by a speed-limited glide from
 *   the current reference and then held; any other request ends following,
 *   and so does a stale stream ({@link streamLost}: hold, then glide home).
 *
 * Commands (std_msgs/String): `play <name> [mirror] [scale <f>] [loop <n>]`
 * (several primitives: separate items with `,`), `queue <same>`, `stop`, `teleop`.
 */
import { composeProgram, limitTrajectory, ProgramItemSchema, type ComposeLimits, type ProgramItem } from './primitives.js';

export type Request = { kind: 'play' | 'queue'; program: ProgramItem[] } | { kind: 'stop' } | { kind: 'teleop' };

/** Parses a command string; returns the request or an error message. */
export function parseRequest(text: string): Request | { error: string } {
  const words = text.trim().split(/\s+/);
  const verb = words[0] ?? '';
  if (verb === 'stop' && words.length === 1) return { kind: 'stop' };
  if (verb === 'teleop' && words.length === 1) return { kind: 'teleop' };
  if (verb !== 'play' && verb !== 'queue') return { error: `unknown command '${verb}' (play, queue, stop, teleop)` };
  const program: ProgramItem[] = [];
  for (const part of text.trim().slice(verb.length).split(',')) {
    const w = part.trim().split(/\s+/).filter((x) => x.length > 0);
    if (w.length === 0) return { error: `'${verb}' needs a primitive name` };
    const item: Record<string, unknown> = { primitive: w[0] };
    for (let i = 1; i < w.length; i++) {
      if (w[i] === 'mirror') item.mirror = true;
      else if ((w[i] === 'scale' || w[i] === 'loop') && i + 1 < w.length) item[w[i] === 'scale' ? 'timeScale' : 'loop'] = Number(w[++i]);
      else return { error: `unexpected '${w[i]}' in '${part.trim()}'` };
    }
    const parsed = ProgramItemSchema.safeParse(item);
    if (!parsed.success) return { error: `'${part.trim()}': ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
    program.push(parsed.data);
  }
  return { kind: verb, program };
}

export interface PlayerOptions {
  /** Frame time of the reference, s. */
  dtS: number;
  /** Hold time before gliding home after a failed check, s. */
  holdS: number;
  /** Cross-fade at boundaries, s. */
  blendS: number;
  /** Extra per-frame check (e.g. self-collision); return a reason to refuse the frame. */
  extraCheck?: (pose: Float64Array) => string | undefined;
}

export class ReferencePlayer {
  readonly n: number;
  /** Counters for diagnostics. */
  readonly stats = { requests: 0, refused: 0, checkFailures: 0, lastFailure: '' };
  private timeline: Float64Array;
  private startS = 0;
  /** The pose the current timeline starts from (the frame before its first). */
  private readonly origin: Float64Array;
  /** True from a `teleop` request until another request or {@link streamLost}. */
  private followingStream = false;
  /** The first frame of the last window handed out, and its time (a streamed pose glides on from there). */
  private readonly lastOut: Float64Array;
  private lastOutS = -Infinity;

  constructor(readonly limits: ComposeLimits, readonly home: Float64Array, private readonly decoded: ReadonlyMap<string, Float64Array>, readonly opts: PlayerOptions) {
    this.n = limits.names.length;
    if (home.length !== this.n) throw new Error(`default pose has ${home.length} values, ${this.n} joints`);
    this.timeline = Float64Array.from(home);
    this.origin = Float64Array.from(home);
    this.lastOut = Float64Array.from(home);
  }

  /** The planned pose at `nowS` (the last frame after the timeline ends). */
  poseAt(nowS: number, out: Float64Array): Float64Array {
    const frames = this.timeline.length / this.n;
    const f = Math.max(0, Math.min(frames - 1, Math.round((nowS - this.startS) / this.opts.dtS)));
    out.set(this.timeline.subarray(f * this.n, (f + 1) * this.n));
    return out;
  }

  /** Applies a request at `nowS`; returns undefined or why it was refused (nothing changes then). */
  request(req: Request, nowS: number): string | undefined {
    this.stats.requests++;
    const from = this.poseAt(nowS, new Float64Array(this.n));
    if (req.kind === 'teleop') { this.followingStream = true; return undefined; } // the reference stays where it is until the first streamed pose
    try {
      if (req.kind === 'stop') { this.replaceFrom(nowS, this.glideHome(from), from); this.followingStream = false; return undefined; }
      if (req.kind === 'play') {
        const { trajectory } = composeProgram(req.program, this.decoded, from, this.limits, this.opts.dtS, this.opts.blendS);
        this.replaceFrom(nowS, this.withGlideHome(trajectory), from);
        this.followingStream = false;
        return undefined;
      }
      // queue: after the planned motion, before its glide home
      const keep = this.futureWithoutHome(nowS);
      const end = keep.length > 0 ? keep.subarray(keep.length - this.n) : from;
      const { trajectory } = composeProgram(req.program, this.decoded, end, this.limits, this.opts.dtS, this.opts.blendS);
      const joined = new Float64Array(keep.length + trajectory.length);
      joined.set(keep); joined.set(trajectory, keep.length);
      this.replaceFrom(nowS, this.withGlideHome(joined), from);
      this.followingStream = false;
      return undefined;
    } catch (err) {
      this.stats.refused++;
      return (err as Error).message;
    }
  }

  /** Whether streamed poses are followed (a `teleop` request is in force). */
  get following(): boolean {
    return this.followingStream;
  }

  /**
   * Follows a streamed pose (player joint order) from `nowS`: a glide from the
   * current reference, as fast as each joint's speed limit allows (linear, so
   * every joint arrives together), clamped into the margined limits, then held.
   * The glide starts one frame after the last window handed out, from its first
   * frame (streamed poses arrive between publish ticks: starting from "the
   * plan at nowS" could put two steps into one period). Returns why it was
   * ignored (not following) or undefined.
   */
  follow(pose: ArrayLike<number>, nowS: number): string | undefined {
    if (!this.followingStream) return "not following a stream (send 'teleop' on the request topic first)";
    const n = this.n, dt = this.opts.dtS, L = this.limits;
    const recent = nowS >= this.lastOutS && nowS - this.lastOutS < 1.5 * dt;
    const from = recent ? Float64Array.from(this.lastOut) : this.poseAt(nowS, new Float64Array(n));
    let frames = 1;
    for (let j = 0; j < n; j++) frames = Math.max(frames, Math.ceil(Math.abs(pose[j]! - from[j]!) / (L.velocity[j]! * dt) - 1e-9));
    const out = new Float64Array(frames * n);
    for (let f = 0; f < frames; f++) for (let j = 0; j < n; j++) out[f * n + j] = from[j]! + ((f + 1) / frames) * (pose[j]! - from[j]!);
    limitTrajectory(out, n, from, dt, L);
    this.replaceFrom(recent ? this.lastOutS + dt : nowS, out, from);
    this.plannedEnd = frames;
    return undefined;
  }

  /** The stream went stale (or was refused for too long): stop following, hold the current reference for holdS, then glide home. */
  streamLost(nowS: number): void {
    this.followingStream = false;
    const from = this.poseAt(nowS, new Float64Array(this.n));
    this.replaceFrom(nowS, this.holdThenHome(from), from);
  }

  /**
   * Writes `frames` checked frames starting at `nowS` into out (frames × n).
   * A frame failing a check switches the timeline to hold-then-glide-home from the last safe frame.
   */
  window(nowS: number, frames: number, out: Float64Array): void {
    const n = this.n, dt = this.opts.dtS;
    const f0 = Math.round((nowS - this.startS) / dt);
    const total0 = this.timeline.length / n;
    const prev = f0 >= 1 ? this.timeline.slice(Math.min(total0 - 1, f0 - 1) * n, Math.min(total0, f0) * n) : Float64Array.from(this.origin);
    let replaced = false;
    for (let k = 0; k < frames; k++) {
      const total = this.timeline.length / n;
      const f = Math.max(0, Math.min(total - 1, Math.round((nowS + k * dt - this.startS) / dt)));
      const pose = this.timeline.subarray(f * n, (f + 1) * n);
      const why = this.check(pose, prev);
      if (why !== undefined) {
        if (replaced) { out.set(prev, k * n); continue; } // the fallback itself failed the extra check: hold
        replaced = true;
        this.stats.checkFailures++;
        this.stats.lastFailure = why;
        // keep the frames before the failing one (a consumer may already follow them), then hold, then glide home
        const keepFrom = Math.max(0, Math.min(f0, f)), keepOrigin = keepFrom >= 1 ? this.timeline.slice((keepFrom - 1) * n, keepFrom * n) : Float64Array.from(this.origin);
        const kept = this.timeline.slice(keepFrom * n, f * n);
        const tail = this.holdThenHome(Float64Array.from(prev));
        const joined = new Float64Array(kept.length + tail.length);
        joined.set(kept); joined.set(tail, kept.length);
        this.replaceFrom(this.startS + keepFrom * dt, joined, keepOrigin);
        k--; // re-read this frame from the new timeline
        continue;
      }
      out.set(pose, k * n);
      prev.set(pose);
    }
    this.lastOut.set(out.subarray(0, n));
    this.lastOutS = nowS;
  }

  /** Why a frame is unsafe after `prev` (undefined when it is safe). */
  check(pose: ArrayLike<number>, prev: ArrayLike<number>): string | undefined {
    const L = this.limits, dt = this.opts.dtS;
    for (let j = 0; j < this.n; j++) {
      const q = pose[j]!;
      if (!Number.isFinite(q)) return `${L.names[j]}: non-finite reference`;
      if (q < L.lower[j]! || q > L.upper[j]!) return `${L.names[j]}: ${q.toFixed(3)} outside [${L.lower[j]}, ${L.upper[j]}]`;
      if (Math.abs(q - prev[j]!) > L.velocity[j]! * dt + 1e-9) return `${L.names[j]}: step ${(q - prev[j]!).toFixed(3)} rad above ${(L.velocity[j]! * dt).toFixed(3)}`;
    }
    return this.opts.extraCheck?.(pose as Float64Array);
  }

  private replaceFrom(nowS: number, traj: Float64Array, origin: ArrayLike<number>): void {
    this.timeline = traj;
    this.startS = nowS;
    this.origin.set(origin);
  }

  private futureWithoutHome(nowS: number): Float64Array {
    const n = this.n;
    const f = Math.max(0, Math.round((nowS - this.startS) / this.opts.dtS));
    const end = Math.min(this.timeline.length / n, this.plannedEnd);
    return f < end ? this.timeline.slice(f * n, end * n) : new Float64Array(0);
  }

  private plannedEnd = 1;

  private withGlideHome(traj: Float64Array): Float64Array {
    const home = this.glideHome(traj.subarray(traj.length - this.n));
    const out = new Float64Array(traj.length + home.length);
    out.set(traj); out.set(home, traj.length);
    this.plannedEnd = traj.length / this.n;
    return out;
  }

  /** A speed-limited smoothstep glide from `from` to the default pose (≥ 1 s, and long enough for the speed limits). */
  private glideHome(from: ArrayLike<number>): Float64Array {
    const n = this.n, dt = this.opts.dtS, L = this.limits;
    let need = 1;
    for (let j = 0; j < n; j++) need = Math.max(need, (1.6 * Math.abs(this.home[j]! - from[j]!)) / L.velocity[j]!);
    const frames = Math.ceil(need / dt) + 1;
    const out = new Float64Array(frames * n);
    for (let f = 0; f < frames; f++) {
      const x = (f + 1) / frames, s = x * x * (3 - 2 * x);
      for (let j = 0; j < n; j++) out[f * n + j] = (1 - s) * from[j]! + s * this.home[j]!;
    }
    limitTrajectory(out, n, from, dt, L);
    this.plannedEnd = 0;
    return out;
  }

  private holdThenHome(safe: Float64Array): Float64Array {
    const n = this.n;
    const hold = Math.max(1, Math.round(this.opts.holdS / this.opts.dtS));
    const home = this.glideHome(safe);
    const out = new Float64Array(hold * n + home.length);
    for (let f = 0; f < hold; f++) out.set(safe, f * n);
    out.set(home, hold * n);
    this.plannedEnd = 0;
    return out;
  }
}
