/**
 * URDF element readers: turn parsed XML nodes (fast-xml-parser objects with
 * `@_` attributes) into RobotModel parts, reporting each problem through
 * `report(element, reason)` instead of throwing.
 */
import { dirnamePath, isAbsolutePath, joinPath, normalizePath } from './posix-path.js';
import {
  JointTypeSchema,
  type Collision, type Geometry, type Inertial, type Joint, type JointLimit, type Link, type Origin,
  type Ros2Control, type Vec3,
} from './model.js';
import { jointElement, linkElement } from './urdf-tree.js';

/** How mesh filenames are resolved (also parseUrdf's options). */
export interface MeshResolveOptions {
  /** Path of the URDF file, for messages and for resolving relative mesh paths. */
  sourcePath?: string;
  /** `package://<name>/...` → absolute directory of package <name>. */
  packageDirs?: Record<string, string>;
  /** Whether a resolved mesh file exists (absolute path). Without it, existence is not checked. */
  fileExists?: (absPath: string) => boolean;
}

/** A parsed XML element. */
export type XNode = Record<string, unknown>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const AXIS_USERS = new Set(['revolute', 'continuous', 'prismatic', 'planar']);

export function isNode(v: unknown): v is XNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Elements of a repeated tag; an empty tag (`<link/>` with no attributes) parses as ''. */
export function nodes(v: unknown): XNode[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (isNode(x) ? x : {}));
}
export function attr(n: XNode | undefined, key: string): string | undefined {
  const v = n?.[`@_${key}`];
  return typeof v === 'string' ? v : undefined;
}

/** Element readers that report problems instead of throwing. */
export class Reader {
  constructor(private readonly report: (element: string, reason: string) => void) {}

