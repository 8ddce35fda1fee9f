/**
 * The task where the choice matters: the G1's right arm (shoulder pitch,
 * roll, yaw, elbow) moves its hand from a low front pose to a target above a
 * flat box lying in the way; the hand can pass the box on the body side
 * (+y) or on the outer side (−y). Which way is cheaper depends on where the
 * box sits relative to the straight line and on the arm's geometry (the body
 * side runs near the torso, where the shield's self-collision barriers act).
 *
 * Action: a chunk of H = 4 joint waypoints (D = 4 joints) reached at 0.25,
 * 0.5, 0.75, 1.0 s, each joint normalised to [−1, 1] over {@link ARM_RANGE}.
 * Observation (6): target and box centre, normalised by {@link OBS_CENTRE} / {@link OBS_SCALE}.
 *
 * Rollout (kinematic, through the shield core): the waypoints are linearly
 * interpolated and streamed as 50 Hz candidates into a {@link Shield} at
 * 500 Hz (joint limits, acceleration limit, self-collision barriers of the
 * {@link CollisionModel}); the robot follows the shield's output exactly (no
 * dynamics). Per tick the arm's fitted capsules (the shield's capsules) are
 * measured against the box. Return (higher is better):
 *
 *   R = −(5·e + t_reach + 2·f_int + 2·p_near + 3·[collided])
 *
 * e: final hand error, m; t_reach: first time the hand is within 3 cm of the
 * target (the full 1.25 s when never), s; f_int: fraction of ticks the shield
 * changed the command; p_near = max(0, 0.03 − c_min)/0.03 with c_min the
 * least capsule–box clearance, m; collided: c_min < 0. Success: e < 3 cm and
 * no collision.
 *
 * The planner (demonstrations) places a via point beside the box on the
 * chosen side, at the box's height, and solves position IK (damped least
 * squares) for the four waypoints along the hand path start → via → target.
 */
import { Rng } from '../../training/rng.js';
import { KinematicTree } from '../../robot/kinematics.js';
import { TRANSFORM_SIZE, transformPoint } from '../../robot/math.js';
import { jointLimitArrays, type RobotModel } from '../../robot/model.js';
import { fitCapsules, type CapsuleSet } from '../../safety/capsules.js';
import { CollisionModel } from '../../safety/collision-model.js';
import { CollisionConfigSchema, ShieldCoreConfigSchema, ShieldLimitsConfigSchema, WorkspaceConfigSchema } from '../../safety/config.js';
import type { NamedCandidate, NamedJointState } from '../../safety/inputs.js';
import { shieldLimitsOrThrow } from '../../safety/limits.js';
import { Shield } from '../../safety/shield.js';

export const ARM_JOINTS = ['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_shoulder_yaw_joint', 'right_elbow_joint'] as const;
/** Normalisation of each arm joint: q = centre + half·a, rad. */
export const ARM_RANGE: readonly { centre: number; half: number }[] = [
  { centre: -0.75, half: 1.75 }, { centre: -0.5, half: 1.0 }, { centre: 0, half: 1.5 }, { centre: 0.5, half: 1.5 },
];
export const HORIZON = 4;
export const ACTION_DIM = ARM_JOINTS.length;
export const OBS_WIDTH = 6;
/** Start pose of the arm joints, rad. */
export const Q_START = [-0.22, -0.2, -0.1, 0.71] as const;
export const OBS_CENTRE = [0.3, -0.22, 1.05, 0.28, -0.22, 0.925] as const;
export const OBS_SCALE = [0.04, 0.05, 0.04, 0.03, 0.05, 0.02] as const;
/** Box half sizes x, y, z, m. */
export const BOX_HALF = [0.06, 0.05, 0.015] as const;
/** Waypoint times, s; the rollout holds the last one until {@link EPISODE_S}. */
export const WAYPOINT_S = 0.25;
export const EPISODE_S = 1.25;
const SHIELD_HZ = 500;
const CANDIDATE_HZ = 50;
const REACH_M = 0.03;
const NEAR_M = 0.03;
/** Arm links whose capsules are measured against the box. */
const ARM_LINKS = ['right_shoulder_yaw_link', 'right_elbow_link', 'right_wrist_roll_link', 'right_wrist_pitch_link', 'right_wrist_yaw_link', 'right_rubber_hand'];

