/**
 * Motion primitives: named token sequences (a validated library file) and
 * their composition into one joint reference at the chunk rate (50 Hz).
 *
 * Tokens: one RVQ code tuple per chunk; consecutive chunks start `stride`
 * frames apart (8 of 16: half-overlapping). Decoding (temporal ensembling):
 * every decoded 16-frame chunk contributes to the frames it covers with a
 * Hann-like weight w(k) = sin²(π(k + ½)/16), and each frame is the weighted
 * mean of the chunks covering it, so chunk seams never show as steps.
 *
 * Composition ({@link ProgramItem}): each item plays a primitive, optionally
 * mirrored left↔right, time-scaled (factor > 1 is slower) and looped (the
 * loop seam is blended like a boundary). Items are sequenced; at every
 * boundary (and at the start, from the current pose) the next segment is
 * cross-faded in from the previous pose over `blendS` with a smoothstep.
 * Finally every frame is clamped inside the joint limits (minus a margin) and
 * each joint's change per frame capped at its speed limit × frame time, so the
 * result never violates a limit and never steps faster than allowed.
 */
import { z } from 'zod';
import { keyedRecord } from '../schema/keyed-record.js';
import { jointMirror, mirrorJoints } from './chunks.js';

export const PrimitiveSchema = z.object({
  /** What the motion is. */
  description: z.string().default(''),
  /** Where it was recorded from (clip file, seconds), informational. */
  source: z.object({ clip: z.string(), fromS: z.number().nonnegative(), toS: z.number().positive() }).strict().optional(),
  /** One code tuple (one code per RVQ stage) per chunk. */
  tokens: z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
}).strict();
export type Primitive = z.infer<typeof PrimitiveSchema>;

export const PrimitiveLibrarySchema = z.object({
  format: z.literal('aegis-motion-primitives/1'),
  /** Chunk start spacing, frames (chunks overlap when smaller than the chunk). */
  strideFrames: z.number().int().positive().default(8),
  /** RVQ stages and codebook size the tokens are for (checked against the token contract). */
  stages: z.number().int().min(1),
  codebookSize: z.number().int().min(2),
  primitives: keyedRecord(z.string().regex(/^[a-z][a-z0-9_]*$/, 'primitive names are lower_snake_case'), PrimitiveSchema),
}).strict().superRefine((lib, ctx) => {
  for (const [name, p] of Object.entries(lib.primitives)) {
    p.tokens.forEach((t, i) => {
      if (t.length !== lib.stages) ctx.addIssue({ code: 'custom', path: ['primitives', name, 'tokens', i], message: `has ${t.length} codes, the library has ${lib.stages} stages` });
      t.forEach((c, s) => {
        if (c >= lib.codebookSize) ctx.addIssue({ code: 'custom', path: ['primitives', name, 'tokens', i, s], message: `code ${c} is not below the codebook size ${lib.codebookSize}` });
      });
    });
  }
});
export type PrimitiveLibrary = z.infer<typeof PrimitiveLibrarySchema>;

export const ProgramItemSchema = z.object({
  primitive: z.string(),
  mirror: z.boolean().default(false),
  /** Playback duration factor (2 = half speed). */
  timeScale: z.number().min(0.25).max(4).default(1),
  loop: z.number().int().min(1).max(100).default(1),
}).strict();
export type ProgramItem = z.infer<typeof ProgramItemSchema>;
export type ProgramItemInput = z.input<typeof ProgramItemSchema>;

/** Joint limits for composition, per joint in chunk order. */
export interface ComposeLimits {
  names: readonly string[];
  lower: Float64Array;
  upper: Float64Array;
  /** Speed limit, rad/s. */
  velocity: Float64Array;
  marginRad: number;
}

/** Temporal ensembling of decoded chunks (each frames × n), starting `stride` frames apart. */
export function ensembleChunks(chunks: readonly Float64Array[], n: number, frames: number, stride: number): Float64Array {
  const total = (chunks.length - 1) * stride + frames;
  const out = new Float64Array(total * n);
  const wsum = new Float64Array(total);
  chunks.forEach((c, i) => {
    for (let k = 0; k < frames; k++) {
      const w = Math.sin((Math.PI * (k + 0.5)) / frames) ** 2;
      const f = i * stride + k;
      wsum[f] = wsum[f]! + w;
      for (let j = 0; j < n; j++) out[f * n + j] = out[f * n + j]! + w * c[k * n + j]!;
    }
  });
  for (let f = 0; f < total; f++) for (let j = 0; j < n; j++) out[f * n + j] = out[f * n + j]! / wsum[f]!;
  return out;
}

