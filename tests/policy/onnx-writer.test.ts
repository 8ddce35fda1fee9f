import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { createMlp, mlpForward, type Activation } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';

async function runOnnx(bytes: Uint8Array, input: Float32Array, rows: number, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ obs: new ort.Tensor('float32', input, [rows, width]) });
    const t = out['act'];
    if (!t) throw new Error('no output act');
    return t.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('ONNX writer', () => {
  for (const activation of ['tanh', 'elu', 'relu'] as Activation[]) {
    it(`a ${activation} MLP loads in onnxruntime and matches the TS forward pass within 1e-5`, async () => {
      const rng = new Rng(7);
      const net = createMlp([11, 16, 9, 5], activation, rng);
      // make the output layer non-trivial
      net.layers[2]!.weight.forEach((_, i, w) => (w[i] = rng.normal() * 0.5));
      const bytes = encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'act' }));
      const rows = 4;
      const x = new Float32Array(rows * 11).map(() => rng.uniform(-2, 2));
      const got = await runOnnx(bytes, x, rows, 11);
      const want = new Float64Array(5);
      for (let r = 0; r < rows; r++) {
        mlpForward(net, Float64Array.from(x.subarray(r * 11, (r + 1) * 11)), want);
        for (let j = 0; j < 5; j++) expect(Math.abs(got[r * 5 + j]! - want[j]!)).toBeLessThan(1e-5);
      }
    });
  }

  it('a Clip node bounds the output, and shapes and metadata round-trip through onnxruntime', async () => {
    const rng = new Rng(3);
    const net = createMlp([6, 8, 4], 'tanh', rng);
    net.layers[1]!.weight.fill(3);
    const bytes = encodeOnnxModel(
      mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'act', outputClip: { min: -0.5, max: 0.25 } }),
    );
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['obs']);
    expect(session.outputNames).toEqual(['act']);
    const inMeta = session.inputMetadata[0];
    expect(inMeta && inMeta.isTensor ? inMeta.shape : null).toEqual(['batch', 6]);
    const x = new Float32Array(6).map(() => rng.uniform(-3, 3));
    const y = (await session.run({ obs: new ort.Tensor('float32', x, [1, 6]) }))['act']!.data as Float32Array;
    const ref = mlpForward(net, Float64Array.from(x), new Float64Array(4));
    for (let j = 0; j < 4; j++) expect(y[j]).toBeCloseTo(Math.min(0.25, Math.max(-0.5, ref[j]!)), 5);
    expect(Array.from(y).some((v) => v === 0.25 || v === -0.5)).toBe(true);
    await session.release();
  });

  it('rejects a graph that reads an undefined value, naming it', () => {
    expect(() =>
      encodeOnnxModel({
        graphName: 'g',
        nodes: [{ opType: 'Tanh', inputs: ['nope'], outputs: ['y'] }],
        initializers: [],
        inputs: [{ name: 'x', type: 'float32', shape: [1] }],
        outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      }),
    ).toThrow(/reads 'nope'/);
  });
});
