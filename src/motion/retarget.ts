/**
 * Kinematic retargeting, human keypoints → robot joint positions, one frame at
 * a time (warm-started), pure; buffers are allocated once (≈ 130 B of boxed doubles per
 * frame remain, measured by `npm run bench -- --only motion`).
 *
 * Targets (all in the robot's pelvis link frame; human frames from
 * ./body-frames.ts):
 *   torso:  R_torso* = Rrel·R0, Rrel = Hpᵀ·Ht (human torso relative to human
 *           pelvis), R0 the robot torso link's rotation with the waist at 0.
 *   arms:   with F the robot torso frame (R_torso·R0ᵀ) and S the robot
 *           shoulder link origin, elbow E* = S + F·Lu·â, wrist W* = E* + F·Lf·b̂,
 *           hand direction D* = F·ĉ, where â, b̂, ĉ are the human's upper-arm,
 *           forearm and wrist→hand-tip directions in the human torso frame
 *           and Lu, Lf the robot's segment lengths (limb-length scaling: each
 *           human segment is rescaled to the robot's, so the targets keep the
 *           human's directions at the robot's size).
 * Solve: damped least squares on the unconstrained variables u with
 * q = saturate(u) (./dls.ts; smooth, never at a limit):
 *   (JuᵀWJu + (λ² + wp²·s'²)·I)·Δu = JuᵀW·e + wp²·s'·(q_default − q),  Ju = J·diag(s')
 * first for the waist (torso orientation rows), then each arm (wrist
 * position, elbow position × elbowWeight, hand direction × handWeight), a
 * fixed number of iterations; in the first half the elbow rows weigh at
 * least as much as the wrist's, so the solve follows the human's arm branch
 * rather than a flipped arm that puts the wrist in the same place. Then every joint's change from the previous
 * output is capped at min(URDF velocity, maxVelocityRadS)·dt. Joints the map
 * does not name (legs) hold the default pose.
 */
import { jointLimitArrays, type RobotModel } from '../robot/model.js';
import { KinematicTree } from '../robot/kinematics.js';
import { TRANSFORM_SIZE } from '../robot/math.js';
import { norm3, pelvisFrame, rotate, rotateInv, rotationAngle, torsoFrame } from './body-frames.js';
import { saturate, saturateSlope, satLimits, solveSpd, unsaturate, type SatLimits } from './dls.js';
import { KEYPOINTS, KP } from './human.js';
import type { RetargetMap } from './retarget-config.js';

const K = KEYPOINTS.length;

/** Per-frame quality of the last {@link Retargeter.step}, per side [left, right]. */
export interface RetargetReport {
  /** |FK wrist − wrist target|, m. */
  wristErrM: Float64Array;
  /** |FK elbow − elbow target|, m. */
  elbowErrM: Float64Array;
  /** Angle between robot and target hand directions, rad. */
  handErrRad: Float64Array;
  /** Angle between the robot torso and its target, rad. */
  torsoErrRad: number;
  /** 1 when {@link reachFlags} is 0: the wrist target is within reach and no limit or speed cap binds that arm (see docs/motion.md). */
  reachable: Uint8Array;
  /** Why an arm's sample is not reachable, bits: {@link REACH_BEYOND} | {@link REACH_NEAR_LIMIT} | {@link REACH_SPEED_CAPPED}. */
  reachFlags: Uint8Array;
  /** Joints whose speed cap bound this frame. */
  velocityCapped: number;
}

interface Chain {
  q: Int32Array;
  /** Child link index per joint (its frame is the joint frame). */
  link: Int32Array;
  /** Local joint axis per joint (3 each). */
  axis: Float64Array;
  /** Per joint: 1 if it moves target link t (t: 0 elbow/torso, 1 wrist, 2 hand). */
  moves: Uint8Array;
}

export type StepResult = 'ok' | 'held_bad_input';

/** The wrist target is farther from the shoulder than 97 % of the robot arm's length (geometry only, independent of the solve). */
export const REACH_BEYOND = 1;
/** An arm joint of the solution is within half a saturation band of its limit. */
export const REACH_NEAR_LIMIT = 2;
/** The speed cap bound an arm joint this frame (the human moved faster than the robot may). */
export const REACH_SPEED_CAPPED = 4;

