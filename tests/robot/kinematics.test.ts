import { describe, expect, it } from 'vitest';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { actuatedJoints } from '../../src/robot/model.js';
import { parseUrdf } from '../../src/robot/urdf.js';
import { TRANSFORM_SIZE, rotationFromRpy, setTranslation } from '../../src/robot/math.js';
import { ARM_URDF } from './fixtures.js';

const model = parseUrdf(ARM_URDF);
const Q = new Float64Array([Math.PI / 2, Math.PI / 2, 0.3, 0.4]);

function position(tree: KinematicTree, name: string): number[] {
  return Array.from(tree.linkPosition(tree.linkIndex(name), new Float64Array(3)));
}
function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 9));
}

describe('KinematicTree on a hand-computed fixture', () => {
  it('orders q as actuatedJoints and links topologically', () => {
    const tree = new KinematicTree(model);
    expect(tree.jointNames).toEqual(['j1', 'j2', 'slide', 'grip_a']);
    expect(actuatedJoints(model).map((j) => j.name)).toEqual(tree.jointNames);
    expect(tree.linkNames[0]).toBe('base');
    for (let i = 1; i < tree.linkCount; i++) expect(tree.parentIndex[i]).toBeLessThan(i);
    expect(tree.parentIndex[0]).toBe(-1);
  });

  it('places every link at its origin chain in the zero pose', () => {
    const tree = new KinematicTree(model);
    tree.forward(new Float64Array(4));
    expectClose(position(tree, 'l1'), [1, 0, 0.5]);
    expectClose(position(tree, 'l2'), [1.5, 0, 0.5]);
    expectClose(position(tree, 'l3'), [1.5, 0.2, 0.5]);
    expectClose(position(tree, 'tool'), [1.6, 0.2, 0.5]);
  });

  it('matches hand-computed revolute, prismatic, fixed and mimic transforms', () => {
    const tree = new KinematicTree(model);
    tree.forward(Q);
    // l1 = T(1,0,.5)·Rz(π/2); l2 = l1·T(.5,0,0)·Ry(π/2)
    expectClose(position(tree, 'l1'), [1, 0, 0.5]);
    expectClose(position(tree, 'l2'), [1, 0.5, 0.5]);
    // l3 = l2·T(0,.2,0)·T(0,0,.3): Rz90·Ry90·(0,.2,.3) = (−.2,.3,0)
    expectClose(position(tree, 'l3'), [0.8, 0.8, 0.5]);
    // tool = l3·T(.1,0,0)·Rz(π/2): Rz90·Ry90·(.1,0,0) = (0,0,−.1); tool x axis = Rz90·Ry90·Rz90·x = (−1,0,0)
    expectClose(position(tree, 'tool'), [0.8, 0.8, 0.4]);
    const tool = tree.linkTransform(tree.linkIndex('tool'));
    expectClose([tool[0]!, tool[4]!, tool[8]!], [-1, 0, 0]);
    // l2 rotation Rz90·Ry90: columns x→(0,0,−1), y→(−1,0,0), z→(0,1,0)
    const l2 = tree.linkTransform(tree.linkIndex('l2'));
    expectClose([l2[0]!, l2[1]!, l2[2]!, l2[4]!, l2[5]!, l2[6]!, l2[8]!, l2[9]!, l2[10]!], [0, -1, 0, 0, 0, 1, -1, 0, 0]);
    // mimic: grip_b = −2·0.4 + 0.1 = −0.7 about z
    const fa = tree.linkTransform(tree.linkIndex('fa'));
    const fb = tree.linkTransform(tree.linkIndex('fb'));
    expectClose([fa[0]!, fa[4]!, fa[3]!], [Math.cos(0.4), Math.sin(0.4), 0.1]);
    expectClose([fb[0]!, fb[4]!, fb[7]!], [Math.cos(-0.7), Math.sin(-0.7), 0.1]);
  });

  it('applies a base pose to the root', () => {
    const tree = new KinematicTree(model);
    const base = new Float64Array(TRANSFORM_SIZE);
    rotationFromRpy(base, 0, 0, 0, Math.PI / 2);
    setTranslation(base, 0, 0, 0, 1);
    tree.forward(new Float64Array(4), base);
    expectClose(position(tree, 'base'), [0, 0, 1]);
    expectClose(position(tree, 'l1'), [0, 1, 1.5]);
  });

  it('writes into a caller buffer and reuses its own buffer between calls', () => {
    const tree = new KinematicTree(model);
    const out = new Float64Array(tree.linkCount * TRANSFORM_SIZE);
    expect(tree.forward(Q, undefined, out)).toBe(out);
    expectClose(Array.from(out.subarray(tree.linkIndex('l3') * 12 + 3, tree.linkIndex('l3') * 12 + 4)), [0.8]);
    const view = tree.linkTransform(tree.linkIndex('l1'));
    expect(tree.forward(Q)).toBe(tree.transforms);
    expect(tree.forward(new Float64Array(4))).toBe(tree.transforms);
    expectClose([view[0]!, view[4]!], [1, 0]); // live view sees the latest call
  });

  it('treats floating and planar joints as fixed at their origin', () => {
    const m = parseUrdf(`<robot name="f"><link name="a"/><link name="b"/><link name="c"/>
      <joint name="fl" type="floating"><origin xyz="0 0 2"/><parent link="a"/><child link="b"/></joint>
      <joint name="pl" type="planar"><origin xyz="1 0 0"/><parent link="b"/><child link="c"/><axis xyz="0 0 1"/></joint></robot>`);
    const tree = new KinematicTree(m);
    expect(tree.dof).toBe(0);
    tree.forward(new Float64Array(0));
    expectClose(position(tree, 'c'), [1, 0, 2]);
  });

  it('rejects unknown link names and indices', () => {
    const tree = new KinematicTree(model);
    expect(() => tree.linkIndex('nope')).toThrow(/unknown link 'nope'/);
    expect(() => tree.linkTransform(99)).toThrow(/out of range/);
  });
});
