/**
 * Oracles and synthetic plants for the adapter's tests (tests/adaptation/load-feature.test.ts) and its
 * figures (npx vite-node tests/helpers/print-adaptation-figures.ts). Independent of the adapter's code:
 * the load point by the G1's forward kinematics and finite differences, the plants' offsets written here.
 */
import { join } from 'node:path';
import type { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints } from '../../src/robot/model.js';
import { Rng } from '../../src/training/rng.js';

export const MODEL = loadUrdfFile(join(import.meta.dirname, '../../urdf/g1_29dof_fixed.urdf'));
export const G = 9.80665;
export const DT = 0.02;
export const JOINTS = actuatedJoints(MODEL);
/** The policy's joint order: the URDF's 29 actuated joints. */
export const POLICY = JOINTS.map((j) => j.name);
export const RIGHT_ARM = ['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll', 'wrist_pitch', 'wrist_yaw'].map((s) => `right_${s}_joint`);
export const ARM_IDX = RIGHT_ARM.map((j) => POLICY.indexOf(j));
export const FEATURES = ['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_elbow_joint'];
export const LIMITS = Object.fromEntries(JOINTS.map((j) => [j.name, [j.limit!.lower, j.limit!.upper] as const]));
export const HAND = 'right_rubber_hand';

/** The oracle: the world position of the hand's centre of mass (URDF inertial origin) by forward kinematics, q in policy (= tree) order. */
const TREE = new KinematicTree(MODEL);
const FK_BUF = new Float64Array(TREE.linkCount * 12);
const HAND_IDX = TREE.linkIndex(HAND);
const HAND_COM = MODEL.links.find((l) => l.name === HAND)!.inertial!.origin.xyz;
export function handPoint(q: Float64Array): [number, number, number] {
  const T = TREE.forward(q, undefined, FK_BUF);
  const o = HAND_IDX * 12;
  const [x, y, z] = HAND_COM;
  return [
    T[o]! * x + T[o + 1]! * y + T[o + 2]! * z + T[o + 3]!,
    T[o + 4]! * x + T[o + 5]! * y + T[o + 6]! * z + T[o + 7]!,
    T[o + 8]! * x + T[o + 9]! * y + T[o + 10]! * z + T[o + 11]!,
  ];
}
const SCR_A = new Float64Array(POLICY.length);
const SCR_B = new Float64Array(POLICY.length);
/** d(hand point)/ds along q + s·dir, central differences. */
export function handAlong(q: ArrayLike<number>, dir: ArrayLike<number>, h = 1e-6): [number, number, number] {
  for (let i = 0; i < SCR_A.length; i++) {
    SCR_A[i] = q[i]! + h * dir[i]!;
    SCR_B[i] = q[i]! - h * dir[i]!;
  }
  const a = handPoint(SCR_A);
  const b = handPoint(SCR_B);
  return [(a[0] - b[0]) / (2 * h), (a[1] - b[1]) / (2 * h), (a[2] - b[2]) / (2 * h)];
}
export const unit = (i: number): Float64Array => {
  const e = new Float64Array(POLICY.length);
  e[i] = 1;
  return e;
};
export const RIGHT_GROUP = { joints: RIGHT_ARM, features: FEATURES };

/** Solves A x = b in place (A: n×n row-major, Gaussian elimination with partial pivoting); returns x in b. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[piv * n + c]!)) piv = r;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [A[c * n + k], A[piv * n + k]] = [A[piv * n + k]!, A[c * n + k]!];
      [b[c], b[piv]] = [b[piv]!, b[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      for (let k = c; k < n; k++) A[r * n + k] = A[r * n + k]! - f * A[c * n + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * b[k]!;
    b[r] = s / A[r * n + r]!;
  }
  return b;
}

/**
 * The G1 right arm as a servo plant that, each tick, reaches the pose where its servo identity holds:
 *   kp·(c(t−1) − q(t)) = kp·s_nom(q(t)) + kd·q̇(t) + m·J(q(t))ᵀ(a_hand(t) − g_vec)
 * on the 7 arm joints (solved for q(t) by quasi-Newton iterations; with `compliance` a, the right-hand side
 * is multiplied by 1 + a: a servo at kp/(1 + a)), the rest of the body following its
 * command. s_nom: a generic sin/cos shape of the feature joints; kd/kp = 0.05 s; the payload: m kg at the
 * hand's centre of mass, kp = 40 N·m/rad, J its Jacobian (finite differences of the forward kinematics) and
 * a_hand the backward difference of its velocity J·q̇ over the last tick, q̇ = (q(t) − q(t−1))/DT: the
 * payload's physics as the adapter's sensors see it. (A payload that only adds the static m·G(q)/kp to a
 * plant without lag is not what the load feature models: its measured-acceleration part is then driven by
 * the command's own steps, and the learnt load weight stays near 0 instead of m/kp = 0.0375: ≤ 0.002 after 6.5 s
 * with resetVarianceLoad 10, printed by tests/helpers/print-adaptation-figures.ts.)
 * Deterministic unless `noise` (rad, added to the arm joints' reached pose) is given.
 * `static`: that other plant instead, q(t) = c(t−1) − s_nom(q(t−1)) − m·G(q(t−1))/kp, G the static load torque
 * (the figures script shows what the load feature learns on it).
 */
