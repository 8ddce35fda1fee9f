/**
 * BVH (Biovision Hierarchy) parsing, pure: text in, a validated skeleton and
 * channel matrix out. Any channel order per joint (`Xposition … Zrotation` in
 * any order and count); rotation channels compose in the order listed:
 * `CHANNELS 3 Zrotation Xrotation Yrotation` → R = Rz·Rx·Ry (degrees), and the
 * joint's world rotation is R_world = R_world(parent)·R. A joint with position
 * channels is translated by them (instead of by its OFFSET, as BVH exporters
 * write the root); End Sites become channel-less leaf joints named
 * `<parent>/End` (they give the head top and finger tips).
 *
 * Units and up axis are not in the format; ./bvh-skeleton.ts infers them.
 */

/** One channel kind, as BVH names it. */
export type BvhChannel = 'Xposition' | 'Yposition' | 'Zposition' | 'Xrotation' | 'Yrotation' | 'Zrotation';
const CHANNELS: ReadonlySet<string> = new Set(['Xposition', 'Yposition', 'Zposition', 'Xrotation', 'Yrotation', 'Zrotation']);

export interface BvhJoint {
  /** Joint name as written (End Sites: `<parent>/End`). */
  name: string;
  /** Index of the parent joint (-1 for the root). */
  parent: number;
  /** Rest offset from the parent joint, file units. */
  offset: [number, number, number];
  /** Channels in file order. */
  channels: BvhChannel[];
  /** Column of the first channel in a frame row. */
  channelStart: number;
  /** True for an End Site. */
  endSite: boolean;
}

export interface BvhClip {
  joints: BvhJoint[];
  /** Channels per frame. */
  channelCount: number;
  frameCount: number;
  /** Frame time from the header, s. */
  frameTimeS: number;
  /** frameCount × channelCount values, row-major, file units / degrees. */
  data: Float64Array;
}

export class BvhError extends Error {
  constructor(message: string, readonly line: number) {
    super(`BVH line ${line}: ${message}`);
    this.name = 'BvhError';
  }
}

interface Token { text: string; line: number }

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.split(/[\s]+/);
    for (const p of parts) if (p.length > 0) out.push({ text: p, line: i + 1 });
  }
  return out;
}

