/**
 * Turns an {@link Mlp} into an ONNX graph: per layer `Gemm(x, W, b, transB=1)`
 * (W stored [out][in]) followed by the hidden activation (Tanh / Elu / Relu),
 * optionally a final `Clip(min, max)`. Input `[batch, in]`, output
 * `[batch, out]` with a symbolic batch dim. Weights are rounded to float32.
 */
import type { Mlp } from './mlp.js';
import type { OnnxInitializer, OnnxModelSpec, OnnxNode } from './onnx-writer.js';

export interface MlpOnnxOptions {
  inputName: string;
  outputName: string;
  graphName?: string;
  /** Name of the symbolic batch dim (default `batch`); a number fixes it. */
  batchDim?: string | number;
  /** Clip the output to [min, max] inside the graph. */
  outputClip?: { min: number; max: number };
  metadata?: Readonly<Record<string, string>>;
  docString?: string;
}

const ACT_OP = { tanh: 'Tanh', elu: 'Elu', relu: 'Relu' } as const;

/**
 * The nodes and initializers of one MLP reading `input` and writing `output`
 * (names prefixed with `prefix`, so several networks fit in one graph).
 */
export function mlpGraph(net: Mlp, opts: { input: string; output: string; prefix?: string; outputClip?: { min: number; max: number } }):
  { nodes: OnnxNode[]; initializers: OnnxInitializer[] } {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const pre = opts.prefix ?? '';
  let cur = opts.input;
  const L = net.layers.length;
  net.layers.forEach((layer, l) => {
    const w = `${pre}layer${l}.weight`;
    const b = `${pre}layer${l}.bias`;
    initializers.push({ name: w, dims: [layer.outputs, layer.inputs], type: 'float32', data: Float32Array.from(layer.weight) });
    initializers.push({ name: b, dims: [layer.outputs], type: 'float32', data: Float32Array.from(layer.bias) });
    const last = l + 1 === L;
    const gemmOut = last && !opts.outputClip ? opts.output : `${pre}layer${l}.linear`;
    nodes.push({
      opType: 'Gemm',
      name: `${pre}layer${l}.gemm`,
      inputs: [cur, w, b],
      outputs: [gemmOut],
      attributes: [{ name: 'transB', kind: 'int', value: 1 }],
    });
    cur = gemmOut;
    if (!last) {
      const actOut = `${pre}layer${l}.act`;
      nodes.push({ opType: ACT_OP[net.activation], name: `${pre}layer${l}.${net.activation}`, inputs: [cur], outputs: [actOut] });
      cur = actOut;
    }
  });
  if (opts.outputClip) {
    initializers.push({ name: `${pre}clip.min`, dims: [], type: 'float32', data: Float32Array.of(opts.outputClip.min) });
    initializers.push({ name: `${pre}clip.max`, dims: [], type: 'float32', data: Float32Array.of(opts.outputClip.max) });
    nodes.push({ opType: 'Clip', name: `${pre}output.clip`, inputs: [cur, `${pre}clip.min`, `${pre}clip.max`], outputs: [opts.output] });
  }
  return { nodes, initializers };
}

export function mlpToOnnxSpec(net: Mlp, opts: MlpOnnxOptions): OnnxModelSpec {
  const { nodes, initializers } = mlpGraph(net, {
    input: opts.inputName, output: opts.outputName, ...(opts.outputClip ? { outputClip: opts.outputClip } : {}),
  });
  const batch = opts.batchDim ?? 'batch';
  return {
    graphName: opts.graphName ?? 'mlp',
    nodes,
    initializers,
    inputs: [{ name: opts.inputName, type: 'float32', shape: [batch, net.sizes[0] ?? 0] }],
    outputs: [{ name: opts.outputName, type: 'float32', shape: [batch, net.sizes[net.sizes.length - 1] ?? 0] }],
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    ...(opts.docString ? { docString: opts.docString } : {}),
  };
}
