/**
 * CDR codecs for the high-rate message types, used by the rclnodejs adapter
 * instead of rclnodejs's message classes (`./transport.ts`: raw
 * subscriptions and Buffer publishing).
 *
 * Why: rclnodejs converts every message between JavaScript and the C struct
 * with ref-napi (per field, with allocations); on the embedded-sim launch that
 * conversion was most of each node's CPU (profiles in docs/ros.md). Taking the
 * serialized message and decoding it here costs a few microseconds.
 *
 * The byte level (encapsulation header, alignment, primitives, strings,
 * sequence lengths) is @foxglove/cdr's `CdrReader` / `CdrWriter` (plain
 * little-endian CDR, what rmw_cyclonedds_cpp and rmw_fastrtps_cpp write for
 * ROS types). This module is the message level on top of it, written for a
 * steady stream:
 * - a decoder writes into ONE message object per subscription: float64
 *   sequences are read value by value into the message's Float64Array while
 *   the count stays the same (`CdrReader.float64Array` would return a view of
 *   rclnodejs's Buffer or a new array each message), and string arrays, the
 *   frame id and a multi-array layout are reused while their bytes stay the
 *   same (compared byte for byte, no strings built);
 * - an encoder writes into one scratch ArrayBuffer per publisher (`CdrWriter`'s
 *   `buffer` option; it is kept when the writer grows it) and returns a Buffer
 *   view of exactly the message, reused while the size stays the same (so the
 *   returned Buffer is overwritten by the publisher's next message).
 * What is still allocated per message: a `CdrReader` (with its DataView) per
 * decoded message; a `CdrWriter` (with its Uint8Array and DataView), the
 * `data` view, and one small Uint8Array per ASCII string (CdrWriter.string)
 * per encoded message; a non-ASCII string is encoded to a fresh byte array
 * (CdrWriter.string 3.5.0 counts UTF-16 units, not bytes, so it would cut it).
 *
 * Checks of our own, before the library reads: the header is at least 4 bytes
 * and the encapsulation is 0x0001 (little-endian CDR; anything else is refused
 * with a clear error), and each sequence count fits in what is left of the
 * message (a corrupt count must not allocate gigabytes). Reading past the end
 * throws RangeError (DataView).
 */
import { CdrReader, CdrWriter, EncapsulationKind } from '@foxglove/cdr';
import type { Clock, Float64MultiArray, Header, Imu, JointState, JointTrajectory, JointTrajectoryPoint, MessageTypeName, MessageTypes, Time } from '../messages.js';

type MultiArrayDimension = Float64MultiArray['layout']['dim'][number];

// ---- reading ----------------------------------------------------------------

/** A reader for one message; refuses what is not a little-endian CDR encapsulation. */
function openReader(buf: Buffer): CdrReader {
  if (buf.length < 4) throw new RangeError(`CDR message of ${buf.length} bytes: shorter than its header`);
  if (buf[1] !== EncapsulationKind.CDR_LE) {
    throw new Error(`CDR encapsulation 0x${buf[0]!.toString(16).padStart(2, '0')}${buf[1]!.toString(16).padStart(2, '0')} is not supported (little-endian CDR, 0x0001, only)`);
  }
  return new CdrReader(buf);
}

/** A sequence count, checked against what is left (each element takes at least `elementBytes`). */
function count(r: CdrReader, elementBytes: number): number {
  const n = r.sequenceLength();
  if (n * elementBytes > r.byteLength - r.decodedBytes) throw new RangeError(`CDR sequence of ${n} elements overruns the message (${r.byteLength} bytes)`);
  return n;
}

function readString(r: CdrReader): string {
  return r.string(count(r, 1));
}

function skipString(r: CdrReader): void {
  r.seek(count(r, 1));
}

function readTime(r: CdrReader, into: Time): void {
  into.sec = r.int32();
  into.nanosec = r.uint32();
}

/** float64 values into `into` (its length is the count). */
function readF64Into(r: CdrReader, into: Float64Array): void {
  for (let i = 0; i < into.length; i++) into[i] = r.float64();
}

