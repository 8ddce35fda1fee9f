/**
 * The online adapter's per-tick cost (issue 11): `ResidualAdapter.step` with
 * the shipped scenario's adapter config (config/adaptation.yaml: 14 arm
 * joints, servo compensation) on a synthetic 29-joint stream that follows its
 * own commands with a small offset (the anchor is learnt in the warm-up, then
 * it tracks). Figures: time per step (p50/p99 over single calls) and heap
 * bytes per step; the shield's limits tick is the peer (the stage right after
 * it on every command), measured in its own suite. The adaptation module: the
 * heap its window's per-tick fill adds, and one run (assemble + ONNX Runtime,
 * the asynchronous API as the node calls it) at its 10 Hz.
 */
import { dirname, join, resolve } from 'node:path';
import { ContextModuleRunner } from '../adaptation/context-module.js';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { OnnxContextNet } from '../inference/onnx-context-module.js';
import { loadContextModuleFile } from '../io/context-module-file.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { resolveRunSetup } from '../runtime/run-setup.js';
import { AdaptationScenarioSchema } from '../runtime/adaptation-scenario.js';
import { defaultPoseArray, G1_JOINTS, jointLimits } from '../training/g1-upper-body.js';
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
  // the adaptation module: its window is filled on the policy tick (hot path), its network runs at 10 Hz
  const m = loadContextModuleFile(join(opts.repoRoot, 'models', 'g1_arm_context.contract.json'));
  const runner = new ContextModuleRunner(m.contract, G1_JOINTS, defaultPoseArray());
  const push = (): void => {
    step();
    runner.window.push(q, qd, out);
  };
  for (let k = 0; k < 2_000; k++) push();
  const pushHeap = (await heapBytesPerCall(push, 2_000)) - heap; // the window's share beyond the adapter's step
  const net = await OnnxContextNet.create(m.model, m.contract, runner.input, m.modelPath);
  const runs = new Float64Array(2_000);
  for (let k = 0; k < 200; k++) await net.run(runner.input);
  for (let k = 0; k < runs.length; k++) {
    const t0 = process.hrtime.bigint();
    runner.window.assemble(runner.input);
    await net.run(runner.input);
    runs[k] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  await net.release();
  return {
    adaptation_step_p50_us: Number(percentile(samples, 0.5).toFixed(2)),
    adaptation_step_p99_us: Number(percentile(samples, 0.99).toFixed(2)),
    adaptation_step_heap_bytes_per_tick: Number(heap.toFixed(2)),
    adaptation_adapted_joints: ad.idx.length,
    adaptation_state_tracking: ad.state === 'tracking' ? 1 : 0,
    adaptation_module_window_heap_bytes_per_tick: Number(Math.max(0, pushHeap).toFixed(2)),
    adaptation_module_run_p50_us: Number(percentile(runs, 0.5).toFixed(1)),
    adaptation_module_run_p99_us: Number(percentile(runs, 0.99).toFixed(1)),
  };
}
