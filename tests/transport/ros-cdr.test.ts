/**
 * The CDR codecs of the rclnodejs adapter (src/transport/ros/cdr.ts) against
 * an independent implementation of the ROS 2 wire format:
 * @foxglove/rosmsg2-serialization with the Jazzy definitions (the recorder's).
 * Byte-identical encodings both ways, decoders that reuse their message object
 * without carrying stale values, and clear errors on malformed input.
 */
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';
import { describe, expect, it } from 'vitest';
import { definitionsOf } from '../../src/record/ros2-definitions.js';
import { RAW_CODECS } from '../../src/transport/ros/cdr.js';
import type { MessageTypeName } from '../../src/transport/messages.js';

const f64 = (...v: number[]) => Float64Array.from(v);
const writerOf = (type: MessageTypeName) => new MessageWriter(definitionsOf(type));
const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Messages per type, chosen to exercise alignment: odd string lengths, empty sequences between float64 sequences, non-ASCII. */
const samples: { [K in MessageTypeName]?: unknown[] } = {
  'rosgraph_msgs/msg/Clock': [{ clock: { sec: 0, nanosec: 0 } }, { clock: { sec: 1234, nanosec: 999_999_999 } }],
  'sensor_msgs/msg/JointState': [
    { header: { stamp: { sec: 3, nanosec: 5 }, frame_id: '' }, name: ['a', 'bc', 'def'], position: f64(1, 2, 3), velocity: f64(), effort: f64(-1e-300, 0, 7.5) },
    { header: { stamp: { sec: -2, nanosec: 1 }, frame_id: 'base_link' }, name: [], position: f64(), velocity: f64(), effort: f64() },
    { header: { stamp: { sec: 9, nanosec: 0 }, frame_id: 'x' }, name: ['knee_l', ''], position: f64(Number.NaN, Infinity), velocity: f64(1, 2), effort: f64() },
  ],
  'sensor_msgs/msg/Imu': [
    {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'imu_in_pelvis' },
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
    { layout: { dim: [{ label: 'ab', size: 1, stride: 2 }, { label: '', size: 4, stride: 5 }], data_offset: 1 }, data: f64(1) },
  ],
  'trajectory_msgs/msg/JointTrajectory': [
    {
      header: { stamp: { sec: 4, nanosec: 20_000_000 }, frame_id: '' },
      joint_names: ['j1', 'j22', 'j333'],
      points: [{ positions: f64(1, 2, 3), velocities: f64(0, 0, 0), accelerations: f64(), effort: f64(1, 1, 1), time_from_start: { sec: 0, nanosec: 20_000_000 } }],
    },
    {
      header: { stamp: { sec: 5, nanosec: 0 }, frame_id: 'f' },
      joint_names: ['q'],
      points: [
        { positions: f64(1), velocities: f64(), accelerations: f64(), effort: f64(), time_from_start: { sec: 1, nanosec: 0 } },
        { positions: f64(2), velocities: f64(3), accelerations: f64(4), effort: f64(5), time_from_start: { sec: 2, nanosec: 1 } },
      ],
    },
    { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, joint_names: [], points: [] },
  ],
};

/** Plain, comparable form (typed arrays as arrays, NaN kept by toEqual). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Float64Array ? Array.from(x, (n) => (Number.isFinite(n) ? n : String(n))) : x)));

describe('CDR codecs of the rclnodejs adapter', () => {
  for (const [type, messages] of Object.entries(samples) as [MessageTypeName, unknown[]][]) {
    const codec = RAW_CODECS[type]!;
    it(`${type}: encodes byte for byte as the reference writer, decodes what it writes`, () => {
      const encode = codec.encoder() as (m: unknown) => Buffer;
      const decode = codec.decoder() as (b: Buffer) => unknown;
      const reference = writerOf(type);
      const reader = new MessageReader(definitionsOf(type));
      for (const msg of [...messages, ...messages]) {
        const ours = encode(msg);
        expect(ours.equals(bytes(reference.writeMessage(msg))), `${type} ${JSON.stringify(plain(msg))}`).toBe(true);
        expect(plain(decode(bytes(reference.writeMessage(msg))))).toEqual(plain(msg));
        expect(plain(reader.readMessage(ours))).toEqual(plain(msg));
      }
    });
  }

  it('a decoder reuses its message, its arrays and its joint names while they stay the same', () => {
    const enc = RAW_CODECS['sensor_msgs/msg/JointState']!.encoder();
    const dec = RAW_CODECS['sensor_msgs/msg/JointState']!.decoder();
    const msg = { header: { stamp: { sec: 1, nanosec: 0 }, frame_id: 'f' }, name: ['a', 'b'], position: f64(1, 2), velocity: f64(3, 4), effort: f64(5, 6) };
    const first = dec(Buffer.from(enc(msg)));
    const { name, position } = first;
    msg.position[0] = 10;
    msg.header.stamp.sec = 2;
    const second = dec(Buffer.from(enc(msg)));
    expect(second).toBe(first);
    expect(second.name).toBe(name);
    expect(second.position).toBe(position);
    expect(Array.from(second.position)).toEqual([10, 2]);
    expect(second.header.stamp.sec).toBe(2);
    // Changed names (same byte length) and a changed length are decoded, not served from the cache.
    const third = dec(Buffer.from(enc({ ...msg, name: ['a', 'c'] })));
    expect(third.name).toEqual(['a', 'c']);
    expect(third.name).not.toBe(name);
    const fourth = dec(Buffer.from(enc({ ...msg, name: ['a'], position: f64(7), velocity: f64(8), effort: f64(9) })));
    expect(fourth.name).toEqual(['a']);
    expect(Array.from(fourth.position)).toEqual([7]);
  });

  it('strings are UTF-8 (ROS 2 strings are bytes; rclcpp writes UTF-8)', () => {
    // The reference writer truncates non-ASCII strings, so this one is checked by round trip and by its bytes.
    const codec = RAW_CODECS['sensor_msgs/msg/JointState']!;
    const msg = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'ü' }, name: ['knee_ü'], position: f64(1), velocity: f64(), effort: f64() };
    const buf = codec.encoder()(msg);
    expect(buf.subarray(12, 19).equals(Buffer.from([3, 0, 0, 0, 0xc3, 0xbc, 0]))).toBe(true);
    expect(plain(codec.decoder()(Buffer.from(buf)))).toEqual(plain(msg));
  });

  it('a trajectory decoder drops the points a shorter message does not have', () => {
    const type = 'trajectory_msgs/msg/JointTrajectory';
    const dec = RAW_CODECS[type]!.decoder();
    const [one, two] = samples[type]!;
    const w = writerOf(type);
    expect(dec(bytes(w.writeMessage(two))).points).toHaveLength(2);
    expect(plain(dec(bytes(w.writeMessage(one))))).toEqual(plain(one));
  });

  it('refuses truncated messages, overlong counts and big-endian CDR with an error', () => {
    const type = 'sensor_msgs/msg/JointState';
    const dec = RAW_CODECS[type]!.decoder();
    const good = bytes(writerOf(type).writeMessage(samples[type]![0]));
    expect(() => dec(good.subarray(0, good.length - 3))).toThrow(RangeError);
    expect(() => dec(good.subarray(0, 2))).toThrow(/shorter than its header/);
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0x7fffffff, 20); // the name count: header 4 B, stamp 8 B, empty frame_id 5 B, aligned to 4
    expect(() => dec(huge)).toThrow(/overruns the message/);
    const be = Buffer.from(good);
    be[1] = 0;
    expect(() => dec(be)).toThrow(/not supported/);
  });
});