/** float64[] into `current` when its length matches, else into a new array; returns the array holding the values. */
function readF64Seq(r: CdrReader, current: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const n = count(r, 8);
  const out = current.length === n ? current : new Float64Array(n);
  readF64Into(r, out);
  return out;
}

/**
 * A decoded part of a message that is usually the same in every message (joint
 * names, a frame id, a layout): its bytes are kept, and while the next
 * message holds the same bytes the decoded value is reused (no strings built).
 */
class SectionCache<T> {
  private bytes = Buffer.alloc(0);
  private value: T | undefined;

  /** The value of the section [start, end) of `buf` (read by `r`): cached when the bytes match, else `decode()` (which must read exactly that section). */
  get(r: CdrReader, buf: Buffer, start: number, decode: () => T): T {
    const end = r.decodedBytes;
    const len = end - start;
    if (this.value !== undefined && len === this.bytes.length && buf.compare(this.bytes, 0, len, start, end) === 0) return this.value;
    r.seekTo(start);
    this.value = decode();
    if (this.bytes.length !== len) this.bytes = Buffer.alloc(len);
    buf.copy(this.bytes, 0, start, end);
    return this.value;
  }
}

/** string[]: reused (same array object) while the bytes stay the same. */
class StringSeqDecoder {
  private readonly cache = new SectionCache<string[]>();

  read(r: CdrReader, buf: Buffer): string[] {
    const start = r.decodedBytes;
    const n = count(r, 4); // each string: at least its count
    for (let i = 0; i < n; i++) skipString(r);
    return this.cache.get(r, buf, start, () => {
      const m = r.sequenceLength();
      const out = new Array<string>(m);
      for (let i = 0; i < m; i++) out[i] = readString(r);
      return out;
    });
  }
}

/** A header: frame_id reused while its bytes stay the same. */
class HeaderDecoder {
  private readonly frame = new SectionCache<string>();

  read(r: CdrReader, buf: Buffer, into: Header): void {
    readTime(r, into.stamp);
    const start = r.decodedBytes;
    skipString(r);
    into.frame_id = this.frame.get(r, buf, start, () => readString(r));
  }
}

// ---- writing ----------------------------------------------------------------

/** One publisher's scratch space: a CdrWriter per message over one reused ArrayBuffer. */
class MessageBuffer {
  private scratch = new ArrayBuffer(1024);
  private out = Buffer.alloc(0);

  /** A writer for the next message (it writes the little-endian encapsulation header). */
  begin(): CdrWriter {
    return new CdrWriter({ buffer: this.scratch, kind: EncapsulationKind.CDR_LE });
  }

  /** The encoding: a Buffer of exactly its size over the scratch space, reused while the size stays the same. */
  finish(w: CdrWriter): Buffer {
    const data = w.data; // over the writer's buffer: the scratch, or a bigger one when the message did not fit
    if (data.buffer !== this.scratch || this.out.length !== data.length) {
      this.scratch = data.buffer as ArrayBuffer;
      this.out = Buffer.from(this.scratch, 0, data.length);
    }
    return this.out;
  }
}

/** A string as UTF-8 (ROS 2 strings are bytes; rclcpp writes UTF-8). */
function writeString(w: CdrWriter, s: string): void {
  if (Buffer.byteLength(s, 'utf8') === s.length) {
    w.string(s); // ASCII: CdrWriter.string's length (UTF-16 units) is the byte count
    return;
  }
  const bytes = Buffer.from(s, 'utf8');
  w.uint32(bytes.length + 1);
  w.uint8Array(bytes, false);
  w.uint8(0);
}

function writeStrings(w: CdrWriter, a: readonly string[]): void {
  w.sequenceLength(a.length);
  for (let i = 0; i < a.length; i++) writeString(w, a[i]!);
}

function writeTime(w: CdrWriter, t: Time): void {
  w.int32(t.sec);
  w.uint32(t.nanosec);
}

