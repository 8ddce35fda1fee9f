/**
 * Property test of the self-collision and workspace barriers on the G1-class
 * humanoid (fixed base): random and adversarial target streams; every output
 * keeps every checked capsule pair at least minDistanceM apart and the hands
 * inside the workspace box (tolerance 1e-6 m), within position and velocity
 * limits. Acceleration may be exceeded only on ticks where a barrier needed
 * it (counted as an acceleration relaxation).
 *
 * The oracle is independent of src/safety's geometry: its own forward
 * kinematics from the URDF joints (Rodrigues rotations), and capsule distances
 * by brute-force search over the raw capsule list (endpoints, radii) and the
 * pair list the collision model checks (the configuration, not its math).
 * Positions are checked strictly (1e-12 rad): inside the shield limits, or for
 * the first output after activation, not further out than the measured start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { actuatedJoints, jointLimitArrays } from '../../src/robot/model.js';
import { Constraint } from '../../src/safety/band.js';
import { CollisionModel } from '../../src/safety/collision-model.js';
import {
  CollisionConfigSchema, ShieldCoreConfigSchema, ShieldLimitsConfigSchema, WorkspaceConfigSchema,
} from '../../src/safety/config.js';
import type { NamedCandidate, NamedJointState } from '../../src/safety/inputs.js';
import { shieldLimitsOrThrow } from '../../src/safety/limits.js';
import { Shield } from '../../src/safety/shield.js';
import { Plant, prng, uniform } from './adversary.js';

const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
const names = actuatedJoints(model).map((j) => j.name);
const urdf = jointLimitArrays(model, names);
const HANDS = ['left_rubber_hand', 'right_rubber_hand'];

function handFloorAtReference(): number {
  const cm = new CollisionModel(model, names, CollisionConfigSchema.parse({}), WorkspaceConfigSchema.parse({ links: HANDS, minM: [null, null, -100] }));
  cm.measure(new Float64Array(names.length));
  return -100 + cm.minWorkspaceClearanceM;
}
const lowestHandZ = handFloorAtReference();

// ---- the independent oracle: FK and brute-force capsule distances ----
type Frame = { R: number[]; t: number[] };
const matMul = (a: number[], b: number[]): number[] => {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return o;
};
const matVec = (a: number[], v: number[]): number[] => [0, 1, 2].map((i) => a[i * 3]! * v[0]! + a[i * 3 + 1]! * v[1]! + a[i * 3 + 2]! * v[2]!);
/** Rotation about a unit axis by θ (Rodrigues). */
function axisAngle(u: readonly number[], th: number): number[] {
  const [x, y, z] = u as [number, number, number];
  const c = Math.cos(th);
  const sn = Math.sin(th);
  const C = 1 - c;
  return [c + x * x * C, x * y * C - z * sn, x * z * C + y * sn, y * x * C + z * sn, c + y * y * C, y * z * C - x * sn, z * x * C - y * sn, z * y * C + x * sn, c + z * z * C];
}
/** URDF rpy: R = Rz(yaw)·Ry(pitch)·Rx(roll). */
const rpy = (r: number, p: number, y: number): number[] => matMul(axisAngle([0, 0, 1], y), matMul(axisAngle([0, 1, 0], p), axisAngle([1, 0, 0], r)));
const compose = (a: Frame, b: Frame): Frame => ({ R: matMul(a.R, b.R), t: matVec(a.R, b.t).map((x, i) => x + a.t[i]!) });

/** The kinematic chain, ordered parent before child, with each joint's constant origin. */
const chain = (() => {
  const order: typeof model.joints = [];
  const placed = new Set([model.rootLink]);
  const pending = [...model.joints];
  while (pending.length > 0) {
    const k = pending.findIndex((jt) => placed.has(jt.parent));
    if (k < 0) break;
    const jt = pending.splice(k, 1)[0]!;
    order.push(jt);
    placed.add(jt.child);
  }
  return order.map((jt) => ({ joint: jt, origin: { R: rpy(...jt.origin.rpy), t: [...jt.origin.xyz] } as Frame, q: names.indexOf(jt.name) }));
})();

/** World frame of every link for joint positions q (shield order), root link at the identity. */
function forwardKinematics(q: Float64Array): Map<string, Frame> {
  const frames = new Map<string, Frame>([[model.rootLink, { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] }]]);
  for (const { joint: jt, origin, q: qi } of chain) {
    const x = qi >= 0 ? q[qi]! : 0;
    const base = compose(frames.get(jt.parent)!, origin);
    const frame = jt.type === 'prismatic' ? { R: base.R, t: matVec(base.R, jt.axis.map((a) => a * x)).map((v, d) => v + base.t[d]!) }
      : jt.type === 'revolute' || jt.type === 'continuous' ? { R: matMul(base.R, axisAngle(jt.axis, x)), t: base.t } : base;
    frames.set(jt.child, frame);
  }
  return frames;
}