/** One task instance: target and box centre, world frame, m. */
export interface ArmContext {
  target: [number, number, number];
  box: [number, number, number];
}

export interface RolloutResult {
  ret: number;
  success: boolean;
  errorM: number;
  reachS: number;
  interventionFraction: number;
  minClearanceM: number;
  collided: boolean;
}

/** Draws a context: target ±(4, 5, 4) cm around its centre, the box ±(3, 5, 2) cm around its own. */
export function sampleContext(rng: Rng): ArmContext {
  const u = (i: number): number => OBS_CENTRE[i]! + OBS_SCALE[i]! * rng.uniform(-1, 1);
  return { target: [u(0), u(1), u(2)], box: [u(3), u(4), u(5)] };
}

export function observe(ctx: ArmContext, out: Float32Array = new Float32Array(OBS_WIDTH)): Float32Array {
  const v = [...ctx.target, ...ctx.box];
  for (let i = 0; i < OBS_WIDTH; i++) out[i] = (v[i]! - OBS_CENTRE[i]!) / OBS_SCALE[i]!;
  return out;
}

/** Joint angles (rad) of chunk step h from a normalised chunk. */
export function chunkJoint(chunk: ArrayLike<number>, h: number, j: number): number {
  const r = ARM_RANGE[j]!;
  return r.centre + r.half * chunk[h * ACTION_DIM + j]!;
}

