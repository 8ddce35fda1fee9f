import { describe, expect, it } from 'vitest';
import { parseUrdf, UrdfError } from '../../src/robot/urdf.js';
import { link, revolute, robot } from './fixtures.js';

/** The UrdfError thrown by parsing `xml` (fails the test when nothing is thrown). */
function errorOf(xml: string, sourcePath?: string): UrdfError {
  try {
    parseUrdf(xml, sourcePath ? { sourcePath } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(UrdfError);
    return err as UrdfError;
  }
  throw new Error('expected a UrdfError');
}

describe('parseUrdf rejects malformed URDFs naming the element', () => {
  it('reports a joint whose parent link does not exist', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}${revolute('j', 'ghost', 'b')}`));
    expect(e.message).toContain('URDF <joint name="j">: <parent link="ghost"> is not a link of the robot');
  });

  it('reports a kinematic cycle', () => {
    const e = errorOf(robot(`${link('r')}${link('a')}${link('b')}${revolute('ab', 'a', 'b')}${revolute('ba', 'b', 'a')}`));
    expect(e.message).toMatch(/URDF <joint name="(ab|ba)">: kinematic cycle through links/);
  });

  it('reports a link that is the child of two joints', () => {
    const e = errorOf(robot(`${link('r')}${link('a')}${revolute('j1', 'r', 'a')}${revolute('j2', 'r', 'a')}`));
    expect(e.message).toContain('URDF <joint name="j2">: link "a" is already the child of <joint name="j1">');
  });

  it('reports two root links', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}`));
    expect(e.message).toContain('URDF <robot>: more than one root link (links that are no joint\'s child): a, b');
  });

  it('reports lower > upper in the documented form', () => {
    const e = errorOf(robot(`${link('t')}${link('s')}<joint name="knee" type="revolute"><parent link="t"/><child link="s"/>` +
      '<limit lower="1.2" upper="0.3" effort="1" velocity="1"/></joint>'));
    expect(e.message).toBe('URDF <joint name="knee">: <limit> lower 1.2 > upper 0.3');
    expect(e.problems).toEqual([{ element: '<joint name="knee">', reason: '<limit> lower 1.2 > upper 0.3' }]);
  });

  it('refuses a revolute or prismatic <limit> without upper or lower, naming the joint (never read as 0)', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}${link('c')}` +
      '<joint name="knee" type="revolute"><parent link="a"/><child link="b"/><limit lower="-1" effort="1" velocity="1"/></joint>' +
      '<joint name="rail" type="prismatic"><parent link="a"/><child link="c"/><limit upper="0.1" effort="1" velocity="1"/></joint>'));
    expect(e.problems).toEqual([
      { element: '<joint name="knee">', reason: "<limit> is missing attribute upper (required for revolute joints; a joint without a position range is 'continuous')" },
      { element: '<joint name="rail">', reason: "<limit> is missing attribute lower (required for prismatic joints; a joint without a position range is 'continuous')" },
    ]);
  });

  it('reports a revolute or prismatic joint without <limit>', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}${link('c')}` +
      '<joint name="hinge" type="revolute"><parent link="a"/><child link="b"/></joint>' +
      '<joint name="rail" type="prismatic"><parent link="a"/><child link="c"/></joint>'));
    expect(e.message).toContain('URDF <joint name="hinge">: missing <limit> (required for revolute joints)');
    expect(e.message).toContain('URDF <joint name="rail">: missing <limit> (required for prismatic joints)');
  });

  it('reports a value that is not a number', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}${revolute('j', 'a', 'b', '<origin xyz="0 abc 0"/>')}`));
    expect(e.message).toContain('URDF <joint name="j">: <origin> xyz "0 abc 0" is not 3 numbers');
    const m = errorOf(robot('<link name="a"><inertial><mass value="heavy"/><inertia ixx="1" iyy="1" izz="1"/></inertial></link>'));
    expect(m.message).toContain('URDF <link name="a">: <mass> value "heavy" is not a number');
  });

  it('reports an unknown joint type', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}<joint name="j" type="hinge"><parent link="a"/><child link="b"/></joint>`));
    expect(e.message).toContain('URDF <joint name="j">: unknown joint type "hinge"');
  });

  it('reports text that is not XML', () => {
    expect(errorOf('this is not <xml').message).toMatch(/^URDF document: not well-formed XML at line \d+/);
    expect(errorOf('<robot name="x"><link name="a"></robot>').message).toMatch(/not well-formed XML/);
    expect(errorOf('  ').message).toBe('URDF document: empty document');
    expect(errorOf('<model name="x"/>').message).toBe('URDF <robot>: no <robot> root element');
  });

  it('reports mimic targets that do not exist, zero axes and unknown ros2_control joints', () => {
    const e = errorOf(robot(`${link('a')}${link('b')}${link('c')}` +
      revolute('j', 'a', 'b', '<mimic joint="nobody"/>').replace('<axis xyz="0 0 1"/>', '') +
      revolute('k', 'a', 'c').replace('0 0 1', '0 0 0') +
      '<ros2_control name="hw" type="system"><joint name="phantom"><command_interface name="position"/></joint></ros2_control>'));
    expect(e.message).toContain('URDF <joint name="j"> <mimic joint="nobody">: mimicked joint does not exist');
    expect(e.message).toContain('URDF <joint name="k">: <axis> xyz is zero');
    expect(e.message).toContain('URDF <ros2_control name="hw"> <joint name="phantom">: not a joint of the robot');
  });

  it('reports duplicate names and collects every problem with the source path', () => {
    const e = errorOf(robot(`${link('a')}${link('a')}${link('b')}${revolute('j', 'a', 'b')}${revolute('j', 'a', 'b')}` +
      '<joint name="bad" type="revolute"><parent link="a"/><child link="zz"/><limit lower="2" upper="1" effort="1" velocity="1"/></joint>'),
    '/robots/r.urdf');
    expect(e.message).toMatch(/^\d+ URDF problems \(in \/robots\/r\.urdf\):/);
    expect(e.sourcePath).toBe('/robots/r.urdf');
    const reasons = e.problems.map((p) => `${p.element}: ${p.reason}`);
    expect(reasons).toEqual(expect.arrayContaining([
      '<link name="a">: duplicate link name',
      '<joint name="j">: duplicate joint name',
      '<joint name="bad">: <child link="zz"> is not a link of the robot',
      '<joint name="bad">: <limit> lower 2 > upper 1',
    ]));
  });

  it('reports negative dimensions and missing geometry', () => {
    const e = errorOf(robot('<link name="a"><collision><geometry><sphere radius="-1"/></geometry></collision>' +
      '<collision name="c2"><origin xyz="0 0 0"/></collision></link>'));
    expect(e.message).toContain('URDF <link name="a"> <collision> #1: <sphere> radius -1 must be > 0');
    expect(e.message).toContain('URDF <link name="a"> <collision> "c2": missing <geometry>');
  });
});

