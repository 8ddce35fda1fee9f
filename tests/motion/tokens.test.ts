import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codebooksFrom, perplexity, rvqDecode, rvqQuantize, TokenCodec, TokenContractSchema, type Codebooks } from '../../src/motion/tokens.js';
import { trainMotionTokens } from '../../src/training/train-motion-tokens.js';
import { tokenContract, tokenOnnx } from '../../src/training/motion-token-export.js';
import { mlpForward } from '../../src/training/mlp.js';
import { Rng } from '../../src/training/rng.js';
import type { ChunkSet } from '../../src/training/motion-token-data.js';
import { CHUNK_FRAMES, HUMAN_FRAME_WIDTH, VISUAL_FRAME_WIDTH, jointMirror, mirrorJoints } from '../../src/motion/chunks.js';
import { OnnxChunkNet } from '../../src/inference/onnx-chunk-net.js';
import { loadTokenCodec, loadTokenContract } from '../../src/io/motion-token-files.js';
import { loadRetargetMap } from '../../src/io/motion-files.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { Retargeter } from '../../src/motion/retarget.js';
import { loadPrimitiveLibrary } from '../../src/io/motion-files.js';
import { composeProgram, decodePrimitive, ProgramItemSchema } from '../../src/motion/primitives.js';
import { jointLimitArrays } from '../../src/robot/model.js';

const cb2: Codebooks = { stages: 2, size: 3, dim: 2, data: Float64Array.of(0, 0, 1, 0, 0, 1, /* stage 2 */ 0.1, 0, -0.1, 0, 0, 0.2) };

describe('residual VQ', () => {
  it('picks the nearest code per stage on the residual and sums the codes', () => {
    const codes = new Int32Array(2), zq = new Float64Array(2);
    const res = rvqQuantize(cb2, [1.12, 0.01], 0, codes, 0, zq, 0);
    expect(Array.from(codes)).toEqual([1, 0]); // 1.12 → (1,0); residual (0.12, 0.01) → (0.1, 0)
    expect(zq[0]).toBeCloseTo(1.1, 12); expect(zq[1]).toBeCloseTo(0, 12);
    expect(res).toBeCloseTo(0.02 ** 2 + 0.01 ** 2, 12);
    rvqQuantize(cb2, [0.05, 1.18], 0, codes, 0, zq, 0);
    expect(Array.from(codes)).toEqual([2, 2]);
    const back = new Float64Array(2);
    rvqDecode(cb2, codes, 0, back, 0);
    expect(Array.from(back)).toEqual(Array.from(zq));
    expect(() => rvqDecode(cb2, [3, 0], 0, back, 0)).toThrow(/not in 0..2/);
  });
  it('perplexity: 1 for one code, the size for uniform use', () => {
    expect(perplexity([0, 9, 0])).toBeCloseTo(1, 12);
    expect(perplexity([4, 4, 4, 4])).toBeCloseTo(4, 12);
  });
});

/** Random but structured pairs: robot joints are a fixed linear map of the human features. */
function syntheticSet(count: number, joints: number, seed: number): ChunkSet {
  const rng = new Rng(seed);
  const F = CHUNK_FRAMES * HUMAN_FRAME_WIDTH, R = CHUNK_FRAMES * joints, V = CHUNK_FRAMES * VISUAL_FRAME_WIDTH;
  const set: ChunkSet = { count, joints, human: new Float64Array(count * F), robot: new Float64Array(count * R), visual: new Float64Array(count * V) };
  for (let c = 0; c < count; c++) {
    const a = rng.normal(), b = rng.normal();
    for (let i = 0; i < F; i++) set.human[c * F + i] = a * Math.sin(i * 0.1) + b * Math.cos(i * 0.07);
    for (let i = 0; i < R; i++) set.robot[c * R + i] = 0.5 * a * Math.sin(i * 0.2) - 0.3 * b;
    for (let i = 0; i < V; i++) set.visual[c * V + i] = 0.2 * a + 0.1 * b * Math.sin(i);
  }
  return set;
}
const small = { steps: 40, batch: 8, hidden: 16, latentDim: 4, codebookSize: 8, warmupSteps: 10 };