function writeHeader(w: CdrWriter, h: Header): void {
  writeTime(w, h.stamp);
  writeString(w, h.frame_id);
}

// ---- codecs -----------------------------------------------------------------

/** A codec: a fresh encoder or decoder per publisher/subscription (each holds its own reused state). */
export interface RawCodec<T> {
  encoder(): (msg: T) => Buffer;
  decoder(): (buf: Buffer) => T;
}

const time0 = (): Time => ({ sec: 0, nanosec: 0 });
const header0 = (): Header => ({ stamp: time0(), frame_id: '' });
const F0 = new Float64Array(0);

const clockCodec: RawCodec<Clock> = {
  encoder() {
    const mb = new MessageBuffer();
    return (m) => {
      const w = mb.begin();
      writeTime(w, m.clock);
      return mb.finish(w);
    };
  },
  decoder() {
    const msg: Clock = { clock: time0() };
    return (buf) => {
      readTime(openReader(buf), msg.clock);
      return msg;
    };
  },
};

const jointStateCodec: RawCodec<JointState> = {
  encoder() {
    const mb = new MessageBuffer();
    return (m) => {
      const w = mb.begin();
      writeHeader(w, m.header);
      writeStrings(w, m.name);
      w.float64Array(m.position, true);
      w.float64Array(m.velocity, true);
      w.float64Array(m.effort, true);
      return mb.finish(w);
    };
  },
  decoder() {
    const header = new HeaderDecoder();
    const names = new StringSeqDecoder();
    const msg: JointState = { header: header0(), name: [], position: F0, velocity: F0, effort: F0 };
    return (buf) => {
      const r = openReader(buf);
      header.read(r, buf, msg.header);
      msg.name = names.read(r, buf);
      msg.position = readF64Seq(r, msg.position);
      msg.velocity = readF64Seq(r, msg.velocity);
      msg.effort = readF64Seq(r, msg.effort);
      return msg;
    };
  },
};

/** Imu's vectors as classes (see messages.ts makeImu: unboxed doubles). */
class Vec3 {
  x = 0;
  y = 0;
  z = 0;
}
class Quat {
  x = 0;
  y = 0;
  z = 0;
  w = 1;
}

const imuCodec: RawCodec<Imu> = {
  encoder() {
    const mb = new MessageBuffer();
    return (m) => {
      const w = mb.begin();
      writeHeader(w, m.header);
      const o = m.orientation;
      w.float64(o.x).float64(o.y).float64(o.z).float64(o.w);
      w.float64Array(fixed9(m.orientation_covariance, 'orientation_covariance'), false);
      const g = m.angular_velocity;
      w.float64(g.x).float64(g.y).float64(g.z);
      w.float64Array(fixed9(m.angular_velocity_covariance, 'angular_velocity_covariance'), false);
      const a = m.linear_acceleration;
      w.float64(a.x).float64(a.y).float64(a.z);
      w.float64Array(fixed9(m.linear_acceleration_covariance, 'linear_acceleration_covariance'), false);
      return mb.finish(w);
    };
  },
  decoder() {
    const header = new HeaderDecoder();
    const msg: Imu = {
      header: header0(),
      orientation: new Quat(),
      orientation_covariance: new Float64Array(9),
      angular_velocity: new Vec3(),
      angular_velocity_covariance: new Float64Array(9),
      linear_acceleration: new Vec3(),
      linear_acceleration_covariance: new Float64Array(9),
    };
    return (buf) => {
      const r = openReader(buf);
      header.read(r, buf, msg.header);
      const o = msg.orientation;
      o.x = r.float64();
      o.y = r.float64();
      o.z = r.float64();
      o.w = r.float64();
      readF64Into(r, msg.orientation_covariance);
      const g = msg.angular_velocity;
      g.x = r.float64();
      g.y = r.float64();
      g.z = r.float64();
      readF64Into(r, msg.angular_velocity_covariance);
      const a = msg.linear_acceleration;
      a.x = r.float64();
      a.y = r.float64();
      a.z = r.float64();
      readF64Into(r, msg.linear_acceleration_covariance);
      return msg;
    };
  },
};

