/**
 * The orientation of an anchor body (e.g. `torso_link`) in the world, from
 * the root orientation (the IMU's, base frame = the URDF root link) and the
 * joint positions (policy order), by forward kinematics on the robot model.
 * Joints of the model that the policy does not drive are held at 0.
 * Allocates nothing per call.
 */
import { KinematicTree } from '../robot/kinematics.js';
import { quatFromRotation, TRANSFORM_SIZE } from '../robot/math.js';
import type { RobotModel } from '../robot/model.js';

export class AnchorKinematics {
  private readonly tree: KinematicTree;
  private readonly anchor: number;
  /** tree q slot k ← policy joint fromPolicy[k] (−1: held at 0). */
  private readonly fromPolicy: Int32Array;
  private readonly q: Float64Array;
  private readonly wxyz = new Float64Array(4);

  /** @throws Error naming the anchor body when the model has no such link. */
  constructor(model: RobotModel, anchorBody: string, policyJoints: readonly string[]) {
    this.tree = new KinematicTree(model);
    if (!this.tree.linkNames.includes(anchorBody)) {
      throw new Error(`anchor body '${anchorBody}' is not a link of robot '${model.name}' (links: ${this.tree.linkNames.join(', ')})`);
    }
    this.anchor = this.tree.linkIndex(anchorBody);
    this.fromPolicy = Int32Array.from(this.tree.jointNames, (name) => policyJoints.indexOf(name));
    this.q = new Float64Array(this.tree.dof);
  }

  /** Writes the anchor's world orientation (x, y, z, w) for root orientation `rootXyzw` and joints `jointPos` (policy order). */
  anchorQuatXyzw(rootXyzw: Float64Array, jointPos: Float64Array, out: Float64Array): void {
    const q = this.q;
    for (let k = 0; k < q.length; k++) {
      const p = this.fromPolicy[k]!;
      q[k] = p >= 0 ? jointPos[p]! : 0;
    }
    const t = this.tree.forward(q);
    quatFromRotation(this.wxyz, 0, t, this.anchor * TRANSFORM_SIZE);
    // out = root ⊗ anchor-in-root
    const bw = this.wxyz[0]!, bx = this.wxyz[1]!, by = this.wxyz[2]!, bz = this.wxyz[3]!;
    const ax = rootXyzw[0]!, ay = rootXyzw[1]!, az = rootXyzw[2]!, aw = rootXyzw[3]!;
    out[0] = aw * bx + ax * bw + ay * bz - az * by;
    out[1] = aw * by - ax * bz + ay * bw + az * bx;
    out[2] = aw * bz + ax * by - ay * bx + az * bw;
    out[3] = aw * bw - ax * bx - ay * by - az * bz;
  }
}
