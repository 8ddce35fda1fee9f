/**
 * The online adapter's per-tick cost (issue 11): `ResidualAdapter.step` with
 * the shipped scenario's adapter config (config/adaptation.yaml: 14 arm
 * joints, servo compensation) on a synthetic 29-joint stream that follows its
 * own commands with a small offset (the anchor is learnt in the warm-up, then
 * it tracks). Figures: time per step (p50/p99 over single calls) and heap
 * bytes per step; the shield's limits tick is the peer (the stage right after
 * it on every command), measured in its own suite.
 */
import { dirname, join, resolve } from 'node:path';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { resolveRunSetup } from '../runtime/run-setup.js';
import { AdaptationScenarioSchema } from '../runtime/adaptation-scenario.js';
import { G1_JOINTS, jointLimits } from '../training/g1-upper-body.js';
import { heapBytesPerCall } from './heap.js';
import { percentile } from './stats.js';

export async function benchAdaptation(opts: { repoRoot: string }): Promise<Record<string, number>> {
  const file = join(opts.repoRoot, 'config', 'adaptation.yaml');
  const sc = loadConfigFile(AdaptationScenarioSchema, file);
  const setup = resolveRunSetup(resolve(dirname(file), sc.run)); // the robot model: the load feature's kinematics
  const model = setup.profile ? setup.profile.model : loadUrdfFile(setup.urdfPath, { packageDirs: setup.packageDirs });
  const ad = new ResidualAdapter(sc.adapter, G1_JOINTS, Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const)), model);
  const n = G1_JOINTS.length;
  const q = new Float64Array(n);
  const qd = new Float64Array(n);
  const pol = new Float64Array(n);
  const out = new Float64Array(n);
  const clock = new Float64Array(1); // the harness's clock in a slot (no allocation of its own)
  const step = (): void => {
    const t = (clock[0] = clock[0]! + 0.02);
    for (let j = 0; j < n; j++) {
      pol[j] = 0.3 * Math.sin(t + j);
      q[j] = out[j]! - 0.02 + 0.001 * Math.sin(7 * t + j);
      qd[j] = 0.3 * Math.cos(t + j);
    }
    ad.clock[0] = t;
    ad.stepAtClock(q, qd, pol, out);
  };
  for (let k = 0; k < 20_000; k++) step(); // anchor learnt, optimised
  const samples = new Float64Array(20_000);
  for (let k = 0; k < samples.length; k++) {
    const t0 = process.hrtime.bigint();
    step();
    samples[k] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const heap = await heapBytesPerCall(step, 2_000);
  return {
    adaptation_step_p50_us: Number(percentile(samples, 0.5).toFixed(2)),
    adaptation_step_p99_us: Number(percentile(samples, 0.99).toFixed(2)),
    adaptation_step_heap_bytes_per_tick: Number(heap.toFixed(2)),
    adaptation_adapted_joints: ad.idx.length,
    adaptation_state_tracking: ad.state === 'tracking' ? 1 : 0,
  };
}
