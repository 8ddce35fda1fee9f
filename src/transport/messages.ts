/**
 * ROS 2 message and service shapes, exactly as rclnodejs delivers them:
 * plain objects, `Float64Array` for float64[] fields, `{sec, nanosec}` stamps.
 *
 * Each message has a zod schema (the boundary check for low-rate topics,
 * services and tests) and a TypeScript type derived from it. High-rate
 * streams are not parsed per message (that allocates): their consumers check
 * what they read (lengths, names, finiteness) and count rejections.
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const f64Array = z.instanceof(Float64Array);
const f32Array = z.instanceof(Float32Array);
const i32Array = z.instanceof(Int32Array);

// builtin_interfaces
export const TimeSchema = z.object({
  sec: z.number().int(),
  nanosec: z.number().int().min(0).max(999_999_999),
});
export type Time = z.infer<typeof TimeSchema>;
export const DurationSchema = TimeSchema;
export type Duration = Time;

// std_msgs
export const HeaderSchema = z.object({ stamp: TimeSchema, frame_id: z.string() });
export type Header = z.infer<typeof HeaderSchema>;
export const BoolSchema = z.object({ data: z.boolean() });
export type Bool = z.infer<typeof BoolSchema>;
export const StringMsgSchema = z.object({ data: z.string() });
export type StringMsg = z.infer<typeof StringMsgSchema>;
export const MultiArrayDimensionSchema = z.object({
  label: z.string(),
  size: z.number().int().min(0),
  stride: z.number().int().min(0),
});
export const MultiArrayLayoutSchema = z.object({
  dim: z.array(MultiArrayDimensionSchema),
  data_offset: z.number().int().min(0),
});
export const Float64MultiArraySchema = z.object({ layout: MultiArrayLayoutSchema, data: f64Array });
export type Float64MultiArray = z.infer<typeof Float64MultiArraySchema>;

// geometry_msgs
export const Vector3Schema = z.object({ x: finite, y: finite, z: finite });
export type Vector3 = z.infer<typeof Vector3Schema>;
export const QuaternionSchema = z.object({ x: finite, y: finite, z: finite, w: finite });
export type Quaternion = z.infer<typeof QuaternionSchema>;
export const TwistSchema = z.object({ linear: Vector3Schema, angular: Vector3Schema });
export type Twist = z.infer<typeof TwistSchema>;
export const PointSchema = z.object({ x: finite, y: finite, z: finite });
export type Point = z.infer<typeof PointSchema>;
export const PoseSchema = z.object({ position: PointSchema, orientation: QuaternionSchema });
export type Pose = z.infer<typeof PoseSchema>;
export const PoseArraySchema = z.object({ header: HeaderSchema, poses: z.array(PoseSchema) });
export type PoseArray = z.infer<typeof PoseArraySchema>;

// sensor_msgs
export const JointStateSchema = z.object({
  header: HeaderSchema,
  name: z.array(z.string()),
  position: f64Array,
  velocity: f64Array,
  effort: f64Array,
});
export type JointState = z.infer<typeof JointStateSchema>;
export const ImuSchema = z.object({
  header: HeaderSchema,
  orientation: QuaternionSchema,
  orientation_covariance: f64Array,
  angular_velocity: Vector3Schema,
  angular_velocity_covariance: f64Array,
  linear_acceleration: Vector3Schema,
  linear_acceleration_covariance: f64Array,
});
export type Imu = z.infer<typeof ImuSchema>;
export const JoySchema = z.object({ header: HeaderSchema, axes: f32Array, buttons: i32Array });
export type Joy = z.infer<typeof JoySchema>;

// rosgraph_msgs
export const ClockSchema = z.object({ clock: TimeSchema });
export type Clock = z.infer<typeof ClockSchema>;

// trajectory_msgs
export const JointTrajectoryPointSchema = z.object({
  positions: f64Array,
  velocities: f64Array,
  accelerations: f64Array,
  effort: f64Array,
  time_from_start: DurationSchema,
});
export type JointTrajectoryPoint = z.infer<typeof JointTrajectoryPointSchema>;
export const JointTrajectorySchema = z.object({
  header: HeaderSchema,
  joint_names: z.array(z.string()),
  points: z.array(JointTrajectoryPointSchema),
});
export type JointTrajectory = z.infer<typeof JointTrajectorySchema>;

// diagnostic_msgs
/** diagnostic_msgs/DiagnosticStatus levels (a byte). */
export const DiagnosticLevel = { OK: 0, WARN: 1, ERROR: 2, STALE: 3 } as const;
export type DiagnosticLevel = (typeof DiagnosticLevel)[keyof typeof DiagnosticLevel];
export const KeyValueSchema = z.object({ key: z.string(), value: z.string() });
export type KeyValue = z.infer<typeof KeyValueSchema>;
export const DiagnosticStatusSchema = z.object({
  level: z.number().int().min(0).max(3),
  name: z.string(),
  message: z.string(),
  hardware_id: z.string(),
  values: z.array(KeyValueSchema),
});
export type DiagnosticStatus = z.infer<typeof DiagnosticStatusSchema>;
export const DiagnosticArraySchema = z.object({ header: HeaderSchema, status: z.array(DiagnosticStatusSchema) });
export type DiagnosticArray = z.infer<typeof DiagnosticArraySchema>;