/** Distance from point (px, py, pz) to segment a + t·(b − a), t ∈ [0, 1] (clamped projection). */
function pointSegment(px: number, py: number, pz: number, a: Float64Array, b: Float64Array): number {
  const ux = b[0]! - a[0]!, uy = b[1]! - a[1]!, uz = b[2]! - a[2]!;
  const len2 = ux * ux + uy * uy + uz * uz;
  let t = len2 > 0 ? ((px - a[0]!) * ux + (py - a[1]!) * uy + (pz - a[2]!) * uz) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(px - a[0]! - t * ux, py - a[1]! - t * uy, pz - a[2]! - t * uz);
}
/** Segment–segment distance by golden-section search over the first segment (convex in s). */
function segmentSegment(a0: Float64Array, a1: Float64Array, b0: Float64Array, b1: Float64Array): number {
  const at = (s: number) => pointSegment(a0[0]! + s * (a1[0]! - a0[0]!), a0[1]! + s * (a1[1]! - a0[1]!), a0[2]! + s * (a1[2]! - a0[2]!), b0, b1);
  const g = (Math.sqrt(5) - 1) / 2;
  let lo = 0;
  let hi = 1;
  let m1 = hi - g * (hi - lo);
  let m2 = lo + g * (hi - lo);
  let f1 = at(m1);
  let f2 = at(m2);
  for (let it = 0; it < 45; it++) {
    if (f1 <= f2) { hi = m2; m2 = m1; f2 = f1; m1 = hi - g * (hi - lo); f1 = at(m1); }
    else { lo = m1; m1 = m2; f1 = f2; m2 = lo + g * (hi - lo); f2 = at(m2); }
  }
  return Math.min(f1, f2, at(0), at(1));
}

/** The raw capsule list and the checked pairs, read once from the collision model's configuration. */
function capsuleOracle(cm: CollisionModel) {
  const c = cm.capsules;
  const linkOf = c.names.map((n) => n.split('/')[0]!);
  const wa = Array.from({ length: c.count }, () => new Float64Array(3));
  const wb = Array.from({ length: c.count }, () => new Float64Array(3));
  const place = (frames: Map<string, Frame>) => {
    for (let k = 0; k < c.count; k++) {
      const f = frames.get(linkOf[k]!)!;
      for (const [local, out] of [[c.localA, wa[k]!], [c.localB, wb[k]!]] as const) {
        const x = local[3 * k]!, y = local[3 * k + 1]!, z = local[3 * k + 2]!;
        for (let d = 0; d < 3; d++) out[d] = f.R[d * 3]! * x + f.R[d * 3 + 1]! * y + f.R[d * 3 + 2]! * z + f.t[d]!;
      }
    }
  };
  return (q: Float64Array, minDistance: number, handLinks: readonly string[], boxMin: (number | null)[], boxMax: (number | null)[]) => {
    place(forwardKinematics(q));
    let collision = Infinity;
    for (let m = 0; m < cm.pairs.length; m += 2) {
      const i = cm.pairs[m]!;
      const j = cm.pairs[m + 1]!;
      const a0 = wa[i]!, a1 = wb[i]!, b0 = wa[j]!, b1 = wb[j]!;
      // a valid lower bound first (midpoint distance minus half-lengths): far pairs skip the search
      const mid = Math.hypot((a0[0]! + a1[0]! - b0[0]! - b1[0]!) / 2, (a0[1]! + a1[1]! - b0[1]! - b1[1]!) / 2, (a0[2]! + a1[2]! - b0[2]! - b1[2]!) / 2);
      const ha = Math.hypot(a1[0]! - a0[0]!, a1[1]! - a0[1]!, a1[2]! - a0[2]!) / 2;
      const hb = Math.hypot(b1[0]! - b0[0]!, b1[1]! - b0[1]!, b1[2]! - b0[2]!) / 2;
      const margin = c.radius[i]! + c.radius[j]! + minDistance;
      if (mid - ha - hb - margin > Math.min(collision, 0.02)) continue;
      collision = Math.min(collision, segmentSegment(a0, a1, b0, b1) - margin);
    }
    let workspace = Infinity;
    for (let k = 0; k < c.count; k++) {
      if (!handLinks.includes(linkOf[k]!)) continue;
      for (const p of [wa[k]!, wb[k]!]) {
        for (let d = 0; d < 3; d++) {
          if (boxMin[d] !== null) workspace = Math.min(workspace, p[d]! - c.radius[k]! - boxMin[d]!);
          if (boxMax[d] !== null) workspace = Math.min(workspace, boxMax[d]! - p[d]! - c.radius[k]!);
        }
      }
    }
    return { collision, workspace };
  };
}

