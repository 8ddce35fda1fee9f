import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { saturate, saturateSlope, satLimits, solveSpd, unsaturate } from '../../src/motion/dls.js';
import { Retargeter } from '../../src/motion/retarget.js';
import { KEYPOINTS, KP } from '../../src/motion/human.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { RetargetMapSchema } from '../../src/motion/retarget-config.js';
import { loadHumanMotion } from '../../src/io/bvh-file.js';
import { loadRetargetMap } from '../../src/io/motion-files.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { CMU_CLIPS, sharedData, sharedDataMissing } from '../helpers/shared-data.js';
import { urdfLimits } from '../helpers/urdf-limits.js';
import { humanFrame, simpleMap, simpleModel, type V3 } from './retarget-fixtures.js';

const K3 = KEYPOINTS.length * 3;

describe('smooth saturation', () => {
  const l = satLimits(-1, 2, 0.02, 0.15);
  it('is the identity inside, never reaches the margined limit, and is monotone', () => {
    expect(saturate(0.5, l)).toBe(0.5);
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), (u, d) => {
      const q = saturate(u, l);
      expect(q).toBeGreaterThanOrEqual(-1 + 0.02);
      expect(q).toBeLessThanOrEqual(2 - 0.02);
      expect(saturate(u + d, l)).toBeGreaterThanOrEqual(q);
    }));
  });
  it('has the slope it reports and inverts', () => {
    for (const u of [-1.5, -0.9, -0.85, 0, 1.8, 1.9, 2.3]) {
      const h = 1e-6;
      expect(saturateSlope(u, l)).toBeCloseTo((saturate(u + h, l) - saturate(u - h, l)) / (2 * h), 5);
      const q = saturate(u, l);
      expect(saturate(unsaturate(q, l), l)).toBeCloseTo(q, 9);
    }
  });
});

describe('SPD solve', () => {
  it('solves A·x = b (checked by multiplying back)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 49, maxLength: 49 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 7, maxLength: 7 }), (m, rhs) => {
      const n = 7;
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 : 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
        A[i * n + j] = s;
      }
      const A0 = Float64Array.from(A);
      const x = Float64Array.from(rhs);
      expect(solveSpd(A, x, n)).toBe(true);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A0[i * n + j]! * x[j]!;
        expect(s).toBeCloseTo(rhs[i]!, 6);
      }
    }));
    expect(solveSpd(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
  });
});

/** Runs the same frame until the warm start settles; returns the retargeter. */
function settle(r: Retargeter, frame: Float64Array, steps = 15): Retargeter {
  for (let i = 0; i < steps; i++) r.step(frame, 0, 1);
  return r;
}
const angle = (a: V3, b: V3): number => Math.acos((a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(...a) * Math.hypot(...b)));
const linkPos = (r: Retargeter, name: string): V3 => {
  const o = r.tree.linkIndex(name) * 12, T = r.tree.transforms;
  return [T[o + 3]!, T[o + 7]!, T[o + 11]!];
};

describe('IK against analytic cases (collinear test arm)', () => {
  it('reaches the scaled wrist and elbow, and the elbow angle equals the human one', () => {
    const cases: [V3, V3][] = [
      [[1, 0, 0], [0, 0, 1]], // upper arm forward, forearm up: 90°
      [[0, 0, -1], [1, 0, 0]], // hanging, forearm forward: 90°
      [[1, 0.3, -0.5], [0.2, 0.1, 1]],
      [[0, 0, -1], [0.5, 0, -1]],
    ];
    for (const [ua, fa] of cases) {
      const r = settle(new Retargeter(simpleModel(), simpleMap()), humanFrame({ left: [ua, fa] }));
      const sh = linkPos(r, 'left_sp');
      const n = (v: V3): V3 => { const k = Math.hypot(...v); return [v[0] / k, v[1] / k, v[2] / k]; };
      const u = n(ua), f = n(fa);
      const wantEl: V3 = [sh[0] + 0.25 * u[0], sh[1] + 0.25 * u[1], sh[2] + 0.25 * u[2]];
      const wantWr: V3 = [wantEl[0] + 0.2 * f[0], wantEl[1] + 0.2 * f[1], wantEl[2] + 0.2 * f[2]];
      const el = linkPos(r, 'left_el'), wr = linkPos(r, 'left_wr');
      expect(Math.hypot(el[0] - wantEl[0], el[1] - wantEl[1], el[2] - wantEl[2])).toBeLessThan(0.01);
      expect(Math.hypot(wr[0] - wantWr[0], wr[1] - wantWr[1], wr[2] - wantWr[2])).toBeLessThan(2e-3);
      const qe = r.q[r.jointNames.indexOf('left_elbow')]!;
      expect(Math.abs(Math.abs(qe) - angle(ua, fa))).toBeLessThan(0.02);
      expect(r.report.wristErrM[0]).toBeLessThan(2e-3);
    }
  });

  it('turns the waist with the human torso (yaw 0.4 rad about the pelvis)', () => {
    const frame = humanFrame();
    const c = Math.cos(0.4), s = Math.sin(0.4);
    for (const k of [KP.leftShoulder, KP.rightShoulder, KP.leftElbow, KP.rightElbow, KP.leftWrist, KP.rightWrist, KP.leftHandTip, KP.rightHandTip, KP.head]) {
      const x = frame[k * 3]!, y = frame[k * 3 + 1]!;
      frame[k * 3] = c * x - s * y; frame[k * 3 + 1] = s * x + c * y;
    }
    const r = settle(new Retargeter(simpleModel(), simpleMap()), frame);
    expect(r.q[r.jointNames.indexOf('waist_yaw')]!).toBeCloseTo(0.4, 3);
    expect(r.q[r.jointNames.indexOf('waist_pitch')]!).toBeCloseTo(0, 3);
    expect(r.report.torsoErrRad).toBeLessThan(1e-3);
  });
});