/** Resamples a trajectory (frames × n) to round(frames × factor) frames by linear interpolation. */
export function timeScale(traj: Float64Array, n: number, factor: number): Float64Array {
  const frames = traj.length / n;
  const outFrames = Math.max(2, Math.round(frames * factor));
  const out = new Float64Array(outFrames * n);
  for (let f = 0; f < outFrames; f++) {
    const x = (f * (frames - 1)) / (outFrames - 1);
    const i = Math.min(frames - 2, Math.floor(x));
    const a = x - i;
    for (let j = 0; j < n; j++) out[f * n + j] = (1 - a) * traj[i * n + j]! + a * traj[(i + 1) * n + j]!;
  }
  return out;
}

const smoothstep = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

/** Appends `seg` to `parts` cross-faded from pose `from` over `blendFrames`. */
function blendIn(seg: Float64Array, n: number, from: ArrayLike<number>, blendFrames: number): Float64Array {
  const frames = seg.length / n;
  const out = Float64Array.from(seg);
  const B = Math.min(blendFrames, frames);
  for (let f = 0; f < B; f++) {
    const s = smoothstep((f + 1) / (B + 1));
    for (let j = 0; j < n; j++) out[f * n + j] = (1 - s) * from[j]! + s * seg[f * n + j]!;
  }
  return out;
}

/**
 * Clamps into the margined limits and caps the per-frame change at
 * velocity × dt, in place, starting from `start`. Returns how many joint-frames the cap changed.
 */
export function limitTrajectory(traj: Float64Array, n: number, start: ArrayLike<number>, dtS: number, lim: ComposeLimits): number {
  let capped = 0;
  const frames = traj.length / n;
  for (let f = 0; f < frames; f++) {
    for (let j = 0; j < n; j++) {
      const lo = lim.lower[j]! + lim.marginRad, hi = lim.upper[j]! - lim.marginRad;
      let q = Math.min(hi, Math.max(lo, traj[f * n + j]!));
      const prev = f === 0 ? Math.min(hi, Math.max(lo, start[j]!)) : traj[(f - 1) * n + j]!;
      const step = lim.velocity[j]! * dtS;
      if (q > prev + step) { q = prev + step; capped++; } else if (q < prev - step) { q = prev - step; capped++; }
      traj[f * n + j] = q;
    }
  }
  return capped;
}

/** Decodes one chunk's codes to a frames × n joint chunk (rad). */
export type ChunkDecoder = (codes: readonly number[]) => Promise<Float64Array>;

export class UnknownPrimitiveError extends Error {
  constructor(readonly primitive: string, known: readonly string[]) {
    super(`unknown primitive '${primitive}' (known: ${known.join(', ')})`);
    this.name = 'UnknownPrimitiveError';
  }
}

/** A primitive's decoded trajectory at the chunk rate (frames × n). */
export async function decodePrimitive(lib: PrimitiveLibrary, name: string, decode: ChunkDecoder, n: number, chunkFrames: number): Promise<Float64Array> {
  const p = lib.primitives[name];
  if (!p) throw new UnknownPrimitiveError(name, Object.keys(lib.primitives));
  const chunks: Float64Array[] = [];
  for (const t of p.tokens) chunks.push(await decode(t));
  return ensembleChunks(chunks, n, chunkFrames, lib.strideFrames);
}

/**
 * Composes a program into one limited trajectory (frames × n at 1/dtS Hz),
 * starting from `start`. `decoded` maps primitive name → its decoded
 * trajectory (see {@link decodePrimitive}). Throws UnknownPrimitiveError.
 */
export function composeProgram(
  program: readonly ProgramItem[], decoded: ReadonlyMap<string, Float64Array>, start: ArrayLike<number>,
  lim: ComposeLimits, dtS: number, blendS = 0.4,
): { trajectory: Float64Array; capped: number; segments: { primitive: string; fromFrame: number; toFrame: number }[] } {
  const n = lim.names.length;
  const mirror = jointMirror(lim.names);
  const blendFrames = Math.max(1, Math.round(blendS / dtS));
  const parts: Float64Array[] = [];
  const segments: { primitive: string; fromFrame: number; toFrame: number }[] = [];
  let last: ArrayLike<number> = start;
  let frame = 0;
  for (const item of program) {
    const base = decoded.get(item.primitive);
    if (!base) throw new UnknownPrimitiveError(item.primitive, [...decoded.keys()]);
    let seg: Float64Array = Float64Array.from(base);
    if (item.mirror) mirrorJoints(seg, seg.length / n, mirror);
    if (item.timeScale !== 1) seg = timeScale(seg, n, item.timeScale);
    for (let l = 0; l < item.loop; l++) {
      const piece = blendIn(seg, n, last, blendFrames);
      parts.push(piece);
      const frames = piece.length / n;
      segments.push({ primitive: item.primitive, fromFrame: frame, toFrame: frame + frames });
      frame += frames;
      last = piece.subarray(piece.length - n);
    }
  }
  const trajectory = new Float64Array(frame * n);
  let o = 0;
  for (const p of parts) { trajectory.set(p, o); o += p.length; }
  const capped = limitTrajectory(trajectory, n, start, dtS, lim);
  return { trajectory, capped, segments };
}
