/**
 * LoadTorque on the repo's G1 URDF, against oracles that do not use its cross-product code:
 *  - static (a channel's first call): τ_k = ∂(g·z_p)/∂q_k, the derivative of the 1 kg load point's
 *    potential energy, by central finite differences of its height from KinematicTree.forward;
 *  - dynamic (a second call dt later along q(t) = q0 + r·t): τ_k = J_k·(a_p − g_vec) with J_k and the
 *    load point's velocity v_p = dp/dt along r both finite-differenced from the forward kinematics, and
 *    a_p = (v_p(q1) − v_p(q0))/dt.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadTorque } from '../../src/adaptation/load-torque.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints, type RobotModel } from '../../src/robot/model.js';
import { Rng } from '../../src/training/rng.js';

const MODEL = loadUrdfFile(join(import.meta.dirname, '../../urdf/g1_29dof_fixed.urdf'));
const G = 9.80665;
const JOINTS = actuatedJoints(MODEL);
const TREE_ORDER = JOINTS.map((j) => j.name);
const RIGHT_ARM = ['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll', 'wrist_pitch', 'wrist_yaw'].map((s) => `right_${s}_joint`);
const LEFT_ARM = RIGHT_ARM.map((j) => j.replace('right_', 'left_'));

/** The oracle's forward kinematics: the world position of a link's centre of mass (URDF inertial origin), q in tree order. */
class LoadPoint {
  private readonly tree = new KinematicTree(MODEL);
  private readonly buf = new Float64Array(this.tree.linkCount * 12);
  at(q: Float64Array, link: string): [number, number, number] {
    const T = this.tree.forward(q, undefined, this.buf);
    const o = this.tree.linkIndex(link) * 12;
    const [x, y, z] = MODEL.links.find((l) => l.name === link)!.inertial!.origin.xyz;
    return [
      T[o]! * x + T[o + 1]! * y + T[o + 2]! * z + T[o + 3]!,
      T[o + 4]! * x + T[o + 5]! * y + T[o + 6]! * z + T[o + 7]!,
      T[o + 8]! * x + T[o + 9]! * y + T[o + 10]! * z + T[o + 11]!,
    ];
  }
  /** ∂p/∂(step along dir) by central differences. */
  along(q: Float64Array, dir: Float64Array, link: string, h = 1e-6): [number, number, number] {
    const a = Float64Array.from(q, (v, i) => v + h * dir[i]!);
    const b = Float64Array.from(q, (v, i) => v - h * dir[i]!);
    const pa = this.at(a, link);
    const pb = this.at(b, link);
    return [0, 1, 2].map((i) => (pa[i]! - pb[i]!) / (2 * h)) as [number, number, number];
  }
  /** ∂p/∂q_joint (tree order index). */
  column(q: Float64Array, joint: number, link: string): [number, number, number] {
    const e = new Float64Array(q.length);
    e[joint] = 1;
    return this.along(q, e, link);
  }
}

const ORACLE = new LoadPoint();
const treeIndex = (name: string): number => TREE_ORDER.indexOf(name);

/** A random pose within the URDF limits (every actuated joint, waist included), tree order. */
function randomPose(rng: Rng): Float64Array {
  return Float64Array.from(JOINTS, (j) => {
    const lo = j.limit?.lower ?? -1;
    const hi = j.limit?.upper ?? 1;
    return rng.uniform(Math.max(lo, -2.5), Math.min(hi, 2.5));
  });
}

/** A policy order that is not the tree order (LoadTorque must map it). */
function shuffled(rng: Rng): string[] {
  const a = [...TREE_ORDER];
  for (let i = a.length - 1; i > 0; i--) {
    const k = Math.floor(rng.next() * (i + 1));
    [a[i], a[k]] = [a[k]!, a[i]!];
  }
  return a;
}

const toPolicy = (qTree: Float64Array, policy: readonly string[]): Float64Array => Float64Array.from(policy, (n) => qTree[treeIndex(n)]!);

