/**
 * The sampling worker (worker_threads): loads and checks the diffusion bundle,
 * runs the value-guided sampler on its own thread (onnxruntime-node's
 * `session.run` blocks the calling thread), one decision at a time, and
 * answers each request with the chosen chunk and its counts. The main
 * thread's client is ./diffusion-client.ts.
 *
 * Messages in:  {type:'decide', id, obs, seed, strategy?, budgetMs?} | {type:'measure', id, repeats, callsPerSample}
 * Messages out: {type:'ready', cost, shapes, synchronous} | {type:'error', message} | {type:'result', id, ...}
 *               | {type:'callTimes', id, times} (time per model call by row count: the bench's batching floor)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDiffusionBundle } from '../io/diffusion-files.js';
import { DiffusionPolicySchema, type Strategy } from '../policy/diffusion/config.js';
import { DiffusionSampler } from '../policy/diffusion/sampler.js';
import { measureCallTimes } from './diffusion-call-times.js';
import { OnnxDiffusionModels } from './diffusion-onnx.js';

export interface WorkerInit {
  config: unknown;
  root: string;
  /** Largest n any decision may use. */
  maxCandidates: number;
}

export interface DecideRequest {
  type: 'decide';
  id: number;
  obs: Float32Array;
  seed: number;
  strategy?: Strategy;
  budgetMs?: number;
}

export interface MeasureRequest {
  type: 'measure';
  id: number;
  repeats: number;
  callsPerSample: number;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('diffusion-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  let sampler: DiffusionSampler;
  let models: OnnxDiffusionModels;
  let cost;
  let defaultPlan;
  let synchronous = false;
  try {
    const config = DiffusionPolicySchema.parse(init.config);
    const files = loadDiffusionBundle(config.contractPath, init.root);
    models = await OnnxDiffusionModels.create(config, files.contract, files.bytes, files.contractPath);
    const c = files.contract;
    sampler = new DiffusionSampler(models, {
      steps: config.sampling.steps, trainSteps: c.trainSteps, betaMin: c.betaMin, betaMax: c.betaMax,
      lo: c.actionBounds[0], hi: c.actionBounds[1], maxCandidates: init.maxCandidates,
    });
    defaultPlan = sampler.plan(config.sampling.strategy);
    cost = await models.measureCost(Math.min(8, init.maxCandidates));
    // one decision of the configured plan: every row count it uses has its native session before the first request
    await sampler.sample(new Float32Array(c.obsWidth), defaultPlan, 0);
    synchronous = models.synchronous;
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message });
    process.exit(1);
  }
  port.postMessage({ type: 'ready', cost, shapes: sampler.width, synchronous });
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: DecideRequest | MeasureRequest) => {
    if (msg?.type === 'measure') {
      queue = queue.then(async () => {
        port.postMessage({ type: 'callTimes', id: msg.id, times: await measureCallTimes(models, msg) });
      });
      return;
    }
    if (msg?.type !== 'decide') return;
    queue = queue.then(async () => {
      const t0 = performance.now();
      try {
        const plan = msg.strategy ? sampler.plan(msg.strategy) : defaultPlan;
        const r = await sampler.sample(msg.obs, plan, msg.seed, msg.budgetMs, cost);
        port.postMessage({ type: 'result', id: msg.id, ...r, action: Float32Array.from(r.action), computeMs: performance.now() - t0 });
      } catch (err) {
        port.postMessage({ type: 'result', id: msg.id, failed: (err as Error).message, computeMs: performance.now() - t0 });
      }
    });
  });
}

await main();