  /** The single child element `tag`, or undefined; reports duplicates. */
  private one(n: XNode, tag: string, el: string): XNode | undefined {
    const v = n[tag];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) {
      this.report(el, `more than one <${tag}>`);
      return isNode(v[0]) ? v[0] : {};
    }
    return isNode(v) ? v : {};
  }

  private numbers(text: string, count: number, el: string, what: string): number[] | null {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== count || !parts.every((p) => NUMBER.test(p))) {
      this.report(el, `${what} "${text}" is not ${count === 1 ? 'a number' : `${count} numbers`}`);
      return null;
    }
    return parts.map(Number);
  }

  /** Numeric attribute; `fallback` undefined means required. */
  private num(n: XNode | undefined, key: string, el: string, tag: string, fallback?: number): number {
    const text = attr(n, key);
    if (text === undefined) {
      if (fallback === undefined) this.report(el, `<${tag}> is missing attribute ${key}`);
      return fallback ?? 0;
    }
    return this.numbers(text, 1, el, `<${tag}> ${key}`)?.[0] ?? 0;
  }

  private vec3(n: XNode | undefined, key: string, el: string, tag: string, fallback: Vec3): Vec3 {
    const text = attr(n, key);
    if (text === undefined) return fallback;
    const v = this.numbers(text, 3, el, `<${tag}> ${key}`);
    return v ? [v[0]!, v[1]!, v[2]!] : fallback;
  }

  private origin(parent: XNode, el: string): Origin {
    const o = this.one(parent, 'origin', el);
    return { xyz: this.vec3(o, 'xyz', el, 'origin', [0, 0, 0]), rpy: this.vec3(o, 'rpy', el, 'origin', [0, 0, 0]) };
  }

  joint(n: XNode, index: number): Joint | null {
    const name = attr(n, 'name');
    const el = name ? jointElement(name) : `<joint> #${index + 1}`;
    if (!name) this.report(el, 'missing name attribute');
    const typeText = attr(n, 'type');
    const type = JointTypeSchema.safeParse(typeText);
    if (!type.success) {
      this.report(el, typeText === undefined ? 'missing type attribute' : `unknown joint type "${typeText}"`);
    }
    const parent = attr(this.one(n, 'parent', el), 'link');
    const child = attr(this.one(n, 'child', el), 'link');
    if (!parent) this.report(el, 'missing <parent link="...">');
    if (!child) this.report(el, 'missing <child link="...">');
    const origin = this.origin(n, el);

    const t = type.success ? type.data : 'fixed';
    let axis: Vec3 = this.vec3(this.one(n, 'axis', el), 'xyz', el, 'axis', [1, 0, 0]);
    const norm = Math.hypot(axis[0], axis[1], axis[2]);
    if (norm < 1e-9) {
      if (AXIS_USERS.has(t)) this.report(el, `<axis> xyz is zero`);
      axis = [1, 0, 0];
    } else {
      axis = [axis[0] / norm, axis[1] / norm, axis[2] / norm];
    }

    const limitNode = this.one(n, 'limit', el);
    let limit: JointLimit | undefined;
    if (limitNode) {
      // A position range is required where the joint has one (revolute, prismatic): a missing bound is
      // refused, never read as 0 (the URDF spec's default, which would pin the joint). Continuous and
      // other joints may omit both (continuous: no position limit, ±∞ downstream).
      const ranged = t === 'revolute' || t === 'prismatic';
      for (const key of ['lower', 'upper'] as const) {
        if (ranged && attr(limitNode, key) === undefined) {
          this.report(el, `<limit> is missing attribute ${key} (required for ${t} joints; a joint without a position range is 'continuous')`);
        }
      }
      limit = {
        lower: this.num(limitNode, 'lower', el, 'limit', 0),
        upper: this.num(limitNode, 'upper', el, 'limit', 0),
        velocity: this.num(limitNode, 'velocity', el, 'limit'),
        effort: this.num(limitNode, 'effort', el, 'limit'),
      };
      if (t !== 'continuous' && limit.lower > limit.upper) {
        this.report(el, `<limit> lower ${limit.lower} > upper ${limit.upper}`);
      }
      if (limit.velocity < 0) this.report(el, `<limit> velocity ${limit.velocity} is negative`);
      if (limit.effort < 0) this.report(el, `<limit> effort ${limit.effort} is negative`);
    } else if (t === 'revolute' || t === 'prismatic') {
      this.report(el, `missing <limit> (required for ${t} joints)`);
    }

    const mimicNode = this.one(n, 'mimic', el);
    let mimic: Joint['mimic'];
    if (mimicNode) {
      const target = attr(mimicNode, 'joint');
      if (!target) this.report(el, '<mimic> is missing attribute joint');
      mimic = {
        joint: target ?? '',
        multiplier: this.num(mimicNode, 'multiplier', el, 'mimic', 1),
        offset: this.num(mimicNode, 'offset', el, 'mimic', 0),
      };
    }

    const dynNode = this.one(n, 'dynamics', el);
    let dynamics: Joint['dynamics'];
    if (dynNode) {
      dynamics = { damping: this.num(dynNode, 'damping', el, 'dynamics', 0), friction: this.num(dynNode, 'friction', el, 'dynamics', 0) };
      if (dynamics.damping < 0 || dynamics.friction < 0) this.report(el, '<dynamics> damping and friction must be >= 0');
    }

    if (!name || !type.success || !parent || !child) return null;
    const joint: Joint = { name, type: type.data, parent, child, origin, axis };
    if (limit) joint.limit = limit;
    if (mimic) joint.mimic = mimic;
    if (dynamics) joint.dynamics = dynamics;
    return joint;
  }

  link(n: XNode, index: number, options: MeshResolveOptions, warnings: string[]): Link {
    const name = attr(n, 'name');
    const el = name ? linkElement(name) : `<link> #${index + 1}`;
    if (!name) this.report(el, 'missing name attribute');
    const link: Link = { name: name ?? `#${index + 1}`, collisions: [] };

    const inertialNode = this.one(n, 'inertial', el);
    if (inertialNode) {
      const inertia = this.one(inertialNode, 'inertia', el);
      if (!inertia) this.report(el, '<inertial> is missing <inertia>');
      const mass = this.num(this.one(inertialNode, 'mass', el), 'value', el, 'mass');
      if (mass < 0) this.report(el, `<mass> value ${mass} is negative`);
      const inertial: Inertial = {
        mass,
        origin: this.origin(inertialNode, el),
        inertia: {
          ixx: this.num(inertia, 'ixx', el, 'inertia', inertia ? undefined : 0),
          ixy: this.num(inertia, 'ixy', el, 'inertia', 0),
          ixz: this.num(inertia, 'ixz', el, 'inertia', 0),
          iyy: this.num(inertia, 'iyy', el, 'inertia', inertia ? undefined : 0),
          iyz: this.num(inertia, 'iyz', el, 'inertia', 0),
          izz: this.num(inertia, 'izz', el, 'inertia', inertia ? undefined : 0),
        },
      };
      link.inertial = inertial;
    }

    nodes(n['collision']).forEach((c, i) => {
      const cel = `${el} <collision>${c['@_name'] ? ` "${attr(c, 'name')}"` : ` #${i + 1}`}`;
      const geometry = this.geometry(this.one(c, 'geometry', cel), cel, options, warnings);
      if (!geometry) return;
      const collision: Collision = { origin: this.origin(c, cel), geometry };
      const cname = attr(c, 'name');
      if (cname) collision.name = cname;
      link.collisions.push(collision);
    });
    return link;
  }

  private geometry(g: XNode | undefined, el: string, options: MeshResolveOptions, warnings: string[]): Geometry | null {
    if (!g) { this.report(el, 'missing <geometry>'); return null; }
    const positive = (v: number, what: string): number => {
      if (!(v > 0)) this.report(el, `${what} ${v} must be > 0`);
      return v;
    };
    const box = this.one(g, 'box', el);
    if (box) {
      const size = this.vec3(box, 'size', el, 'box', [0, 0, 0]);
      if (attr(box, 'size') === undefined) this.report(el, '<box> is missing attribute size');
      size.forEach((s) => positive(s, '<box> size'));
      return { kind: 'box', size };
    }
    const cyl = this.one(g, 'cylinder', el);
    if (cyl) {
      return {
        kind: 'cylinder',
        radius: positive(this.num(cyl, 'radius', el, 'cylinder'), '<cylinder> radius'),
        length: positive(this.num(cyl, 'length', el, 'cylinder'), '<cylinder> length'),
      };
    }
    const sphere = this.one(g, 'sphere', el);
    if (sphere) return { kind: 'sphere', radius: positive(this.num(sphere, 'radius', el, 'sphere'), '<sphere> radius') };
    const mesh = this.one(g, 'mesh', el);
    if (mesh) {
      const filename = attr(mesh, 'filename');
      if (!filename) { this.report(el, '<mesh> is missing attribute filename'); return null; }
      const scale = this.vec3(mesh, 'scale', el, 'mesh', [1, 1, 1]);
      return { kind: 'mesh', filename, resolvedPath: resolveMesh(filename, el, options, warnings), scale };
    }
    const kinds = Object.keys(g).filter((k) => !k.startsWith('@_'));
    warnings.push(`${el}: unsupported geometry ${kinds.map((k) => `<${k}>`).join(', ') || '(empty)'} ignored`);
    return null;
  }

  ros2Control(n: XNode, index: number, joints: ReadonlyMap<string, Joint>): Ros2Control {
    const name = attr(n, 'name') ?? '';
    const el = name ? `<ros2_control name="${name}">` : `<ros2_control> #${index + 1}`;
    if (!name) this.report(el, 'missing name attribute');
    const plugin = this.one(n, 'hardware', el)?.['plugin'];
    const interfaceNames = (v: unknown, jel: string, tag: string): string[] => nodes(v).map((i) => {
      const iname = attr(i, 'name');
      if (!iname) this.report(jel, `<${tag}> is missing attribute name`);
      return iname ?? '';
    });
    return {
      name,
      plugin: typeof plugin === 'string' && plugin.length > 0 ? plugin : null,
      joints: nodes(n['joint']).map((j) => {
        const jname = attr(j, 'name') ?? '';
        const jel = `${el} <joint name="${jname}">`;
        if (!joints.has(jname)) this.report(jel, 'not a joint of the robot');
        return {
          name: jname,
          commandInterfaces: interfaceNames(j['command_interface'], jel, 'command_interface'),
          stateInterfaces: interfaceNames(j['state_interface'], jel, 'state_interface'),
        };
      }),
    };
  }
}

