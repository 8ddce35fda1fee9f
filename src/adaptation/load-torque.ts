/**
 * The gravity torque that a unit point mass at a link's centre of mass puts
 * on each joint of a chain, from the robot model's kinematics: the shape of
 * a payload's load on an arm. With it as a feature, a payload of m kg is one
 * weight per joint (≈ m / kp) that holds at every pose, instead of a change of
 * the generic sin/cos weights that has to be learnt over the whole motion.
 * Core, pure, allocation-free per call.
 *
 * For revolute joint i with world axis aᵢ through the point oᵢ, the load
 * point p moves with Jᵢ = aᵢ × (p − oᵢ) per rad, and the torque the servo must
 * supply to hold and accelerate 1 kg there is τᵢ = Jᵢ·(a_p − g) (N·m per kg),
 * g = (0, 0, −9.80665) m/s². The point's acceleration a_p is the change over
 * the last call of its velocity v_p = Σ Jᵢ q̇ᵢ over the outputs that carry the
 * same load link (the adapted joints of the group: joints above them, e.g. the
 * waist, and a moving base are not counted, and the root link is taken as the
 * world frame — right for a fixed base) — the same backward difference as the
 * adapter's joint acceleration; 0 on a channel's first call. Two channels keep
 * their own previous velocity: the measured state and the commanded trajectory.
 */
import { KinematicTree } from '../robot/kinematics.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';
import { TRANSFORM_SIZE } from '../robot/math.js';

/** Standard gravity, m/s². */
const G = 9.80665;

export class LoadTorque {
  /** The time of the coming {@link LoadTorque.compute} call, s (a typed slot: a float argument would be boxed). */
  readonly clock = new Float64Array(1);
  private readonly tree: KinematicTree;
  /** Tree-order q, filled from the policy-order vector each call. */
  private readonly qTree: Float64Array;
  /** Policy index of each tree joint (-1: not a policy joint, held at 0). */
  private readonly fromPolicy: Int32Array;
  /** Per output joint: the link index of its child link, its axis (child frame) and its load point's link and offset. */
  private readonly childLink: Int32Array;
  private readonly axis: Float64Array;
  private readonly loadLink: Int32Array;
  private readonly loadOffset: Float64Array;
  /** Per output: its Jacobian column (3) at the last pose, and the load point's velocity (3). */
  private readonly jac: Float64Array;
  private readonly vel: Float64Array;
  /** Per channel: previous load-point velocity per output (3 each), and [time, 1 when valid]. */
  private readonly prevVel: Float64Array[];
  private readonly prevAt: Float64Array[];

  constructor(
    model: RobotModel,
    /** The policy's joint order (the order of the q given to {@link LoadTorque.compute}). */
    policyJoints: readonly string[],
    /** Per output: the joint whose torque is wanted, and the link carrying the load (at its centre of mass). */
    outputs: readonly { joint: string; loadLink: string }[],
  ) {
    this.tree = new KinematicTree(model);
    this.qTree = new Float64Array(this.tree.dof);
    this.fromPolicy = Int32Array.from(this.tree.jointNames, (j) => policyJoints.indexOf(j));
    const joints = new Map(actuatedJoints(model).map((j) => [j.name, j]));
    const links = new Map(model.links.map((l) => [l.name, l]));
    const n = outputs.length;
    this.childLink = new Int32Array(n);
    this.axis = new Float64Array(n * 3);
    this.loadLink = new Int32Array(n);
    this.loadOffset = new Float64Array(n * 3);
    this.jac = new Float64Array(n * 3);
    this.vel = new Float64Array(n * 3);
    this.prevVel = [new Float64Array(n * 3), new Float64Array(n * 3)];
    this.prevAt = [new Float64Array(2), new Float64Array(2)];
    outputs.forEach((o, k) => {
      const j = joints.get(o.joint);
      if (!j) throw new Error(`load torque: '${o.joint}' is not an actuated joint of robot '${model.name}'`);
      if (j.type !== 'revolute' && j.type !== 'continuous') throw new Error(`load torque: '${o.joint}' is ${j.type}, not revolute`);
      const link = links.get(o.loadLink);
      if (!link) throw new Error(`load torque: no link '${o.loadLink}' in robot '${model.name}'`);
      this.childLink[k] = this.tree.linkIndex(j.child);
      this.axis.set(j.axis, k * 3);
      this.loadLink[k] = this.tree.linkIndex(o.loadLink);
      this.loadOffset.set(link.inertial?.origin.xyz ?? [0, 0, 0], k * 3);
      if (!this.onChain(this.loadLink[k]!, this.childLink[k]!)) throw new Error(`load torque: link '${o.loadLink}' is not moved by joint '${o.joint}'`);
    });
  }

