/**
 * The robot model: what a URDF says, validated, in SI units (m, rad, kg, N·m,
 * rad/s). Produced by `parseUrdf` (./urdf.ts); consumed by the sim's MJCF
 * generator, the shield (limits, collision geometry) and kinematics.
 *
 * Frames follow URDF: a joint's `origin` places the joint frame in the parent
 * link frame; `rpy` is fixed-axis roll-pitch-yaw (R = Rz(y)·Ry(p)·Rx(r)).
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
export const Vec3Schema = z.tuple([finite, finite, finite]);
export type Vec3 = z.infer<typeof Vec3Schema>;

export const OriginSchema = z.object({
  /** Translation in the parent frame, metres. */
  xyz: Vec3Schema.default([0, 0, 0]),
  /** Fixed-axis roll, pitch, yaw, radians. */
  rpy: Vec3Schema.default([0, 0, 0]),
});
export type Origin = z.infer<typeof OriginSchema>;

export const JointTypeSchema = z.enum(['revolute', 'continuous', 'prismatic', 'fixed', 'floating', 'planar']);
export type JointType = z.infer<typeof JointTypeSchema>;

export const JointLimitSchema = z.object({
  /** Lower position limit, rad (or m for prismatic). */
  lower: finite,
  /** Upper position limit, rad (or m). */
  upper: finite,
  /** Maximum speed, rad/s (or m/s). */
  velocity: finite.nonnegative(),
  /** Maximum effort, N·m (or N). */
  effort: finite.nonnegative(),
});
export type JointLimit = z.infer<typeof JointLimitSchema>;

export const JointSchema = z.object({
  name: z.string().min(1),
  type: JointTypeSchema,
  parent: z.string().min(1),
  child: z.string().min(1),
  origin: OriginSchema,
  /** Unit axis in the joint frame. */
  axis: Vec3Schema,
  limit: JointLimitSchema.optional(),
  mimic: z.object({ joint: z.string(), multiplier: finite, offset: finite }).optional(),
  dynamics: z.object({ damping: finite.nonnegative(), friction: finite.nonnegative() }).optional(),
});
export type Joint = z.infer<typeof JointSchema>;

export const GeometrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('box'), /** Full edge lengths, m. */ size: Vec3Schema }),
  z.object({ kind: z.literal('cylinder'), radius: finite.positive(), /** Along local z, m. */ length: finite.positive() }),
  z.object({ kind: z.literal('sphere'), radius: finite.positive() }),
  z.object({
    kind: z.literal('mesh'),
    /** As written in the URDF. */
    filename: z.string(),
    /** Absolute path after resolving `package://` / relative paths, or null when unresolved. */
    resolvedPath: z.string().nullable(),
    scale: Vec3Schema,
  }),
]);
export type Geometry = z.infer<typeof GeometrySchema>;

export const CollisionSchema = z.object({
  name: z.string().optional(),
  origin: OriginSchema,
  geometry: GeometrySchema,
});
export type Collision = z.infer<typeof CollisionSchema>;

export const InertialSchema = z.object({
  /** kg */
  mass: finite.nonnegative(),
  /** Centre of mass frame in the link frame. */
  origin: OriginSchema,
  /** kg·m², about the inertial frame. */
  inertia: z.object({ ixx: finite, ixy: finite, ixz: finite, iyy: finite, iyz: finite, izz: finite }),
});
export type Inertial = z.infer<typeof InertialSchema>;

export const LinkSchema = z.object({
  name: z.string().min(1),
  inertial: InertialSchema.optional(),
  collisions: z.array(CollisionSchema),
});
export type Link = z.infer<typeof LinkSchema>;

export const Ros2ControlJointSchema = z.object({
  name: z.string(),
  commandInterfaces: z.array(z.string()),
  stateInterfaces: z.array(z.string()),
});
export const Ros2ControlSchema = z.object({
  name: z.string(),
  /** The hardware plugin, e.g. gz_ros2_control/GazeboSimSystem or mock_components/GenericSystem. */
  plugin: z.string().nullable(),
  joints: z.array(Ros2ControlJointSchema),
});
export type Ros2Control = z.infer<typeof Ros2ControlSchema>;

export const RobotModelSchema = z.object({
  name: z.string().min(1),
  links: z.array(LinkSchema).min(1),
  joints: z.array(JointSchema),
  /** The one link that is no joint's child. */
  rootLink: z.string(),
  ros2Control: z.array(Ros2ControlSchema),
  /** Non-fatal findings (e.g. a mesh file that is missing). */
  warnings: z.array(z.string()),
});
export type RobotModel = z.infer<typeof RobotModelSchema>;

/** Joints that a controller commands: revolute, continuous or prismatic, and not mimic. In URDF order. */
export function actuatedJoints(model: RobotModel): Joint[] {
  return model.joints.filter(
    (j) => (j.type === 'revolute' || j.type === 'continuous' || j.type === 'prismatic') && j.mimic === undefined,
  );
}

/**
 * Per-joint limits as flat arrays in a given joint order, the form the shield
 * and the policy runtime use. Continuous joints get ±Infinity positions.
 */
export interface JointLimitArrays {
  names: string[];
  lower: Float64Array;
  upper: Float64Array;
  velocity: Float64Array;
  effort: Float64Array;
}

export function jointLimitArrays(model: RobotModel, names: readonly string[] = actuatedJoints(model).map((j) => j.name)): JointLimitArrays {
  const n = names.length;
  const out: JointLimitArrays = {
    names: [...names],
    lower: new Float64Array(n),
    upper: new Float64Array(n),
    velocity: new Float64Array(n),
    effort: new Float64Array(n),
  };
  const byName = new Map(model.joints.map((j) => [j.name, j]));
  names.forEach((name, i) => {
    const j = byName.get(name);
    if (!j) throw new Error(`joint '${name}' is not in robot '${model.name}'`);
    if (!j.limit) throw new Error(`joint '${name}' of robot '${model.name}' has no <limit>`);
    const continuous = j.type === 'continuous';
    out.lower[i] = continuous ? -Infinity : j.limit.lower;
    out.upper[i] = continuous ? Infinity : j.limit.upper;
    out.velocity[i] = j.limit.velocity;
    out.effort[i] = j.limit.effort;
  });
  return out;
}
