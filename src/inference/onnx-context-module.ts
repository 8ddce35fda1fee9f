/**
 * The adaptation module's network on onnxruntime-node (batch 1), implementing the core's
 * ContextNet port (src/adaptation/context-module.ts). The graph's input and output names and
 * widths are checked against the contract before the session is created.
 */
import * as ort from 'onnxruntime-node';
import type { ContextModuleContract, ContextNet } from '../adaptation/context-module.js';
import { checkTokenModel } from '../motion/token-check.js';
import { readOnnxModelInfo } from '../policy/onnx-model-info.js';

export class OnnxContextNet implements ContextNet {
  private readonly output: Float32Array;
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly fetches: Record<string, ort.Tensor>;

  private constructor(private readonly session: ort.InferenceSession, private readonly contract: ContextModuleContract, input: Float32Array) {
    this.output = new Float32Array(contract.output.names.length);
    this.feeds = { [contract.input.name]: new ort.Tensor('float32', input, [1, contract.input.width]) };
    this.fetches = { [contract.output.name]: new ort.Tensor('float32', this.output, [1, this.output.length]) };
  }

  /** The network reading `input` (the runner's buffer). Throws an Error listing every mismatch with the contract. */
  static async create(bytes: Uint8Array, contract: ContextModuleContract, input: Float32Array, source: string): Promise<OnnxContextNet> {
    // the same I/O check as the motion-token nets: one float32 input and output of the contract's widths
    const spec = { model: contract.model, input: contract.input.name, output: contract.output.name, inputWidth: contract.input.width, outputWidth: contract.output.names.length };
    let problems: string[];
    try {
      problems = checkTokenModel(readOnnxModelInfo(bytes), spec, source);
    } catch (err) {
      problems = [`${source}: cannot parse the model: ${(err as Error).message}`];
    }
    if (problems.length > 0) throw new Error(`adaptation module does not match its contract:\n  - ${problems.join('\n  - ')}`);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    return new OnnxContextNet(session, contract, input);
  }

  async run(window: Float32Array): Promise<Float32Array> {
    const input = this.feeds[this.contract.input.name]!.data as Float32Array;
    if (window !== input) input.set(window);
    const result = await this.session.run(this.feeds, this.fetches);
    const out = result[this.contract.output.name];
    if (out && out.data !== this.output) this.output.set(out.data as Float32Array);
    return this.output;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