export class Retargeter {
  readonly tree: KinematicTree;
  readonly jointNames: readonly string[];
  /** Default pose (actuated order), inside the margined limits. */
  readonly defaultQ: Float64Array;
  /** The joints the map drives, in map order (torso, left arm, right arm): indices into q. */
  readonly upperBodyIndex: Int32Array;
  /** Output of the last step (actuated order), rad. */
  readonly q: Float64Array;
  readonly report: RetargetReport;
  /** Robot upper-arm and forearm lengths, m, [left, right]. */
  readonly upperArmM: Float64Array;
  readonly forearmM: Float64Array;
  readonly sat: SatLimits[];
  readonly speedCap: Float64Array;

  private readonly u: Float64Array;
  private readonly qTry: Float64Array;
  private readonly prev: Float64Array;
  readonly pelvisIdx: number;
  readonly torsoIdx: number;
  /** Head link index (the torso link when the map names none). */
  readonly headIdx: number;
  private readonly waist: Chain;
  private readonly arms: Chain[];
  readonly armLinks: { shoulder: number; elbow: number; wrist: number; hand: number }[];
  /** Hand axis in the hand link frame (wrist → hand at the default pose), per side. */
  private readonly handAxis: Float64Array;
  private readonly R0 = new Float64Array(9);
  private readonly mapped: Uint8Array;
  private hasPrev = false;
  private readonly armCapped = new Int32Array(2);
  /** Elbow row weight of the current iteration (a typed slot: a double field would box on every write). */
  private readonly elbowWSlot = new Float64Array(1);
  // scratch
  private readonly Hp = new Float64Array(9);
  private readonly Ht = new Float64Array(9);
  private readonly Rrel = new Float64Array(9);
  private readonly Rtgt = new Float64Array(9);
  private readonly F = new Float64Array(9);
  private readonly Rp = new Float64Array(9);
  private readonly Rcur = new Float64Array(9);
  private readonly tgt = new Float64Array(12);
  private readonly v3 = new Float64Array(3);
  private readonly w3 = new Float64Array(3);
  private readonly J = new Float64Array(9 * 8);
  private readonly A = new Float64Array(64);
  private readonly b = new Float64Array(8);
  private readonly e = new Float64Array(9);
  private readonly ax = new Float64Array(3 * 8);
  private readonly org = new Float64Array(3 * 8);