/**
 * Path of a mesh file: `package://pkg/rest` via packageDirs, `file://` URIs,
 * absolute paths, and relative paths against the URDF's directory (absolute
 * when packageDirs and sourcePath are; joined, never resolved against a cwd). Null (with a warning) when it cannot be resolved or
 * `fileExists` says the file is missing.
 */
function resolveMesh(filename: string, el: string, options: MeshResolveOptions, warnings: string[]): string | null {
  let resolved: string | null = null;
  const pkg = /^package:\/\/([^/]+)\/(.*)$/.exec(filename);
  if (pkg) {
    const dir = options.packageDirs?.[pkg[1]!];
    if (dir === undefined) {
      warnings.push(`${el}: mesh "${filename}" not resolved: package "${pkg[1]}" is not in packageDirs`);
      return null;
    }
    resolved = joinPath(dir, pkg[2]!);
  } else if (filename.startsWith('file://')) {
    resolved = normalizePath(filename.slice('file://'.length));
  } else if (isAbsolutePath(filename)) {
    resolved = normalizePath(filename);
  } else if (options.sourcePath) {
    resolved = joinPath(dirnamePath(options.sourcePath), filename);
  } else {
    warnings.push(`${el}: relative mesh "${filename}" not resolved: no sourcePath given`);
    return null;
  }
  if (options.fileExists && !options.fileExists(resolved)) {
    warnings.push(`${el}: mesh file "${resolved}" (from "${filename}") does not exist`);
    return null;
  }
  return resolved;
}
