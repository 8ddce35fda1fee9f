/**
 * Records a motion primitive from a BVH clip with one command: the clip's
 * human features between --from and --to (s) are cut into 16-frame chunks at
 * 50 Hz every 8 frames, encoded by the human encoder and quantised to tokens,
 * and stored under --name in the primitive library (created when absent,
 * an entry of the same name replaced).
 *
 *   node dist/cli/record-primitive.js --clip <file.bvh> --from 1.0 --to 3.0 --name wave_right
 *       [--description "..."] [--library config/motion/primitives.yaml] [--models models/motion_tokens.contract.json]
 *       [--frame-time S] [--unit m|cm|mm|inch|cmu]
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHumanMotion } from '../io/bvh-file.js';
import { loadPrimitiveLibrary, savePrimitiveLibrary } from '../io/motion-files.js';
import { loadTokenCodec } from '../io/motion-token-files.js';
import { CHUNK_FRAMES, CHUNK_RATE_HZ, HUMAN_FRAME_WIDTH, humanArmLength, humanFrameFeatures, sampleAt } from '../motion/chunks.js';
import { KEYPOINTS, UNIT_SCALES, type LengthUnit } from '../motion/human.js';
import type { PrimitiveLibrary } from '../motion/primitives.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clip: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, name: { type: 'string' },
      description: { type: 'string', default: '' },
      library: { type: 'string', default: join(ROOT, 'config', 'motion', 'primitives.yaml') },
      models: { type: 'string', default: join(ROOT, 'models', 'motion_tokens.contract.json') },
      'frame-time': { type: 'string' }, unit: { type: 'string' },
    },
  });
  const fromS = Number(values.from), toS = Number(values.to);
  if (!values.clip || !values.name || !(fromS >= 0) || !(toS > fromS)) {
    process.stderr.write('usage: record-primitive --clip <bvh> --from <s> --to <s> --name <name> (0 <= from < to)\n');
    process.exit(2);
  }
  if (values.unit !== undefined && !(values.unit in UNIT_SCALES)) throw new Error(`--unit must be one of ${Object.keys(UNIT_SCALES).join(', ')}`);
  const human = loadHumanMotion(values.clip, {
    ...(values['frame-time'] ? { frameTimeS: Number(values['frame-time']) } : {}),
    ...(values.unit ? { unit: values.unit as LengthUnit } : {}),
  });
  const dur = (human.frameCount - 1) * human.frameTimeS;
  if (toS > dur + 1e-9) throw new Error(`--to ${toS} s is past the clip's end (${dur.toFixed(2)} s)`);
  const codec = await loadTokenCodec(values.models);
  const stages = codec.cb.stages;
  const K3 = KEYPOINTS.length * 3;
  const arm = humanArmLength(human);
  const seq = new Float64Array(human.frameCount * HUMAN_FRAME_WIDTH);
  for (let f = 0; f < human.frameCount; f++) humanFrameFeatures(human.positions, f * K3, arm, seq, f * HUMAN_FRAME_WIDTH);
  const stride = 8 / CHUNK_RATE_HZ, span = (CHUNK_FRAMES - 1) / CHUNK_RATE_HZ;
  const chunk = new Float64Array(CHUNK_FRAMES * HUMAN_FRAME_WIDTH);
  const codes = new Int32Array(stages);
  const tokens: number[][] = [];
  for (let t0 = fromS; t0 + span <= toS + 1e-9; t0 += stride) {
    for (let k = 0; k < CHUNK_FRAMES; k++) sampleAt(seq, HUMAN_FRAME_WIDTH, human.frameCount, human.frameTimeS, t0 + k / CHUNK_RATE_HZ, chunk, k * HUMAN_FRAME_WIDTH);
    await codec.encodeHuman(chunk, codes);
    tokens.push(Array.from(codes));
  }
  if (tokens.length === 0) throw new Error(`--from/--to span ${toS - fromS} s is shorter than one chunk (${span.toFixed(2)} s)`);
  const lib: PrimitiveLibrary = existsSync(values.library)
    ? loadPrimitiveLibrary(values.library)
    : { format: 'aegis-motion-primitives/1', strideFrames: 8, stages, codebookSize: codec.cb.size, primitives: {} };
  if (lib.stages !== stages || lib.codebookSize !== codec.cb.size) throw new Error(`library ${values.library} is for ${lib.stages} stages × ${lib.codebookSize} codes, the models have ${stages} × ${codec.cb.size}`);
  lib.primitives[values.name] = { description: values.description, source: { clip: basename(values.clip), fromS, toS }, tokens };
  savePrimitiveLibrary(values.library, lib);
  process.stdout.write(`recorded '${values.name}': ${tokens.length} chunks from ${basename(values.clip)} ${fromS}-${toS} s into ${values.library}\n`);
}

await main();