export class ArmPlant {
  readonly q = new Float64Array(POLICY.length);
  readonly qd = new Float64Array(POLICY.length);
  readonly pol = new Float64Array(POLICY.length);
  readonly out = new Float64Array(POLICY.length);
  readonly kp = 40;
  /** kd/kp of the servo, s. */
  damping = 0.05;
  t = 0;
  payloadKg = 0;
  /** Servo compliance change a: the servo at kp/(1 + a) (and kd/(1 + a)); 1 = half gain. */
  compliance = 0;
  /** The hand's velocity at the last tick (m/s). */
  private readonly vHand = new Float64Array(3);
  private readonly x = new Float64Array(POLICY.length);
  private readonly J = new Float64Array(21);
  private readonly A = new Float64Array(49);
  private readonly F = new Float64Array(7);
  private readonly rng = new Rng(23);
  constructor(readonly physics: 'servo identity' | 'static' = 'servo identity', readonly noise = 0) {
    this.policyTarget();
    this.q.set(this.pol);
  }
  nominal(q: ArrayLike<number>, k: number): number {
    const sp = q[ARM_IDX[0]!]!, sr = q[ARM_IDX[1]!]!, el = q[ARM_IDX[3]!]!;
    return 0.01 * (k % 3) + 0.02 * Math.sin(sp + 0.3) * (1 + 0.2 * k) + 0.015 * Math.cos(el) - 0.01 * Math.sin(sr);
  }
  /** A slow periodic arm motion (period 4 s), the rest of the body still. */
  policyTarget(): Float64Array {
    const w = (2 * Math.PI) / 4;
    const t = this.t;
    this.pol.fill(0);
    this.pol[ARM_IDX[0]!] = -0.2 + 0.6 * Math.sin(w * t);
    this.pol[ARM_IDX[1]!] = -0.35 + 0.25 * Math.sin(w * t + 1);
    this.pol[ARM_IDX[2]!] = 0.2 * Math.sin(w * t + 2);
    this.pol[ARM_IDX[3]!] = 0.7 + 0.45 * Math.sin(w * t + 0.5);
    this.pol[ARM_IDX[4]!] = 0.3 * Math.sin(w * t + 1.5);
    this.pol[ARM_IDX[5]!] = 0.2 * Math.sin(w * t + 2.5);
    return this.pol;
  }
  /** The hand's Jacobian at x (3×7, column k: arm joint k) into this.J. */
  private jacobian(x: Float64Array): void {
    ARM_IDX.forEach((i, k) => {
      const c = handAlong(x, unit(i));
      for (let r = 0; r < 3; r++) this.J[r * 7 + k] = c[r]!;
    });
  }
  /** The hand's velocity J·q̇ for the arm rates (x − q)/DT. */
  private handVelocity(x: Float64Array, out: Float64Array): void {
    for (let r = 0; r < 3; r++) {
      let v = 0;
      ARM_IDX.forEach((i, k) => (v += this.J[r * 7 + k]! * ((x[i]! - this.q[i]!) / DT)));
      out[r] = v;
    }
  }
  apply(c: ArrayLike<number>): void {
    const x = this.x;
    for (let i = 0; i < POLICY.length; i++) x[i] = c[i]!;
    const mk = this.payloadKg / this.kp;
    const v = new Float64Array(3);
    if (this.physics === 'static') {
      ARM_IDX.forEach((i, k) => (x[i] = c[i]! - this.nominal(this.q, k) - mk * G * handAlong(this.q, unit(i))[2]));
    }
    for (let it = 0; it < 30 && this.physics !== 'static'; it++) {
      this.jacobian(x);
      this.handVelocity(x, v);
      const a = [0, 1, 2].map((r) => (v[r]! - this.vHand[r]!) / DT);
      a[2] = a[2]! + G;
      let worst = 0;
      ARM_IDX.forEach((i, k) => {
        const tau = this.J[k]! * a[0]! + this.J[7 + k]! * a[1]! + this.J[14 + k]! * a[2]!;
        this.F[k] = x[i]! - c[i]! + (1 + this.compliance) * (this.nominal(x, k) + this.damping * ((x[i]! - this.q[i]!) / DT) + mk * tau);
        worst = Math.max(worst, Math.abs(this.F[k]!));
      });
      if (worst < 1e-9) break;
      // approximate Jacobian of F: I + (m/kp)·JᵀJ/DT² (the inertia term dominates)
      for (let r = 0; r < 7; r++) for (let k = 0; k < 7; k++) {
        let s = 0;
        for (let d = 0; d < 3; d++) s += this.J[d * 7 + r]! * this.J[d * 7 + k]!;
        this.A[r * 7 + k] = (r === k ? 1 + ((1 + this.compliance) * this.damping) / DT : 0) + ((1 + this.compliance) * mk * s) / (DT * DT);
      }
      solve(this.A, this.F, 7);
      ARM_IDX.forEach((i, k) => (x[i] = x[i]! - this.F[k]!));
    }
    if (this.noise > 0) for (const i of ARM_IDX) x[i] = x[i]! + this.noise * this.rng.normal();
    this.jacobian(x);
    this.handVelocity(x, this.vHand);
    for (let i = 0; i < POLICY.length; i++) {
      this.qd[i] = (x[i]! - this.q[i]!) / DT;
      this.q[i] = x[i]!;
    }
    this.t += DT;
  }
}

