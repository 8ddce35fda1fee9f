/**
 * The fast part of the adaptation: a dynamics context per joint group (one
 * arm), z = (a, m, b), shared by every joint of the group:
 *
 *   a  the change of the servo's compliance (0 nominal; 1 = every term of the
 *      anchor's servo model doubled, as by a servo at half its kp),
 *   m  a payload at the group's load link, kg,
 *   b  an added joint damping, N·m·s/rad,
 *
 * so that, on top of the per-joint servo model, joint k's servo offset is
 *
 *   c − q  ≈  w_k·φ_k + a·ŷ_k + m·G_k/kp_k + b·q̇_k/kp_k
 *
 * (ŷ_k the anchor (nominal) model's prediction, G_k the torque to hold and
 * accelerate 1 kg at the load link, kp_k the joint's nominal servo stiffness).
 * Three numbers per arm, fitted from every joint of the arm at once — seven
 * equations per policy tick — by recursive least squares: after a switch they
 * are identified in a fraction of a second, where a per-joint model needs a
 * good part of the motion cycle (its sin/cos weights only separate over many
 * poses). It plays the role of an RMA-style dynamics embedding, with its
 * meaning fixed by physics instead of learnt.
 *
 * Core, pure, allocation-free per call.
 */
import { asFloat, Rls } from './rls.js';

/** Values per group: (a, m, b). */
export const CONTEXT_SIZE = 3;

export class ContextEstimator {
  /** Per group (a, m, b), group-major. */
  readonly z: Float64Array;
  /** Regressors of the latest {@link ContextEstimator.regress} per adapted joint [n × 3]: two buffers (0 measured, 1 commanded). */
  readonly reg: readonly [Float64Array, Float64Array];
  /** Scalar slots: [0] label in, [1] prior error out (see {@link Rls.io}). */
  readonly io = new Float64Array(2);
  /** Output slot of {@link ContextEstimator.predict}. */
  readonly out = new Float64Array(1);
  /** Samples after which an estimate was clamped into the bounds. */
  clamped = 0;
  private readonly rls: Rls[];
  private readonly prior: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(
    /** Group index of each adapted joint. */
    private readonly groupOf: Int32Array,
    groups: number,
    /** 1/kp of each adapted joint, rad/(N·m). */
    private readonly invKp: Float64Array,
    /** Prior variance of (a, m, b) after a switch. */
    prior: readonly [number, number, number],
    forgetting: number,
    /** [low, high] of (a, m, b): an estimate outside is clamped (counted in {@link ContextEstimator.clamped}). */
    bounds: readonly (readonly [number, number])[] = [[-Infinity, Infinity], [-Infinity, Infinity], [-Infinity, Infinity]],
  ) {
    this.lo = Float64Array.from(bounds, (b) => b[0]);
    this.hi = Float64Array.from(bounds, (b) => b[1]);
    this.z = new Float64Array(groups * CONTEXT_SIZE);
    this.rls = Array.from({ length: groups }, () => new Rls(CONTEXT_SIZE, forgetting));
    this.prior = Float64Array.from(prior);
    const n = groupOf.length;
    this.reg = [new Float64Array(n * CONTEXT_SIZE), new Float64Array(n * CONTEXT_SIZE)];
    for (let g = 0; g < groups; g++) this.reset(g);
  }

  /**
   * Writes joint k's regressors into buffer `which`: the anchor model's prediction (anchorW·φ), the load
   * torque / kp and the rate / kp, read from the features φ at `phi[off..off+d)` (columns `loadCol`, `velCol`).
   * Arrays and integers only: a float argument or return value would be boxed on every call.
   */
  regress(which: number, k: number, phi: Float64Array, off: number, anchorW: Float64Array, d: number, loadCol: number, velCol: number): void {
    let ya = asFloat(0);
    for (let i = 0; i < d; i++) ya += anchorW[k * d + i]! * phi[off + i]!;
    const r = this.reg[which]!;
    const o = k * CONTEXT_SIZE;
    const s = this.invKp[k]!;
    r[o] = ya;
    r[o + 1] = phi[off + loadCol]! * s;
    r[o + 2] = phi[off + velCol]! * s;
  }

