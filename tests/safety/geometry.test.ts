import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints } from '../../src/robot/model.js';
import { makeBarrierSet } from '../../src/safety/barrier.js';
import { fitCapsules } from '../../src/safety/capsules.js';
import { CollisionModel } from '../../src/safety/collision-model.js';
import { CollisionConfigSchema, WorkspaceConfigSchema } from '../../src/safety/config.js';
import { segmentClosestPoints } from '../../src/safety/segment-distance.js';
import { prng, uniform } from './adversary.js';

const g1 = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
const names = actuatedJoints(g1).map((j) => j.name);

describe('segment distance', () => {
  it('matches a dense sampling of both segments on random segments (including points)', () => {
    const r = prng(5);
    const pts = new Float64Array(12);
    const out = new Float64Array(9);
    for (let trial = 0; trial < 200; trial++) {
      for (let k = 0; k < 12; k++) pts[k] = uniform(r, -1, 1);
      if (trial % 5 === 0) pts.copyWithin(3, 0, 3); // P is a point
      if (trial % 7 === 0) pts.copyWithin(9, 6, 9); // Q is a point
      segmentClosestPoints(pts, 0, 3, 6, 9, out);
      let best = Infinity;
      for (let a = 0; a <= 200; a++) {
        for (let b = 0; b <= 200; b++) {
          const s = a / 200, t = b / 200;
          const dx = pts[0]! + s * (pts[3]! - pts[0]!) - pts[6]! - t * (pts[9]! - pts[6]!);
          const dy = pts[1]! + s * (pts[4]! - pts[1]!) - pts[7]! - t * (pts[10]! - pts[7]!);
          const dz = pts[2]! + s * (pts[5]! - pts[2]!) - pts[8]! - t * (pts[11]! - pts[8]!);
          best = Math.min(best, Math.hypot(dx, dy, dz));
        }
      }
      expect(out[6]).toBeLessThanOrEqual(best + 1e-12);
      expect(out[6]).toBeGreaterThan(best - 0.02);
    }
  });

  it('parallel segments at distance 1 give 1', () => {
    const out = new Float64Array(9);
    segmentClosestPoints(Float64Array.of(0, 0, 0, 2, 0, 0, 1, 1, 0, 3, 1, 0), 0, 3, 6, 9, out);
    expect(out[6]).toBeCloseTo(1, 15);
  });
});

describe('capsules fitted to collision geometry', () => {
  it('cover a box, a cylinder and a sphere with the documented sizes', () => {
    const tree = new KinematicTree(g1);
    const { capsules, skipped } = fitCapsules(g1, tree);
    expect(skipped).toEqual([]);
    const pelvis = capsules.names.indexOf('pelvis/pelvis_collision'); // box 0.12 × 0.15 × 0.1 at z −0.06
    const c = Math.hypot(0.06, 0.05);
    expect(capsules.radius[pelvis]).toBeCloseTo(1.15 * c, 12);
    const h = 0.075 - Math.sqrt((1.15 * c) ** 2 - c * c);
    expect(Array.from(capsules.localA.slice(3 * pelvis, 3 * pelvis + 3)).map((x) => +x.toFixed(12))).toEqual([0, -+h.toFixed(12), -0.06]);
    // every corner of the box lies inside the capsule
    for (const [x, y, z] of [[0.06, 0.075, 0.05], [-0.06, -0.075, -0.05], [0.06, -0.075, 0.05]] as const) {
      const yc = Math.max(-h, Math.min(h, y));
      expect(Math.hypot(x, y - yc, z)).toBeLessThanOrEqual(capsules.radius[pelvis]! + 1e-12);
    }
    const head = capsules.names.indexOf('head_link/head_link_collision');
    expect(capsules.radius[head]).toBe(0.07);
    expect(Array.from(capsules.localA.slice(3 * head, 3 * head + 3))).toEqual(Array.from(capsules.localB.slice(3 * head, 3 * head + 3)));
  });
});

describe('collision model', () => {
  const cfg = CollisionConfigSchema.parse({ activationDistanceM: 10, maxActive: 64 });

  it('skips pairs on adjacent links and on one rigid body', () => {
    const cm = new CollisionModel(g1, names, cfg, WorkspaceConfigSchema.parse({}));
    const tree = new KinematicTree(g1);
    const cap = cm.capsules;
    const pairs = new Set<string>();
    for (let k = 0; k < cm.pairs.length; k += 2) {
      pairs.add(`${tree.linkNames[cap.link[cm.pairs[k]!]!]}|${tree.linkNames[cap.link[cm.pairs[k + 1]!]!]}`);
    }
    expect(pairs.has('left_knee_link|left_hip_yaw_link') || pairs.has('left_hip_yaw_link|left_knee_link')).toBe(false);
    expect([...pairs].some((p) => p.includes('left_rubber_hand') && p.includes('right_rubber_hand'))).toBe(true);
  });

  it('barrier gradients match finite differences of the true capsule distances', () => {
    const cm = new CollisionModel(g1, names, cfg, WorkspaceConfigSchema.parse({}));
    const n = names.length;
    const q = Float64Array.from({ length: n }, (_, i) => 0.3 * Math.sin(1.7 * i));
    const lo = new Float64Array(n).fill(-1);
    const hi = new Float64Array(n).fill(1);
    const set = makeBarrierSet(n, 64, 0.05);
    cm.evaluate(q, set, lo, hi);
    expect(set.m).toBeGreaterThan(5);
    const hp = new Float64Array(64);
    const hm = new Float64Array(64);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const qp = Float64Array.from(q); qp[i]! += 1e-6;
      const qm = Float64Array.from(q); qm[i]! -= 1e-6;
      cm.values(qp, set, hp);
      cm.values(qm, set, hm);
      for (let j = 0; j < set.m; j++) worst = Math.max(worst, Math.abs((hp[j]! - hm[j]!) / 2e-6 - set.grad[j * n + i]!));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('workspace rows keep a hand above a floor: value and gradient', () => {
    const cm = new CollisionModel(g1, names, CollisionConfigSchema.parse({ enabled: false, activationDistanceM: 10 }),
      WorkspaceConfigSchema.parse({ links: ['left_rubber_hand'], minM: [null, null, 0] }));
    const n = names.length;
    const q = new Float64Array(n);
    cm.measure(q);
    expect(cm.minCollisionClearanceM).toBe(Infinity);
    const clearance = cm.minWorkspaceClearanceM;
    expect(clearance).toBeGreaterThan(0);
    const set = makeBarrierSet(n, 8, 0.05);
    cm.evaluate(q, set, new Float64Array(n).fill(-1), new Float64Array(n).fill(1));
    expect(set.m).toBe(2); // both capsule endpoints against the floor
    expect(Math.min(set.h[0]!, set.h[1]!)).toBeCloseTo(clearance - 0.005, 12);
  });
});
