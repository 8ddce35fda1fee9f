/**
 * URDF → RobotModel. Pure: no file system; mesh paths are resolved with
 * `node:path` posix functions and checked only through the injected
 * `fileExists`.
 *
 * Every problem found is collected and reported together in one `UrdfError`
 * whose message names each offending element, e.g.
 *   URDF <joint name="knee">: <limit> lower 1.2 > upper 0.3
 * Non-fatal findings (unresolved or missing meshes, unsupported geometry,
 * non-physical inertia) go to `model.warnings`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RobotModelSchema, type Joint, type Link, type RobotModel } from './model.js';
import { Reader, attr, isNode, nodes, type MeshResolveOptions, type XNode } from './urdf-reader.js';
import { checkTree, jointElement, linkElement } from './urdf-tree.js';

/** sourcePath (messages, relative meshes), packageDirs (`package://`), fileExists (mesh check). */
export type ParseUrdfOptions = MeshResolveOptions;

export interface UrdfProblem {
  /** The offending element, e.g. `<joint name="knee">`. */
  element: string;
  reason: string;
}

/** A URDF that cannot become a RobotModel; `problems` lists every finding. */
export class UrdfError extends Error {
  override readonly name = 'UrdfError';
  constructor(readonly problems: readonly UrdfProblem[], readonly sourcePath?: string) {
    super(formatProblems(problems, sourcePath));
  }
}

function formatProblems(problems: readonly UrdfProblem[], sourcePath?: string): string {
  const where = sourcePath ? ` (in ${sourcePath})` : '';
  const lines = problems.map((p) => `URDF ${p.element}: ${p.reason}`);
  if (lines.length === 1) return `${lines[0]}${where}`;
  return `${lines.length} URDF problems${where}:\n  ${lines.join('\n  ')}`;
}

const ARRAY_TAGS = new Set(['link', 'joint', 'collision', 'ros2_control', 'command_interface', 'state_interface']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => ARRAY_TAGS.has(tagName),
});

/** Parses and validates a URDF document. Throws UrdfError on any error. */
export function parseUrdf(xml: string, options: ParseUrdfOptions = {}): RobotModel {
  const problems: UrdfProblem[] = [];
  const warnings: string[] = [];
  const report = (element: string, reason: string): void => { problems.push({ element, reason }); };
  const fail = (): never => { throw new UrdfError(problems, options.sourcePath); };

  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const at = typeof line === 'number' ? ` at line ${line}${typeof col === 'number' ? `, column ${col}` : ''}` : '';
    report('document', xml.trim() === '' ? 'empty document' : `not well-formed XML${at}: ${msg}`);
    fail();
  }
  const doc = parser.parse(xml) as XNode;
  const robots = doc['robot'];
  if (robots === undefined || Array.isArray(robots) || !isNode(robots)) {
    report('<robot>', robots === undefined ? 'no <robot> root element' : 'expected exactly one <robot> element');
    fail();
  }
  const robot = robots as XNode;
  const name = attr(robot, 'name');
  if (!name) report('<robot>', 'missing name attribute');

  const r = new Reader(report);
  const links = nodes(robot['link']).map((n, i) => r.link(n, i, options, warnings));
  const joints = nodes(robot['joint']).map((n, i) => r.joint(n, i));
  const okJoints = joints.filter((j): j is Joint => j !== null);
  const rootLink = checkTree(links.map((l) => l.name), okJoints, report);
  checkMimics(okJoints, report);
  const linkNames = new Set(links.map((l) => l.name));
  if (linkNames.size === 0) report('<robot>', 'no <link> elements');
  const jointNames = new Map(okJoints.map((j) => [j.name, j]));
  const ros2Control = nodes(robot['ros2_control']).map((n, i) => r.ros2Control(n, i, jointNames));
  for (const l of links) physicalInertiaWarnings(l, warnings);

  if (problems.length > 0 || rootLink === null || !name) fail();
  const parsed = RobotModelSchema.safeParse({ name, links, joints: okJoints, rootLink, ros2Control, warnings });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report('<robot>', `${issue.path.join('.')}: ${issue.message}`);
    fail();
  }
  return parsed.data!;
}

function checkMimics(joints: readonly Joint[], report: (e: string, r: string) => void): void {
  const byName = new Map(joints.map((j) => [j.name, j]));
  for (const j of joints) {
    if (!j.mimic) continue;
    const leader = byName.get(j.mimic.joint);
    const el = `${jointElement(j.name)} <mimic joint="${j.mimic.joint}">`;
    if (!leader) report(el, 'mimicked joint does not exist');
    else if (leader === j) report(el, 'a joint cannot mimic itself');
    else if (leader.mimic) report(el, 'mimicked joint is itself a mimic joint (chains are not supported)');
    else if (!MOVING.has(leader.type)) report(el, `mimicked joint is ${leader.type}, not revolute/continuous/prismatic`);
  }
}

function physicalInertiaWarnings(l: Link, warnings: string[]): void {
  const i = l.inertial;
  if (!i || i.mass === 0) return;
  const { ixx, iyy, izz, ixy, ixz, iyz } = i.inertia;
  const m2 = ixx * iyy - ixy * ixy;
  const det = ixx * (iyy * izz - iyz * iyz) - ixy * (ixy * izz - iyz * ixz) + ixz * (ixy * iyz - iyy * ixz);
  const eps = 1e-12;
  if (!(ixx > 0 && m2 > 0 && det > 0)) {
    warnings.push(`${linkElement(l.name)}: inertia is not positive definite`);
  } else if (ixx + iyy < izz - eps || ixx + izz < iyy - eps || iyy + izz < ixx - eps) {
    warnings.push(`${linkElement(l.name)}: inertia violates the triangle inequality`);
  }
}

const MOVING = new Set(['revolute', 'continuous', 'prismatic']);