describe('LoadTorque: static part (first call on a channel) = derivative of the load point\'s potential energy', () => {
  it('right arm, right_rubber_hand: every joint, several random poses, a shuffled policy order', () => {
    const rng = new Rng(2026);
    const policy = shuffled(rng);
    expect(policy).not.toEqual(TREE_ORDER);
    const lt = new LoadTorque(MODEL, policy, RIGHT_ARM.map((joint) => ({ joint, loadLink: 'right_rubber_hand' })));
    expect(lt.size).toBe(7);
    const out = new Float64Array(7 * 3);
    let largest = 0;
    for (let pose = 0; pose < 8; pose++) {
      const q = randomPose(rng);
      const rate = Float64Array.from(RIGHT_ARM, () => rng.uniform(-2, 2)); // no effect on a first call (a_p = 0)
      lt.restart();
      lt.clock[0] = pose;
      lt.compute(toPolicy(q, policy), rate, 0, out, 1, 3); // offset 1, stride 3: other slots untouched
      RIGHT_ARM.forEach((joint, k) => {
        const dz = ORACLE.column(q, treeIndex(joint), 'right_rubber_hand')[2];
        expect(out[1 + 3 * k]!, `pose ${pose} ${joint}`).toBeCloseTo(G * dz, 6);
        largest = Math.max(largest, Math.abs(out[1 + 3 * k]!));
      });
      for (let i = 0; i < out.length; i++) if (i % 3 !== 1) expect(out[i]).toBe(0);
    }
    expect(largest).toBeGreaterThan(1); // an arm's lever of a few dm: N·m per kg of this order, not all ~0
  });

  it('left arm with left_rubber_hand; and both arms in one LoadTorque, each on its own hand', () => {
    const rng = new Rng(7);
    const outputs = [...LEFT_ARM.map((joint) => ({ joint, loadLink: 'left_rubber_hand' })), ...RIGHT_ARM.map((joint) => ({ joint, loadLink: 'right_rubber_hand' }))];
    const lt = new LoadTorque(MODEL, TREE_ORDER, outputs);
    const out = new Float64Array(14);
    for (let pose = 0; pose < 5; pose++) {
      const q = randomPose(rng);
      lt.restart();
      lt.compute(q, new Float64Array(14), 0, out, 0, 1);
      outputs.forEach(({ joint, loadLink }, k) => {
        expect(out[k]!, `pose ${pose} ${joint}`).toBeCloseTo(G * ORACLE.column(q, treeIndex(joint), loadLink)[2], 6);
      });
    }
  });

  it('a policy that lacks some joints: they are held at 0 (the waist here)', () => {
    const rng = new Rng(3);
    const policy = TREE_ORDER.filter((n) => !n.startsWith('waist'));
    const lt = new LoadTorque(MODEL, policy, RIGHT_ARM.map((joint) => ({ joint, loadLink: 'right_rubber_hand' })));
    const q = randomPose(rng);
    for (const n of TREE_ORDER) if (n.startsWith('waist')) q[treeIndex(n)] = 0;
    const qp = Float64Array.from(policy, (n) => q[treeIndex(n)]!);
    const out = new Float64Array(7);
    lt.compute(qp, new Float64Array(7), 0, out, 0, 1);
    RIGHT_ARM.forEach((joint, k) => expect(out[k]!, joint).toBeCloseTo(G * ORACLE.column(q, treeIndex(joint), 'right_rubber_hand')[2], 6));
  });
});