  /** Number of outputs. */
  get size(): number {
    return this.childLink.length;
  }

  /** Forgets both channels' previous velocities (no acceleration spans a restart). */
  restart(): void {
    this.forget(0);
    this.forget(1);
  }

  /** Forgets one channel's previous velocity: its next call has no acceleration. */
  forget(channel: number): void {
    this.prevAt[channel]![1] = 0;
  }

  /**
   * Writes, at the pose `q` (policy order, rad) moving with `rate` (per output, rad/s), each output
   * joint's torque to hold and accelerate 1 kg at its load link into out[off + k·stride], N·m.
   * `channel`: 0 or 1, whose previous velocity gives the acceleration. Time: {@link LoadTorque.clock}.
   */
  compute(q: ArrayLike<number>, rate: ArrayLike<number>, channel: number, out: Float64Array, off: number, stride: number): void {
    for (let i = 0; i < this.qTree.length; i++) {
      const p = this.fromPolicy[i]!;
      this.qTree[i] = p >= 0 ? q[p]! : 0;
    }
    const T = this.tree.forward(this.qTree);
    const n = this.childLink.length;
    const J = this.jac;
    for (let k = 0; k < n; k++) {
      const c = this.childLink[k]! * TRANSFORM_SIZE;
      const l = this.loadLink[k]! * TRANSFORM_SIZE;
      const ox = this.loadOffset[k * 3]!, oy = this.loadOffset[k * 3 + 1]!, oz = this.loadOffset[k * 3 + 2]!;
      // load point in the world: T_load · offset, relative to the joint's origin
      const rx = T[l]! * ox + T[l + 1]! * oy + T[l + 2]! * oz + T[l + 3]! - T[c + 3]!;
      const ry = T[l + 4]! * ox + T[l + 5]! * oy + T[l + 6]! * oz + T[l + 7]! - T[c + 7]!;
      const rz = T[l + 8]! * ox + T[l + 9]! * oy + T[l + 10]! * oz + T[l + 11]! - T[c + 11]!;
      // joint axis in the world: R_child · axis (a rotation about the axis leaves it fixed)
      const ax = this.axis[k * 3]!, ay = this.axis[k * 3 + 1]!, az = this.axis[k * 3 + 2]!;
      const wx = T[c]! * ax + T[c + 1]! * ay + T[c + 2]! * az;
      const wy = T[c + 4]! * ax + T[c + 5]! * ay + T[c + 6]! * az;
      const wz = T[c + 8]! * ax + T[c + 9]! * ay + T[c + 10]! * az;
      J[k * 3] = wy * rz - wz * ry;
      J[k * 3 + 1] = wz * rx - wx * rz;
      J[k * 3 + 2] = wx * ry - wy * rx;
    }
    // the load point's velocity: Σ over the outputs that carry the same load link
    for (let k = 0; k < n; k++) {
      let vx = 0, vy = 0, vz = 0;
      for (let m = 0; m < n; m++) {
        if (this.loadLink[m] !== this.loadLink[k]) continue;
        const r = rate[m]!;
        vx += J[m * 3]! * r;
        vy += J[m * 3 + 1]! * r;
        vz += J[m * 3 + 2]! * r;
      }
      this.vel[k * 3] = vx;
      this.vel[k * 3 + 1] = vy;
      this.vel[k * 3 + 2] = vz;
    }
    const prev = this.prevVel[channel]!;
    const at = this.prevAt[channel]!;
    const now = this.clock[0]!;
    const dt = now - at[0]!;
    const ok = at[1] === 1 && dt > 1e-4 && dt < 0.2;
    for (let k = 0; k < n; k++) {
      const o = k * 3;
      const fx = ok ? (this.vel[o]! - prev[o]!) / dt : 0;
      const fy = ok ? (this.vel[o + 1]! - prev[o + 1]!) / dt : 0;
      const fz = (ok ? (this.vel[o + 2]! - prev[o + 2]!) / dt : 0) + G;
      out[off + k * stride] = J[o]! * fx + J[o + 1]! * fy + J[o + 2]! * fz;
    }
    prev.set(this.vel);
    at[0] = now;
    at[1] = 1;
  }

  private onChain(link: number, ancestor: number): boolean {
    for (let i = link; i >= 0; i = this.tree.parentIndex[i]!) if (i === ancestor) return true;
    return false;
  }
}
