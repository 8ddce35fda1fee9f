/**
 * Forward kinematics over a RobotModel's tree, allocation-free per call.
 *
 * Links are indexed in topological order (root = 0; every parent before its
 * children). World transforms live in one Float64Array, 12 doubles per link in
 * the 3x4 row-major layout of ./math.ts. For the link `c` whose parent joint j
 * has origin O_j:
 *
 *   revolute / continuous:  T_c = T_parent · O_j · Rot(axis_j, q_j)
 *   prismatic:              T_c = T_parent · O_j · Trans(axis_j · q_j)
 *   fixed:                  T_c = T_parent · O_j
 *   floating / planar:      T_c = T_parent · O_j  (held at their origin; a
 *                           floating base is given as `basePose` instead)
 *
 * q is in `actuatedJoints(model)` order (rad or m). A mimic joint follows its
 * leader: q_mimic = multiplier · q_leader + offset.
 */
import { actuatedJoints, type RobotModel } from './model.js';
import {
  TRANSFORM_SIZE, compose, copyTransform, rotationFromAxisAngle, setIdentity, setTranslation, transformFromXyzRpy,
} from './math.js';

/** Per-link joint motion codes. */
const Motion = { Fixed: 0, Revolute: 1, Prismatic: 2 } as const;

export class KinematicTree {
  /** Link names in topological order; index = link index. */
  readonly linkNames: readonly string[];
  /** Parent link index per link (-1 for the root). */
  readonly parentIndex: Int32Array;
  /** Names of the actuated joints: the order of `q`. */
  readonly jointNames: readonly string[];
  /** World transforms of every link after the last `forward` (12 doubles each). */
  readonly transforms: Float64Array;

  private readonly byName: ReadonlyMap<string, number>;
  private readonly origins: Float64Array;
  private readonly motion: Uint8Array;
  private readonly axes: Float64Array;
  /** Index into q driving each link's parent joint (-1 when none). */
  private readonly qIndex: Int32Array;
  private readonly qScale: Float64Array;
  private readonly qOffset: Float64Array;
  private readonly views: Float64Array[];
  private readonly scratch = new Float64Array(TRANSFORM_SIZE);

  constructor(model: RobotModel) {
    const jointOfChild = new Map(model.joints.map((j) => [j.child, j]));
    const children = new Map<string, string[]>();
    for (const j of model.joints) {
      const list = children.get(j.parent);
      if (list) list.push(j.child);
      else children.set(j.parent, [j.child]);
    }
    const order = [model.rootLink];
    for (let i = 0; i < order.length; i++) order.push(...(children.get(order[i]!) ?? []));
    if (order.length !== model.links.length) {
      throw new Error(`robot '${model.name}': ${model.links.length - order.length} link(s) not reachable from root '${model.rootLink}'`);
    }
    this.linkNames = order;
    this.byName = new Map(order.map((n, i) => [n, i]));

    const actuated = actuatedJoints(model);
    this.jointNames = actuated.map((j) => j.name);
    const qOf = new Map(actuated.map((j, i) => [j.name, i]));

    const n = order.length;
    this.parentIndex = new Int32Array(n);
    this.origins = new Float64Array(n * TRANSFORM_SIZE);
    this.motion = new Uint8Array(n);
    this.axes = new Float64Array(n * 3);
    this.qIndex = new Int32Array(n).fill(-1);
    this.qScale = new Float64Array(n).fill(1);
    this.qOffset = new Float64Array(n);
    this.transforms = new Float64Array(n * TRANSFORM_SIZE);
    this.views = [];

    order.forEach((name, i) => {
      this.views.push(this.transforms.subarray(i * TRANSFORM_SIZE, (i + 1) * TRANSFORM_SIZE));
      const o = i * TRANSFORM_SIZE;
      const j = jointOfChild.get(name);
      if (!j) {
        this.parentIndex[i] = -1;
        setIdentity(this.origins, o);
        return;
      }
      this.parentIndex[i] = this.byName.get(j.parent)!;
      const [x, y, z] = j.origin.xyz;
      const [r, p, yaw] = j.origin.rpy;
      transformFromXyzRpy(this.origins, o, x, y, z, r, p, yaw);
      this.axes.set(j.axis, i * 3);
      const moving = j.type === 'revolute' || j.type === 'continuous' ? Motion.Revolute
        : j.type === 'prismatic' ? Motion.Prismatic : Motion.Fixed;
      this.motion[i] = moving;
      if (moving === Motion.Fixed) return;
      const leader = j.mimic ? j.mimic.joint : j.name;
      const qi = qOf.get(leader);
      if (qi === undefined) throw new Error(`robot '${model.name}': joint '${j.name}' follows '${leader}', which is not actuated`);
      this.qIndex[i] = qi;
      if (j.mimic) {
        this.qScale[i] = j.mimic.multiplier;
        this.qOffset[i] = j.mimic.offset;
      }
    });
  }

  /** Number of links. */
  get linkCount(): number { return this.linkNames.length; }
  /** Number of actuated joints (length of q). */
  get dof(): number { return this.jointNames.length; }

  /** Index of a link; throws for an unknown name (a configuration error). */
  linkIndex(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`unknown link '${name}'`);
    return i;
  }

  /**
   * Computes every link's world transform into `out` (default: `this.transforms`).
   * `q`: actuated joint positions (rad or m), length `dof`. `basePose`: the
   * root's world transform (12 doubles, 3x4 row-major); identity when omitted.
   * Allocates nothing.
   */
  forward(q: Float64Array, basePose?: Float64Array, out: Float64Array = this.transforms): Float64Array {
    if (basePose) copyTransform(out, 0, basePose, 0);
    else setIdentity(out, 0);
    const s = this.scratch;
    const n = this.linkNames.length;
    for (let i = 1; i < n; i++) {
      const o = i * TRANSFORM_SIZE;
      const po = this.parentIndex[i]! * TRANSFORM_SIZE;
      compose(out, o, out, po, this.origins, o);
      const m = this.motion[i]!;
      if (m === Motion.Fixed) continue;
      const value = this.qScale[i]! * q[this.qIndex[i]!]! + this.qOffset[i]!;
      const a = i * 3;
      if (m === Motion.Revolute) {
        rotationFromAxisAngle(s, 0, this.axes[a]!, this.axes[a + 1]!, this.axes[a + 2]!, value);
        setTranslation(s, 0, 0, 0, 0);
      } else {
        setIdentity(s, 0);
        setTranslation(s, 0, this.axes[a]! * value, this.axes[a + 1]! * value, this.axes[a + 2]! * value);
      }
      compose(out, o, out, o, s, 0);
    }
    return out;
  }

  /** A live view of link `index`'s world transform in `this.transforms` (12 doubles). */
  linkTransform(index: number): Float64Array {
    const v = this.views[index];
    if (!v) throw new Error(`link index ${index} out of range 0..${this.views.length - 1}`);
    return v;
  }

  /** Writes link `index`'s world position (m) from `this.transforms` into out[offset..offset+2]. */
  linkPosition(index: number, out: Float64Array, offset = 0): Float64Array {
    const o = index * TRANSFORM_SIZE;
    const t = this.transforms;
    out[offset] = t[o + 3]!; out[offset + 1] = t[o + 7]!; out[offset + 2] = t[o + 11]!;
    return out;
  }
}