describe('LoadTorque: dynamic part (the load point\'s acceleration from two calls on a channel)', () => {
  const DT = 0.02;
  /** Oracle: τ_k at q1 = q0 + r·dt, given the previous call at q0 (same rate r, per joint). */
  function dynamicOracle(q0: Float64Array, r: Float64Array, outputs: readonly { joint: string; loadLink: string }[]): number[] {
    const q1 = Float64Array.from(q0, (v, i) => v + r[i]! * DT);
    return outputs.map(({ joint, loadLink }) => {
      const v0 = ORACLE.along(q0, r, loadLink);
      const v1 = ORACLE.along(q1, r, loadLink);
      const a = [0, 1, 2].map((i) => (v1[i]! - v0[i]!) / DT);
      const J = ORACLE.column(q1, treeIndex(joint), loadLink);
      return J[0] * a[0]! + J[1] * a[1]! + J[2] * (a[2]! + G);
    });
  }
  /** A random rate on the given joints only (rad/s, tree order). */
  const rateOn = (rng: Rng, joints: readonly string[]): Float64Array => {
    const r = new Float64Array(TREE_ORDER.length);
    for (const j of joints) r[treeIndex(j)] = rng.uniform(-3, 3);
    return r;
  };
  const outputRate = (r: Float64Array, outputs: readonly { joint: string }[]): Float64Array => Float64Array.from(outputs, (o) => r[treeIndex(o.joint)]!);

  it('second call = J·(a_p − g_vec), a_p from the load point\'s velocity at both poses (both arms: each hand\'s velocity from its own joints)', () => {
    const rng = new Rng(99);
    const policy = shuffled(rng);
    // output order mixes the arms: the rate is per output, and each hand's velocity sums only its own outputs
    const outputs = RIGHT_ARM.flatMap((j, i) => [{ joint: j, loadLink: 'right_rubber_hand' }, { joint: LEFT_ARM[i]!, loadLink: 'left_rubber_hand' }]);
    const lt = new LoadTorque(MODEL, policy, outputs);
    const out = new Float64Array(outputs.length);
    let accelPart = 0;
    for (let trial = 0; trial < 6; trial++) {
      const q0 = randomPose(rng);
      const r = rateOn(rng, [...RIGHT_ARM, ...LEFT_ARM]);
      const q1 = Float64Array.from(q0, (v, i) => v + r[i]! * DT);
      lt.restart();
      lt.clock[0] = 10 + trial;
      lt.compute(toPolicy(q0, policy), outputRate(r, outputs), 0, out, 0, 1);
      lt.clock[0] = 10 + trial + DT;
      lt.compute(toPolicy(q1, policy), outputRate(r, outputs), 0, out, 0, 1);
      const want = dynamicOracle(q0, r, outputs);
      outputs.forEach(({ joint }, k) => {
        expect(out[k]!, `trial ${trial} ${joint}`).toBeCloseTo(want[k]!, 5);
        accelPart = Math.max(accelPart, Math.abs(want[k]! - G * ORACLE.column(q1, treeIndex(joint), outputs[k]!.loadLink)[2]));
      });
    }
    expect(accelPart).toBeGreaterThan(0.5); // the acceleration term matters here (N·m per kg): a static-only value would fail
  });

  it('channels are independent: a call on channel 1 between two calls on channel 0 changes nothing on 0; restart() → a_p = 0 again; dt out of (1e-4, 0.2) → a_p = 0', () => {
    const rng = new Rng(5);
    const outputs = RIGHT_ARM.map((joint) => ({ joint, loadLink: 'right_rubber_hand' }));
    const lt = new LoadTorque(MODEL, TREE_ORDER, outputs);
    const out = new Float64Array(7);
    const other = new Float64Array(7);
    const q0 = randomPose(rng);
    const r = rateOn(rng, RIGHT_ARM);
    const q1 = Float64Array.from(q0, (v, i) => v + r[i]! * DT);
    const rr = outputRate(r, outputs);
    const want = dynamicOracle(q0, r, outputs);
    const staticAt = (q: Float64Array): number[] => RIGHT_ARM.map((j) => G * ORACLE.column(q, treeIndex(j), 'right_rubber_hand')[2]);
    const expectAll = (got: Float64Array, exp: number[], what: string): void => exp.forEach((v, k) => expect(got[k]!, `${what} ${RIGHT_ARM[k]}`).toBeCloseTo(v, 5));

    lt.clock[0] = 1;
    lt.compute(q0, rr, 0, out, 0, 1);
    expectAll(out, staticAt(q0), 'first call, channel 0');
    // channel 1: a very different pose and rate, in between
    const qo = randomPose(rng);
    lt.clock[0] = 1 + DT / 2;
    lt.compute(qo, rr.map((x) => -3 * x), 1, other, 0, 1);
    expectAll(other, staticAt(qo), 'first call, channel 1');
    lt.clock[0] = 1 + DT;
    lt.compute(q1, rr, 0, out, 0, 1);
    expectAll(out, want, 'second call, channel 0');

    // restart: the next call on either channel has no acceleration (without it, both would: another pose and rate, 0.01–0.03 s later)
    lt.restart();
    lt.clock[0] = 1 + 2 * DT;
    lt.compute(q0, rr.map((x) => -x), 0, out, 0, 1);
    expectAll(out, staticAt(q0), 'after restart, channel 0');
    lt.compute(q1, rr, 1, other, 0, 1);
    expectAll(other, staticAt(q1), 'after restart, channel 1');

    // a time step beyond 0.2 s (a gap), or none at all: no acceleration either
    for (const gap of [0.25, 0]) {
      lt.restart();
      lt.clock[0] = 5;
      lt.compute(q0, rr, 0, out, 0, 1);
      lt.clock[0] = 5 + gap;
      lt.compute(q1, rr, 0, out, 0, 1);
      expectAll(out, staticAt(q1), `dt ${gap}`);
    }
    // and a step just inside the bound is used (the same oracle at that dt)
    lt.restart();
    lt.clock[0] = 7;
    lt.compute(q0, rr, 0, out, 0, 1);
    lt.clock[0] = 7 + DT;
    lt.compute(q1, rr, 0, out, 0, 1);
    expectAll(out, want, 'dt 0.02 again');
  });
});

describe('LoadTorque: configuration errors', () => {
  const build = (outputs: { joint: string; loadLink: string }[], model: RobotModel = MODEL): LoadTorque => new LoadTorque(model, TREE_ORDER, outputs);
  it('unknown joint, non-revolute joint, unknown link, a link the joint does not move: clear errors', () => {
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'right_rubber_hand' }])).not.toThrow();
    expect(() => build([{ joint: 'right_elbw_joint', loadLink: 'right_rubber_hand' }])).toThrow(/'right_elbw_joint' is not an actuated joint/);
    // a fixed joint is not actuated
    expect(() => build([{ joint: 'right_hand_palm_joint', loadLink: 'right_rubber_hand' }])).toThrow(/'right_hand_palm_joint' is not an actuated joint/);
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'right_hand' }])).toThrow(/no link 'right_hand'/);
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'left_rubber_hand' }])).toThrow(/link 'left_rubber_hand' is not moved by joint 'right_elbow_joint'/);
    // a link above the joint (the upper arm does not move with the elbow)
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'right_shoulder_yaw_link' }])).toThrow(/not moved by joint 'right_elbow_joint'/);
    // the joint's own child link is moved by it
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'right_elbow_link' }])).not.toThrow();
    const prismatic: RobotModel = { ...MODEL, joints: MODEL.joints.map((j) => (j.name === 'right_elbow_joint' ? { ...j, type: 'prismatic' as const } : j)) };
    expect(() => build([{ joint: 'right_elbow_joint', loadLink: 'right_rubber_hand' }], prismatic)).toThrow(/'right_elbow_joint' is prismatic, not revolute/);
  });
});
