/**
 * RobotModel (a parsed URDF) → MJCF for MuJoCo 2.2.2. Pure: string in memory.
 *
 * - Body tree from the URDF joints: a joint's origin becomes the child body's
 *   pos/quat, the MJCF joint sits at the body origin with the URDF axis.
 *   revolute → hinge (limited), continuous → hinge, prismatic → slide,
 *   fixed → no joint (welded body). Mimic joints are passive joints tied by a
 *   joint equality.
 * - Inertials are rotated into the link frame (`fullinertia`); the compiler
 *   bounds tiny masses/inertias and balances inertias that violate the
 *   triangle inequality (CAD exports often do).
 * - Collision primitives: box size = half extents, cylinder size = radius,
 *   half-length (both along local z, as in URDF). Meshes only when resolved.
 *   A link whose only collision geometry is mesh files that are absent (a
 *   third-party URDF without its meshes) gets a box fitted to its inertia
 *   (the uniform box with the link's mass and principal moments, at its
 *   centre of mass), so e.g. the pelvis does not sink through the floor;
 *   a warning names those links (`missingMeshCollision: none` turns it off).
 * - One `<general>` PD servo per actuated joint:
 *   force = clip(kp·(ctrl − q) − kd·q̇, ±effort).
 * - IMU site `imu` on the IMU link with framequat/gyro/accelerometer sensors.
 * - MuJoCo 2.2.2 specifics: no `actuatorfrcrange`, no `implicitfast`,
 *   `<size njmax nconmax>` preallocation.
 */
import type { Geometry, Joint, Link, Origin, RobotModel } from '../robot/model.js';
import { actuatedJoints } from '../robot/model.js';
import { armatureFor, gainsFor, type SimConfig } from './config.js';

export const IMU_SITE = 'imu';
export const IMU_SENSORS = { quat: 'imu_quat', gyro: 'imu_gyro', acc: 'imu_acc' } as const;
export const FLOOR_GEOM = 'floor';
export const DEFAULT_BASE_HEIGHT_M = 0.8;

export interface MjcfBuild {
  xml: string;
  /** Joints with an actuator, in actuator (= URDF) order; actuator names equal joint names. */
  actuatedJoints: string[];
  /** The link that is the robot's root body (the `world` link's child when there is one). */
  rootBody: string;
  base: 'fixed' | 'floating';
  /** Root body start position in the world, m. */
  basePosition: [number, number, number];
  imuLink: string;
  /** Non-fatal findings (skipped meshes, unlimited efforts, ...). */
  warnings: string[];
}

/** Fixed-axis roll-pitch-yaw (R = Rz·Ry·Rx) → quaternion [w, x, y, z]. */
export function quatFromRpy(roll: number, pitch: number, yaw: number): [number, number, number, number] {
  const cr = Math.cos(roll / 2), sr = Math.sin(roll / 2);
  const cp = Math.cos(pitch / 2), sp = Math.sin(pitch / 2);
  const cy = Math.cos(yaw / 2), sy = Math.sin(yaw / 2);
  return [
    cr * cp * cy + sr * sp * sy,
    sr * cp * cy - cr * sp * sy,
    cr * sp * cy + sr * cp * sy,
    cr * cp * sy - sr * sp * cy,
  ];
}

/** Row-major 3×3 rotation from fixed-axis rpy. */
function matFromRpy(r: number, p: number, y: number): number[] {
  const [cr, sr, cp, sp, cy, sy] = [Math.cos(r), Math.sin(r), Math.cos(p), Math.sin(p), Math.cos(y), Math.sin(y)];
  return [
    cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr,
    sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr,
    -sp, cp * sr, cp * cr,
  ];
}

function num(v: number): string {
  if (Object.is(v, -0) || Math.abs(v) < 1e-15) return '0';
  return String(Number(v.toPrecision(12)));
}
const nums = (vs: readonly number[]): string => vs.map(num).join(' ');
function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
const isZeroRpy = (o: Origin): boolean => o.rpy.every((v) => v === 0);
const poseAttrs = (o: Origin): string => `pos="${nums(o.xyz)}"${isZeroRpy(o) ? '' : ` quat="${nums(quatFromRpy(...o.rpy))}"`}`;

