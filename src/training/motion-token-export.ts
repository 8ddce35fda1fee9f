/**
 * Packs trained motion-token models as shipped artifacts: three ONNX MLPs
 * (human encoder, robot encoder, decoder; batch 1) and one contract JSON with
 * the codebooks and standardisation statistics, validated before it is returned.
 */
import { TokenContractSchema, type TokenContract } from '../motion/tokens.js';
import { CHUNK_FRAMES, CHUNK_RATE_HZ, HUMAN_FRAME_WIDTH, VISUAL_FRAME_WIDTH } from '../motion/chunks.js';
import { mlpToOnnxSpec } from './mlp-onnx.js';
import { encodeOnnxModel } from './onnx-writer.js';
import type { TokenModels } from './train-motion-tokens.js';

export const TOKEN_CONTRACT_FILE = 'motion_tokens.contract.json';
export const TOKEN_MODEL_FILES = {
  human: 'motion_human_encoder.onnx',
  robot: 'motion_robot_encoder.onnx',
  decoder: 'motion_decoder.onnx',
} as const;

const round = (x: ArrayLike<number>): number[] => Array.from(x, (v) => Math.fround(v));

export function tokenContract(m: TokenModels, jointNames: readonly string[], training: Record<string, number | string>): TokenContract {
  const { dim, size, stages, data } = m.codebooks;
  const codebooks = Array.from({ length: stages }, (_, s) => Array.from({ length: size }, (_, k) => round(data.subarray((s * size + k) * dim, (s * size + k + 1) * dim))));
  const n = jointNames.length;
  return TokenContractSchema.parse({
    format: 'aegis-motion-tokens/1',
    description:
      'UniT-style motion tokens: 16-frame chunks at 50 Hz of human keypoint features and robot upper-body joints ' +
      'encoded into one latent space, residual-VQ quantised; the decoder gives the robot chunk and the visual features ' +
      '(head and wrists in the body-scaled pelvis frame). Trained in TypeScript (src/training/train-motion-tokens.ts).',
    chunkFrames: CHUNK_FRAMES,
    rateHz: CHUNK_RATE_HZ,
    latentDim: dim,
    codebooks,
    jointNames: [...jointNames],
    humanFrameWidth: HUMAN_FRAME_WIDTH,
    visualFrameWidth: VISUAL_FRAME_WIDTH,
    humanEncoder: { model: TOKEN_MODEL_FILES.human, input: 'human_chunk', output: 'latent', inputWidth: CHUNK_FRAMES * HUMAN_FRAME_WIDTH, outputWidth: dim },
    robotEncoder: { model: TOKEN_MODEL_FILES.robot, input: 'robot_chunk', output: 'latent', inputWidth: CHUNK_FRAMES * n, outputWidth: dim },
    decoder: { model: TOKEN_MODEL_FILES.decoder, input: 'latent', output: 'chunk', inputWidth: dim, outputWidth: CHUNK_FRAMES * (n + VISUAL_FRAME_WIDTH) },
    humanStats: { mean: round(m.humanStats.mean), std: round(m.humanStats.std) },
    robotStats: { mean: round(m.robotStats.mean), std: round(m.robotStats.std) },
    visualStats: { mean: round(m.visualStats.mean), std: round(m.visualStats.std) },
    training,
  });
}

export function tokenOnnx(m: TokenModels, c: TokenContract): Record<keyof typeof TOKEN_MODEL_FILES, Uint8Array> {
  const enc = (net: TokenModels['human'], spec: TokenContract['decoder'], name: string): Uint8Array => encodeOnnxModel(mlpToOnnxSpec(net, {
    inputName: spec.input, outputName: spec.output, graphName: name, batchDim: 1,
    metadata: { contract: TOKEN_CONTRACT_FILE }, docString: c.description,
  }));
  return {
    human: enc(m.human, c.humanEncoder, 'motion_human_encoder'),
    robot: enc(m.robot, c.robotEncoder, 'motion_robot_encoder'),
    decoder: enc(m.decoder, c.decoder, 'motion_decoder'),
  };
}
