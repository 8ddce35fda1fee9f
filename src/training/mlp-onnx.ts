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

export function mlpToOnnxSpec(net: Mlp, opts: MlpOnnxOptions): OnnxModelSpec {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  let cur = opts.inputName;
  const L = net.layers.length;
  net.layers.forEach((layer, l) => {
    const w = `layer${l}.weight`;
    const b = `layer${l}.bias`;
    initializers.push({ name: w, dims: [layer.outputs, layer.inputs], type: 'float32', data: Float32Array.from(layer.weight) });
    initializers.push({ name: b, dims: [layer.outputs], type: 'float32', data: Float32Array.from(layer.bias) });
    const last = l + 1 === L;
    const gemmOut = last && !opts.outputClip ? opts.outputName : `layer${l}.linear`;
    nodes.push({
      opType: 'Gemm',
      name: `layer${l}.gemm`,
      inputs: [cur, w, b],
      outputs: [gemmOut],
      attributes: [{ name: 'transB', kind: 'int', value: 1 }],
    });
    cur = gemmOut;
    if (!last) {
      const actOut = `layer${l}.act`;
      nodes.push({ opType: ACT_OP[net.activation], name: `layer${l}.${net.activation}`, inputs: [cur], outputs: [actOut] });
      cur = actOut;
    }
  });
  if (opts.outputClip) {
    initializers.push({ name: 'clip.min', dims: [], type: 'float32', data: Float32Array.of(opts.outputClip.min) });
    initializers.push({ name: 'clip.max', dims: [], type: 'float32', data: Float32Array.of(opts.outputClip.max) });
    nodes.push({ opType: 'Clip', name: 'output.clip', inputs: [cur, 'clip.min', 'clip.max'], outputs: [opts.outputName] });
  }
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
