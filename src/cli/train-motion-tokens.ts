/**
 * Trains the motion-token models from the shared CMU clips (retargeted to the
 * G1 by the kinematic retargeter) and writes them beside the other models.
 * When the clips are absent it says so and leaves the committed models alone.
 *
 *   node dist/cli/train-motion-tokens.js [--out models] [--steps N] [--seed S]
 * (also run by `npm run models`). Held out: cmu_14_37 (drink) entirely and
 * the last 20 % of every other clip; figures are printed and stored in the contract.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHumanMotion } from '../io/bvh-file.js';
import { loadRetargetMap } from '../io/motion-files.js';
import { CMU_CLIP_FILES, cmuClipDir } from '../io/shared-clips.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { Retargeter } from '../motion/retarget.js';
import { chunksOf, clipSequences } from '../training/motion-token-data.js';
import { TOKEN_CONTRACT_FILE, TOKEN_MODEL_FILES, tokenContract, tokenOnnx } from '../training/motion-token-export.js';
import { evaluateTokens } from '../training/motion-token-eval.js';
import { DEFAULT_TOKEN_TRAIN, trainMotionTokens } from '../training/train-motion-tokens.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HELD_OUT_CLIP = 'cmu_14_37.bvh';
export const HELD_OUT_TAIL = 0.2;
/**
 * The paired data are retargeted at the playback speed of the published reference (the motion run's
 * `playbackMaxVelocityRadS` default), not at the retargeter's own per-frame cap: the tokens model the
 * motion as the robot plays it, and chunks that follow every fast human wiggle decode into references
 * the shield tracks worse (measured: the demo's `drink` tracking RMSE 0.021 → 0.099 rad).
 */
export const TOKEN_DATA_MAX_VELOCITY_RAD_S = 4;

/** Returns false (after saying why) when the clips are absent. */
export function trainMotionTokenModels(outDir: string, opts: { steps?: number; seed?: number } = {}, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): boolean {
  const found = cmuClipDir(ROOT);
  if ('missing' in found) {
    log(`motion tokens: skipped, keeping the committed models (${found.missing})`);
    return false;
  }
  const t0 = performance.now();
  const map = loadRetargetMap(join(ROOT, 'config', 'motion', 'g1_retarget.yaml'));
  const r = new Retargeter(loadUrdfFile(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf')), { ...map, ik: { ...map.ik, maxVelocityRadS: TOKEN_DATA_MAX_VELOCITY_RAD_S } });
  const names = Array.from(r.upperBodyIndex, (i) => r.jointNames[i]!);
  const train: { seq: ReturnType<typeof clipSequences>; fromS: number; toS: number }[] = [];
  const held: { seq: ReturnType<typeof clipSequences>; fromS: number; toS: number }[] = [];
  for (const f of CMU_CLIP_FILES) {
    const seq = clipSequences(f, loadHumanMotion(join(found.dir, f)), r);
    const dur = (seq.frames - 1) * seq.dtS;
    if (f === HELD_OUT_CLIP) held.push({ seq, fromS: 0, toS: dur });
    else {
      const cut = dur * (1 - HELD_OUT_TAIL);
      train.push({ seq, fromS: 0, toS: cut - 0.5 });
      held.push({ seq, fromS: cut, toS: dur });
    }
  }
  const trainSet = chunksOf(train, names, [1, 0.8, 1.25], true);
  const heldSet = chunksOf(held, names, [1], false);
  log(`motion tokens: ${trainSet.count} training chunks (mirrored, 3 speeds), ${heldSet.count} held-out chunks, ${((performance.now() - t0) / 1000).toFixed(1)} s to prepare`);
  const steps = opts.steps ?? DEFAULT_TOKEN_TRAIN.steps;
  const seed = opts.seed ?? DEFAULT_TOKEN_TRAIN.seed;
  const models = trainMotionTokens(trainSet, {
    steps, seed, logEvery: Math.max(1, Math.round(steps / 6)),
    onProgress: (s, l) => log(`  step ${String(s).padStart(5)}  loss ${l.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(1)} s`),
  });
  const h = evaluateTokens(models, heldSet, r);
  const tr = evaluateTokens(models, trainSet, r);
  log(`  held-out: token path joint RMSE ${h.tokenJointRmseRad.toFixed(3)} rad, wrist error mean ${(h.tokenWristErrMeanM * 100).toFixed(1)} cm (p95 ${(h.tokenWristErrP95M * 100).toFixed(1)} cm) vs kinematic retargeting; robot-path RMSE ${h.robotJointRmseRad.toFixed(3)} rad; visual RMSE ${h.visualRmse.toFixed(3)}; perplexity ${h.perplexity.map((p) => p.toFixed(1)).join(' / ')} of ${models.codebooks.size}`);
  log(`  training: token path joint RMSE ${tr.tokenJointRmseRad.toFixed(3)} rad, wrist ${(tr.tokenWristErrMeanM * 100).toFixed(1)} cm; perplexity ${tr.perplexity.map((p) => p.toFixed(1)).join(' / ')}`);
  const contract = tokenContract(models, names, {
    seed, steps, trainChunks: trainSet.count, heldOutChunks: heldSet.count,
    heldOut: `${HELD_OUT_CLIP} + last ${HELD_OUT_TAIL * 100}% of the other clips`,
    heldOutTokenJointRmseRad: h.tokenJointRmseRad, heldOutTokenWristErrMeanM: h.tokenWristErrMeanM, heldOutTokenWristErrP95M: h.tokenWristErrP95M,
    heldOutRobotJointRmseRad: h.robotJointRmseRad, heldOutVisualRmse: h.visualRmse,
    heldOutPerplexityStage0: h.perplexity[0]!, heldOutPerplexityStage1: h.perplexity[1]!,
    trainPerplexityStage0: tr.perplexity[0]!, trainPerplexityStage1: tr.perplexity[1]!,
  });
  const onnx = tokenOnnx(models, contract);
  mkdirSync(outDir, { recursive: true });
  for (const k of ['human', 'robot', 'decoder'] as const) writeFileSync(join(outDir, TOKEN_MODEL_FILES[k]), onnx[k]);
  writeFileSync(join(outDir, TOKEN_CONTRACT_FILE), JSON.stringify(contract) + '\n');
  log(`  wrote ${Object.values(TOKEN_MODEL_FILES).join(', ')} and ${TOKEN_CONTRACT_FILE} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'models') }, steps: { type: 'string' }, seed: { type: 'string' } } });
  trainMotionTokenModels(resolve(values.out), {
    ...(values.steps ? { steps: Number(values.steps) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
}
