/**
 * Capsules fitted to a URDF's collision geometry, each covering its shape
 * (conservative: a command that keeps capsules apart keeps the shapes apart):
 *
 *   sphere r            → capsule of length 0, radius r
 *   cylinder r, L (z)   → segment ±L/2 along local z, radius r
 *   box a×b×c           → segment along the longest edge L, radius r = 1.15·c
 *                         (c = half diagonal of the other two edges),
 *                         half-length L/2 − √(r² − c²) so the caps still
 *                         cover the corners: (L/2 − h)² + c² = r²
 *   mesh                → skipped (reported): no mesh data is read here
 *
 * Endpoints are in the link frame (the collision origin applied), metres.
 */
import type { KinematicTree } from '../robot/kinematics.js';
import { TRANSFORM_SIZE, transformFromXyzRpy, transformPoint } from '../robot/math.js';
import type { RobotModel } from '../robot/model.js';

export interface CapsuleSet {
  readonly count: number;
  /** Kinematic-tree link index of each capsule. */
  readonly link: Int32Array;
  /** Endpoints in the link frame, 3 doubles per capsule, m. */
  readonly localA: Float64Array;
  readonly localB: Float64Array;
  /** Radius, m. */
  readonly radius: Float64Array;
  /** `link/collision-name` (or `link/#k`) of each capsule. */
  readonly names: readonly string[];
}

export interface FittedCapsules {
  capsules: CapsuleSet;
  /** Collision elements that got no capsule, with why. */
  skipped: string[];
}

export function fitCapsules(model: RobotModel, tree: KinematicTree): FittedCapsules {
  const link: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const radius: number[] = [];
  const names: string[] = [];
  const skipped: string[] = [];
  const origin = new Float64Array(TRANSFORM_SIZE);
  const p = new Float64Array(3);
  for (const l of model.links) {
    const li = tree.linkIndex(l.name);
    l.collisions.forEach((c, k) => {
      const name = `${l.name}/${c.name ?? `#${k}`}`;
      const g = c.geometry;
      let half: [number, number, number];
      let r: number;
      if (g.kind === 'sphere') {
        half = [0, 0, 0];
        r = g.radius;
      } else if (g.kind === 'cylinder') {
        half = [0, 0, g.length / 2];
        r = g.radius;
      } else if (g.kind === 'box') {
        const [sx, sy, sz] = g.size;
        const axis = sx >= sy && sx >= sz ? 0 : sy >= sz ? 1 : 2;
        const others = [sx, sy, sz].filter((_, i) => i !== axis);
        const c = Math.hypot(others[0]! / 2, others[1]! / 2);
        r = 1.15 * c;
        half = [0, 0, 0];
        half[axis] = Math.max(0, [sx, sy, sz][axis]! / 2 - Math.sqrt(r * r - c * c));
      } else {
        skipped.push(`${name}: mesh '${g.filename}' has no primitive to fit`);
        return;
      }
      const [x, y, z] = c.origin.xyz;
      const [rr, pp, yy] = c.origin.rpy;
      transformFromXyzRpy(origin, 0, x, y, z, rr, pp, yy);
      transformPoint(p, 0, origin, 0, [-half[0], -half[1], -half[2]]);
      a.push(p[0]!, p[1]!, p[2]!);
      transformPoint(p, 0, origin, 0, half);
      b.push(p[0]!, p[1]!, p[2]!);
      link.push(li);
      radius.push(r);
      names.push(name);
    });
  }
  return {
    capsules: {
      count: link.length,
      link: Int32Array.from(link),
      localA: Float64Array.from(a),
      localB: Float64Array.from(b),
      radius: Float64Array.from(radius),
      names,
    },
    skipped,
  };
}
