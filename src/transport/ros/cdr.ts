/**
 * CDR codecs for the high-rate message types, used by the rclnodejs adapter
 * instead of rclnodejs's message classes (`./transport.ts`: raw
 * subscriptions and Buffer publishing).
 *
 * Why: rclnodejs converts every message between JavaScript and the C struct
 * with ref-napi (per field, with allocations); on the embedded-sim launch that
 * conversion was most of each node's CPU (profiles in docs/ros.md). Taking the
 * serialized message and decoding it here costs a few microseconds, and a
 * decoder writes into one message object per subscription (arrays reused while
 * their lengths stay; string arrays reused while their bytes stay), so a
 * steady stream allocates only the Buffer rclnodejs hands over.
 *
 * Format: the ROS 2 wire format (XCDR1, what rmw_cyclonedds_cpp and
 * rmw_fastrtps_cpp write for ROS types): a 4-byte encapsulation header
 * (0x00 0x01 = little endian), then fields in definition order, each primitive
 * aligned to its size (8 at most) relative to the end of the header; a string
 * is a uint32 byte count including the terminating NUL, the bytes, the NUL; a
 * sequence is a uint32 count, then its elements (no alignment when empty);
 * a fixed array has no count. Big-endian input is refused with a clear error.
 */
import type { Clock, Float64MultiArray, Header, Imu, JointState, JointTrajectory, JointTrajectoryPoint, MessageTypeName, MessageTypes, Time } from '../messages.js';

type MultiArrayDimension = Float64MultiArray['layout']['dim'][number];

const HEADER_BYTES = 4;

/** Writes one message at a time into a growing scratch buffer; `finish` returns exactly the bytes written. */
export class CdrWriter {
  private buf = Buffer.alloc(1024);
  private out = Buffer.alloc(0);
  private pos = HEADER_BYTES;

  /** Starts a message (little-endian encapsulation header). */
  begin(): this {
    this.buf[0] = 0;
    this.buf[1] = 1;
    this.buf[2] = 0;
    this.buf[3] = 0;
    this.pos = HEADER_BYTES;
    return this;
  }

