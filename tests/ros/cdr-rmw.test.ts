/**
 * The CDR codecs of the rclnodejs adapter (src/transport/ros/cdr.ts) against
 * the ROS 2 middleware's own serializer: `rclnodejs.serializeMessage` calls
 * rmw_serialize with the C type support of the sourced distribution, which
 * shares no code with @foxglove/cdr (the byte level under cdr.ts, and under
 * the reference in tests/transport/ros-cdr.test.ts). Our encoding must be
 * byte-identical to rmw's, and our decoder must read rmw's bytes back to the
 * message. Runs where ROS 2 is sourced; elsewhere skipped with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RAW_CODECS } from '../../src/transport/ros/cdr.js';
import { checkRosEnvironment } from '../../src/transport/ros/index.js';
import { loadRclnodejs, type Rclnodejs } from '../../src/transport/ros/load.js';
import type { MessageTypeName } from '../../src/transport/messages.js';

const ros = checkRosEnvironment(process.env);
const skipReason = ros.ok ? null : `ROS 2 is not sourced (${ros.missing.join(' and ')} unset): source /opt/ros/jazzy/setup.bash (or humble) to run it`;
if (skipReason) console.log(`[tests/ros/cdr-rmw.test.ts] skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

const f64 = (...v: number[]) => Float64Array.from(v);
const time = (sec: number, nanosec: number) => ({ sec, nanosec });

/** Messages per type: odd string lengths, empty sequences between float64 sequences, non-ASCII, non-finite values. */
const samples: { [K in MessageTypeName]?: unknown[] } = {
  'rosgraph_msgs/msg/Clock': [{ clock: time(0, 0) }, { clock: time(1234, 999_999_999) }],
  'sensor_msgs/msg/JointState': [
    { header: { stamp: time(3, 5), frame_id: '' }, name: ['a', 'bc', 'def'], position: f64(1, 2, 3), velocity: f64(), effort: f64(-1e-300, 0, 7.5) },
    { header: { stamp: time(-2, 1), frame_id: 'base_link' }, name: [], position: f64(), velocity: f64(), effort: f64() },
    { header: { stamp: time(9, 0), frame_id: 'ü' }, name: ['knee_ü', ''], position: f64(Number.NaN, Infinity), velocity: f64(1, 2), effort: f64() },
    {
      header: { stamp: time(7, 8), frame_id: 'pelvis' },
      name: Array.from({ length: 29 }, (_, i) => `joint_${i}_joint`),
      position: Float64Array.from({ length: 29 }, (_, i) => i / 7),
      velocity: Float64Array.from({ length: 29 }, (_, i) => -i),
      effort: Float64Array.from({ length: 29 }, (_, i) => i * 1e3),
    },
  ],
  'sensor_msgs/msg/Imu': [
    {
      header: { stamp: time(1, 2), frame_id: 'imu_in_pelvis' },
      orientation: { x: 0.1, y: 0.2, z: 0.3, w: 0.9 },
      orientation_covariance: f64(1, 2, 3, 4, 5, 6, 7, 8, 9),
      angular_velocity: { x: -1, y: 0, z: 1 },
      angular_velocity_covariance: f64(0, 0, 0, 0, 0, 0, 0, 0, 0),
      linear_acceleration: { x: 0, y: 0, z: 9.81 },
      linear_acceleration_covariance: f64(-1, 0, 0, 0, 0, 0, 0, 0, 0),
    },
  ],
  'std_msgs/msg/Float64MultiArray': [
    { layout: { dim: [{ label: 'joints', size: 3, stride: 3 }], data_offset: 0 }, data: f64(0.5, -0.25, 3) },
    { layout: { dim: [], data_offset: 2 }, data: f64() },
    { layout: { dim: [{ label: 'ab', size: 1, stride: 2 }, { label: '', size: 4, stride: 5 }], data_offset: 1 }, data: Float64Array.from({ length: 29 }, (_, i) => i) },
  ],
  'trajectory_msgs/msg/JointTrajectory': [
    {
      header: { stamp: time(4, 20_000_000), frame_id: '' },
      joint_names: ['j1', 'j22', 'j333'],
      points: [{ positions: f64(1, 2, 3), velocities: f64(0, 0, 0), accelerations: f64(), effort: f64(1, 1, 1), time_from_start: time(0, 20_000_000) }],
    },
    {
      header: { stamp: time(5, 0), frame_id: 'f' },
      joint_names: ['q'],
      points: [
        { positions: f64(1), velocities: f64(), accelerations: f64(), effort: f64(), time_from_start: time(1, 0) },
        { positions: f64(2), velocities: f64(3), accelerations: f64(4), effort: f64(5), time_from_start: time(2, 1) },
      ],
    },
    { header: { stamp: time(0, 0), frame_id: '' }, joint_names: [], points: [] },
  ],
};

/** Plain, comparable form (typed arrays as arrays, non-finite values as strings). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Float64Array ? Array.from(x, (n) => (Number.isFinite(n) ? n : String(n))) : x)));

/** The message as rclnodejs's constructor takes it (typed arrays as plain arrays). */
const forRclnodejs = (v: unknown): unknown => {
  if (v instanceof Float64Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(forRclnodejs);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, forRclnodejs(x)]));
  return v;
};

suite('CDR codecs against rmw_serialize (rclnodejs.serializeMessage)', () => {
  let rcl: Rclnodejs;
  beforeAll(async () => {
    rcl = await loadRclnodejs();
  });

  /** rmw's serialization of `msg` (a message class instance built from it). */
  function rmwBytes(type: MessageTypeName, msg: unknown): Buffer {
    const Class = rcl.require(type) as unknown as new (init: unknown) => object;
    return rcl.serializeMessage(new Class(forRclnodejs(msg)), Class as never);
  }

  for (const [type, messages] of Object.entries(samples) as [MessageTypeName, unknown[]][]) {
    it(`${type}: our encoding is rmw's, byte for byte; our decoder reads rmw's bytes back to the message`, () => {
      const codec = RAW_CODECS[type]!;
      const encode = codec.encoder() as (m: unknown) => Buffer;
      const decode = codec.decoder() as (b: Buffer) => unknown;
      for (const msg of [...messages, ...messages]) {
        const reference = rmwBytes(type, msg);
        const ours = encode(msg);
        expect(ours.toString('hex'), `${type} ${JSON.stringify(plain(msg))}`).toBe(reference.toString('hex'));
        expect(plain(decode(reference))).toEqual(plain(msg));
      }
    });
  }
});
