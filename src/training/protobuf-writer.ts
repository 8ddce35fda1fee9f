/**
 * A minimal protocol-buffers encoder (proto2 wire format): varints, 32-bit
 * floats, length-delimited bytes/strings/sub-messages and packed repeated
 * fields. Enough to write ONNX `ModelProto` files; nothing is schema-driven.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
 * Integers are JS numbers and must be safe integers (|n| < 2^53); negative
 * values are written as 10-byte two's-complement varints, as protobuf does
 * for int32/int64.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;
  private readonly view4 = new DataView(new ArrayBuffer(4));

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Raw varint of a safe integer (negative → 64-bit two's complement). */
  varint(n: number): this {
    if (!Number.isSafeInteger(n)) throw new Error(`protobuf varint: ${n} is not a safe integer`);
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return this;
    }
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
    return this;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum field. */
  int(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    return this.varint(value);
  }

  /** A float (fixed32, little-endian IEEE 754) field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.view4.setFloat32(0, value, true);
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.view4.getUint8(i);
    return this;
  }

  /** A bytes field (also used for sub-messages). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** A sub-message field, encoded by `build` into a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated int32/int64 field. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter(values.length * 4 + 1);
    const dv = new DataView(new ArrayBuffer(4));
    const out = new Uint8Array(values.length * 4);
    for (let i = 0; i < values.length; i++) {
      dv.setFloat32(0, values[i] ?? 0, true);
      for (let k = 0; k < 4; k++) out[i * 4 + k] = dv.getUint8(k);
    }
    inner.ensure(out.length);
    inner.buf.set(out, 0);
    inner.len = out.length;
    return this.bytes(field, inner.finish());
  }

  /** The encoded bytes (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