  /** The encoding: a Buffer of exactly its size, reused while the size stays the same. */
  finish(): Buffer {
    if (this.out.length !== this.pos) this.out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(this.out, 0, 0, this.pos);
    return this.out;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(2 * this.buf.length, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private align(n: number): void {
    const pad = (n - ((this.pos - HEADER_BYTES) % n)) % n;
    this.room(pad);
    for (let i = 0; i < pad; i++) this.buf[this.pos++] = 0;
  }

  u32(v: number): void {
    this.align(4);
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  i32(v: number): void {
    this.align(4);
    this.room(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.align(8);
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  string(s: string): void {
    this.align(4);
    this.room(4 + 3 * s.length + 1);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n + 1, this.pos);
    this.buf[this.pos + 4 + n] = 0;
    this.pos += 4 + n + 1;
  }

  strings(a: readonly string[]): void {
    this.u32(a.length);
    for (let i = 0; i < a.length; i++) this.string(a[i]!);
  }

  /** float64[] (a sequence: count, then values). */
  f64Seq(a: ArrayLike<number>): void {
    this.u32(a.length);
    this.f64Fixed(a);
  }

  /** float64[N] (a fixed array: values only). */
  f64Fixed(a: ArrayLike<number>): void {
    if (a.length === 0) return;
    this.align(8);
    this.room(8 * a.length);
    for (let i = 0; i < a.length; i++) {
      this.buf.writeDoubleLE(a[i]!, this.pos);
      this.pos += 8;
    }
  }

  time(t: Time): void {
    this.i32(t.sec);
    this.u32(t.nanosec);
  }

  header(h: Header): void {
    this.time(h.stamp);
    this.string(h.frame_id);
  }
}

/** Reads one message at a time from a Buffer (bounds-checked: a short buffer throws RangeError). */
export class CdrReader {
  private buf: Buffer = Buffer.alloc(0);
  pos = HEADER_BYTES;

  /** Starts reading `buf`; refuses what is not a little-endian CDR encapsulation. */
  begin(buf: Buffer): this {
    if (buf.length < HEADER_BYTES) throw new RangeError(`CDR message of ${buf.length} bytes: shorter than its header`);
    if (buf[1] !== 1) {
      throw new Error(`CDR encapsulation 0x${buf[0]!.toString(16).padStart(2, '0')}${buf[1]!.toString(16).padStart(2, '0')} is not supported (little-endian CDR, 0x0001, only)`);
    }
    this.buf = buf;
    this.pos = HEADER_BYTES;
    return this;
  }

  /** The buffer being read (for section comparisons). */
  get data(): Buffer {
    return this.buf;
  }

  align(n: number): void {
    this.pos += (n - ((this.pos - HEADER_BYTES) % n)) % n;
  }

  u32(): number {
    this.align(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.align(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.align(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A sequence count, checked against what is left (a corrupt count must not allocate gigabytes). */
  count(elementBytes: number): number {
    const n = this.u32();
    if (n * elementBytes > this.buf.length - this.pos) throw new RangeError(`CDR sequence of ${n} elements overruns the message (${this.buf.length} bytes)`);
    return n;
  }

  string(): string {
    const n = this.count(1);
    if (n === 0) return '';
    const s = this.buf.toString('utf8', this.pos, this.pos + n - 1);
    this.pos += n;
    return s;
  }

  /** Skips a string; returns the position after it. */
  skipString(): void {
    const n = this.count(1);
    this.pos += n;
  }

  /** Reads float64 values into `into` (its length is the count). */
  f64Into(into: Float64Array): void {
    if (into.length === 0) return;
    this.align(8);
    const end = this.pos + 8 * into.length;
    if (end > this.buf.length) throw new RangeError('CDR float64 array overruns the message');
    for (let i = 0; i < into.length; i++) into[i] = this.buf.readDoubleLE(this.pos + 8 * i);
    this.pos = end;
  }

  /** float64[] into `current` when its length matches, else into a new array; returns the array holding the values. */
  f64Seq(current: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
    const n = this.count(8);
    const out = current.length === n ? current : new Float64Array(n);
    this.f64Into(out);
    return out;
  }

  time(into: Time): void {
    into.sec = this.i32();
    into.nanosec = this.u32();
  }
}

/**
 * A decoded part of a message that is usually the same in every message (joint
 * names, a frame id, a layout): its bytes are kept, and while the next
 * message holds the same bytes the decoded value is reused (no strings built).
 */
class SectionCache<T> {
  private bytes = Buffer.alloc(0);
  private value: T | undefined;

  /** The value of r's section [start, end): cached when the bytes match, else `decode()` (which must read exactly that section). */
  get(r: CdrReader, start: number, end: number, decode: () => T): T {
    const len = end - start;
    if (this.value !== undefined && len === this.bytes.length && r.data.compare(this.bytes, 0, len, start, end) === 0) {
      r.pos = end;
      return this.value;
    }
    r.pos = start;
    this.value = decode();
    if (this.bytes.length !== len) this.bytes = Buffer.alloc(len);
    r.data.copy(this.bytes, 0, start, end);
    return this.value;
  }
}

/** string[]: reused (same array object) while the bytes stay the same. */
class StringSeqDecoder {
  private readonly cache = new SectionCache<string[]>();

  read(r: CdrReader): string[] {
    const start = r.pos;
    const n = r.count(4); // each string: at least its count
    for (let i = 0; i < n; i++) r.skipString();
    const end = r.pos;
    return this.cache.get(r, start, end, () => {
      const m = r.u32();
      const out = new Array<string>(m);
      for (let i = 0; i < m; i++) out[i] = r.string();
      return out;
    });
  }
}

/** A header: frame_id reused while its bytes stay the same. */
class HeaderDecoder {
  private readonly frame = new SectionCache<string>();

  read(r: CdrReader, into: Header): void {
    r.time(into.stamp);
    const start = r.pos;
    r.skipString();
    into.frame_id = this.frame.get(r, start, r.pos, () => r.string());
  }
}

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
    const w = new CdrWriter();
    return (m) => {
      w.begin().time(m.clock);
      return w.finish();
    };
  },
  decoder() {
    const r = new CdrReader();
    const msg: Clock = { clock: time0() };
    return (buf) => {
      r.begin(buf).time(msg.clock);
      return msg;
    };
  },
};

const jointStateCodec: RawCodec<JointState> = {
  encoder() {
    const w = new CdrWriter();
    return (m) => {
      w.begin().header(m.header);
      w.strings(m.name);
      w.f64Seq(m.position);
      w.f64Seq(m.velocity);
      w.f64Seq(m.effort);
      return w.finish();
    };
  },
  decoder() {
    const r = new CdrReader();
    const header = new HeaderDecoder();
    const names = new StringSeqDecoder();
    const msg: JointState = { header: header0(), name: [], position: F0, velocity: F0, effort: F0 };
    return (buf) => {
      header.read(r.begin(buf), msg.header);
      msg.name = names.read(r);
      msg.position = r.f64Seq(msg.position);
      msg.velocity = r.f64Seq(msg.velocity);
      msg.effort = r.f64Seq(msg.effort);
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
    const w = new CdrWriter();
    return (m) => {
      w.begin().header(m.header);
      const o = m.orientation;
      w.f64(o.x);
      w.f64(o.y);
      w.f64(o.z);
      w.f64(o.w);
      w.f64Fixed(fixed9(m.orientation_covariance, 'orientation_covariance'));
      const g = m.angular_velocity;
      w.f64(g.x);
      w.f64(g.y);
      w.f64(g.z);
      w.f64Fixed(fixed9(m.angular_velocity_covariance, 'angular_velocity_covariance'));
      const a = m.linear_acceleration;
      w.f64(a.x);
      w.f64(a.y);
      w.f64(a.z);
      w.f64Fixed(fixed9(m.linear_acceleration_covariance, 'linear_acceleration_covariance'));
      return w.finish();
    };
  },
  decoder() {
    const r = new CdrReader();
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
      header.read(r.begin(buf), msg.header);
      const o = msg.orientation;
      o.x = r.f64();
      o.y = r.f64();
      o.z = r.f64();
      o.w = r.f64();
      r.f64Into(msg.orientation_covariance);
      const g = msg.angular_velocity;
      g.x = r.f64();
      g.y = r.f64();
      g.z = r.f64();
      r.f64Into(msg.angular_velocity_covariance);
      const a = msg.linear_acceleration;
      a.x = r.f64();
      a.y = r.f64();
      a.z = r.f64();
      r.f64Into(msg.linear_acceleration_covariance);
      return msg;
    };
  },
};

function fixed9(a: ArrayLike<number>, field: string): ArrayLike<number> {
  if (a.length !== 9) throw new Error(`sensor_msgs/Imu ${field} has ${a.length} values, the message defines 9`);
  return a;
}

const float64MultiArrayCodec: RawCodec<Float64MultiArray> = {
  encoder() {
    const w = new CdrWriter();
    return (m) => {
      w.begin().u32(m.layout.dim.length);
      for (const d of m.layout.dim) {
        w.string(d.label);
        w.u32(d.size);
        w.u32(d.stride);
      }
      w.u32(m.layout.data_offset);
      w.f64Seq(m.data);
      return w.finish();
    };
  },
  decoder() {
    const r = new CdrReader();
    const dims = new SectionCache<MultiArrayDimension[]>();
    const msg: Float64MultiArray = { layout: { dim: [], data_offset: 0 }, data: F0 };
    return (buf) => {
      r.begin(buf);
      const start = r.pos;
      const n = r.count(12);
      for (let i = 0; i < n; i++) {
        r.skipString();
        r.u32();
        r.u32();
      }
      msg.layout.dim = dims.get(r, start, r.pos, () => {
        const m = r.u32();
        const out: MultiArrayDimension[] = [];
        for (let i = 0; i < m; i++) out.push({ label: r.string(), size: r.u32(), stride: r.u32() });
        return out;
      });
      msg.layout.data_offset = r.u32();
      msg.data = r.f64Seq(msg.data);
      return msg;
    };
  },
};

const jointTrajectoryCodec: RawCodec<JointTrajectory> = {
  encoder() {
    const w = new CdrWriter();
    return (m) => {
      w.begin().header(m.header);
      w.strings(m.joint_names);
      w.u32(m.points.length);
      for (const p of m.points) {
        w.f64Seq(p.positions);
        w.f64Seq(p.velocities);
        w.f64Seq(p.accelerations);
        w.f64Seq(p.effort);
        w.time(p.time_from_start);
      }
      return w.finish();
    };
  },
  decoder() {
    const r = new CdrReader();
    const header = new HeaderDecoder();
    const names = new StringSeqDecoder();
    const msg: JointTrajectory = { header: header0(), joint_names: [], points: [] };
    /** Point objects kept across messages (msg.points is cut to the message's count). */
    const pool: JointTrajectoryPoint[] = [];
    return (buf) => {
      header.read(r.begin(buf), msg.header);
      msg.joint_names = names.read(r);
      const n = r.count(4 * 4 + 8);
      while (pool.length < n) pool.push({ positions: F0, velocities: F0, accelerations: F0, effort: F0, time_from_start: time0() });
      msg.points.length = 0;
      for (let i = 0; i < n; i++) {
        const p = pool[i]!;
        p.positions = r.f64Seq(p.positions);
        p.velocities = r.f64Seq(p.velocities);
        p.accelerations = r.f64Seq(p.accelerations);
        p.effort = r.f64Seq(p.effort);
        r.time(p.time_from_start);
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