function fixed9(a: Float64Array, field: string): Float64Array {
  if (a.length !== 9) throw new Error(`sensor_msgs/Imu ${field} has ${a.length} values, the message defines 9`);
  return a;
}

const float64MultiArrayCodec: RawCodec<Float64MultiArray> = {
  encoder() {
    const mb = new MessageBuffer();
    return (m) => {
      const w = mb.begin();
      w.sequenceLength(m.layout.dim.length);
      for (const d of m.layout.dim) {
        writeString(w, d.label);
        w.uint32(d.size);
        w.uint32(d.stride);
      }
      w.uint32(m.layout.data_offset);
      w.float64Array(m.data, true);
      return mb.finish(w);
    };
  },
  decoder() {
    const dims = new SectionCache<MultiArrayDimension[]>();
    const msg: Float64MultiArray = { layout: { dim: [], data_offset: 0 }, data: F0 };
    return (buf) => {
      const r = openReader(buf);
      const start = r.decodedBytes;
      const n = count(r, 12);
      for (let i = 0; i < n; i++) {
        skipString(r);
        r.uint32();
        r.uint32();
      }
      msg.layout.dim = dims.get(r, buf, start, () => {
        const m = r.sequenceLength();
        const out: MultiArrayDimension[] = [];
        for (let i = 0; i < m; i++) out.push({ label: readString(r), size: r.uint32(), stride: r.uint32() });
        return out;
      });
      msg.layout.data_offset = r.uint32();
      msg.data = readF64Seq(r, msg.data);
      return msg;
    };
  },
};

const jointTrajectoryCodec: RawCodec<JointTrajectory> = {
  encoder() {
    const mb = new MessageBuffer();
    return (m) => {
      const w = mb.begin();
      writeHeader(w, m.header);
      writeStrings(w, m.joint_names);
      w.sequenceLength(m.points.length);
      for (const p of m.points) {
        w.float64Array(p.positions, true);
        w.float64Array(p.velocities, true);
        w.float64Array(p.accelerations, true);
        w.float64Array(p.effort, true);
        writeTime(w, p.time_from_start);
      }
      return mb.finish(w);
    };
  },
  decoder() {
    const header = new HeaderDecoder();
    const names = new StringSeqDecoder();
    const msg: JointTrajectory = { header: header0(), joint_names: [], points: [] };
    /** Point objects kept across messages (msg.points is cut to the message's count). */
    const pool: JointTrajectoryPoint[] = [];
    return (buf) => {
      const r = openReader(buf);
      header.read(r, buf, msg.header);
      msg.joint_names = names.read(r, buf);
      const n = count(r, 4 * 4 + 8);
      while (pool.length < n) pool.push({ positions: F0, velocities: F0, accelerations: F0, effort: F0, time_from_start: time0() });
      msg.points.length = 0;
      for (let i = 0; i < n; i++) {
        const p = pool[i]!;
        p.positions = readF64Seq(r, p.positions);
        p.velocities = readF64Seq(r, p.velocities);
        p.accelerations = readF64Seq(r, p.accelerations);
        p.effort = readF64Seq(r, p.effort);
        readTime(r, p.time_from_start);
        msg.points.push(p);
      }
      return msg;
    };
  },
};

/** The message types the rclnodejs adapter moves as CDR (the streams at sensor and control rates). */
export const RAW_CODECS: { readonly [K in MessageTypeName]?: RawCodec<MessageTypes[K]> } = {
  'rosgraph_msgs/msg/Clock': clockCodec,
  'sensor_msgs/msg/JointState': jointStateCodec,
  'sensor_msgs/msg/Imu': imuCodec,
  'std_msgs/msg/Float64MultiArray': float64MultiArrayCodec,
  'trajectory_msgs/msg/JointTrajectory': jointTrajectoryCodec,
};