  constructor(model: RobotModel, readonly map: RetargetMap) {
    this.tree = new KinematicTree(model);
    const t = this.tree;
    this.jointNames = t.jointNames;
    const n = t.dof;
    const lim = jointLimitArrays(model, t.jointNames);
    const ik = map.ik;
    this.sat = t.jointNames.map((_, i) => satLimits(lim.lower[i]!, lim.upper[i]!, ik.limitMarginRad, ik.saturationBandRad));
    this.speedCap = Float64Array.from(lim.velocity, (v) => Math.min(v > 0 ? v : Infinity, ik.maxVelocityRadS));
    const qOf = new Map(t.jointNames.map((nm, i) => [nm, i]));
    const problems: string[] = [];
    for (const nm of Object.keys(map.defaultPose)) if (!qOf.has(nm)) problems.push(`defaultPose: '${nm}' is not an actuated joint`);
    this.defaultQ = Float64Array.from(t.jointNames, (nm, i) => {
      const s = this.sat[i]!;
      return Math.min(s.hi - 1e-6, Math.max(s.lo + 1e-6, map.defaultPose[nm] ?? 0));
    });
    const byChild = new Map(model.joints.map((j) => [j.child, j]));
    const byName = new Map(model.joints.map((j) => [j.name, j]));
    const link = (nm: string, where: string): number => {
      try { return t.linkIndex(nm); } catch { problems.push(`${where}: link '${nm}' is not in robot '${model.name}'`); return 0; }
    };
    const isAncestorOrSelf = (a: number, l: number): boolean => {
      for (let x = l; x >= 0; x = t.parentIndex[x]!) if (x === a) return true;
      return false;
    };
    const chain = (names: readonly string[], targets: number[], where: string): Chain => {
      const c: Chain = {
        q: new Int32Array(names.length), link: new Int32Array(names.length),
        axis: new Float64Array(names.length * 3), moves: new Uint8Array(names.length * 3),
      };
      names.forEach((nm, i) => {
        const qi = qOf.get(nm);
        const j = byName.get(nm);
        if (qi === undefined || !j) { problems.push(`${where}: '${nm}' is not an actuated joint of robot '${model.name}'`); return; }
        if (j.type !== 'revolute' && j.type !== 'continuous') problems.push(`${where}: '${nm}' is ${j.type}, the IK needs revolute joints`);
        c.q[i] = qi;
        c.link[i] = link(j.child, where);
        c.axis.set(j.axis, i * 3);
        targets.forEach((tl, k) => { c.moves[i * 3 + k] = isAncestorOrSelf(c.link[i]!, tl) ? 1 : 0; });
      });
      if (names.length > 8) problems.push(`${where}: at most 8 joints per chain`);
      return c;
    };
    this.pelvisIdx = link(map.pelvisLink, 'pelvisLink');
    this.torsoIdx = link(map.torso.link, 'torso.link');
    this.headIdx = map.headLink !== undefined ? link(map.headLink, 'headLink') : this.torsoIdx;
    this.waist = chain(map.torso.joints, [this.torsoIdx], 'torso.joints');
    this.armLinks = [];
    this.arms = (['left', 'right'] as const).map((side) => {
      const a = map.arms[side];
      const links = {
        shoulder: link(a.shoulderLink, `arms.${side}.shoulderLink`), elbow: link(a.elbowLink, `arms.${side}.elbowLink`),
        wrist: link(a.wristLink, `arms.${side}.wristLink`), hand: link(a.handLink, `arms.${side}.handLink`),
      };
      this.armLinks.push(links);
      return chain(a.joints, [links.elbow, links.wrist, links.hand], `arms.${side}.joints`);
    });
    if (problems.length > 0) throw new Error(`retargeting map does not fit robot '${model.name}':\n  - ${problems.join('\n  - ')}`);
    void byChild;
    this.upperBodyIndex = Int32Array.from([this.waist, ...this.arms].flatMap((c) => Array.from(c.q)));
    this.mapped = new Uint8Array(n);
    for (const c of [this.waist, ...this.arms]) for (const qi of c.q) this.mapped[qi] = 1;

    // geometry at the default pose with the waist at 0
    const q0 = Float64Array.from(this.defaultQ);
    for (const qi of this.waist.q) q0[qi] = 0;
    t.forward(q0);
    this.rotOf(this.Rp, this.pelvisIdx);
    this.rotOf(this.Rcur, this.torsoIdx);
    mulTA(this.R0, this.Rp, this.Rcur);
    this.upperArmM = new Float64Array(2);
    this.forearmM = new Float64Array(2);
    this.handAxis = new Float64Array(6);
    this.armLinks.forEach((l, s) => {
      this.upperArmM[s] = this.dist(l.shoulder, l.elbow);
      this.forearmM[s] = this.dist(l.elbow, l.wrist);
      const d = this.dist(l.wrist, l.hand);
      if (!(this.upperArmM[s]! > 1e-3 && this.forearmM[s]! > 1e-3 && d > 1e-3)) {
        throw new Error(`retargeting map: arm ${s === 0 ? 'left' : 'right'} has a zero-length segment (shoulder/elbow/wrist/hand links coincide)`);
      }
      const o = l.hand * TRANSFORM_SIZE, w = l.wrist * TRANSFORM_SIZE, T = t.transforms;
      for (let i = 0; i < 3; i++) this.v3[i] = (T[o + 3 + 4 * i]! - T[w + 3 + 4 * i]!) / d;
      this.rotOf(this.Rcur, l.hand);
      rotateInv(this.handAxis, s * 3, this.Rcur, this.v3, 0);
    });

    this.q = Float64Array.from(this.defaultQ);
    this.prev = Float64Array.from(this.defaultQ);
    this.qTry = new Float64Array(n);
    this.u = Float64Array.from(this.defaultQ, (v, i) => unsaturate(v, this.sat[i]!));
    this.report = {
      wristErrM: new Float64Array(2), elbowErrM: new Float64Array(2), handErrRad: new Float64Array(2),
      torsoErrRad: 0, reachable: new Uint8Array(2), reachFlags: new Uint8Array(2), velocityCapped: 0,
    };
  }