function inertialXml(link: Link): string | null {
  const inertial = link.inertial;
  if (!inertial) return null;
  const { ixx, ixy, ixz, iyy, iyz, izz } = inertial.inertia;
  // URDF inertia is about the inertial frame; rotate it into the link frame: I' = R I Rᵀ.
  const R = matFromRpy(...inertial.origin.rpy);
  const I = [ixx, ixy, ixz, ixy, iyy, iyz, ixz, iyz, izz];
  const RI = new Array<number>(9).fill(0);
  const J = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) RI[3 * r + c]! += R[3 * r + k]! * I[3 * k + c]!;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) J[3 * r + c]! += RI[3 * r + k]! * R[3 * c + k]!;
  const pos = `pos="${nums(inertial.origin.xyz)}" mass="${num(inertial.mass)}"`;
  const offDiag = Math.max(Math.abs(J[1]!), Math.abs(J[2]!), Math.abs(J[5]!));
  const diag = [J[0]!, J[4]!, J[8]!];
  if (offDiag <= 1e-12 * Math.max(1e-12, ...diag.map(Math.abs))) return `<inertial ${pos} diaginertia="${nums(diag)}"/>`;
  return `<inertial ${pos} fullinertia="${nums([J[0]!, J[4]!, J[8]!, J[1]!, J[2]!, J[5]!])}"/>`;
}

interface GeomOut {
  xml: string;
  mesh?: { name: string; file: string; scale: [number, number, number] };
}

function geomXml(link: string, idx: number, origin: Origin, g: Geometry, contact: string, config: SimConfig): GeomOut | string {
  const name = `${link}_col${idx}`;
  const head = `<geom name="${attr(name)}" ${poseAttrs(origin)} ${contact}`;
  switch (g.kind) {
    case 'box':
      return { xml: `${head} type="box" size="${nums(g.size.map((s) => s / 2))}"/>` };
    case 'cylinder':
      return { xml: `${head} type="cylinder" size="${num(g.radius)} ${num(g.length / 2)}"/>` };
    case 'sphere':
      return { xml: `${head} type="sphere" size="${num(g.radius)}"/>` };
    case 'mesh': {
      if (config.meshes === 'skip') return `mesh ${g.filename} of link '${link}' skipped (meshes: skip)`;
      if (g.resolvedPath === null) return `mesh ${g.filename} of link '${link}' skipped (file not resolved)`;
      if (!/\.(stl|obj|msh)$/i.test(g.resolvedPath)) return `mesh ${g.filename} of link '${link}' skipped (MuJoCo 2.2.2 reads STL/OBJ/MSH only)`;
      const meshName = `${name}_mesh`;
      return { xml: `${head} type="mesh" mesh="${attr(meshName)}"/>`, mesh: { name: meshName, file: g.resolvedPath, scale: g.scale } };
    }
  }
}

/** Smallest half extent of a fitted box, m. */
const MIN_FITTED_HALF_M = 0.01;

/**
 * The uniform box with the link's mass and (diagonal) moments of inertia, at
 * its inertial frame: I_xx = m(b² + c²)/12 … ⇒ a² = 6(I_yy + I_zz − I_xx)/m.
 * Off-diagonal products are ignored. Null without a positive mass.
 */
export function inertiaBox(link: Link): { origin: Origin; half: [number, number, number] } | null {
  const inertial = link.inertial;
  if (!inertial || !(inertial.mass > 0)) return null;
  const { ixx, iyy, izz } = inertial.inertia;
  const m = inertial.mass;
  const half = (a: number, b: number, c: number): number => Math.max(MIN_FITTED_HALF_M, Math.sqrt(Math.max(0, (6 * (b + c - a)) / m)) / 2);
  return { origin: inertial.origin, half: [half(ixx, iyy, izz), half(iyy, ixx, izz), half(izz, ixx, iyy)] };
}

function jointXml(j: Joint, config: SimConfig): string {
  const type = j.type === 'prismatic' ? 'slide' : 'hinge';
  const parts = [`name="${attr(j.name)}"`, `type="${type}"`, `axis="${nums(j.axis)}"`];
  if ((j.type === 'revolute' || j.type === 'prismatic') && j.limit) {
    parts.push(`limited="true" range="${num(j.limit.lower)} ${num(j.limit.upper)}"`);
  } else {
    parts.push('limited="false"');
  }
  parts.push(`armature="${num(armatureFor(config, j.name))}"`);
  if (j.dynamics) parts.push(`damping="${num(j.dynamics.damping)}" frictionloss="${num(j.dynamics.friction)}"`);
  return `<joint ${parts.join(' ')}/>`;
}