describe('motion-token training', () => {
  it('is deterministic for a seed (bit-identical weights and codebooks) and depends on it', () => {
    const data = syntheticSet(64, 4, 1);
    const a = trainMotionTokens(data, { ...small, seed: 5 });
    const b = trainMotionTokens(data, { ...small, seed: 5 });
    const c = trainMotionTokens(data, { ...small, seed: 6 });
    expect(Array.from(a.decoder.layers[1]!.weight)).toEqual(Array.from(b.decoder.layers[1]!.weight));
    expect(Array.from(a.human.layers[0]!.weight)).toEqual(Array.from(b.human.layers[0]!.weight));
    expect(Array.from(a.codebooks.data)).toEqual(Array.from(b.codebooks.data));
    expect(Array.from(a.codebooks.data)).not.toEqual(Array.from(c.codebooks.data));
    expect(a.finalLoss).toBe(b.finalLoss);
  }, 180_000);

  it('exports ONNX models that compute what the trained networks compute; a contract mismatch is refused at load', async () => {
    const data = syntheticSet(64, 4, 2);
    const m = trainMotionTokens(data, { ...small, seed: 3 });
    const names = ['left_a_joint', 'right_a_joint', 'waist_yaw_joint', 'waist_pitch_joint'];
    const contract = tokenContract(m, names, { note: 'test' });
    const onnx = tokenOnnx(m, contract);
    const dec = await OnnxChunkNet.create(onnx.decoder, contract.decoder, 'decoder');
    const z = Float32Array.from([0.3, -0.2, 0.5, 0.1]);
    const got = Float32Array.from(await dec.run(z));
    const want = new Float64Array(contract.decoder.outputWidth);
    mlpForward(m.decoder, z, want);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    await dec.release();
    await expect(OnnxChunkNet.create(onnx.decoder, { ...contract.decoder, outputWidth: 5 }, 'decoder')).rejects.toThrow(/shape \[1, \d+\], the contract says \[1, 5\]/);
    await expect(OnnxChunkNet.create(onnx.human, contract.decoder, 'human as decoder')).rejects.toThrow(/no input 'latent'/);
    // the codec de-standardises with the stored statistics
    const human = await OnnxChunkNet.create(onnx.human, contract.humanEncoder, 'h');
    const robot = await OnnxChunkNet.create(onnx.robot, contract.robotEncoder, 'r');
    const decoder = await OnnxChunkNet.create(onnx.decoder, contract.decoder, 'd');
    const codec = new TokenCodec(contract, { human, robot, decoder });
    const codes = new Int32Array(2);
    await codec.encodeHuman(data.human.subarray(0, contract.humanEncoder.inputWidth), codes);
    await codec.decode(codes);
    const zq = new Float64Array(4);
    rvqDecode(codebooksFrom(contract), codes, 0, zq, 0);
    mlpForward(m.decoder, Float32Array.from(zq), want);
    expect(codec.joints[0]).toBeCloseTo(want[0]! * contract.robotStats.std[0]! + contract.robotStats.mean[0]!, 3);
  }, 180_000);

  it('contract validation names the inconsistent field', () => {
    const data = syntheticSet(32, 4, 3);
    const m = trainMotionTokens(data, { ...small, seed: 1 });
    const c = tokenContract(m, ['left_a', 'right_a', 'w1', 'w2'], {});
    const bad = TokenContractSchema.safeParse({ ...c, jointNames: ['left_a', 'right_a', 'w1'] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues.map((i) => i.path.join('.')))).toMatch(/robotEncoder.inputWidth/);
    expect(TokenContractSchema.safeParse({ ...c, extra: 1 }).success).toBe(false);
  });
});