// std_srvs
export const TriggerRequestSchema = z.object({}).loose();
export type TriggerRequest = z.infer<typeof TriggerRequestSchema>;
export const TriggerResponseSchema = z.object({ success: z.boolean(), message: z.string() });
export type TriggerResponse = z.infer<typeof TriggerResponseSchema>;
export const SetBoolRequestSchema = z.object({ data: z.boolean() });
export type SetBoolRequest = z.infer<typeof SetBoolRequestSchema>;
export type SetBoolResponse = TriggerResponse;

/** Topic message types by their ROS 2 type name. */
export interface MessageTypes {
  'builtin_interfaces/msg/Time': Time;
  'std_msgs/msg/Bool': Bool;
  'std_msgs/msg/String': StringMsg;
  'std_msgs/msg/Float64MultiArray': Float64MultiArray;
  'geometry_msgs/msg/Twist': Twist;
  'geometry_msgs/msg/PoseArray': PoseArray;
  'sensor_msgs/msg/JointState': JointState;
  'sensor_msgs/msg/Imu': Imu;
  'sensor_msgs/msg/Joy': Joy;
  'rosgraph_msgs/msg/Clock': Clock;
  'trajectory_msgs/msg/JointTrajectory': JointTrajectory;
  'diagnostic_msgs/msg/DiagnosticArray': DiagnosticArray;
}
export type MessageTypeName = keyof MessageTypes;

/** Zod schema of each message type, keyed like {@link MessageTypes}. */
export const messageSchemas: { [K in MessageTypeName]: z.ZodType<MessageTypes[K], unknown> } = {
  'builtin_interfaces/msg/Time': TimeSchema,
  'std_msgs/msg/Bool': BoolSchema,
  'std_msgs/msg/String': StringMsgSchema,
  'std_msgs/msg/Float64MultiArray': Float64MultiArraySchema,
  'geometry_msgs/msg/Twist': TwistSchema,
  'geometry_msgs/msg/PoseArray': PoseArraySchema,
  'sensor_msgs/msg/JointState': JointStateSchema,
  'sensor_msgs/msg/Imu': ImuSchema,
  'sensor_msgs/msg/Joy': JoySchema,
  'rosgraph_msgs/msg/Clock': ClockSchema,
  'trajectory_msgs/msg/JointTrajectory': JointTrajectorySchema,
  'diagnostic_msgs/msg/DiagnosticArray': DiagnosticArraySchema,
};

/** Service types by their ROS 2 type name. */
export interface ServiceTypes {
  'std_srvs/srv/Trigger': { request: TriggerRequest; response: TriggerResponse };
  'std_srvs/srv/SetBool': { request: SetBoolRequest; response: SetBoolResponse };
}
export type ServiceTypeName = keyof ServiceTypes;
export type RequestOf<S extends ServiceTypeName> = ServiceTypes[S]['request'];
export type ResponseOf<S extends ServiceTypeName> = ServiceTypes[S]['response'];

