import { describe, expect, it } from 'vitest';
import { composeProgram, ensembleChunks, PrimitiveLibrarySchema, ProgramItemSchema, timeScale, type ComposeLimits } from '../../src/motion/primitives.js';
import { parseRequest, ReferencePlayer } from '../../src/motion/reference-player.js';

const names = ['waist_yaw_joint', 'left_shoulder_roll_joint', 'right_shoulder_roll_joint', 'left_elbow_joint', 'right_elbow_joint'];
const n = names.length;
const dt = 0.02;
const lim: ComposeLimits = {
  names, lower: Float64Array.of(-2, -1.5, -2.2, -1, -1), upper: Float64Array.of(2, 2.2, 1.5, 2, 2),
  velocity: Float64Array.of(3, 3, 3, 3, 3), marginRad: 0.02,
};
/** A primitive trajectory: frames of a sine on every joint around `base`. */
function traj(frames: number, base: number[], amp = 0.3, hz = 1): Float64Array {
  const t = new Float64Array(frames * n);
  for (let f = 0; f < frames; f++) for (let j = 0; j < n; j++) t[f * n + j] = base[j]! + amp * Math.sin(2 * Math.PI * hz * f * dt + j);
  return t;
}
const maxStep = (t: Float64Array, start: ArrayLike<number>): number => {
  let m = 0;
  for (let f = 0; f < t.length / n; f++) for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(t[f * n + j]! - (f === 0 ? start[j]! : t[(f - 1) * n + j]!)));
  return m;
};