describe('joint limits and speed', () => {
  it('saturates smoothly at the elbow limit: inside the limits, monotone, no step above the speed cap', () => {
    const model = simpleModel([-1.2, 0]);
    const map = simpleMap({ maxVelocityRadS: 4 });
    const r = new Retargeter(model, map);
    const lim = jointLimitArrays(model, r.jointNames);
    const ie = r.jointNames.indexOf('left_elbow');
    const dt = 1 / 120;
    let prev = NaN;
    const qs: number[] = [];
    for (let f = 0; f <= 240; f++) {
      const a = (2.4 * f) / 240; // human elbow 0 → 2.4 rad, forearm swinging forward
      r.step(humanFrame({ left: [[0, 0, -1], [Math.sin(a), 0, -Math.cos(a)]] }), 0, dt);
      const q = r.q[ie]!;
      for (let j = 0; j < r.q.length; j++) {
        expect(r.q[j]!).toBeGreaterThan(lim.lower[j]!);
        expect(r.q[j]!).toBeLessThan(lim.upper[j]!);
      }
      if (f > 0) {
        expect(q).toBeLessThanOrEqual(prev + 1e-9); // bends monotonically (negative about +y)
        expect(Math.abs(q - prev)).toBeLessThanOrEqual(4 * dt + 1e-12);
      }
      prev = q;
      qs.push(q);
    }
    expect(qs[qs.length - 1]!).toBeLessThan(-1.1); // pressed into the saturation band
    expect(qs[qs.length - 1]!).toBeGreaterThan(-1.2 + 0.02);
    expect(qs[60]!).toBeCloseTo(-0.6, 1); // interior: follows the human (0.6 rad)
  });

  it('holds the last output on non-finite input', () => {
    const r = settle(new Retargeter(simpleModel(), simpleMap()), humanFrame({ left: [[1, 0, 0], [1, 0, 0]] }));
    const before = Float64Array.from(r.q);
    const bad = humanFrame();
    bad[KP.leftWrist * 3] = NaN;
    expect(r.step(bad, 0, 0.01)).toBe('held_bad_input');
    expect(Array.from(r.q)).toEqual(Array.from(before));
  });
});

describe('retargeting map', () => {
  it('rejects unknown keys by path and names every joint or link the robot lacks', () => {
    const bad = RetargetMapSchema.safeParse({ ...simpleMap(), extra: 1 });
    expect(bad.success).toBe(false);
    const map = simpleMap();
    const broken = { ...map, torso: { link: 'chest', joints: ['waist_yaw', 'spine_joint'] } };
    expect(() => new Retargeter(simpleModel(), broken)).toThrow(/link 'chest'[\s\S]*'spine_joint' is not an actuated joint/);
  });
  it('the shipped G1 map fits the project URDF', () => {
    const r = new Retargeter(loadUrdfFile('urdf/g1_29dof_fixed.urdf'), loadRetargetMap('config/motion/g1_retarget.yaml'));
    expect(r.upperArmM[0]).toBeGreaterThan(0.1);
    expect(r.forearmM[1]).toBeGreaterThan(0.1);
  });
});

const missing = sharedDataMissing(...CMU_CLIPS);
describe.skipIf(missing)('G1 retargeting of the shared CMU clips', () => {
  const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
  const map = loadRetargetMap('config/motion/g1_retarget.yaml');
  for (const clip of CMU_CLIPS) {
    it(`${clip}: no limit violation, no step above the speed cap, wrist error ≤ 3 cm where reachable`, () => {
      const h = loadHumanMotion(sharedData(clip));
      const r = new Retargeter(model, map);
      const xml = urdfLimits('urdf/g1_29dof_fixed.urdf'); // the URDF's own numbers, not the loader's or the retargeter's
      const lim = { lower: r.jointNames.map((n) => xml.get(n)![0]), upper: r.jointNames.map((n) => xml.get(n)![1]) };
      const prev = Float64Array.from(r.q);
      let reachable = 0, worst = 0;
      for (let f = 0; f < h.frameCount; f++) {
        expect(r.step(h.positions, f * K3, h.frameTimeS)).toBe('ok');
        for (let j = 0; j < r.q.length; j++) {
          const q = r.q[j]!;
          if (!(q > lim.lower[j]! && q < lim.upper[j]!)) throw new Error(`frame ${f}: ${r.jointNames[j]} = ${q} outside [${lim.lower[j]}, ${lim.upper[j]}]`);
          if (f > 0 && Math.abs(q - prev[j]!) > r.speedCap[j]! * h.frameTimeS + 1e-12) throw new Error(`frame ${f}: ${r.jointNames[j]} steps ${q - prev[j]!}`);
        }
        prev.set(r.q);
        for (let s = 0; s < 2; s++) if (r.report.reachable[s]) { reachable++; worst = Math.max(worst, r.report.wristErrM[s]!); }
      }
      expect(reachable).toBeGreaterThan(0.3 * 2 * h.frameCount);
      expect(worst).toBeLessThan(0.03);
    }, 180_000); // wall-clock: the clips take seconds idle, far longer on a loaded machine
  }
});