// ---- constructors (allocate once, then reuse on the hot path) ----

export function zeroTime(): Time {
  return { sec: 0, nanosec: 0 };
}

export function header(frameId = ''): Header {
  return { stamp: zeroTime(), frame_id: frameId };
}

/** Writes a nanosecond timestamp into an existing Time (no allocation). */
export function setTimeNs(t: Time, ns: bigint): void {
  const sec = ns / 1_000_000_000n;
  t.sec = Number(sec);
  t.nanosec = Number(ns - sec * 1_000_000_000n);
}

const secondsSlot = new Float64Array(1);

/**
 * Same as {@link setTimeNs} for a time given in float seconds (no bigint
 * allocation), rounded to the nearest nanosecond: a fraction that rounds up
 * to a whole second carries into `sec` (0.9999999999 s → 1 s, 0 ns).
 */
export function setTimeSeconds(t: Time, seconds: number): void {
  secondsSlot[0] = seconds;
  setTimeSecondsFrom(t, secondsSlot);
}

/**
 * {@link setTimeSeconds} with the seconds read from `clock[0]`. For control
 * hot paths: V8 boxes a float argument of a call it does not inline (16 B per
 * call); a value in a typed-array slot crosses the call without allocation.
 */
export function setTimeSecondsFrom(t: Time, clock: Float64Array): void {
  const seconds = clock[0]!;
  let sec = Math.floor(seconds);
  let nanosec = Math.round((seconds - sec) * 1e9);
  if (nanosec >= 1_000_000_000) {
    sec += 1;
    nanosec -= 1_000_000_000;
  }
  t.sec = sec;
  t.nanosec = nanosec;
}

export function timeToSeconds(t: Time): number {
  return t.sec + t.nanosec * 1e-9;
}

export function timeToNs(t: Time): bigint {
  return BigInt(t.sec) * 1_000_000_000n + BigInt(t.nanosec);
}

export function makeJointState(names: readonly string[], frameId = ''): JointState {
  const n = names.length;
  return {
    header: header(frameId),
    name: [...names],
    position: new Float64Array(n),
    velocity: new Float64Array(n),
    effort: new Float64Array(n),
  };
}

/**
 * Reusable Vector3/Quaternion values. Class instances, not `{ x, y, z }`
 * literals: V8 gives every literal with the same keys one hidden class, which
 * non-number values elsewhere (zod's shape objects have keys x, y, z) turn
 * into boxed fields, so each float written into a reused message would
 * allocate 16 B. A class keeps its own hidden class and unboxed doubles.
 */
class Vector3Value implements Vector3 {
  x = 0;
  y = 0;
  z = 0;
}
class QuaternionValue implements Quaternion {
  x = 0;
  y = 0;
  z = 0;
  w = 1;
}

export function makeImu(frameId: string): Imu {
  return {
    header: header(frameId),
    orientation: new QuaternionValue(),
    orientation_covariance: new Float64Array(9),
    angular_velocity: new Vector3Value(),
    angular_velocity_covariance: new Float64Array(9),
    linear_acceleration: new Vector3Value(),
    linear_acceleration_covariance: new Float64Array(9),
  };
}

export function makeFloat64MultiArray(n: number, label = ''): Float64MultiArray {
  return {
    layout: { dim: [{ label, size: n, stride: n }], data_offset: 0 },
    data: new Float64Array(n),
  };
}

/** A single-point JointTrajectory, the candidate-command message between nodes. */
export function makeJointTrajectory(names: readonly string[], frameId = ''): JointTrajectory {
  const n = names.length;
  return {
    header: header(frameId),
    joint_names: [...names],
    points: [
      {
        positions: new Float64Array(n),
        velocities: new Float64Array(n),
        accelerations: new Float64Array(0),
        effort: new Float64Array(n),
        time_from_start: zeroTime(),
      },
    ],
  };
}

export function makeClock(): Clock {
  return { clock: zeroTime() };
}