  /** Forgets the warm start: the next step starts from the default pose with no speed cap. */
  reset(): void {
    this.q.set(this.defaultQ);
    this.prev.set(this.defaultQ);
    for (let i = 0; i < this.u.length; i++) this.u[i] = unsaturate(this.defaultQ[i]!, this.sat[i]!);
    this.hasPrev = false;
  }

  /**
   * Retargets one human frame (`human`: KEYPOINTS.length × 3 doubles, m, at
   * `offset`), `dtS` after the previous one. Writes `this.q` and `this.report`.
   * Non-finite input holds the previous output ('held_bad_input').
   */
  step(human: Float64Array, offset: number, dtS: number): StepResult {
    for (let i = 0; i < K * 3; i++) if (!Number.isFinite(human[offset + i]!)) return 'held_bad_input';
    if (!(dtS > 0)) return 'held_bad_input';
    this.report.velocityCapped = 0;
    const t = this.tree, q = this.qTry, u = this.u;
    pelvisFrame(this.Hp, human, offset + KP.leftHip * 3, offset + KP.rightHip * 3);
    torsoFrame(this.Ht, human, offset + KP.leftShoulder * 3, offset + KP.rightShoulder * 3, offset + KP.leftHip * 3, offset + KP.rightHip * 3);
    mulTA(this.Rrel, this.Hp, this.Ht);
    for (let i = 0; i < q.length; i++) q[i] = this.mapped[i] ? saturate(u[i]!, this.sat[i]!) : this.defaultQ[i]!;
    t.forward(q);
    this.rotOf(this.Rp, this.pelvisIdx);
    // R_torso* (world) = Rp·Rrel·R0
    mulAB(this.F, this.Rp, this.Rrel);
    mulAB(this.Rtgt, this.F, this.R0);
    const ik = this.map.ik;
    for (let it = 0; it < ik.iterations; it++) {
      this.rotOf(this.Rcur, this.torsoIdx);
      const e = this.e;
      e[0] = 0; e[1] = 0; e[2] = 0;
      for (let c = 0; c < 3; c++) {
        const ax = this.Rcur[c]!, ay = this.Rcur[3 + c]!, az = this.Rcur[6 + c]!;
        const bx = this.Rtgt[c]!, by = this.Rtgt[3 + c]!, bz = this.Rtgt[6 + c]!;
        e[0] = e[0]! + 0.5 * (ay * bz - az * by); e[1] = e[1]! + 0.5 * (az * bx - ax * bz); e[2] = e[2]! + 0.5 * (ax * by - ay * bx);
      }
      this.solveChain(this.waist, 3, -1);
    }
    this.capSpeed(this.waist, dtS);
    t.forward(q);
    this.rotOf(this.Rcur, this.torsoIdx);
    this.report.torsoErrRad = rotationAngle(this.Rcur, 0, this.Rtgt, 0);
    // robot torso frame F = R_torso·R0ᵀ
    mulABt(this.F, this.Rcur, this.R0);
    for (let s = 0; s < 2; s++) this.solveArm(s, human, offset, dtS);
    t.forward(q);
    this.measure(human, offset);
    this.prev.set(q);
    this.q.set(q);
    this.hasPrev = true;
    return 'ok';
  }

  private solveArm(s: number, human: Float64Array, offset: number, dtS: number): void {
    this.armTargets(s, human, offset);
    const c = this.arms[s]!;
    const ik = this.map.ik;
    for (let it = 0; it < ik.iterations; it++) {
      // first half: the elbow counts as much as the wrist (picks the human's arm branch, not a flipped one)
      this.elbowWSlot[0] = it < ik.iterations / 2 ? Math.max(1, ik.elbowWeight) : ik.elbowWeight;
      this.armError(s); // the FK is current: the waist stage and each solve end with one
      this.solveChain(c, 9, s);
    }
    this.elbowWSlot[0] = ik.elbowWeight;
    this.armCapped[s] = this.capSpeed(c, dtS);
  }

