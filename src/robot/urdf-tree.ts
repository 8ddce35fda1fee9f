/**
 * Structural checks of a URDF kinematic tree: unique names, joints that name
 * existing links, no link with two parent joints, exactly one root, no cycles.
 * Problems are reported through `report(element, reason)`, all of them, not
 * just the first.
 */

export interface TreeJoint {
  name: string;
  parent: string;
  child: string;
}

export type ReportProblem = (element: string, reason: string) => void;

export const linkElement = (name: string): string => `<link name="${name}">`;
export const jointElement = (name: string): string => `<joint name="${name}">`;

/** Checks the tree; returns the root link's name, or null when there is no single root. */
export function checkTree(linkNames: readonly string[], joints: readonly TreeJoint[], report: ReportProblem): string | null {
  const links = new Set<string>();
  for (const name of linkNames) {
    if (links.has(name)) report(linkElement(name), 'duplicate link name');
    links.add(name);
  }
  const jointNames = new Set<string>();
  for (const j of joints) {
    if (jointNames.has(j.name)) report(jointElement(j.name), 'duplicate joint name');
    jointNames.add(j.name);
  }

  const parentJointOf = new Map<string, TreeJoint>();
  for (const j of joints) {
    const el = jointElement(j.name);
    if (!links.has(j.parent)) report(el, `<parent link="${j.parent}"> is not a link of the robot`);
    if (!links.has(j.child)) report(el, `<child link="${j.child}"> is not a link of the robot`);
    if (j.parent === j.child) report(el, `parent and child are the same link "${j.child}" (cycle)`);
    const earlier = parentJointOf.get(j.child);
    if (earlier) {
      report(el, `link "${j.child}" is already the child of <joint name="${earlier.name}">; a link has one parent joint`);
    } else {
      parentJointOf.set(j.child, j);
    }
  }

  const roots = [...links].filter((l) => !parentJointOf.has(l));
  if (roots.length > 1) {
    report('<robot>', `more than one root link (links that are no joint's child): ${roots.join(', ')}`);
  }

  // Every link must reach the root by following parent joints; a walk that
  // revisits a link is a cycle.
  const reachesRoot = new Map<string, boolean>();
  const reportedCycles = new Set<string>();
  for (const start of links) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let cur: string | undefined = start;
    let ok = false;
    while (cur !== undefined) {
      const known = reachesRoot.get(cur);
      if (known !== undefined) { ok = known; break; }
      if (onPath.has(cur)) {
        const cycle = path.slice(path.indexOf(cur));
        const key = [...cycle].sort().join('|');
        if (!reportedCycles.has(key)) {
          reportedCycles.add(key);
          const j = parentJointOf.get(cur);
          report(j ? jointElement(j.name) : linkElement(cur), `kinematic cycle through links ${[...cycle, cur].join(' <- ')}`);
        }
        break;
      }
      path.push(cur);
      onPath.add(cur);
      const j = parentJointOf.get(cur);
      if (!j) { ok = true; break; } // a root
      cur = links.has(j.parent) ? j.parent : undefined; // missing parent already reported
    }
    for (const l of path) reachesRoot.set(l, ok);
  }

  if (roots.length === 0 && links.size > 0) report('<robot>', 'no root link: every link is some joint\'s child (cycle)');
  return roots.length === 1 ? roots[0]! : null;
}

/**
 * Links in topological order (root first, then breadth-first by joint order),
 * for a tree that passed `checkTree`.
 */
export function topologicalLinks(root: string, joints: readonly TreeJoint[]): string[] {
  const children = new Map<string, string[]>();
  for (const j of joints) {
    const list = children.get(j.parent);
    if (list) list.push(j.child);
    else children.set(j.parent, [j.child]);
  }
  const order = [root];
  for (let i = 0; i < order.length; i++) {
    for (const c of children.get(order[i]!) ?? []) order.push(c);
  }
  return order;
}