/** Parses a BVH document. Throws BvhError naming the line on malformed input. */
export function parseBvh(text: string): BvhClip {
  const toks = tokenize(text);
  let k = 0;
  const lastLine = toks.length > 0 ? toks[toks.length - 1]!.line : 1;
  const peek = (): Token | undefined => toks[k];
  const next = (what: string): Token => {
    const t = toks[k++];
    if (!t) throw new BvhError(`unexpected end of file, expected ${what}`, lastLine);
    return t;
  };
  const expect = (word: string): Token => {
    const t = next(`'${word}'`);
    if (t.text !== word) throw new BvhError(`expected '${word}', found '${t.text}'`, t.line);
    return t;
  };
  const num = (what: string): number => {
    const t = next(what);
    const v = Number(t.text);
    if (!Number.isFinite(v) || t.text.length === 0) throw new BvhError(`${what}: '${t.text}' is not a finite number`, t.line);
    return v;
  };

  expect('HIERARCHY');
  const joints: BvhJoint[] = [];
  let channelCount = 0;
  const names = new Set<string>();

  const readJoint = (parent: number, keyword: Token): void => {
    const endSite = keyword.text === 'End';
    let name: string;
    if (endSite) {
      const site = next("'Site'");
      if (site.text !== 'Site') throw new BvhError(`expected 'Site' after 'End', found '${site.text}'`, site.line);
      name = `${joints[parent]?.name ?? 'root'}/End`;
    } else {
      name = next('a joint name').text;
    }
    if (names.has(name)) throw new BvhError(`duplicate joint name '${name}'`, keyword.line);
    names.add(name);
    expect('{');
    expect('OFFSET');
    const offset: [number, number, number] = [num('OFFSET x'), num('OFFSET y'), num('OFFSET z')];
    const channels: BvhChannel[] = [];
    const index = joints.length;
    const joint: BvhJoint = { name, parent, offset, channels, channelStart: channelCount, endSite };
    joints.push(joint);
    if (!endSite) {
      const ch = expect('CHANNELS');
      const n = num('channel count');
      if (!Number.isInteger(n) || n < 0 || n > 6) throw new BvhError(`joint '${name}': channel count ${n} is not 0..6`, ch.line);
      for (let c = 0; c < n; c++) {
        const t = next('a channel name');
        if (!CHANNELS.has(t.text)) throw new BvhError(`joint '${name}': unknown channel '${t.text}'`, t.line);
        if (channels.includes(t.text as BvhChannel)) throw new BvhError(`joint '${name}': channel '${t.text}' twice`, t.line);
        channels.push(t.text as BvhChannel);
      }
      channelCount += n;
    }
    for (;;) {
      const t = next("'}'");
      if (t.text === '}') return;
      if (endSite) throw new BvhError(`End Site of '${name}' has content '${t.text}'`, t.line);
      if (t.text === 'JOINT' || t.text === 'End') readJoint(index, t);
      else throw new BvhError(`expected JOINT, End Site or '}', found '${t.text}'`, t.line);
    }
  };

  const root = next("'ROOT'");
  if (root.text !== 'ROOT') throw new BvhError(`expected 'ROOT', found '${root.text}'`, root.line);
  readJoint(-1, root);
  const extra = peek();
  if (extra && extra.text === 'ROOT') throw new BvhError('more than one ROOT is not supported', extra.line);

  expect('MOTION');
  expect('Frames:');
  const frameCount = num('frame count');
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new BvhError(`frame count ${frameCount} must be a positive integer`, toks[k - 1]!.line);
  const ft = next("'Frame'");
  if (ft.text !== 'Frame') throw new BvhError(`expected 'Frame Time:', found '${ft.text}'`, ft.line);
  expect('Time:');
  const frameTimeS = num('frame time');
  if (!(frameTimeS > 0)) throw new BvhError(`frame time ${frameTimeS} s must be positive`, toks[k - 1]!.line);
  const need = frameCount * channelCount;
  const have = toks.length - k;
  if (have < need) {
    throw new BvhError(`motion data has ${have} values, header promises ${frameCount} frames × ${channelCount} channels = ${need}`, lastLine);
  }
  const data = new Float64Array(need);
  for (let i = 0; i < need; i++) {
    const t = toks[k++]!;
    const v = Number(t.text);
    if (!Number.isFinite(v)) throw new BvhError(`frame ${Math.floor(i / Math.max(1, channelCount))}: '${t.text}' is not a finite number`, t.line);
    data[i] = v;
  }
  if (k < toks.length) throw new BvhError(`${toks.length - k} value(s) after the last frame`, toks[k]!.line);
  return { joints, channelCount, frameCount, frameTimeS, data };
}

/** Writes a 3x3 row-major rotation of `deg` degrees about axis 0/1/2 (x/y/z) into m. */
function axisRotation(m: Float64Array, axis: number, deg: number): void {
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  m.fill(0);
  if (axis === 0) { m[0] = 1; m[4] = c; m[5] = -s; m[7] = s; m[8] = c; }
  else if (axis === 1) { m[0] = c; m[2] = s; m[4] = 1; m[6] = -s; m[8] = c; }
  else { m[0] = c; m[1] = -s; m[3] = s; m[4] = c; m[8] = 1; }
}

