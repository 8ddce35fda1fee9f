/**
 * A motion-token network (encoder or decoder, batch 1) on onnxruntime-node,
 * implementing the core's ChunkNet port. The graph is checked against its
 * contract entry before the session is created; input and output tensors are
 * allocated once.
 */
import * as ort from 'onnxruntime-node';
import { readOnnxModelInfo } from '../policy/onnx-model-info.js';
import { checkTokenModel } from '../motion/token-check.js';
import type { ChunkNet, TokenContract } from '../motion/tokens.js';

export class OnnxChunkNet implements ChunkNet {
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly fetches: Record<string, ort.Tensor>;

  private constructor(private readonly session: ort.InferenceSession, private readonly spec: TokenContract['decoder']) {
    this.input = new Float32Array(spec.inputWidth);
    this.output = new Float32Array(spec.outputWidth);
    this.feeds = { [spec.input]: new ort.Tensor('float32', this.input, [1, spec.inputWidth]) };
    this.fetches = { [spec.output]: new ort.Tensor('float32', this.output, [1, spec.outputWidth]) };
  }

  /** Throws an Error listing every mismatch between the bytes and the contract entry. */
  static async create(bytes: Uint8Array, spec: TokenContract['decoder'], source: string): Promise<OnnxChunkNet> {
    let problems: string[];
    try {
      problems = checkTokenModel(readOnnxModelInfo(bytes), spec, source);
    } catch (err) {
      problems = [`${source}: cannot parse the model: ${(err as Error).message}`];
    }
    if (problems.length > 0) throw new Error(`motion token model does not match its contract:\n  - ${problems.join('\n  - ')}`);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    return new OnnxChunkNet(session, spec);
  }

  async run(x: Float32Array): Promise<Float32Array> {
    if (x !== this.input) this.input.set(x);
    const result = await this.session.run(this.feeds, this.fetches);
    const out = result[this.spec.output];
    if (out && out.data !== this.output) this.output.set(out.data as Float32Array);
    return this.output;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
