/**
 * The arm-detour task on the repo's G1 URDF: the planner's waypoints reach
 * the target, a chunk that parks the hand inside the box is scored as a
 * collision, and a non-finite chunk is a failed, worst-case rollout.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../../src/io/urdf-file.js';
import { ACTION_DIM, ARM_RANGE, ArmDetourTask, HORIZON, observe, type ArmContext } from '../../../src/policy/diffusion/arm-detour.js';

const task = new ArmDetourTask(loadUrdfFile(join(import.meta.dirname, '../../../urdf/g1_29dof_fixed.urdf')));
const CTX: ArmContext = { target: [0.3, -0.22, 1.05], box: [0.28, -0.24, 0.925] };

describe('arm-detour task', () => {
  it('observes target and box centre, normalised (0 at the centre context)', () => {
    expect(Array.from(observe({ target: [0.3, -0.22, 1.05], box: [0.28, -0.22, 0.925] })).every((v) => Math.abs(v) < 1e-6)).toBe(true);
  });

  it('the planner reaches the target on both sides (IK: final hand within 1 cm)', () => {
    const hand = new Float64Array(3);
    for (const side of [1, -1] as const) {
      const chunk = task.plan(CTX, side);
      expect(chunk).toHaveLength(HORIZON * ACTION_DIM);
      const q = Array.from({ length: ACTION_DIM }, (_, j) => ARM_RANGE[j]!.centre + ARM_RANGE[j]!.half * chunk[(HORIZON - 1) * ACTION_DIM + j]!);
      task.handAt(q, hand);
      expect(Math.hypot(hand[0]! - CTX.target[0], hand[1]! - CTX.target[1], hand[2]! - CTX.target[2])).toBeLessThan(0.01);
    }
  });

  it('scores a chunk that parks the hand in the box as a collision, below the planned detour', () => {
    const inBox = task.ik(CTX.box, [-0.9, -0.2, 0, 0.6]);
    const chunk = new Float32Array(HORIZON * ACTION_DIM);
    for (let h = 0; h < HORIZON; h++) for (let j = 0; j < ACTION_DIM; j++) chunk[h * ACTION_DIM + j] = (inBox[j]! - ARM_RANGE[j]!.centre) / ARM_RANGE[j]!.half;
    const bad = task.rollout(CTX, chunk);
    expect(bad.collided).toBe(true);
    expect(bad.success).toBe(false);
    const planned = [1, -1].map((s) => task.rollout(CTX, task.plan(CTX, s as 1 | -1)));
    expect(Math.max(...planned.map((r) => r.ret))).toBeGreaterThan(bad.ret);
    expect(planned.some((r) => r.errorM < 0.03)).toBe(true);
  });

  it('a non-finite chunk is a failed rollout with a return below that of any finite chunk, not a crash', () => {
    const chunk = new Float32Array(HORIZON * ACTION_DIM).fill(NaN);
    const r = task.rollout(CTX, chunk);
    expect(r.success).toBe(false);
    expect(r.ret).toBe(-20);
  });
});