/** out = a·b for 3x3 row-major (out may alias a). */
export function mul3(out: Float64Array, oo: number, a: Float64Array, ao: number, b: Float64Array, bo: number): void {
  const a0 = a[ao]!, a1 = a[ao + 1]!, a2 = a[ao + 2]!, a3 = a[ao + 3]!, a4 = a[ao + 4]!, a5 = a[ao + 5]!;
  const a6 = a[ao + 6]!, a7 = a[ao + 7]!, a8 = a[ao + 8]!;
  const b0 = b[bo]!, b1 = b[bo + 1]!, b2 = b[bo + 2]!, b3 = b[bo + 3]!, b4 = b[bo + 4]!, b5 = b[bo + 5]!;
  const b6 = b[bo + 6]!, b7 = b[bo + 7]!, b8 = b[bo + 8]!;
  out[oo] = a0 * b0 + a1 * b3 + a2 * b6; out[oo + 1] = a0 * b1 + a1 * b4 + a2 * b7; out[oo + 2] = a0 * b2 + a1 * b5 + a2 * b8;
  out[oo + 3] = a3 * b0 + a4 * b3 + a5 * b6; out[oo + 4] = a3 * b1 + a4 * b4 + a5 * b7; out[oo + 5] = a3 * b2 + a4 * b5 + a5 * b8;
  out[oo + 6] = a6 * b0 + a7 * b3 + a8 * b6; out[oo + 7] = a6 * b1 + a7 * b4 + a8 * b7; out[oo + 8] = a6 * b2 + a7 * b5 + a8 * b8;
}

const AXIS: Record<string, number> = { X: 0, Y: 1, Z: 2 };

/**
 * Forward kinematics of one frame (or the rest pose when `frame` < 0): world
 * positions (file units, file axes) into `pos` (3 per joint) and world
 * rotations (3x3 row-major) into `rot` (9 per joint).
 */
export class BvhPoser {
  readonly pos: Float64Array;
  readonly rot: Float64Array;
  private readonly local = new Float64Array(9);
  private readonly axisM = new Float64Array(9);
  /** Per joint, per channel: 0..2 position axis, 3..5 rotation axis. */
  private readonly codes: Uint8Array[];

  constructor(readonly clip: BvhClip) {
    const n = clip.joints.length;
    this.pos = new Float64Array(n * 3);
    this.rot = new Float64Array(n * 9);
    this.codes = clip.joints.map((j) => Uint8Array.from(j.channels, (c) => AXIS[c[0]!]! + (c.endsWith('rotation') ? 3 : 0)));
  }

  pose(frame: number): void {
    const { joints, data, channelCount } = this.clip;
    const row = frame * channelCount;
    const L = this.local, M = this.axisM, pos = this.pos, rot = this.rot;
    for (let j = 0; j < joints.length; j++) {
      const jt = joints[j]!;
      let ox = jt.offset[0], oy = jt.offset[1], oz = jt.offset[2];
      L[0] = 1; L[1] = 0; L[2] = 0; L[3] = 0; L[4] = 1; L[5] = 0; L[6] = 0; L[7] = 0; L[8] = 1;
      if (frame >= 0) {
        const codes = this.codes[j]!;
        let hasPos = false;
        for (let c = 0; c < codes.length; c++) {
          const code = codes[c]!;
          const v = data[row + jt.channelStart + c]!;
          if (code < 3) {
            if (!hasPos) { ox = 0; oy = 0; oz = 0; hasPos = true; }
            if (code === 0) ox = v; else if (code === 1) oy = v; else oz = v;
          } else {
            axisRotation(M, code - 3, v);
            mul3(L, 0, L, 0, M, 0);
          }
        }
      }
      const p = jt.parent;
      if (p < 0) {
        pos[0] = ox; pos[1] = oy; pos[2] = oz;
        for (let i = 0; i < 9; i++) rot[i] = L[i]!;
        continue;
      }
      const pr = p * 9;
      pos[j * 3] = pos[p * 3]! + rot[pr]! * ox + rot[pr + 1]! * oy + rot[pr + 2]! * oz;
      pos[j * 3 + 1] = pos[p * 3 + 1]! + rot[pr + 3]! * ox + rot[pr + 4]! * oy + rot[pr + 5]! * oz;
      pos[j * 3 + 2] = pos[p * 3 + 2]! + rot[pr + 6]! * ox + rot[pr + 7]! * oy + rot[pr + 8]! * oz;
      mul3(rot, j * 9, rot, pr, L, 0);
    }
  }
}