/** Root resolution: a `world` root link with one fixed joint means "welded at that joint". */
function resolveRoot(model: RobotModel): { rootBody: string; worldJoint: Joint | null } {
  if (model.rootLink === 'world') {
    const fromWorld = model.joints.filter((j) => j.parent === 'world');
    const only = fromWorld[0];
    if (fromWorld.length !== 1 || !only || only.type !== 'fixed') {
      throw new Error(`generateMjcf: link 'world' must have exactly one fixed joint to the robot (found ${fromWorld.length})`);
    }
    return { rootBody: only.child, worldJoint: only };
  }
  return { rootBody: model.rootLink, worldJoint: null };
}

function pickImuLink(model: RobotModel, config: SimConfig, rootBody: string): string {
  const names = new Set(model.links.map((l) => l.name));
  if (config.imuLink !== undefined) {
    if (!names.has(config.imuLink)) throw new Error(`generateMjcf: imuLink '${config.imuLink}' is not a link of robot '${model.name}'`);
    return config.imuLink;
  }
  if (names.has('imu_in_pelvis')) return 'imu_in_pelvis';
  if (names.has('pelvis')) return 'pelvis';
  return rootBody;
}

/** Builds the MJCF and the facts the sim adapter needs about it. */
export function buildMjcf(model: RobotModel, config: SimConfig): MjcfBuild {
  const warnings: string[] = [];
  const links = new Map(model.links.map((l) => [l.name, l]));
  const children = new Map<string, Joint[]>();
  for (const j of model.joints) {
    const list = children.get(j.parent) ?? [];
    list.push(j);
    children.set(j.parent, list);
  }
  const { rootBody, worldJoint } = resolveRoot(model);
  const base = config.base === 'auto' ? (worldJoint ? 'fixed' : 'floating') : config.base;
  const imuLink = pickImuLink(model, config, rootBody);
  const actuated = actuatedJoints(model);

  const baseOrigin: Origin = worldJoint ? { xyz: [...worldJoint.origin.xyz], rpy: [...worldJoint.origin.rpy] } : { xyz: [0, 0, DEFAULT_BASE_HEIGHT_M], rpy: [0, 0, 0] };
  if (config.baseHeightM !== undefined) baseOrigin.xyz[2] = config.baseHeightM;

  // Robot geoms collide with the floor (contype 1 / conaffinity 1) and, if enabled, with each other.
  const contact = config.selfCollision ? 'contype="3" conaffinity="3"' : 'contype="2" conaffinity="1"';
  const meshes: NonNullable<GeomOut['mesh']>[] = [];
  const lines: string[] = [];
  const fitted: string[] = [];

  const emitBody = (linkName: string, origin: Origin, joint: Joint | null, depth: number): void => {
    const ind = '  '.repeat(depth);
    const link = links.get(linkName);
    if (!link) throw new Error(`generateMjcf: joint '${joint?.name ?? '?'}' names missing link '${linkName}'`);
    lines.push(`${ind}<body name="${attr(linkName)}" ${poseAttrs(origin)}>`);
    if (joint === null && base === 'floating') lines.push(`${ind}  <freejoint name="${attr(linkName)}_free"/>`);
    if (joint) {
      if (joint.type === 'planar' || joint.type === 'floating') {
        throw new Error(`generateMjcf: joint '${joint.name}' of type ${joint.type} is not supported inside the tree`);
      }
      if (joint.type !== 'fixed') lines.push(`${ind}  ${jointXml(joint, config)}`);
    }
    const inertial = inertialXml(link);
    if (inertial) lines.push(`${ind}  ${inertial}`);
    let emitted = 0;
    let missingMesh = 0;
    link.collisions.forEach((c, i) => {
      const g = geomXml(linkName, i, c.origin, c.geometry, contact, config);
      if (typeof g === 'string') {
        warnings.push(g);
        if (c.geometry.kind === 'mesh' && c.geometry.resolvedPath === null) missingMesh++;
      } else {
        lines.push(`${ind}  ${g.xml}`);
        emitted++;
        if (g.mesh) meshes.push(g.mesh);
      }
    });
    if (emitted === 0 && missingMesh > 0 && config.missingMeshCollision === 'fit_box') {
      const box = inertiaBox(link);
      if (box) {
        lines.push(`${ind}  <geom name="${attr(linkName)}_fitted" ${poseAttrs(box.origin)} ${contact} type="box" size="${nums(box.half)}"/>`);
        fitted.push(linkName);
      }
    }
    if (linkName === imuLink) lines.push(`${ind}  <site name="${IMU_SITE}" pos="0 0 0" size="0.01"/>`);
    for (const cj of children.get(linkName) ?? []) emitBody(cj.child, cj.origin, cj, depth + 1);
    lines.push(`${ind}</body>`);
  };
  emitBody(rootBody, baseOrigin, null, 2);
  if (fitted.length > 0) {
    warnings.push(`fitted primitive collision boxes (from each link's mass and inertia) to links whose collision meshes are missing: ${fitted.join(', ')}`);
  }

  const actuators = actuated.map((j) => {
    const g = gainsFor(config, j.name);
    const effort = j.limit?.effort ?? 0;
    let force = '';
    if (effort > 0) force = ` forcelimited="true" forcerange="${num(-effort)} ${num(effort)}"`;
    else warnings.push(`joint '${j.name}' has no effort limit: its actuator force is unlimited`);
    return `    <general name="${attr(j.name)}" joint="${attr(j.name)}" gaintype="fixed" biastype="affine" gainprm="${num(g.kp)}" biasprm="0 ${num(-g.kp)} ${num(-g.kd)}"${force}/>`;
  });
  const equalities = model.joints
    .filter((j) => j.mimic !== undefined && j.type !== 'fixed')
    .map((j) => `    <joint joint1="${attr(j.name)}" joint2="${attr(j.mimic!.joint)}" polycoef="${num(j.mimic!.offset)} ${num(j.mimic!.multiplier)} 0 0 0"/>`);

  const xml = [
    `<mujoco model="${attr(model.name)}">`,
    '  <compiler angle="radian" inertiafromgeom="false" balanceinertia="true" boundmass="0.0001" boundinertia="1e-08" discardvisual="true"/>',
    `  <option timestep="${num(config.timestepS)}" integrator="${config.integrator}" gravity="${nums(config.gravity)}"/>`,
    `  <size njmax="${config.njmax}" nconmax="${config.nconmax}"/>`,
    ...(config.contactFriction !== undefined ? [`  <default><geom friction="${num(config.contactFriction)} 0.005 0.0001"/></default>`] : []),
    ...(meshes.length > 0
      ? ['  <asset>', ...meshes.map((m) => `    <mesh name="${attr(m.name)}" file="${attr(m.file)}" scale="${nums(m.scale)}"/>`), '  </asset>']
      : []),
    '  <worldbody>',
    `    <geom name="${FLOOR_GEOM}" type="plane" size="50 50 0.1" friction="${num(config.contactFriction ?? config.floorFriction)} 0.005 0.0001" contype="1" conaffinity="1"/>`,
    ...lines,
    '  </worldbody>',
    ...(actuators.length > 0 ? ['  <actuator>', ...actuators, '  </actuator>'] : []),
    ...(equalities.length > 0 ? ['  <equality>', ...equalities, '  </equality>'] : []),
    '  <sensor>',
    `    <framequat name="${IMU_SENSORS.quat}" objtype="site" objname="${IMU_SITE}"/>`,
    `    <gyro name="${IMU_SENSORS.gyro}" site="${IMU_SITE}"/>`,
    `    <accelerometer name="${IMU_SENSORS.acc}" site="${IMU_SITE}"/>`,
    '  </sensor>',
    '</mujoco>',
    '',
  ].join('\n');

  return {
    xml,
    actuatedJoints: actuated.map((j) => j.name),
    rootBody,
    base,
    basePosition: [...baseOrigin.xyz],
    imuLink,
    warnings: [...model.warnings, ...warnings],
  };
}

/** MJCF text for MuJoCo 2.2.2 (see {@link buildMjcf} for the details the adapter uses). */
export function generateMjcf(model: RobotModel, config: SimConfig): string {
  return buildMjcf(model, config).xml;
}