  /** Task error rows [wrist(3), elbow(3)·we, hand(3)·wh] for arm s at the current FK. */
  private armError(s: number): void {
    const T = this.tree.transforms, e = this.e, tgt = this.tgt, L = this.armLinks[s]!, ik = this.map.ik;
    const wo = L.wrist * TRANSFORM_SIZE, eo = L.elbow * TRANSFORM_SIZE;
    for (let i = 0; i < 3; i++) {
      e[i] = tgt[3 + i]! - T[wo + 3 + 4 * i]!;
      e[3 + i] = this.elbowWSlot[0]! * (tgt[i]! - T[eo + 3 + 4 * i]!);
    }
    this.handDir(s, this.v3);
    const d = this.v3;
    const D0 = tgt[6]!, D1 = tgt[7]!, D2 = tgt[8]!;
    e[6] = ik.handWeight * (d[1]! * D2 - d[2]! * D1);
    e[7] = ik.handWeight * (d[2]! * D0 - d[0]! * D2);
    e[8] = ik.handWeight * (d[0]! * D1 - d[1]! * D0);
  }

  private handDir(s: number, out: Float64Array): void {
    const T = this.tree.transforms, ho = this.armLinks[s]!.hand * TRANSFORM_SIZE, a = this.handAxis;
    const x = a[s * 3]!, y = a[s * 3 + 1]!, z = a[s * 3 + 2]!;
    out[0] = T[ho]! * x + T[ho + 1]! * y + T[ho + 2]! * z;
    out[1] = T[ho + 4]! * x + T[ho + 5]! * y + T[ho + 6]! * z;
    out[2] = T[ho + 8]! * x + T[ho + 9]! * y + T[ho + 10]! * z;
  }

  /**
   * One DLS step on chain c for `rows` task rows in this.e (waist: 3 angular
   * rows, arm s: wrist, elbow, hand rows). Updates u and qTry.
   */
  private solveChain(c: Chain, rows: number, arm: number): void {
    const n = c.q.length, J = this.J, A = this.A, b = this.b, e = this.e, T = this.tree.transforms;
    const ik = this.map.ik;
    const ax = this.ax, org = this.org;
    for (let j = 0; j < n; j++) {
      const lo = c.link[j]! * TRANSFORM_SIZE;
      const x = c.axis[j * 3]!, y = c.axis[j * 3 + 1]!, z = c.axis[j * 3 + 2]!;
      ax[j * 3] = T[lo]! * x + T[lo + 1]! * y + T[lo + 2]! * z;
      ax[j * 3 + 1] = T[lo + 4]! * x + T[lo + 5]! * y + T[lo + 6]! * z;
      ax[j * 3 + 2] = T[lo + 8]! * x + T[lo + 9]! * y + T[lo + 10]! * z;
      org[j * 3] = T[lo + 3]!; org[j * 3 + 1] = T[lo + 7]!; org[j * 3 + 2] = T[lo + 11]!;
    }
    // J: rows × n, column j scaled by s'(u_j)
    for (let j = 0; j < n; j++) {
      const qi = c.q[j]!;
      const slope = saturateSlope(this.u[qi]!, this.sat[qi]!);
      const wx = ax[j * 3]!, wy = ax[j * 3 + 1]!, wz = ax[j * 3 + 2]!;
      if (arm < 0) {
        const m = c.moves[j * 3]! * slope;
        J[0 * n + j] = wx * m; J[1 * n + j] = wy * m; J[2 * n + j] = wz * m;
        continue;
      }
      const L = this.armLinks[arm]!;
      this.pointColumn(L.wrist, 0, slope * c.moves[j * 3 + 1]!, j, n);
      this.pointColumn(L.elbow, 3, slope * this.elbowWSlot[0]! * c.moves[j * 3]!, j, n);
      const k = c.moves[j * 3 + 2]! * slope * ik.handWeight;
      J[6 * n + j] = wx * k; J[7 * n + j] = wy * k; J[8 * n + j] = wz * k;
    }
    const lam2 = ik.damping * ik.damping, wp2 = ik.postureWeight * ik.postureWeight;
    for (let i = 0; i < n; i++) {
      const qi = c.q[i]!;
      const slope = saturateSlope(this.u[qi]!, this.sat[qi]!);
      let bi = wp2 * slope * (this.defaultQ[qi]! - this.qTry[qi]!);
      for (let r = 0; r < rows; r++) bi += J[r * n + i]! * e[r]!;
      b[i] = bi;
      for (let k = 0; k <= i; k++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += J[r * n + i]! * J[r * n + k]!;
        A[i * n + k] = s;
        A[k * n + i] = s;
      }
      A[i * n + i] = A[i * n + i]! + lam2 + wp2 * slope * slope;
    }
    if (!solveSpd(A, b, n)) return;
    for (let j = 0; j < n; j++) {
      const qi = c.q[j]!;
      const s = this.sat[qi]!;
      // keep u within a few bands of the limit so it can come back quickly
      const uNew = Math.min(s.hi + 2 * s.band, Math.max(s.lo - 2 * s.band, this.u[qi]! + b[j]!));
      this.u[qi] = uNew;
      this.qTry[qi] = saturate(uNew, s);
    }
    this.tree.forward(this.qTry);
  }