/** Distance from point p to the box (0 inside), m. */
function pointBoxDistance(px: number, py: number, pz: number, c: readonly number[]): number {
  const dx = Math.max(0, Math.abs(px - c[0]!) - BOX_HALF[0]);
  const dy = Math.max(0, Math.abs(py - c[1]!) - BOX_HALF[1]);
  const dz = Math.max(0, Math.abs(pz - c[2]!) - BOX_HALF[2]);
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

class StateView implements NamedJointState {
  stampS = 0;
  constructor(readonly names: readonly string[], readonly position: Float64Array, readonly velocity: Float64Array) {}
}
class CandidateView implements NamedCandidate {
  stampS = 0;
  horizonS = 1 / CANDIDATE_HZ;
  readonly velocities = new Float64Array(0);
  readonly effort = new Float64Array(0);
  constructor(readonly names: readonly string[], readonly positions: Float64Array) {}
}

export class ArmDetourTask {
  private readonly tree: KinematicTree;
  private readonly q: Float64Array;
  private readonly armIndex: Int32Array;
  private readonly hand: number;
  private readonly capsules: CapsuleSet;
  private readonly armCapsules: Int32Array;
  private readonly p = new Float64Array(6);
  /** The shield's collision model, built once (it carries only buffers and a conservative culling bound between rollouts). */
  private readonly collision: CollisionModel;
  private readonly collisionConfig = CollisionConfigSchema.parse({});

  constructor(private readonly model: RobotModel) {
    this.tree = new KinematicTree(model);
    this.q = new Float64Array(this.tree.dof);
    this.armIndex = Int32Array.from(ARM_JOINTS, (n) => {
      const i = this.tree.jointNames.indexOf(n);
      if (i < 0) throw new Error(`robot '${model.name}' has no joint '${n}'`);
      return i;
    });
    this.hand = this.tree.linkIndex('right_rubber_hand');
    this.capsules = fitCapsules(model, this.tree).capsules;
    const links = new Set(ARM_LINKS.map((n) => this.tree.linkIndex(n)));
    this.collision = new CollisionModel(model, [...ARM_JOINTS], this.collisionConfig,
      WorkspaceConfigSchema.parse({ links: ['right_rubber_hand'], minM: [null, null, 0.05] }));
    this.armCapsules = Int32Array.from(Array.from({ length: this.capsules.count }, (_, c) => c).filter((c) => links.has(this.capsules.link[c]!)));
  }

  /** Hand position (m, world) for arm joints qa (rad), into out. */
  handAt(qa: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let j = 0; j < ACTION_DIM; j++) this.q[this.armIndex[j]!] = qa[j]!;
    this.tree.forward(this.q);
    return this.tree.linkPosition(this.hand, out);
  }

  /** Least clearance of the arm capsules to the box after the last FK, m. */
  private boxClearance(box: readonly number[]): number {
    const t = this.tree.transforms;
    const cap = this.capsules;
    const p = this.p;
    let best = Infinity;
    for (let k = 0; k < this.armCapsules.length; k++) {
      const c = this.armCapsules[k]!;
      const to = cap.link[c]! * TRANSFORM_SIZE;
      transformPoint(p, 0, t, to, cap.localA, 3 * c);
      transformPoint(p, 3, t, to, cap.localB, 3 * c);
      for (let s = 0; s <= 6; s++) {
        const f = s / 6;
        const d = pointBoxDistance(p[0]! + f * (p[3]! - p[0]!), p[1]! + f * (p[4]! - p[1]!), p[2]! + f * (p[5]! - p[2]!), box) - cap.radius[c]!;
        if (d < best) best = d;
      }
    }
    return best;
  }

  /** Position IK (damped least squares, numeric Jacobian) from qInit; returns joint angles clamped to the normalisation range. */
  ik(target: readonly number[], qInit: readonly number[]): number[] {
    const qa = [...qInit];
    const h = new Float64Array(3);
    const h2 = new Float64Array(3);
    const J = new Float64Array(12);
    for (let it = 0; it < 60; it++) {
      this.handAt(qa, h);
      const e = [target[0]! - h[0]!, target[1]! - h[1]!, target[2]! - h[2]!];
      if (Math.hypot(e[0]!, e[1]!, e[2]!) < 1e-4) break;
      for (let j = 0; j < 4; j++) {
        const save = qa[j]!;
        qa[j] = save + 1e-5;
        this.handAt(qa, h2);
        qa[j] = save;
        for (let r = 0; r < 3; r++) J[r * 4 + j] = (h2[r]! - h[r]!) / 1e-5;
      }
      // dq = Jᵀ (J Jᵀ + λ² I)⁻¹ e
      const lambda2 = 1e-3;
      const A = new Float64Array(9);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        let s = r === c ? lambda2 : 0;
        for (let j = 0; j < 4; j++) s += J[r * 4 + j]! * J[c * 4 + j]!;
        A[r * 3 + c] = s;
      }
      const y = solve3(A, e);
      for (let j = 0; j < 4; j++) {
        let d = 0;
        for (let r = 0; r < 3; r++) d += J[r * 4 + j]! * y[r]!;
        const rg = ARM_RANGE[j]!;
        qa[j] = Math.min(rg.centre + rg.half, Math.max(rg.centre - rg.half, qa[j]! + 0.7 * d));
      }
    }
    return qa;
  }

  /** The planner: a normalised chunk passing the box on `side` (+1: body side +y, −1: outer side −y). */
  plan(ctx: ArmContext, side: 1 | -1, jitter = 0, rng?: Rng): Float32Array {
    const start = this.handAt(Q_START, new Float64Array(3));
    const tgt = ctx.target;
    const via = [
      ctx.box[0] + (rng ? jitter * rng.uniform(-1, 1) : 0),
      ctx.box[1] + side * (BOX_HALF[1] + 0.1) + (rng ? jitter * rng.uniform(-1, 1) : 0),
      ctx.box[2] + (rng ? jitter * rng.uniform(-1, 1) : 0),
    ];
    // hand path start → via → target, waypoints at equal arc length fractions 1/4 .. 4/4
    const l1 = Math.hypot(via[0]! - start[0]!, via[1]! - start[1]!, via[2]! - start[2]!);
    const l2 = Math.hypot(tgt[0] - via[0]!, tgt[1] - via[1]!, tgt[2] - via[2]!);
    const chunk = new Float32Array(HORIZON * ACTION_DIM);
    let q: number[] = [...Q_START];
    for (let h = 1; h <= HORIZON; h++) {
      const s = ((l1 + l2) * h) / HORIZON;
      const pt = s <= l1
        ? [0, 1, 2].map((i) => start[i]! + ((via[i]! - start[i]!) * s) / l1)
        : [0, 1, 2].map((i) => via[i]! + ((tgt[i]! - via[i]!) * (s - l1)) / l2);
      q = this.ik(pt, q);
      for (let j = 0; j < ACTION_DIM; j++) {
        const r = ARM_RANGE[j]!;
        chunk[(h - 1) * ACTION_DIM + j] = Math.max(-1, Math.min(1, (q[j]! - r.centre) / r.half));
      }
    }
    return chunk;
  }

  /** A shield for the arm joints (limits + self-collision barriers), fresh per rollout. */
  private makeShield(): Shield {
    const names = [...ARM_JOINTS];
    const limits = shieldLimitsOrThrow(jointLimitArrays(this.model, names), ShieldLimitsConfigSchema.parse({
      accelerationRadPerS2: 150, decelerationRadPerS2: 100, kpNmPerRad: 100, kdNmSPerRad: 2,
    }));
    const cc = this.collisionConfig;
    return new Shield(limits, ShieldCoreConfigSchema.parse({ rateHz: SHIELD_HZ, autoActivate: true }), { source: this.collision, decayRatePerS: cc.decayRatePerS, maxActive: cc.maxActive });
  }

  /** Runs a normalised chunk and scores it; a non-finite chunk is a failure with return −20 (below any finite chunk's: R ≥ −(5·1 + 1.25 + 2 + 4 + 3)). */
  rollout(ctx: ArmContext, chunk: ArrayLike<number>): RolloutResult {
    for (let i = 0; i < HORIZON * ACTION_DIM; i++) {
      if (!Number.isFinite(chunk[i]!)) return { ret: -20, success: false, errorM: Infinity, reachS: EPISODE_S, interventionFraction: 1, minClearanceM: -Infinity, collided: true };
    }
    const shield = this.makeShield();
    const names = [...ARM_JOINTS];
    const pos = Float64Array.from(Q_START);
    const state = new StateView(names, pos, new Float64Array(4));
    const cmdPos = new Float64Array(4);
    const cand = new CandidateView(names, cmdPos);
    const dt = 1 / SHIELD_HZ;
    const ticks = Math.round(EPISODE_S * SHIELD_HZ);
    const every = SHIELD_HZ / CANDIDATE_HZ;
    const hand = new Float64Array(3);
    const tgt = ctx.target;
    let reachS = EPISODE_S;
    let minC = Infinity;
    let active = 0;
    for (let k = 0; k < ticks; k++) {
      const now = k * dt;
      state.stampS = now;
      let c: NamedCandidate | null = null;
      if (k % every === 0) {
        const tc = now + 1 / CANDIDATE_HZ;
        const seg = Math.min(HORIZON, tc / WAYPOINT_S);
        const h = Math.floor(seg);
        const f = seg - h;
        for (let j = 0; j < 4; j++) {
          const a = h === 0 ? Q_START[j]! : chunkJoint(chunk, h - 1, j);
          const b = h >= HORIZON ? a : chunkJoint(chunk, h, j);
          cmdPos[j] = a + f * (b - a);
        }
        cand.stampS = now;
        c = cand;
      }
      const outcome = shield.tick(now, state, c);
      if (outcome === 'passed' || outcome === 'intervened') active++;
      if (shield.hasOutput) {
        pos.set(shield.output);
        state.velocity.set(shield.outputVelocity);
      }
      if (k % 5 === 0) {
        this.handAt(pos, hand);
        const clear = this.boxClearance(ctx.box);
        if (clear < minC) minC = clear;
        if (reachS === EPISODE_S && Math.hypot(hand[0]! - tgt[0], hand[1]! - tgt[1], hand[2]! - tgt[2]) < REACH_M) reachS = now;
      }
    }
    this.handAt(pos, hand);
    const err = Math.hypot(hand[0]! - tgt[0], hand[1]! - tgt[1], hand[2]! - tgt[2]);
    const fInt = active > 0 ? shield.status.interventionTicks / active : 1;
    const collided = minC < 0;
    const near = Math.max(0, NEAR_M - minC) / NEAR_M;
    const ret = -(5 * err + reachS + 2 * fInt + 2 * Math.min(near, 2) + (collided ? 3 : 0));
    return { ret, success: err < REACH_M && !collided, errorM: err, reachS, interventionFraction: fInt, minClearanceM: minC, collided };
  }
}

function solve3(A: Float64Array, b: number[]): number[] {
  const [a, bb, c, d, e, f, g, h, i] = Array.from(A) as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - bb * (d * i - f * g) + c * (d * h - e * g);
  const inv = [
    (e * i - f * h) / det, (c * h - bb * i) / det, (bb * f - c * e) / det,
    (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (bb * g - a * h) / det, (a * e - bb * d) / det,
  ];
  return [0, 1, 2].map((r) => inv[r * 3]! * b[0]! + inv[r * 3 + 1]! * b[1]! + inv[r * 3 + 2]! * b[2]!);
}
