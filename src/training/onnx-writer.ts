/**
 * Encodes an ONNX `ModelProto` (onnx/onnx.proto, proto2) from a plain graph
 * description: nodes, float/int64 initializers (stored as little-endian
 * `raw_data`), typed graph inputs/outputs whose dims are numbers or symbolic
 * names (e.g. `batch`), and `metadata_props`. Defaults: IR version 8, default
 * domain opset 17 — what onnxruntime 1.23 loads.
 *
 * Field numbers (onnx.proto): ModelProto{ir_version 1, producer_name 2,
 * producer_version 3, domain 4, model_version 5, doc_string 6, graph 7,
 * opset_import 8, metadata_props 14}; OperatorSetIdProto{domain 1, version 2};
 * StringStringEntryProto{key 1, value 2}; GraphProto{node 1, name 2,
 * initializer 5, doc_string 10, input 11, output 12}; NodeProto{input 1,
 * output 2, name 3, op_type 4, attribute 5, domain 7}; AttributeProto{name 1,
 * f 2, i 3, s 4, floats 7, ints 8, type 20}; TensorProto{dims 1, data_type 2,
 * name 8, raw_data 9}; ValueInfoProto{name 1, type 2}; TypeProto{tensor_type 1};
 * TypeProto.Tensor{elem_type 1, shape 2}; TensorShapeProto{dim 1};
 * Dimension{dim_value 1, dim_param 2}.
 */
import { ProtoWriter } from './protobuf-writer.js';

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;
export type OnnxElemType = 'float32' | 'int64';

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

export type OnnxAttribute =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'ints'; value: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: readonly OnnxAttribute[];
}

export type OnnxInitializer =
  | { name: string; dims: readonly number[]; type: 'float32'; data: Float32Array }
  | { name: string; dims: readonly number[]; type: 'int64'; data: BigInt64Array };

export interface OnnxValueInfo {
  name: string;
  type: OnnxElemType;
  /** Each dim a size or a symbolic name such as `batch`. */
  shape: readonly (number | string)[];
}

export interface OnnxModelSpec {
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  /** Stored as `metadata_props` (string → string). */
  metadata?: Readonly<Record<string, string>>;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  irVersion?: number;
  opsetVersion?: number;
}

function elemTypeCode(t: OnnxElemType): number {
  return t === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.INT64;
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value).int(20, ATTR_FLOAT);
      break;
    case 'int':
      w.int(3, a.value).int(20, ATTR_INT);
      break;
    case 'string':
      w.string(4, a.value).int(20, ATTR_STRING);
      break;
    case 'floats':
      w.packedFloats(7, a.value).int(20, ATTR_FLOATS);
      break;
    case 'ints':
      w.packedInts(8, a.value).int(20, ATTR_INTS);
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, (aw) => writeAttribute(aw, a));
}

/** Little-endian bytes of a tensor's elements, as `raw_data` requires. */
function rawData(init: OnnxInitializer): Uint8Array {
  const out = new Uint8Array(init.data.length * (init.type === 'float32' ? 4 : 8));
  const dv = new DataView(out.buffer);
  if (init.type === 'float32') init.data.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  else init.data.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  return out;
}

function writeInitializer(w: ProtoWriter, t: OnnxInitializer): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new Error(`initializer '${t.name}': dims [${t.dims.join(', ')}] hold ${count} values, data has ${t.data.length}`);
  }
  w.packedInts(1, t.dims);
  w.int(2, elemTypeCode(t.type));
  w.string(8, t.name);
  w.bytes(9, rawData(t));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, elemTypeCode(v.type));
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

/** Checks names are defined before use and unique; throws naming the first problem. */
function checkGraph(spec: OnnxModelSpec): void {
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (defined.has(name)) throw new Error(`onnx graph '${spec.graphName}': ${what} '${name}' is defined twice`);
    defined.add(name);
  };
  spec.inputs.forEach((v) => define(v.name, 'input'));
  spec.initializers.forEach((t) => define(t.name, 'initializer'));
  for (const n of spec.nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !defined.has(i)) {
        throw new Error(`onnx graph '${spec.graphName}': node ${n.name ?? n.opType} reads '${i}' before it is defined`);
      }
    }
    n.outputs.forEach((o) => define(o, 'value'));
  }
  for (const o of spec.outputs) {
    if (!defined.has(o.name)) throw new Error(`onnx graph '${spec.graphName}': output '${o.name}' is never produced`);
  }
}

/** Serialises a model; the bytes load with `InferenceSession.create(bytes)`. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  checkGraph(spec);
  const w = new ProtoWriter(4096);
  w.int(1, spec.irVersion ?? 8);
  w.string(2, spec.producerName ?? 'aegis-control');
  if (spec.producerVersion !== undefined) w.string(3, spec.producerVersion);
  if (spec.docString !== undefined) w.string(6, spec.docString);
  w.message(7, (g) => {
    spec.nodes.forEach((n, k) => g.message(1, (nw) => writeNode(nw, { ...n, name: n.name ?? `${n.opType}_${k}` })));
    g.string(2, spec.graphName);
    for (const t of spec.initializers) g.message(5, (tw) => writeInitializer(tw, t));
    for (const v of spec.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of spec.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, spec.opsetVersion ?? 17));
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    w.message(14, (e) => e.string(1, key).string(2, value));
  }
  return w.finish();
}