  /** Writes z_g · (joint k's regressors in buffer `which`) into `out[0]`, rad. */
  predict(which: number, k: number): void {
    const r = this.reg[which]!;
    const o = k * CONTEXT_SIZE;
    const zo = this.groupOf[k]! * CONTEXT_SIZE;
    this.out[0] = this.z[zo]! * r[o]! + this.z[zo + 1]! * r[o + 1]! + this.z[zo + 2]! * r[o + 2]!;
  }

  /** The same with the context `ctx` (group-major, e.g. a library entry's) instead of the current one. */
  predictWith(ctx: ArrayLike<number>, regressors: ArrayLike<number>, off: number, k: number): number {
    const zo = this.groupOf[k]! * CONTEXT_SIZE;
    return ctx[zo]! * regressors[off]! + ctx[zo + 1]! * regressors[off + 1]! + ctx[zo + 2]! * regressors[off + 2]!;
  }

  /** One sample of joint k (measured regressors): label `io[0]` = the servo offset minus the per-joint model's prediction. */
  learn(k: number): void {
    const g = this.groupOf[k]!;
    const r = this.rls[g]!;
    r.io[0] = this.io[0]!;
    r.updateSlot(this.reg[0], k * CONTEXT_SIZE);
    this.io[1] = r.io[1]!;
    if (this.clampInto(r.w)) this.clamped++;
    const zo = g * CONTEXT_SIZE;
    for (let i = 0; i < CONTEXT_SIZE; i++) this.z[zo + i] = r.w[i]!;
  }

  /** Clamps (a, m, b) into the bounds in place; true when something was outside. */
  private clampInto(w: Float64Array): boolean {
    let out = false;
    for (let i = 0; i < CONTEXT_SIZE; i++) {
      const v = w[i]!;
      if (v < this.lo[i]!) {
        w[i] = this.lo[i]!;
        out = true;
      } else if (v > this.hi[i]!) {
        w[i] = this.hi[i]!;
        out = true;
      }
    }
    return out;
  }

  /** Group g's covariance back to the prior (a switch): the next samples re-fit its context from the current value. */
  reset(g: number): void {
    const r = this.rls[g]!;
    r.reset(r.w, 0);
    for (let i = 0; i < CONTEXT_SIZE; i++) r.P[i * CONTEXT_SIZE + i] = this.prior[i]!;
  }

  /**
   * An external estimate of every group's context (the adaptation module's output, group-major), clamped into
   * the bounds (counted); the RLS weights follow it.
   */
  setExternal(ctx: ArrayLike<number>): void {
    for (let g = 0; g < this.rls.length; g++) this.take(g, ctx);
  }

  /** Group g's weights and z from `ctx` (group-major), clamped into the bounds (counted). */
  private take(g: number, ctx: ArrayLike<number>): void {
    const r = this.rls[g]!;
    for (let i = 0; i < CONTEXT_SIZE; i++) r.w[i] = ctx[g * CONTEXT_SIZE + i]!;
    if (this.clampInto(r.w)) this.clamped++;
    for (let i = 0; i < CONTEXT_SIZE; i++) this.z[g * CONTEXT_SIZE + i] = r.w[i]!;
  }

  /** Sets group g's context from `ctx` (group-major, every group's: a library entry's), clamped, covariance at the prior. */
  setGroup(g: number, ctx: ArrayLike<number>): void {
    this.take(g, ctx);
    this.reset(g);
  }

  /** Sets every group's context (a recalled regime's), covariances at the prior. */
  set(ctx: ArrayLike<number>): void {
    for (let g = 0; g < this.rls.length; g++) this.setGroup(g, ctx);
  }

}