describe('mirroring', () => {
  it('swaps left/right joints, negates roll and yaw, and is its own inverse', () => {
    const names = ['waist_yaw_joint', 'waist_pitch_joint', 'left_shoulder_roll_joint', 'right_shoulder_roll_joint', 'left_elbow_joint', 'right_elbow_joint'];
    const m = jointMirror(names);
    const x = Float64Array.of(0.1, 0.2, 0.3, -0.4, 0.5, 0.6);
    mirrorJoints(x, 1, m);
    expect(Array.from(x)).toEqual([-0.1, 0.2, 0.4, -0.3, 0.6, 0.5]);
    mirrorJoints(x, 1, m);
    expect(Array.from(x)).toEqual([0.1, 0.2, 0.3, -0.4, 0.5, 0.6]);
    expect(() => jointMirror(['left_x'])).toThrow(/no mirror partner 'right_x'/);
  });
});

const SHIPPED = 'models/motion_tokens.contract.json';
describe.skipIf(!existsSync(SHIPPED))('the shipped motion-token models', () => {
  it('load with their contract, fit the G1 map and decode to finite joint chunks', async () => {
    const r = new Retargeter(loadUrdfFile('urdf/g1_29dof_fixed.urdf'), loadRetargetMap('config/motion/g1_retarget.yaml'));
    const names = Array.from(r.upperBodyIndex, (i) => r.jointNames[i]!);
    const contract = loadTokenContract(SHIPPED);
    expect(contract.codebooks.length).toBeGreaterThanOrEqual(2);
    const codec = await loadTokenCodec(SHIPPED, names);
    await codec.decode([0, 0]);
    expect(codec.joints.every(Number.isFinite)).toBe(true);
    await expect(loadTokenCodec(SHIPPED, names.slice(1))).rejects.toThrow(/is for joints/);
  });

  it('every shipped primitive, decoded and composed (also mirrored), stays inside the URDF limits and speed limits', async () => {
    const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
    const r = new Retargeter(model, loadRetargetMap('config/motion/g1_retarget.yaml'));
    const names = Array.from(r.upperBodyIndex, (i) => r.jointNames[i]!);
    const codec = await loadTokenCodec(SHIPPED, names);
    const lib = loadPrimitiveLibrary('config/motion/primitives.yaml');
    expect(Object.keys(lib.primitives).sort()).toEqual(['arms_overhead', 'bow', 'drink', 'reach_up', 'wave_both', 'wave_right', 'wipe']);
    const all = jointLimitArrays(model, r.jointNames);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(r.upperBodyIndex, (i) => a[i]!);
    const lim = { names, lower: pick(all.lower), upper: pick(all.upper), velocity: pick(all.velocity).map((v) => Math.min(v, 4)), marginRad: 0.05 };
    const n = names.length, dt = 0.02, home = pick(r.defaultQ);
    for (const name of Object.keys(lib.primitives)) {
      const decoded = new Map([[name, await decodePrimitive(lib, name, async (c) => { await codec.decode(c); return Float64Array.from(codec.joints); }, n, 16)]]);
      for (const mirror of [false, true]) {
        const { trajectory } = composeProgram([ProgramItemSchema.parse({ primitive: name, mirror })], decoded, home, lim, dt);
        for (let f = 0; f < trajectory.length / n; f++) {
          for (let j = 0; j < n; j++) {
            const q = trajectory[f * n + j]!, prev = f === 0 ? home[j]! : trajectory[(f - 1) * n + j]!;
            if (!(q > lim.lower[j]! && q < lim.upper[j]! && Math.abs(q - prev) <= lim.velocity[j]! * dt + 1e-12)) {
              throw new Error(`${name}${mirror ? ' (mirrored)' : ''} frame ${f}: ${names[j]} = ${q}`);
            }
          }
        }
      }
    }
  }, 180_000);
});
