/**
 * `npm run models`: regenerates every model in models/ from the repo's own
 * code (deterministic; no Python). Currently: g1_upper_body.onnx and its
 * contract; the motion-token models (src/cli/train-motion-tokens.ts); the
 * arm-detour diffusion bundle (denoiser, Q_a, Q_dn, contract; docs/diffusion.md); the G1 arms'
 * adaptation module and its contract (src/training/context-module.ts; docs/adaptation.md); the
 * context-conditioned upper-body policy that reads it (src/training/context-policy.ts).
 * Usage: node dist/cli/train-models.js [--out models] [--steps N] [--seed S]
 * [--only upper_body,motion_tokens,arm_detour,context_module,context_policy]
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
import { collectContextPolicyData, CONTEXT_POLICY_CONTRACT_FILE, CONTEXT_POLICY_DEFAULTS, CONTEXT_POLICY_FILE, contextPolicyContract, contextPolicyOnnx, trainContextPolicy } from '../training/context-policy.js';
import { armContextContract, collectContextData, concatContextData, windowBound, CONTEXT_MODULE_CONTRACT_FILE, CONTEXT_MODULE_DEFAULTS, CONTEXT_MODULE_FILE, contextModuleOnnx, evaluateContextModule, trainContextModule } from '../training/context-module.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(process.argv.slice(2), ['steps', 'seed']),
    options: {
      out: { type: 'string', default: 'models' },
      steps: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.steps) },
      seed: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.seed) },
      only: { type: 'string', default: 'upper_body,motion_tokens,arm_detour,context_module,context_policy' },
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
  if (only.has('context_module')) await trainArmContextModule(outDir);
  if (only.has('context_policy')) await trainUpperBodyContextPolicy(outDir);
}

async function trainUpperBodyContextPolicy(outDir: string): Promise<void> {
  const t0 = performance.now();
  const o = CONTEXT_POLICY_DEFAULTS;
  const log = (line: string): void => console.log(`${line}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  log(`context-conditioned policy: ${o.episodes} randomised teacher-loop episodes in the embedded sim, ${o.steps} Adam steps`);
  const data = await collectContextPolicyData(resolve('.'), 0, o.episodes, log);
  log(`${data.n} samples`);
  const net = trainContextPolicy(data, o.steps, log);
  writeFileSync(join(outDir, CONTEXT_POLICY_FILE), contextPolicyOnnx(net));
  writeFileSync(join(outDir, CONTEXT_POLICY_CONTRACT_FILE), JSON.stringify(contextPolicyContract(), null, 2) + '\n');
  log(`wrote ${CONTEXT_POLICY_FILE} and ${CONTEXT_POLICY_CONTRACT_FILE}`);
}

async function trainArmContextModule(outDir: string): Promise<void> {
  const t0 = performance.now();
  const o = CONTEXT_MODULE_DEFAULTS;
  const log = (line: string): void => console.log(`${line}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  log(`adaptation module: ${o.episodes} + ${o.daggerEpisodes} (DAgger) + ${o.heldOut} held-out randomised episodes in the embedded sim (seed ${o.seed})`);
  const root = resolve('.');
  const first = await collectContextData(root, 0, o.episodes, o, log);
  log(`${first.n} windows; training the first student (${o.steps} Adam steps)`);
  const student = trainContextModule(first, o, log);
  // DAgger: episodes on the first student's own estimates, labelled by the teacher, added to the data
  const onPolicy = await collectContextData(root, o.episodes, o.daggerEpisodes, o, log, student);
  const train = concatContextData(first, onPolicy);
  log(`${train.n} windows (${onPolicy.n} on the student's estimates); training the module`);
  const net = trainContextModule(train, o, log);
  const held = await collectContextData(root, 1_000_000, o.heldOut, o, () => {}, net); // held out, half of it on the module's own estimates
  const ev = evaluateContextModule(net, held);
  const names = armContextContract(o).output.names;
  const heldOutRmse = Object.fromEntries(names.map((n, i) => [n, Number(ev.rmse[i]!.toPrecision(3))]));
  const heldOutTargetRms = Object.fromEntries(names.map((n, i) => [n, Number(ev.targetRms[i]!.toPrecision(3))]));
  const contract = armContextContract(o, { seed: o.seed, episodes: o.episodes, daggerEpisodes: o.daggerEpisodes, heldOutEpisodes: o.heldOut, episodeS: o.episodeS, switchS: o.switchS, ranges: o.ranges, windows: train.n, heldOutRmse, heldOutTargetRms, latency: 'not randomised: the sim has no command latency' }, windowBound(train));
  writeFileSync(join(outDir, CONTEXT_MODULE_FILE), contextModuleOnnx(net, contract));
  writeFileSync(join(outDir, CONTEXT_MODULE_CONTRACT_FILE), JSON.stringify(contract, null, 2) + '\n');
  log(`wrote ${CONTEXT_MODULE_FILE}: held-out RMSE ${names.map((n, i) => `${n} ${ev.rmse[i]!.toFixed(3)} (targets' RMS ${ev.targetRms[i]!.toFixed(3)})`).join(', ')}`);
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

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
