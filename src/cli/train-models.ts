/**
 * `npm run models`: regenerates every model in models/ from the repo's own
 * code (deterministic; no Python). Currently: g1_upper_body.onnx and its
 * contract; the motion-token models (src/cli/train-motion-tokens.ts); the
 * arm-detour diffusion bundle (denoiser, Q_a, Q_dn, contract; docs/diffusion.md).
 * Usage: node dist/cli/train-models.js [--out models] [--steps N] [--seed S]
 * [--only upper_body,motion_tokens,arm_detour]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinNegativeValues, numberFlag } from './args.js';
import { evaluateUpperBody, mlpForwardFn, trainUpperBody, DEFAULT_TRAIN_OPTIONS } from '../training/train-upper-body.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { DEFAULT_ARM_DIFFUSION, trainArmDiffusion } from '../training/diffusion-arm.js';
import { ARM_DIFFUSION_CONTRACT_FILE, armDiffusionContract, armDiffusionOnnx } from '../training/diffusion-arm-export.js';
import { UPPER_BODY_CONTRACT_FILE, UPPER_BODY_MODEL_FILE, upperBodyContract, upperBodyOnnx } from '../training/upper-body-export.js';
import { trainMotionTokenModels } from './train-motion-tokens.js';

function main(): void {
  const { values } = parseArgs({
    args: joinNegativeValues(process.argv.slice(2), ['steps', 'seed']),
    options: {
      out: { type: 'string', default: 'models' },
      steps: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.steps) },
      seed: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.seed) },
      only: { type: 'string', default: 'upper_body,motion_tokens,arm_detour' },
    },
  });
  const outDir = resolve(values.out);
  let steps: number;
  let seed: number;
  try {
    steps = numberFlag('steps', values.steps, { atLeast: 1, integer: true });
    seed = numberFlag('seed', values.seed, { integer: true });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  mkdirSync(outDir, { recursive: true });
  const only = new Set(values.only.split(','));
  if (only.has('upper_body')) trainUpperBodyModel(outDir, steps, seed);
  // motion tokens: needs the shared CMU clips, skips (keeping the committed models) without them
  if (only.has('motion_tokens')) trainMotionTokenModels(outDir);
  if (only.has('arm_detour')) trainArmDetour(outDir);
}

function trainArmDetour(outDir: string): void {
  const t0 = performance.now();
  console.log(`training the arm-detour diffusion bundle (seed ${DEFAULT_ARM_DIFFUSION.seed})`);
  const robot = loadUrdfFile(resolve('urdf/g1_29dof_fixed.urdf'));
  const result = trainArmDiffusion(robot, { log: (line) => console.log(`${line}  ${((performance.now() - t0) / 1000).toFixed(1)} s`) });
  for (const [file, bytes] of Object.entries(armDiffusionOnnx(result))) writeFileSync(join(outDir, file), bytes);
  writeFileSync(join(outDir, ARM_DIFFUSION_CONTRACT_FILE), JSON.stringify(armDiffusionContract(DEFAULT_ARM_DIFFUSION), null, 2) + '\n');
  console.log(`wrote the arm-detour bundle (${ARM_DIFFUSION_CONTRACT_FILE}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function trainUpperBodyModel(outDir: string, steps: number, seed: number): void {
  console.log(`training ${UPPER_BODY_MODEL_FILE}: ${steps} Adam steps, seed ${seed}`);
  const t0 = performance.now();
  const result = trainUpperBody({
    steps,
    seed,
    logEvery: Math.max(1, Math.round(steps / 10)),
    onProgress: (s, loss) => console.log(`  step ${String(s).padStart(5)}  loss ${loss.toFixed(5)} (standardised)  ${((performance.now() - t0) / 1000).toFixed(1)} s`),
  });
  const err = evaluateUpperBody(mlpForwardFn(result.net), seed + 1, 2000);
  console.log(`  held-out error vs expert (joint targets): rms ${(err.rmsRad * 1000).toFixed(2)} mrad, max ${(err.maxRad * 1000).toFixed(1)} mrad`);
  const contract = upperBodyContract();
  writeFileSync(join(outDir, UPPER_BODY_MODEL_FILE), upperBodyOnnx(result.net, contract));
  writeFileSync(join(outDir, UPPER_BODY_CONTRACT_FILE), JSON.stringify(contract, null, 2) + '\n');
  console.log(`wrote ${join(outDir, UPPER_BODY_MODEL_FILE)} and ${UPPER_BODY_CONTRACT_FILE} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main();
