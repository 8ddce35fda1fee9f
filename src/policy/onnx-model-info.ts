/**
 * Reads what the runtime checks from ONNX model bytes, without running it:
 * IR version, opsets, producer, graph inputs/outputs (element type and shape,
 * symbolic dims as strings) and `metadata_props`. A minimal protobuf decoder:
 * unknown fields are skipped by wire type; initializer payloads are never
 * copied. Field numbers as in onnx/onnx.proto (see training/onnx-writer.ts).
 */

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType code (1 = float32, 7 = int64, …), 0 when absent. */
  elemType: number;
  /** Dims: a number, a symbolic name, or null when unknown. Empty when no shape is given. */
  shape: (number | string | null)[];
}

export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  opsets: { domain: string; version: number }[];
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
}

export const ONNX_FLOAT32 = 1;

const decoder = new TextDecoder('utf-8', { fatal: false });

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      if (i < 8) result += (b & 0x7f) * mul; // bits beyond 2^56 are dropped (never needed here)
      mul *= 128;
      if (b < 0x80) return result;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** Tag → [field, wire]. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t % 8];
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('length-delimited field runs past its message');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  string(): string {
    return decoder.decode(this.bytes());
  }

  sub(): Reader {
    const b = this.bytes();
    return new Reader(b);
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const len = this.varint(); // read before advancing: `pos += varint()` would use the old pos
      this.pos += len;
    }
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (this.pos > this.end) throw new Error('field runs past its message');
  }
}

/** Iterates the fields of a message. */
function fields(r: Reader, on: (field: number, wire: number) => boolean): void {
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!on(field, wire)) r.skip(wire);
  }
}

function readDim(r: Reader): number | string | null {
  let dim: number | string | null = null;
  fields(r, (f, w) => {
    if (f === 1 && w === 0) dim = r.varint();
    else if (f === 2 && w === 2) dim = r.string();
    else return false;
    return true;
  });
  return dim;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, shape: [] };
  fields(r, (f, w) => {
    if (f === 1 && w === 2) info.name = r.string();
    else if (f === 2 && w === 2) {
      const type = r.sub();
      fields(type, (tf, tw) => {
        if (tf !== 1 || tw !== 2) return false; // tensor_type only
        const tensor = type.sub();
        fields(tensor, (ef, ew) => {
          if (ef === 1 && ew === 0) info.elemType = tensor.varint();
          else if (ef === 2 && ew === 2) {
            const shape = tensor.sub();
            fields(shape, (sf, sw) => {
              if (sf !== 1 || sw !== 2) return false;
              info.shape.push(readDim(shape.sub()));
              return true;
            });
          } else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return info;
}

function readTensorName(r: Reader): string {
  let name = '';
  fields(r, (f, w) => {
    if (f === 8 && w === 2) name = r.string();
    else return false;
    return true;
  });
  return name;
}

/** Parses the parts of a ModelProto the runtime checks. Throws on malformed bytes. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const info: OnnxModelInfo = { irVersion: 0, producerName: '', opsets: [], inputs: [], outputs: [], metadata: {} };
  const r = new Reader(bytes);
  let sawGraph = false;
  fields(r, (f, w) => {
    if (f === 1 && w === 0) info.irVersion = r.varint();
    else if (f === 2 && w === 2) info.producerName = r.string();
    else if (f === 8 && w === 2) {
      const o = r.sub();
      const opset = { domain: '', version: 0 };
      fields(o, (of, ow) => {
        if (of === 1 && ow === 2) opset.domain = o.string();
        else if (of === 2 && ow === 0) opset.version = o.varint();
        else return false;
        return true;
      });
      info.opsets.push(opset);
    } else if (f === 14 && w === 2) {
      const e = r.sub();
      let key = '';
      let value = '';
      fields(e, (ef, ew) => {
        if (ef === 1 && ew === 2) key = e.string();
        else if (ef === 2 && ew === 2) value = e.string();
        else return false;
        return true;
      });
      info.metadata[key] = value;
    } else if (f === 7 && w === 2) {
      sawGraph = true;
      const g = r.sub();
      const initializers = new Set<string>();
      const inputs: OnnxValueInfo[] = [];
      fields(g, (gf, gw) => {
        if (gf === 5 && gw === 2) initializers.add(readTensorName(g.sub()));
        else if (gf === 11 && gw === 2) inputs.push(readValueInfo(g.sub()));
        else if (gf === 12 && gw === 2) info.outputs.push(readValueInfo(g.sub()));
        else return false;
        return true;
      });
      info.inputs = inputs.filter((i) => !initializers.has(i.name));
    } else return false;
    return true;
  });
  if (!sawGraph) throw new Error('not an ONNX model: no graph');
  return info;
}

/** A metadata value as a list: a JSON array, or comma-separated (BeyondMimic/holosoma style). */
export function metadataList(value: string): string[] {
  const v = value.trim();
  if (v.startsWith('[')) {
    const parsed: unknown = JSON.parse(v);
    if (!Array.isArray(parsed)) throw new Error('metadata value is not a list');
    return parsed.map((x) => String(x));
  }
  return v.length === 0 ? [] : v.split(',').map((s) => s.trim());
}

/** A metadata value as numbers; NaN entries are reported by the caller. */
export function metadataNumbers(value: string): number[] {
  return metadataList(value).map((s) => Number(s));
}
