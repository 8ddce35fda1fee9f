import { describe, expect, it } from 'vitest';
import { buildMjcf, generateMjcf, quatFromRpy, SimConfigSchema } from '../../src/sim/index.js';
import { RobotModelSchema } from '../../src/robot/model.js';
import { armModel, ARM_GAINS } from './fixtures.js';

const cfg = (input: Record<string, unknown> = {}) => SimConfigSchema.parse({ gains: ARM_GAINS, ...input });
const attrOf = (xml: string, tagStart: string, attr: string): string | undefined => {
  const line = xml.split('\n').find((l) => l.includes(tagStart));
  return line?.match(new RegExp(`\\b${attr}="([^"]*)"`))?.[1];
};

describe('MJCF generation for MuJoCo 2.2.2', () => {
  it('welds the root at the URDF world joint when the URDF has a world link (auto base)', () => {
    const b = buildMjcf(armModel({ world: true }), cfg());
    expect(b.base).toBe('fixed');
    expect(b.rootBody).toBe('pelvis');
    expect(b.xml).not.toContain('<freejoint');
    expect(attrOf(b.xml, '<body name="pelvis"', 'pos')).toBe('0 0 1');
  });

  it('puts a free joint on the root link of a URDF without a world link, at the configured height', () => {
    const b = buildMjcf(armModel({ world: false }), cfg({ baseHeightM: 0.6 }));
    expect(b.base).toBe('floating');
    expect(b.xml).toContain('<freejoint name="pelvis_free"/>');
    expect(attrOf(b.xml, '<body name="pelvis"', 'pos')).toBe('0 0 0.6');
  });

  it('converts primitives to MuJoCo half sizes (box half extents, cylinder radius and half-length)', () => {
    const xml = generateMjcf(armModel({ world: true }), cfg());
    expect(attrOf(xml, 'name="pelvis_col0"', 'size')).toBe('0.1 0.1 0.1');
    expect(attrOf(xml, 'name="upper_arm_col0"', 'size')).toBe('0.03 0.2');
    expect(attrOf(xml, 'name="forearm_col0"', 'size')).toBe('0.04');
  });

  it('writes one PD servo per actuated joint, clipped to the URDF effort, with per-joint gains', () => {
    const xml = generateMjcf(armModel({ world: true }), cfg());
    const line = xml.split('\n').find((l) => l.includes('<general name="shoulder_pitch"'))!;
    expect(line).toContain('gaintype="fixed" biastype="affine" gainprm="200" biasprm="0 -200 -5"');
    expect(line).toContain('forcelimited="true" forcerange="-50 50"');
    expect(xml.match(/<general /g)).toHaveLength(2);
  });

  it('emits nothing MuJoCo 2.2.2 rejects and sets timestep and integrator', () => {
    const xml = generateMjcf(armModel({ world: true }), cfg({ timestepS: 0.002, integrator: 'implicit' }));
    expect(xml).not.toContain('actuatorfrcrange');
    expect(xml).not.toContain('implicitfast');
    expect(attrOf(xml, '<option', 'timestep')).toBe('0.002');
    expect(attrOf(xml, '<option', 'integrator')).toBe('implicit');
  });

  it('adds armature to every joint (default 0.02 kg·m², per-joint override by name or regex)', () => {
    const xml = generateMjcf(armModel({ world: true }), cfg({ armature: { perJoint: { 'elbow_.*': 0.005 } } }));
    expect(attrOf(xml, 'name="shoulder_pitch" type="hinge"', 'armature')).toBe('0.02');
    expect(attrOf(xml, 'name="elbow_pitch" type="hinge"', 'armature')).toBe('0.005');
    expect(attrOf(xml, 'name="elbow_pitch" type="hinge"', 'damping')).toBe('0.1');
    expect(attrOf(xml, 'name="elbow_pitch" type="hinge"', 'frictionloss')).toBe('0.05');
  });

  it('rotates an inertial given in a rotated frame into the link frame', () => {
    // upper_arm: ixx 0.02, izz 0.0005 about a frame pitched by 90°: x and z swap in the link frame.
    const xml = generateMjcf(armModel({ world: true }), cfg());
    expect(attrOf(xml, '<inertial pos="0.25 0 0" mass="1"', 'diaginertia')).toBe('0.0005 0.02 0.02');
  });

  it('places the IMU site and its three sensors on the pelvis when there is no imu_in_pelvis link', () => {
    const b = buildMjcf(armModel({ world: true }), cfg());
    expect(b.imuLink).toBe('pelvis');
    expect(b.xml).toMatch(/<framequat name="imu_quat" objtype="site" objname="imu"\/>/);
    expect(b.xml).toMatch(/<gyro name="imu_gyro" site="imu"\/>/);
    expect(b.xml).toMatch(/<accelerometer name="imu_acc" site="imu"\/>/);
  });

  it('skips unresolved meshes with a warning', () => {
    const m = armModel({ world: true });
    const withMesh = RobotModelSchema.parse({
      ...m,
      links: m.links.map((l) =>
        l.name === 'forearm'
          ? { ...l, collisions: [{ origin: { xyz: [0, 0, 0], rpy: [0, 0, 0] }, geometry: { kind: 'mesh', filename: 'package://g1/forearm.stl', resolvedPath: null, scale: [1, 1, 1] } }] }
          : l,
      ),
    });
    const b = buildMjcf(withMesh, cfg());
    expect(b.xml).not.toContain('type="mesh"');
    expect(b.warnings.some((w) => w.includes('forearm.stl'))).toBe(true);
  });

  it('fits a box to the inertia of a link whose only collision is a missing mesh, and names it in one warning', () => {
    const m = armModel({ world: false });
    const missing = { origin: { xyz: [0, 0, 0], rpy: [0, 0, 0] }, geometry: { kind: 'mesh', filename: 'meshes/pelvis.STL', resolvedPath: null, scale: [1, 1, 1] } };
    const withMesh = RobotModelSchema.parse({
      ...m,
      links: m.links.map((l) => (l.name === 'pelvis' ? { ...l, collisions: [missing] } : l.name === 'upper_arm' ? { ...l, collisions: [...l.collisions, missing] } : l)),
    });
    const b = buildMjcf(withMesh, cfg());
    // pelvis: 5 kg, moments of a 0.2 m cube → the fitted box is that cube (half extents 0.1 m)
    expect(b.xml).toMatch(/<geom name="pelvis_fitted" pos="0 0 0" contype="2" conaffinity="1" type="box" size="0.1 0.1 0.1"\/>/);
    // upper_arm keeps its own primitive: no fitted box
    expect(b.xml).not.toContain('upper_arm_fitted');
    expect(b.warnings.filter((w) => w.startsWith('fitted'))).toEqual([
      "fitted primitive collision boxes (from each link's mass and inertia) to links whose collision meshes are missing: pelvis",
    ]);
    expect(buildMjcf(withMesh, cfg({ missingMeshCollision: 'none' })).xml).not.toContain('pelvis_fitted');
  });

  it('rejects an unknown IMU link, implicitfast, and an explicit-PD step above 2 ms', () => {
    expect(() => buildMjcf(armModel({ world: true }), cfg({ imuLink: 'torso_link' }))).toThrow(/imuLink 'torso_link'/);
    expect(SimConfigSchema.safeParse({ integrator: 'implicitfast' }).success).toBe(false);
    const r = SimConfigSchema.safeParse({ timestepS: 0.005 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('timestepS <= 0.002');
    expect(SimConfigSchema.safeParse({ timestepS: 0.005, integrator: 'implicit' }).success).toBe(true);
    expect(SimConfigSchema.safeParse({ gains: { '(unclosed': { kp: 1, kd: 0 } } }).success).toBe(false);
  });

  it('turns fixed-axis rpy into a wxyz quaternion (R = Rz·Ry·Rx)', () => {
    const q = quatFromRpy(0, 0, Math.PI / 2);
    expect(q[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(q[3]).toBeCloseTo(Math.SQRT1_2, 12);
    const r = quatFromRpy(Math.PI / 2, 0, 0);
    expect(r[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
