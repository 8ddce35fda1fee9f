import { describe, expect, it } from 'vitest';
import { BvhError, BvhPoser, parseBvh } from '../../src/motion/bvh.js';
import { humanFromBvh, KP, KEYPOINTS, SkeletonError, UNIT_SCALES } from '../../src/motion/human.js';
import { loadBvhFile } from '../../src/io/bvh-file.js';
import { CMU_CLIPS, sharedData, sharedDataMissing } from '../helpers/shared-data.js';
import { syntheticBvh } from './bvh-fixtures.js';

const K = KEYPOINTS.length;
const at = (pos: Float64Array, f: number, kp: number): number[] => Array.from(pos.subarray((f * K + kp) * 3, (f * K + kp) * 3 + 3));
const dist = (a: number[], b: number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** One root joint and one child with the given rotation channels; returns the child's end position. */
function twoJoint(order: string, values: number[]): number[] {
  const text = `HIERARCHY
ROOT a
{
 OFFSET 0 0 0
 CHANNELS ${order.length} ${order.split('').map((c) => `${c}rotation`).join(' ')}
 JOINT b
 {
  OFFSET 1 0 0
  CHANNELS 0
  End Site
  {
   OFFSET 0 0 0
  }
 }
}
MOTION
Frames: 1
Frame Time: 0.01
${values.join(' ')}
`;
  const poser = new BvhPoser(parseBvh(text));
  poser.pose(0);
  return Array.from(poser.pos.subarray(3, 6));
}

describe('BVH channel orders', () => {
  it('composes rotation channels in the order listed (R = R1·R2·R3)', () => {
    // Rx(90)·Rz(90)·(1,0,0) = Rx(90)·(0,1,0) = (0,0,1); Rz(90)·Rx(90)·(1,0,0) = (0,1,0)
    const xz = twoJoint('XZ', [90, 90]);
    const zx = twoJoint('ZX', [90, 90]);
    expect(xz[0]).toBeCloseTo(0, 12); expect(xz[1]).toBeCloseTo(0, 12); expect(xz[2]).toBeCloseTo(1, 12);
    expect(zx[0]).toBeCloseTo(0, 12); expect(zx[1]).toBeCloseTo(1, 12); expect(zx[2]).toBeCloseTo(0, 12);
    // Ry(90)·(1,0,0) = (0,0,-1), whichever slot Y sits in when the others are 0
    for (const [order, vals] of [['YXZ', [90, 0, 0]], ['ZXY', [0, 0, 90]], ['XYZ', [0, 90, 0]]] as const) {
      const p = twoJoint(order, [...vals]);
      expect(p[2]).toBeCloseTo(-1, 12);
    }
  });

  it('reads the same human from a skeleton written with different channel orders', () => {
    const lift = (f: number): number => 10 * f;
    const a = humanFromBvh(parseBvh(syntheticBvh({ order: 'ZXY', leftShoulderDeg: lift })));
    const b = humanFromBvh(parseBvh(syntheticBvh({ order: 'XYZ', leftShoulderDeg: lift })));
    const c = humanFromBvh(parseBvh(syntheticBvh({ order: 'YZX', leftShoulderDeg: lift })));
    // only single-axis rotations per joint → order-independent; the wrist moves as the arm lifts
    for (let i = 0; i < a.positions.length; i++) {
      expect(b.positions[i]).toBeCloseTo(a.positions[i]!, 9);
      expect(c.positions[i]).toBeCloseTo(a.positions[i]!, 9);
    }
    expect(dist(at(a.positions, 0, KP.leftWrist), at(a.positions, 9, KP.leftWrist))).toBeGreaterThan(0.3);
  });
});

describe('BVH skeleton families (synthetic)', () => {
  for (const family of ['hahne', 'daz', 'iclone'] as const) {
    it(`${family}: finds every keypoint, infers metres/cm/CMU units and the up axis`, () => {
      for (const [unit, perM] of [['m', 1], ['cm', 100], ['cmu', 1 / UNIT_SCALES.cmu]] as const) {
        for (const up of ['y', 'z'] as const) {
          const h = humanFromBvh(parseBvh(syntheticBvh({ family, unitsPerMetre: perM, up })));
          expect(h.info.unit).toBe(unit);
          expect(h.info.upAxis).toBe(up);
          expect(h.info.pelvisHeightM).toBeCloseTo(0.95, 2);
          // upper arm 0.28 m and forearm 0.25 m in metres whatever the file unit
          expect(dist(at(h.positions, 0, KP.leftShoulder), at(h.positions, 0, KP.leftElbow))).toBeCloseTo(0.28, 6);
          expect(dist(at(h.positions, 0, KP.rightElbow), at(h.positions, 0, KP.rightWrist))).toBeCloseTo(0.25, 6);
          // Z-up world: the head is above the pelvis, the feet below
          expect(at(h.positions, 0, KP.head)[2]! - at(h.positions, 0, KP.pelvis)[2]!).toBeGreaterThan(0.5);
          expect(at(h.positions, 0, KP.leftFoot)[2]!).toBeLessThan(at(h.positions, 0, KP.pelvis)[2]! - 0.8);
        }
      }
    });
  }

  it('honours unit, up-axis and frame-rate overrides', () => {
    const text = syntheticBvh({ unitsPerMetre: 100, frameTime: 0.0083333 });
    const h = humanFromBvh(parseBvh(text), { unit: 'm', upAxis: 'y', frameTimeS: 1 / 60 });
    expect(h.info.unit).toBe('m');
    expect(h.info.unitInferred).toBe(false);
    expect(h.info.pelvisHeightM).toBeCloseTo(95, 0);
    expect(h.frameTimeS).toBeCloseTo(1 / 60, 12);
    expect(() => humanFromBvh(parseBvh(text), { frameTimeS: -1 })).toThrow(/frameTimeS/);
  });

  it('drops a synthetic T-pose frame 0 and keeps a real first frame', () => {
    const withT = humanFromBvh(parseBvh(syntheticBvh({ tposeFrame0: true, leftShoulderDeg: (f) => 40 + f })));
    const without = humanFromBvh(parseBvh(syntheticBvh({ leftShoulderDeg: (f) => 40 + f })));
    expect(withT.info.droppedFirstFrame).toBe(true);
    expect(without.info.droppedFirstFrame).toBe(false);
    expect(withT.frameCount).toBe(without.frameCount);
    expect(Array.from(withT.positions)).toEqual(Array.from(without.positions));
    const kept = humanFromBvh(parseBvh(syntheticBvh({ tposeFrame0: true, leftShoulderDeg: (f) => 40 + f })), { dropFirstFrame: false });
    expect(kept.frameCount).toBe(without.frameCount + 1);
  });

  it('names every keypoint it cannot find (a skeleton without arms)', () => {
    let err: unknown;
    try { humanFromBvh(parseBvh(syntheticBvh({ noArms: true }))); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SkeletonError);
    const e = err as SkeletonError;
    expect([...e.missing].sort()).toEqual(['leftElbow', 'leftHandTip', 'leftShoulder', 'leftWrist', 'rightElbow', 'rightHandTip', 'rightShoulder', 'rightWrist'].sort());
    expect(e.message).toMatch(/leftElbow \(tried/);
    expect(e.message).toMatch(/overrides/);
  });

  it('uses an override joint name and reports an override that does not exist', () => {
    const h = humanFromBvh(parseBvh(syntheticBvh()), { overrides: { head: 'Neck' } });
    expect(h.info.joints.head).toBe('Neck');
    expect(() => humanFromBvh(parseBvh(syntheticBvh()), { overrides: { head: 'Skull' } })).toThrow(/override joint 'Skull'/);
  });
});

describe('malformed BVH', () => {
  const good = syntheticBvh({ frames: 2 });
  it.each([
    ['a missing HIERARCHY', good.replace('HIERARCHY', 'HIERARCH'), /expected 'HIERARCHY'/],
    ['an unknown channel', good.replace('Zrotation Yrotation Xrotation', 'Zrotation Yrotation Wrotation'), /unknown channel 'Wrotation'/],
    ['too few values', good.replace(/\n[^\n]+\n$/, '\n'), /header promises 2 frames/],
    ['a NaN value', good.replace(/\n(\S+) ([^\n]+\n)$/, '\nnan $2'), /not a finite number/],
    ['a zero frame time', good.replace('Frame Time: 0.0083333', 'Frame Time: 0'), /must be positive/],
    ['an unclosed joint', good.slice(0, good.indexOf('MOTION')).replace(/}\s*$/, ''), /expected JOINT|unexpected end/],
  ])('rejects %s with the line', (_what, text, re) => {
    expect(() => parseBvh(text)).toThrow(BvhError);
    expect(() => parseBvh(text)).toThrow(re);
    expect(() => parseBvh(text)).toThrow(/^BVH line \d+/);
  });
});

const missing = sharedDataMissing(...CMU_CLIPS);
describe.skipIf(missing)('the shared CMU clips (README table)', () => {
  const table: Record<string, { joints: number; frames: number; unit: string; tpose: boolean; ft: number }> = {
    'cmu_mocap/131_01_walk_metres.bvh': { joints: 31, frames: 995, unit: 'm', tpose: false, ft: 0.008333 },
    'cmu_mocap/cmu_13_26.bvh': { joints: 31, frames: 3029, unit: 'cmu', tpose: true, ft: 0.0083333 },
    'cmu_mocap/cmu_13_29.bvh': { joints: 31, frames: 4593, unit: 'cmu', tpose: true, ft: 0.0083333 },
    'cmu_mocap/cmu_14_12.bvh': { joints: 43, frames: 2754, unit: 'cm', tpose: true, ft: 0.00833333 },
    'cmu_mocap/cmu_14_37.bvh': { joints: 43, frames: 504, unit: 'cm', tpose: false, ft: 0.00833333 },
    'cmu_mocap/cmu_02_06.bvh': { joints: 100, frames: 1118, unit: 'cm', tpose: false, ft: 0.016667 },
  };
  for (const clip of CMU_CLIPS) {
    it(`${clip}: joints, frames, unit, Y-up, T-pose frame`, () => {
      const want = table[clip]!;
      const bvh = loadBvhFile(sharedData(clip));
      expect(bvh.joints.filter((j) => !j.endSite).length).toBe(want.joints);
      expect(bvh.frameCount).toBe(want.frames);
      expect(bvh.frameTimeS).toBeCloseTo(want.ft, 9);
      const h = humanFromBvh(bvh);
      expect(h.info.unit).toBe(want.unit);
      expect(h.info.upAxis).toBe('y');
      expect(h.info.droppedFirstFrame).toBe(want.tpose);
      expect(h.frameCount).toBe(want.frames - (want.tpose ? 1 : 0));
      // an adult: upper arm 0.22–0.36 m in every frame sampled
      for (let f = 0; f < h.frameCount; f += 97) {
        const ua = dist(at(h.positions, f, KP.leftShoulder), at(h.positions, f, KP.leftElbow));
        expect(ua).toBeGreaterThan(0.2);
        expect(ua).toBeLessThan(0.36);
      }
    });
  }
});