/** Runs `ticks` ticks; per tick, the RMS over the arm joints of q vs the policy target (what compensate: servo aims at), rad. */
export function runArm(ad: ResidualAdapter, p: ArmPlant, ticks: number): number[] {
  const errs: number[] = [];
  for (let n = 0; n < ticks; n++) {
    const pol = p.policyTarget();
    const want = ARM_IDX.map((i) => pol[i]!);
    ad.step(p.q, p.qd, pol, p.out, p.t);
    p.apply(p.out);
    errs.push(Math.sqrt(ARM_IDX.reduce((s, i, k) => s + (p.q[i]! - want[k]!) ** 2, 0) / 7));
  }
  return errs;
}
export const rms = (e: number[]): number => Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);

export const AB = ['a', 'b', 'c'];
export const AB_LIMITS = { a: [-2, 2], b: [-2, 2] } as const;
export type Regime = (q: Float64Array, j: number) => number;
export const nominal2: Regime = (q, j) => 0.02 + 0.03 * Math.sin(q[0]!) * (j + 1);
/** The 2-joint synthetic plant of residual-adapter.test.ts: q(t+1) = c(t) − s_R(q(t)) + noise. */
export class Plant2 {
  q = Float64Array.from([0.1, -0.1, 0]);
  qd = new Float64Array(3);
  t = 0;
  regime: Regime = nominal2;
  readonly rng = new Rng(11);
  readonly pol = new Float64Array(3);
  readonly out = new Float64Array(3);
  policyTarget(): Float64Array {
    const w = (2 * Math.PI) / 4;
    this.pol[0] = 0.6 * Math.sin(w * this.t);
    this.pol[1] = -0.4 + 0.5 * Math.cos(w * this.t);
    this.pol[2] = 0.1;
    return this.pol;
  }
  apply(c: ArrayLike<number>): void {
    const prev = Float64Array.from(this.q);
    for (let j = 0; j < 2; j++) this.q[j] = c[j]! - this.regime(prev, j) + 0.002 * this.rng.normal();
    this.q[2] = c[2]!;
    for (let j = 0; j < 3; j++) this.qd[j] = (this.q[j]! - prev[j]!) / DT;
    this.t += DT;
  }
}
/** Per-tick |q − (c_pol − s_nom)| RMS over both joints (compensate: shift aims at the nominal plant's pose). */
export function run2(ad: ResidualAdapter, p: Plant2, ticks: number): number[] {
  const errs: number[] = [];
  for (let k = 0; k < ticks; k++) {
    const pol = p.policyTarget();
    const ideal = [0, 1].map((j) => pol[j]! - nominal2(p.q, j));
    ad.step(p.q, p.qd, pol, p.out, p.t);
    p.apply(p.out);
    errs.push(Math.sqrt(((p.q[0]! - ideal[0]!) ** 2 + (p.q[1]! - ideal[1]!) ** 2) / 2));
  }
  return errs;
}