  /** Column j, rows row..row+2 of J: (ω_j × (p_link − o_j))·k, with ω, o from this.ax / this.org. */
  private pointColumn(link: number, row: number, k: number, j: number, n: number): void {
    const T = this.tree.transforms, J = this.J, ax = this.ax, org = this.org;
    const po = link * TRANSFORM_SIZE;
    const wx = ax[j * 3]!, wy = ax[j * 3 + 1]!, wz = ax[j * 3 + 2]!;
    const rx = T[po + 3]! - org[j * 3]!, ry = T[po + 7]! - org[j * 3 + 1]!, rz = T[po + 11]! - org[j * 3 + 2]!;
    J[row * n + j] = (wy * rz - wz * ry) * k;
    J[(row + 1) * n + j] = (wz * rx - wx * rz) * k;
    J[(row + 2) * n + j] = (wx * ry - wy * rx) * k;
  }

  /** Caps each chain joint's change from the previous output at speedCap·dt. */
  private capSpeed(c: Chain, dtS: number): number {
    if (!this.hasPrev) return 0;
    let capped = 0;
    for (let j = 0; j < c.q.length; j++) {
      const qi = c.q[j]!;
      const maxStep = this.speedCap[qi]! * dtS;
      const d = this.qTry[qi]! - this.prev[qi]!;
      if (d > maxStep) { this.qTry[qi] = this.prev[qi]! + maxStep; capped++; }
      else if (d < -maxStep) { this.qTry[qi] = this.prev[qi]! - maxStep; capped++; }
    }
    this.report.velocityCapped += capped;
    return capped;
  }

  private measure(human: Float64Array, offset: number): void {
    const T = this.tree.transforms, tgt = this.tgt, r = this.report;
    for (let s = 0; s < 2; s++) {
      this.armTargets(s, human, offset); // the same targets the solve used (F and S are unchanged since)
      const L = this.armLinks[s]!;
      const wo = L.wrist * TRANSFORM_SIZE, eo = L.elbow * TRANSFORM_SIZE, so = L.shoulder * TRANSFORM_SIZE;
      r.wristErrM[s] = norm3(tgt[3]! - T[wo + 3]!, tgt[4]! - T[wo + 7]!, tgt[5]! - T[wo + 11]!);
      r.elbowErrM[s] = norm3(tgt[0]! - T[eo + 3]!, tgt[1]! - T[eo + 7]!, tgt[2]! - T[eo + 11]!);
      this.handDir(s, this.v3);
      const dot = this.v3[0]! * tgt[6]! + this.v3[1]! * tgt[7]! + this.v3[2]! * tgt[8]!;
      r.handErrRad[s] = Math.acos(Math.max(-1, Math.min(1, dot)));
      const reach = norm3(tgt[3]! - T[so + 3]!, tgt[4]! - T[so + 7]!, tgt[5]! - T[so + 11]!);
      let flags = (reach <= 0.97 * (this.upperArmM[s]! + this.forearmM[s]!) ? 0 : REACH_BEYOND) | (this.armCapped[s] === 0 ? 0 : REACH_SPEED_CAPPED);
      const c = this.arms[s]!;
      for (let j = 0; j < c.q.length; j++) {
        const qi = c.q[j]!, sl = this.sat[qi]!, qv = this.qTry[qi]!;
        if (qv > sl.hi - 0.5 * sl.band || qv < sl.lo + 0.5 * sl.band) { flags |= REACH_NEAR_LIMIT; break; }
      }
      r.reachFlags[s] = flags;
      r.reachable[s] = flags === 0 ? 1 : 0;
    }
  }

