/**
 * CollisionModel skips the segment query of pairs whose distance bound
 * (carried across `evaluate` calls, lowered by how far capsules moved) rules
 * out a row. That must not change anything it reports: along random joint
 * trajectories, including jumps and the barrier set filling up, a model with
 * history gives the same rows (values, gradients, ids) and the same minimum
 * clearances as a fresh model that queries every pair.
 */
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { actuatedJoints, jointLimitArrays } from '../../src/robot/model.js';
import { makeBarrierSet } from '../../src/safety/barrier.js';
import { CollisionModel } from '../../src/safety/collision-model.js';
import { CollisionConfigSchema, WorkspaceConfigSchema } from '../../src/safety/config.js';
import { prng, uniform } from './adversary.js';

const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
const names = actuatedJoints(model).map((j) => j.name);
const urdf = jointLimitArrays(model, names);
const n = names.length;

describe('collision model pair culling', () => {
  it('gives the same rows and clearances with history as a fresh model on every call', () => {
    const collision = CollisionConfigSchema.parse({ activationDistanceM: 0.15, maxActive: 16 });
    const workspace = WorkspaceConfigSchema.parse({ links: ['left_rubber_hand', 'right_rubber_hand'], minM: [null, null, -0.3] });
    const r = prng(7);
    const tracked = new CollisionModel(model, names, collision, workspace);
    const a = makeBarrierSet(n, collision.maxActive, 0.05);
    const b = makeBarrierSet(n, collision.maxActive, 0.05);
    const q = new Float64Array(n);
    const goal = new Float64Array(n);
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.min(urdf.upper[i]!, Math.max(urdf.lower[i]!, 0));
    let culledCalls = 0;
    let rowsSeen = 0;
    for (let k = 0; k < 1500; k++) {
      if (k % 50 === 0) for (let i = 0; i < n; i++) goal[i] = uniform(r, urdf.lower[i]!, urdf.upper[i]!);
      const jump = k % 300 === 299; // a large jump now and then (e.g. a reset)
      for (let i = 0; i < n; i++) {
        const step = jump ? goal[i]! - q[i]! : Math.max(-0.02, Math.min(0.02, goal[i]! - q[i]!));
        q[i] = q[i]! + step;
        lo[i] = Math.max(urdf.lower[i]!, q[i]! - 0.05);
        hi[i] = Math.min(urdf.upper[i]!, q[i]! + 0.05);
      }
      tracked.evaluate(q, a, lo, hi);
      const fresh = new CollisionModel(model, names, collision, workspace);
      fresh.evaluate(q, b, lo, hi);
      expect(a.m).toBe(b.m);
      expect(Array.from(a.id.subarray(0, a.m))).toEqual(Array.from(b.id.subarray(0, b.m)));
      expect(Array.from(a.h.subarray(0, a.m))).toEqual(Array.from(b.h.subarray(0, b.m)));
      expect(Array.from(a.grad.subarray(0, a.m * n))).toEqual(Array.from(b.grad.subarray(0, b.m * n)));
      expect(tracked.minCollisionClearanceM).toBe(fresh.minCollisionClearanceM);
      expect(tracked.minWorkspaceClearanceM).toBe(fresh.minWorkspaceClearanceM);
      rowsSeen += a.m;
      if ((tracked as unknown as { pairCulled: Uint8Array }).pairCulled.some((c) => c === 1)) culledCalls++;
    }
    // The comparison means something only if pairs were culled and rows were built.
    expect(culledCalls).toBeGreaterThan(1000);
    expect(rowsSeen).toBeGreaterThan(1500);
  });
});