describe('parseUrdf accepts valid input', () => {
  it('parses joints, links, defaults and normalises the axis', () => {
    const m = parseUrdf(robot(`
      <link name="a"><inertial><origin xyz="0 0 0.1"/><mass value="2"/><inertia ixx="0.1" ixy="0" ixz="0" iyy="0.1" iyz="0" izz="0.1"/></inertial>
        <collision><geometry><box size="1 2 3"/></geometry></collision>
        <collision name="c"><origin xyz="1 0 0" rpy="0 0 1"/><geometry><cylinder radius="0.1" length="0.5"/></geometry></collision></link>
      <link name="b"/>
      <joint name="j" type="continuous"><parent link="a"/><child link="b"/><axis xyz="0 3 4"/>
        <limit effort="5" velocity="6"/><dynamics damping="0.5"/></joint>`));
    expect(m.rootLink).toBe('a');
    const j = m.joints[0]!;
    expect(j.axis).toEqual([0, 0.6, 0.8]);
    expect(j.origin).toEqual({ xyz: [0, 0, 0], rpy: [0, 0, 0] });
    expect(j.limit).toEqual({ lower: 0, upper: 0, effort: 5, velocity: 6 });
    expect(j.dynamics).toEqual({ damping: 0.5, friction: 0 });
    const a = m.links[0]!;
    expect(a.inertial).toEqual({ mass: 2, origin: { xyz: [0, 0, 0.1], rpy: [0, 0, 0] }, inertia: { ixx: 0.1, ixy: 0, ixz: 0, iyy: 0.1, iyz: 0, izz: 0.1 } });
    expect(a.collisions).toEqual([
      { origin: { xyz: [0, 0, 0], rpy: [0, 0, 0] }, geometry: { kind: 'box', size: [1, 2, 3] } },
      { name: 'c', origin: { xyz: [1, 0, 0], rpy: [0, 0, 1] }, geometry: { kind: 'cylinder', radius: 0.1, length: 0.5 } },
    ]);
    const fixedAxis = parseUrdf(robot(`${link('a')}${link('b')}<joint name="f" type="fixed"><parent link="a"/><child link="b"/></joint>`));
    expect(fixedAxis.joints[0]!.axis).toEqual([1, 0, 0]);
  });

  it('warns (not fails) about unsupported geometry and non-physical inertia', () => {
    const m = parseUrdf(robot('<link name="a"><inertial><mass value="1"/><inertia ixx="1" iyy="1" izz="3"/></inertial>' +
      '<collision><geometry><capsule radius="0.1" length="0.2"/></geometry></collision></link>'));
    expect(m.links[0]!.collisions).toEqual([]);
    expect(m.warnings).toEqual([
      '<link name="a"> <collision> #1: unsupported geometry <capsule> ignored',
      '<link name="a">: inertia violates the triangle inequality',
    ]);
  });
});