describe('collision and workspace barriers on the humanoid', () => {
  it('no output brings checked capsules closer than the minimum distance or a hand out of its box', { timeout: 400_000 }, () => {
    const collision = CollisionConfigSchema.parse({});
    const workspace = WorkspaceConfigSchema.parse({ links: HANDS, minM: [-0.6, -0.7, lowestHandZ - 0.05], maxM: [0.6, 0.7, null] });
    let ticks = 0;
    let barrierTicks = 0;
    let minClearance = Infinity;
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 25 }), fc.constantFrom(500, 1000), (seed, every, rateHz) => {
      const r = prng(seed);
      const gains = Object.fromEntries(names.map((name) => [name, { kp: 60, kd: 2 }]));
      const limits = shieldLimitsOrThrow(urdf, ShieldLimitsConfigSchema.parse({ accelerationRadPerS2: 400, decelerationRadPerS2: 200 }), { gains });
      const model1 = new CollisionModel(model, names, collision, workspace);
      const check = capsuleOracle(model1);
      const sh = new Shield(limits, ShieldCoreConfigSchema.parse({ rateHz, autoActivate: true, inputs: { maxConsecutiveRejections: 1000 } }), {
        source: model1, decayRatePerS: collision.decayRatePerS, maxActive: collision.maxActive,
      });
      const plant = new Plant(r, urdf, 60, 2);
      plant.q.fill(0);
      const n = names.length;
      const dt = 1 / rateHz;
      const js: NamedJointState = { stampS: 0, names, position: new Float64Array(n), velocity: new Float64Array(n) };
      const cand: NamedCandidate = { stampS: 0, names, positions: new Float64Array(n), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
      const prev = new Float64Array(n);
      const prev2 = new Float64Array(n);
      let history = 0;
      for (let k = 0; k < 1500; k++) {
        const now = k * dt;
        js.stampS = now;
        js.position.set(plant.q);
        js.velocity.set(plant.qd);
        if (k % every === 0) {
          cand.stampS = now;
          const mode = r();
          for (let i = 0; i < n; i++) {
            cand.positions[i] = mode < 0.7 ? uniform(r, urdf.lower[i]! - 0.3, urdf.upper[i]! + 0.3) : mode < 0.85 ? uniform(r, -50, 50) : 0;
          }
        }
        const relaxedBefore = sh.status.relaxations[Constraint.Acceleration]!;
        sh.tick(now, js, k % every === 0 ? cand : null);
        ticks++;
        if (!sh.hasOutput) continue;
        const out = sh.output;
        const clear = check(out, collision.minDistanceM, HANDS, workspace.minM, workspace.maxM);
        if (clear.collision < -1e-6) throw new Error(`tick ${k}: capsules ${clear.collision} m inside the minimum distance; relax ${Array.from(sh.status.relaxations)} lastL2 ${sh.status.lastIntervention.l2Rad}`);
        if (clear.workspace < -1e-6) throw new Error(`tick ${k}: hand ${clear.workspace} m outside the workspace`);
        minClearance = Math.min(minClearance, clear.collision);
        const barrierNeededAccel = sh.status.relaxations[Constraint.Acceleration]! > relaxedBefore;
        if (barrierNeededAccel) barrierTicks++;
        for (let i = 0; i < n; i++) {
          const x = out[i]!;
          if (!Number.isFinite(x)) throw new Error(`tick ${k} joint ${names[i]}: non-finite output ${x}`);
          // strictly inside the shield limits (URDF − the 0.02 rad default margin), or no further out than
          // the command before it (the measured start, for the first output)
          const before = history > 0 ? prev[i]! : 0;
          const lo = Math.min(urdf.lower[i]! + 0.02, before);
          const hi = Math.max(urdf.upper[i]! - 0.02, before);
          if (x < lo - 1e-12 || x > hi + 1e-12) throw new Error(`tick ${k} joint ${names[i]}: position ${x} outside [${lo}, ${hi}]`);
          if (history > 0 && Math.abs(x - prev[i]!) > limits.velocity[i]! * dt * (1 + 1e-9) + 1e-12) {
            throw new Error(`tick ${k} joint ${names[i]}: velocity ${(x - prev[i]!) / dt}`);
          }
          // Acceleration above the limit only on ticks the shield counted as barrier-forced braking.
          if (history > 1 && !barrierNeededAccel) {
            const a = (x - 2 * prev[i]! + prev2[i]!) / (dt * dt);
            const tolA = 1e-9 * 400 + (16 * Number.EPSILON * (1 + Math.abs(x))) / (dt * dt);
            if (Math.abs(a) > 400 + tolA) throw new Error(`tick ${k} joint ${names[i]}: acceleration ${a} not counted as a barrier relaxation`);
          }
        }
        prev2.set(prev);
        prev.set(out);
        history++;
        plant.step(out, dt, 0);
      }
    }), { numRuns: 24, seed: 99 });
    expect(ticks).toBeGreaterThanOrEqual(24 * 1500);
    // Barrier-forced braking happens (this stream drives the arms into the body) and is always counted.
    expect(barrierTicks).toBeGreaterThan(0);
    // the stream really drove capsules to the margin (the oracle measured near-contact)
    expect(minClearance).toBeLessThan(0.01);
  });
});