describe('primitive library file', () => {
  const ok = { format: 'aegis-motion-primitives/1', stages: 2, codebookSize: 64, primitives: { wave_right: { tokens: [[1, 2], [3, 4]] } } };
  it('accepts a valid library', () => {
    expect(PrimitiveLibrarySchema.parse(ok).strideFrames).toBe(8);
  });
  it.each([
    ['a code tuple with the wrong stage count', { ...ok, primitives: { w: { tokens: [[1]] } } }, /primitives.w.tokens.0/],
    ['a code past the codebook', { ...ok, primitives: { w: { tokens: [[1, 64]] } } }, /primitives.w.tokens.0.1/],
    ['an unknown key', { ...ok, extra: true }, /extra|Unrecognized/],
    ['a bad name', { ...ok, primitives: { 'Wave Right': { tokens: [[1, 2]] } } }, /lower_snake_case/],
    ['no tokens', { ...ok, primitives: { w: { tokens: [] } } }, /primitives.w.tokens/],
  ])('rejects %s, naming the path', (_what, lib, re) => {
    const r = PrimitiveLibrarySchema.safeParse(lib);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`))).toMatch(re);
  });
});

describe('temporal ensembling and composition', () => {
  it('ensembling reproduces a trajectory the chunks agree on and hides seams between chunks that disagree', () => {
    const ramp = (i: number): Float64Array => Float64Array.from({ length: 16 * n }, (_, k) => 0.01 * (i * 8 + Math.floor(k / n)));
    const out = ensembleChunks([ramp(0), ramp(1), ramp(2)], n, 16, 8);
    expect(out.length / n).toBe(32);
    for (let f = 0; f < 32; f++) expect(out[f * n]).toBeCloseTo(0.01 * f, 12);
    const a = new Float64Array(16 * n).fill(0), b = new Float64Array(16 * n).fill(1);
    const mixed = ensembleChunks([a, b], n, 16, 8);
    let worst = 0;
    for (let f = 1; f < 24; f++) worst = Math.max(worst, mixed[f * n]! - mixed[(f - 1) * n]!);
    expect(worst).toBeLessThan(0.25); // a 1-rad disagreement spread over the 8-frame overlap
    expect(mixed[0]).toBe(0); expect(mixed[23 * n]).toBe(1);
  });

  it('no step above the speed limit at primitive boundaries, loop seams and the start; segments, mirror, time scale', () => {
    const decoded = new Map([['a', traj(100, [0.5, 1.5, -1.5, 1.5, 0.2])], ['b', traj(80, [-1.5, -1, 1, -0.5, 1.8], 0.2, 2)]]);
    const start = Float64Array.of(0, 0.2, -0.2, 0.3, 0.3);
    const program = [
      ProgramItemSchema.parse({ primitive: 'a' }),
      ProgramItemSchema.parse({ primitive: 'b', loop: 2 }),
      ProgramItemSchema.parse({ primitive: 'a', mirror: true, timeScale: 1.5 }),
    ];
    const { trajectory, segments } = composeProgram(program, decoded, start, lim, dt);
    expect(segments.map((s) => s.primitive)).toEqual(['a', 'b', 'b', 'a']);
    expect(segments[3]!.toFrame - segments[3]!.fromFrame).toBe(150);
    for (let f = 0; f < trajectory.length / n; f++) {
      for (let j = 0; j < n; j++) {
        const q = trajectory[f * n + j]!;
        const prev = f === 0 ? start[j]! : trajectory[(f - 1) * n + j]!;
        expect(Math.abs(q - prev)).toBeLessThanOrEqual(lim.velocity[j]! * dt + 1e-12);
        expect(q).toBeGreaterThan(lim.lower[j]!); expect(q).toBeLessThan(lim.upper[j]!);
      }
    }
    // the blend itself (no speed cap) keeps boundary steps near the motion's own steps
    const loose = { ...lim, velocity: new Float64Array(n).fill(1e9) };
    const free = composeProgram(program, decoded, start, loose, dt).trajectory;
    expect(maxStep(free, start)).toBeLessThan(0.3); // gaps of ~2 rad at the boundaries, cross-faded over 0.4 s
    // mirrored 'a': left and right shoulder roll swap with negation
    const m0 = segments[3]!.fromFrame + 40, a0 = 40;
    const a = decoded.get('a')!;
    expect(free[m0 * n + 1]).toBeCloseTo(-timeScale(a, n, 1.5)[a0 * n + 2]!, 6);
  });

  it('refuses an unknown primitive by name', () => {
    expect(() => composeProgram([ProgramItemSchema.parse({ primitive: 'fly' })], new Map(), new Float64Array(n), lim, dt)).toThrow(/unknown primitive 'fly'/);
  });
});

describe('reference player', () => {
  const home = Float64Array.of(0, 0.2, -0.2, 0.3, 0.3);
  const make = (extra?: (p: Float64Array) => string | undefined) => new ReferencePlayer(lim, home, new Map([
    ['a', traj(100, [0.5, 1.5, -1.5, 1.5, 0.2])],
    ['bad', (() => { const t = traj(100, [0.5, 1.5, -1.5, 1.5, 0.2]); t[50 * n + 3] = NaN; return t; })()],
  ]), { dtS: dt, holdS: 0.3, blendS: 0.4, ...(extra ? { extraCheck: extra } : {}) });

  /** Plays windows of 16 frames every 5 frames for `seconds`; checks every handed-out frame and returns the stream. */
  function run(p: ReferencePlayer, from: number, seconds: number): Float64Array[] {
    const seen: Float64Array[] = [];
    const out = new Float64Array(16 * n);
    for (let i = 0; i < Math.round(seconds / (5 * dt)); i++) {
      const t = from + i * 5 * dt;
      p.window(t, 16, out);
      for (let k = 0; k < 5; k++) seen.push(out.slice(k * n, (k + 1) * n));
    }
    return seen;
  }
  const steps = (s: Float64Array[]): number => Math.max(...s.slice(1).map((p, i) => Math.max(...Array.from(p, (v, j) => Math.abs(v - s[i]![j]!)))));

  it('parses requests and refuses malformed ones', () => {
    expect(parseRequest('play wave_right mirror scale 1.5 loop 2, bow')).toEqual({ kind: 'play', program: [
      { primitive: 'wave_right', mirror: true, timeScale: 1.5, loop: 2 }, { primitive: 'bow', mirror: false, timeScale: 1, loop: 1 }] });
    expect(parseRequest('stop')).toEqual({ kind: 'stop' });
    expect(parseRequest('dance')).toEqual({ error: expect.stringMatching(/unknown command/) });
    expect(parseRequest('play a scale 9')).toEqual({ error: expect.stringMatching(/timeScale/) });
    expect(parseRequest('play')).toEqual({ error: expect.stringMatching(/needs a primitive/) });
  });

  it('plays, then glides home; an unknown primitive changes nothing', () => {
    const p = make();
    expect(p.request({ kind: 'play', program: [{ primitive: 'nope', mirror: false, timeScale: 1, loop: 1 }] }, 0)).toMatch(/unknown primitive 'nope'/);
    expect(p.request({ kind: 'play', program: [{ primitive: 'a', mirror: false, timeScale: 1, loop: 1 }] }, 0)).toBeUndefined();
    const s = run(p, 0, 6);
    expect(steps(s)).toBeLessThanOrEqual(3 * dt + 1e-9);
    expect(Array.from(s[s.length - 1]!)).toEqual(Array.from(home));
    expect(p.stats.checkFailures).toBe(0);
  });

  it('a NaN in the reference: holds the last safe frame, then glides home, never a jump', () => {
    const p = make();
    p.request({ kind: 'play', program: [{ primitive: 'bad', mirror: false, timeScale: 1, loop: 1 }] }, 0);
    const s = run(p, 0, 6);
    expect(s.every((f) => f.every(Number.isFinite))).toBe(true);
    expect(steps(s)).toBeLessThanOrEqual(3 * dt + 1e-9);
    expect(p.stats.checkFailures).toBe(1);
    expect(p.stats.lastFailure).toMatch(/non-finite/);
    expect(Array.from(s[s.length - 1]!)).toEqual(Array.from(home));
  });

  it('an extra check (e.g. collision) refusing frames triggers the same hold-and-glide', () => {
    const p = make((pose) => (pose[1]! > 1.2 ? 'left arm too high' : undefined));
    p.request({ kind: 'play', program: [{ primitive: 'a', mirror: false, timeScale: 1, loop: 1 }] }, 0);
    const s = run(p, 0, 6);
    expect(s.every((f) => f[1]! <= 1.2)).toBe(true);
    expect(steps(s)).toBeLessThanOrEqual(3 * dt + 1e-9);
    expect(p.stats.lastFailure).toBe('left arm too high');
  });

  it('the per-frame check names a limit violation, a step above the speed limit and a non-finite value', () => {
    const p = make();
    expect(p.check(Float64Array.of(2.5, 0, 0, 0, 0), home)).toMatch(/waist_yaw_joint: 2.500 outside/);
    expect(p.check(Float64Array.of(0.1, 0.2, -0.2, 0.3, 0.3), home)).toMatch(/waist_yaw_joint: step 0.100 rad above 0.060/);
    expect(p.check(Float64Array.of(0, 0.2, -0.2, NaN, 0.3), home)).toMatch(/left_elbow_joint: non-finite/);
    expect(p.check(home, home)).toBeUndefined();
  });

  it('stop glides home from wherever the reference is', () => {
    const p = make();
    p.request({ kind: 'play', program: [{ primitive: 'a', mirror: false, timeScale: 1, loop: 3 }] }, 0);
    const first = run(p, 0, 1);
    p.request({ kind: 'stop' }, 1);
    const rest = run(p, 1, 4);
    const s = [...first, ...rest];
    expect(steps(s)).toBeLessThanOrEqual(3 * dt + 1e-9);
    expect(Array.from(s[s.length - 1]!)).toEqual(Array.from(home));
  });
});