  /** Arm s's targets into tgt (elbow 0..2, wrist 3..5, unit hand direction 6..8) at the current FK. */
  private armTargets(s: number, human: Float64Array, offset: number): void {
    const tgt = this.tgt, T = this.tree.transforms, so = this.armLinks[s]!.shoulder * TRANSFORM_SIZE;
    const sh = offset + (s === 0 ? KP.leftShoulder : KP.rightShoulder) * 3;
    const el = offset + (s === 0 ? KP.leftElbow : KP.rightElbow) * 3;
    const wr = offset + (s === 0 ? KP.leftWrist : KP.rightWrist) * 3;
    const tp = offset + (s === 0 ? KP.leftHandTip : KP.rightHandTip) * 3;
    this.segment(human, sh, el, this.upperArmM[s]!, 0);
    for (let i = 0; i < 3; i++) tgt[i] = tgt[i]! + T[so + 3 + 4 * i]!;
    this.segment(human, el, wr, this.forearmM[s]!, 3);
    for (let i = 0; i < 3; i++) tgt[3 + i] = tgt[3 + i]! + tgt[i]!;
    this.segment(human, wr, tp, 1, 6);
  }

  /** tgt[into..] = F·Htᵀ·(len · unit(human[to] − human[from])): a human segment direction at robot length, in the robot torso frame. */
  private segment(human: Float64Array, from: number, to: number, len: number, into: number): void {
    const v = this.v3;
    for (let i = 0; i < 3; i++) v[i] = human[to + i]! - human[from + i]!;
    const n = norm3(v[0]!, v[1]!, v[2]!);
    const k = n > 1e-9 ? len / n : 0;
    for (let i = 0; i < 3; i++) v[i] = v[i]! * k;
    rotateInv(this.w3, 0, this.Ht, v, 0);
    rotate(this.tgt, into, this.F, this.w3, 0);
  }

  private rotOf(out: Float64Array, link: number): void {
    const T = this.tree.transforms, o = link * TRANSFORM_SIZE;
    out[0] = T[o]!; out[1] = T[o + 1]!; out[2] = T[o + 2]!;
    out[3] = T[o + 4]!; out[4] = T[o + 5]!; out[5] = T[o + 6]!;
    out[6] = T[o + 8]!; out[7] = T[o + 9]!; out[8] = T[o + 10]!;
  }

  private dist(a: number, b: number): number {
    const T = this.tree.transforms, ao = a * TRANSFORM_SIZE, bo = b * TRANSFORM_SIZE;
    return norm3(T[ao + 3]! - T[bo + 3]!, T[ao + 7]! - T[bo + 7]!, T[ao + 11]! - T[bo + 11]!);
  }
}

/** out = Aᵀ·B (3x3). */
function mulTA(out: Float64Array, A: Float64Array, B: Float64Array): void {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = A[i]! * B[j]! + A[3 + i]! * B[3 + j]! + A[6 + i]! * B[6 + j]!;
}
/** out = A·B (3x3); out must not alias. */
function mulAB(out: Float64Array, A: Float64Array, B: Float64Array): void {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = A[i * 3]! * B[j]! + A[i * 3 + 1]! * B[3 + j]! + A[i * 3 + 2]! * B[6 + j]!;
}
/** out = A·Bᵀ (3x3). */
function mulABt(out: Float64Array, A: Float64Array, B: Float64Array): void {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = A[i * 3]! * B[j * 3]! + A[i * 3 + 1]! * B[j * 3 + 1]! + A[i * 3 + 2]! * B[j * 3 + 2]!;
}
