/**
 * `npm run models`: regenerates every model in models/ from the repo's own
 * code (deterministic; no Python). Currently: g1_upper_body.onnx and its
 * contract, and the motion-token models (src/cli/train-motion-tokens.ts). Usage: node dist/cli/train-models.js [--out models] [--steps N] [--seed S]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinNegativeValues, numberFlag } from './args.js';
import { evaluateUpperBody, mlpForwardFn, trainUpperBody, DEFAULT_TRAIN_OPTIONS } from '../training/train-upper-body.js';
import { UPPER_BODY_CONTRACT_FILE, UPPER_BODY_MODEL_FILE, upperBodyContract, upperBodyOnnx } from '../training/upper-body-export.js';
import { trainMotionTokenModels } from './train-motion-tokens.js';

function main(): void {
  const { values } = parseArgs({
    args: joinNegativeValues(process.argv.slice(2), ['steps', 'seed']),
    options: {
      out: { type: 'string', default: 'models' },
      steps: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.steps) },
      seed: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.seed) },
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
  trainMotionTokenModels(outDir); // motion tokens: needs the shared CMU clips, skips (keeping the committed models) without them
}

main();
