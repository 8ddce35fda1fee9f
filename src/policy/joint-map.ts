/**
 * Joint-order mapping between the policy's joint order (the order the model
 * was trained with, e.g. Isaac Lab's breadth-first order) and the robot's
 * (URDF / SDK / `/joint_states` order). Built once, by name or from an
 * explicit index map; the tick uses the resulting index arrays only.
 */

export class JointMapError extends Error {
  constructor(readonly problems: string[]) {
    super(`joint mapping failed:\n  - ${problems.join('\n  - ')}`);
    this.name = 'JointMapError';
  }
}

/**
 * policyToRobot[p] = index in `robotNames` of policy joint p.
 * With `indexMap` (policy index → robot index, as in unitree_rl_lab's
 * joint_ids_map), the map is taken from it, checked to be injective and in
 * range, and the names are cross-checked when both lists are given.
 */
export function buildPolicyToRobot(
  policyNames: readonly string[],
  robotNames: readonly string[],
  indexMap?: readonly number[],
): Int32Array {
  const problems: string[] = [];
  const out = new Int32Array(policyNames.length);
  const dup = (names: readonly string[], what: string): void => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) problems.push(`${what} joint '${n}' is listed twice`);
      seen.add(n);
    }
  };
  dup(policyNames, 'policy');
  dup(robotNames, 'robot');
  if (indexMap) {
    if (indexMap.length !== policyNames.length) {
      problems.push(`index map has ${indexMap.length} entries for ${policyNames.length} policy joints`);
    }
    const used = new Set<number>();
    indexMap.forEach((r, p) => {
      if (!Number.isInteger(r) || r < 0 || r >= robotNames.length) {
        problems.push(`index map entry ${p} = ${r} is not a robot joint index (0..${robotNames.length - 1})`);
      } else if (used.has(r)) {
        problems.push(`index map is not a permutation: robot index ${r} appears twice`);
      } else {
        used.add(r);
        const policyName = policyNames[p];
        if (policyName !== undefined && robotNames[r] !== policyName) {
          problems.push(`index map sends policy joint ${p} '${policyName}' to robot joint ${r} '${robotNames[r]}'`);
        }
      }
      out[p] = r;
    });
  } else {
    const byName = new Map(robotNames.map((n, i) => [n, i]));
    policyNames.forEach((n, p) => {
      const r = byName.get(n);
      if (r === undefined) problems.push(`policy joint '${n}' is not a robot joint`);
      else out[p] = r;
    });
  }
  if (problems.length > 0) throw new JointMapError(problems);
  return out;
}

/**
 * Reads joint arrays of incoming `JointState`-like messages into policy
 * order. The message's name layout is checked every message (string
 * compares, no allocation) and the index map rebuilt only when the layout
 * changes.
 */
export class JointStateReader {
  /** Message index of each policy joint for the cached layout. */
  private readonly msgIndex: Int32Array;
  private layout: string[] = [];
  private valid = false;
  /** How many times the message layout changed (first layout included). */
  layoutChanges = 0;
  /** The policy joint missing from the last rejected layout, if any. */
  missingJoint: string | null = null;

  constructor(readonly policyNames: readonly string[]) {
    this.msgIndex = new Int32Array(policyNames.length);
  }

  /**
   * Updates the map for a message's names. Returns false when a policy joint
   * is absent (`missingJoint` says which).
   */
  accept(names: readonly string[]): boolean {
    if (this.sameLayout(names)) return this.valid;
    this.layoutChanges++;
    this.layout = [...names];
    const byName = new Map(names.map((n, i) => [n, i]));
    this.missingJoint = null;
    this.valid = true;
    for (let p = 0; p < this.policyNames.length; p++) {
      const i = byName.get(this.policyNames[p]!);
      if (i === undefined) {
        this.missingJoint = this.policyNames[p]!;
        this.valid = false;
        break;
      }
      this.msgIndex[p] = i;
    }
    return this.valid;
  }

  /** Copies `src` (message order) into `dst` (policy order); call after a successful `accept`. */
  gather(src: ArrayLike<number>, dst: Float64Array): void {
    for (let p = 0; p < this.msgIndex.length; p++) dst[p] = src[this.msgIndex[p]!] ?? NaN;
  }

  private sameLayout(names: readonly string[]): boolean {
    if (names.length !== this.layout.length) return false;
    for (let i = 0; i < names.length; i++) if (names[i] !== this.layout[i]) return false;
    return true;
  }
}
