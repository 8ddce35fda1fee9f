/**
 * Checks a token model's ONNX graph against its contract entry before any
 * session exists: one float32 input and output with the contract's names and
 * widths (batch 1). Returns every problem found (empty when it fits).
 */
import { ONNX_FLOAT32, type OnnxModelInfo } from '../policy/onnx-model-info.js';
import type { TokenContract } from './tokens.js';

export function checkTokenModel(info: OnnxModelInfo, spec: TokenContract['decoder'], what: string): string[] {
  const problems: string[] = [];
  const one = (kind: 'input' | 'output', list: OnnxModelInfo['inputs'], name: string, width: number): void => {
    const v = list.find((x) => x.name === name);
    if (!v) { problems.push(`${what}: no ${kind} '${name}' (has ${list.map((x) => x.name).join(', ') || 'none'})`); return; }
    if (v.elemType !== ONNX_FLOAT32) problems.push(`${what}: ${kind} '${name}' is not float32`);
    const last = v.shape[v.shape.length - 1];
    if (v.shape.length !== 2 || last !== width) problems.push(`${what}: ${kind} '${name}' has shape [${v.shape.join(', ')}], the contract says [1, ${width}]`);
  };
  one('input', info.inputs, spec.input, spec.inputWidth);
  one('output', info.outputs, spec.output, spec.outputWidth);
  return problems;
}
