/**
 * The standalone diffusion scenario: one policy config (DiffusionPolicySchema,
 * YAML), its bundle loaded and checked by the sampling worker, and episodes
 * of the arm-detour task decided through the worker (deadline enforced on
 * this thread) and scored by kinematic shield-core rollouts. A safe outcome
 * holds the start pose (scored as such). Prints one line per episode, the
 * mean return and success, and the fallback counters.
 *
 * Usage: node dist/cli/diffusion-scenario.js [--config config/diffusion_arm_detour.yaml] [--episodes 20]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../io/config-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { DiffusionWorkerClient } from '../inference/diffusion-client.js';
import { ArmDetourTask, ARM_RANGE, HORIZON, observe, Q_START, sampleContext } from '../policy/diffusion/arm-detour.js';
import { DiffusionPolicySchema } from '../policy/diffusion/config.js';
import { diffusionStatus } from '../policy/diffusion/health.js';
import { makeCounters } from '../policy/diffusion/sampler.js';
import { Rng } from '../training/rng.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: 'config/diffusion_arm_detour.yaml' }, episodes: { type: 'string', default: '20' } },
  });
  const root = process.cwd();
  const config = loadConfigFile(DiffusionPolicySchema, resolve(values.config));
  const episodes = Number(values.episodes);
  const task = new ArmDetourTask(loadUrdfFile(resolve(root, 'urdf/g1_29dof_fixed.urdf')));
  const n = config.sampling.strategy.kind === 'single' ? 1 : config.sampling.strategy.n;
  const client = await DiffusionWorkerClient.start({ config, root, maxCandidates: n });
  const hold = Float32Array.from({ length: HORIZON * 4 }, (_, i) => (Q_START[i % 4]! - ARM_RANGE[i % 4]!.centre) / ARM_RANGE[i % 4]!.half);
  const rng = new Rng(77);
  let sum = 0;
  let ok = 0;
  const seed0 = config.sampling.seed ?? Date.now() % 0x7fffffff;
  for (let e = 0; e < episodes; e++) {
    const ctx = sampleContext(rng);
    const opts = { seed: seed0 + e, ...(config.sampling.deadlineMs !== undefined ? { deadlineMs: config.sampling.deadlineMs } : {}) };
    const d = await client.decide(observe(ctx), opts);
    const r = task.rollout(ctx, d.action ?? hold);
    sum += r.ret;
    if (r.success) ok++;
    console.log(`episode ${String(e).padStart(3)}  ${d.outcome}${d.safeReason ? `(${d.safeReason})` : ''}  seed #${d.selectedSeed}  ` +
      `${d.latencyMs.toFixed(2)} ms  return ${r.ret.toFixed(3)}  ${r.success ? 'reached' : 'failed'}`);
  }
  console.log(`mean return ${(sum / episodes).toFixed(3)}, success ${ok}/${episodes}`);
  const status = diffusionStatus(client.counters, makeCounters());
  console.log(`diagnostics ${status.level}: ${status.message}; ${status.values.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  await client.close();
}

await main();
