/**
 * Per-tick cost of the policy runtime (observation assembly + ONNX inference
 * + action mapping) for the shipped upper-body policy and for a 3×256 ELU MLP
 * with a 480-wide input (96 values × 5 frames of term-major history) and 29
 * outputs, plus heap bytes allocated per tick, in total and outside ONNX
 * Runtime (observation + action only; target 0).
 *
 * Allocation is measured as the growth of `heapUsed` over a window of ticks
 * in which no garbage collection ran (observed with a `gc` PerformanceObserver);
 * windows with a GC are discarded. Printed figures only (no assertions).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadConfigFile } from '../io/config-file.js';
import { ActionMapper, ActionSpecSchema } from '../policy/action.js';
import { createObservationInputs, ObservationAssembler, type ObservationInputs } from '../policy/observation.js';
import { ObservationSpecSchema } from '../policy/observation-spec.js';
import { OnnxPolicy } from '../policy/onnx-policy.js';
import { PolicyConfigSchema, resolvePolicyConfig, type ResolvedPolicyConfig } from '../policy/policy-config.js';
import { createMlp } from '../training/mlp.js';
import { mlpToOnnxSpec } from '../training/mlp-onnx.js';
import { encodeOnnxModel } from '../training/onnx-writer.js';
import { Rng } from '../training/rng.js';
import { G1_JOINTS, G1_DEFAULT_POSE } from '../training/g1-upper-body.js';
import { percentile } from './stats.js';

interface Subject {
  name: string;
  config: ResolvedPolicyConfig;
  model: Uint8Array;
}

let gcCount = 0;
const gcObserver = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});

/** A 480-input, 3×256 ELU, 29-output policy on the G1 joints. */
function bigMlpSubject(): Subject {
  const observation = ObservationSpecSchema.parse({
    terms: [
      { name: 'base_ang_vel', source: 'base_ang_vel', scale: 0.25, history: 5 },
      { name: 'projected_gravity', source: 'projected_gravity', history: 5 },
      { name: 'velocity_commands', source: 'velocity_command', history: 5 },
      { name: 'joint_pos_rel', source: 'joint_pos_rel', history: 5 },
      { name: 'joint_vel_rel', source: 'joint_vel', scale: 0.05, history: 5 },
      { name: 'last_action', source: 'last_action', history: 5 },
    ],
  });
  const config = resolvePolicyConfig(
    PolicyConfigSchema.parse({
      name: 'mlp480',
      modelPath: '(memory)',
      joints: G1_JOINTS,
      defaultJointPos: G1_DEFAULT_POSE,
      observation,
      action: ActionSpecSchema.parse({ scale: 0.25, clip: 10 }),
    }),
  );
  const net = createMlp([config.observationWidth, 256, 256, 256, 29], 'elu', new Rng(1));
  return { name: 'mlp480', config, model: encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions' })) };
}

function shippedSubject(root: string): Subject {
  const raw = loadConfigFile(PolicyConfigSchema, resolve(root, 'config/policy_upper_body.yaml'));
  return { name: 'upper_body', config: resolvePolicyConfig(raw), model: new Uint8Array(readFileSync(resolve(root, raw.modelPath))) };
}

/** Varies the state a little each tick so nothing is constant-folded. */
function perturb(s: ObservationInputs, k: number): void {
  const x = Math.sin(k * 0.1);
  s.baseAngVel[0] = 0.1 * x;
  for (let j = 0; j < s.jointPos.length; j++) s.jointPos[j] = 0.01 * x * j;
  s.step = k;
  s.timeS = k * 0.02;
}

async function benchOne(subject: Subject, ticks: number): Promise<Record<string, number>> {
  const { config } = subject;
  const policy = await OnnxPolicy.create({ model: subject.model, config });
  const inputs = createObservationInputs(config.joints.length);
  inputs.jointPos.set(config.defaultJointPos);
  const assembler = new ObservationAssembler(config.observation, config.defaultJointPos, policy.input);
  const action = new ActionMapper(config.action, config.defaultJointPos);
  const tickUs = new Float64Array(ticks);
  const hostUs = new Float64Array(ticks);
  const tick = async (k: number): Promise<number> => {
    perturb(inputs, k);
    const t0 = performance.now();
    assembler.assemble(inputs);
    const out = await policy.run(policy.input);
    const t1 = performance.now();
    action.map(out);
    inputs.lastActionRaw.set(action.raw);
    const t2 = performance.now();
    return (t1 - t0) * 1000 + (t2 - t1) * 1000; // µs
  };
  for (let k = 0; k < 200; k++) await tick(k); // JIT warm-up
  for (let k = 0; k < ticks; k++) {
    const t0 = performance.now();
    perturb(inputs, k);
    assembler.assemble(inputs);
    action.map(policy.output);
    hostUs[k] = (performance.now() - t0) * 1000;
    tickUs[k] = await tick(k);
  }
  // allocation per tick, total and outside ONNX Runtime, from GC-free windows
  const allocPerTick = async (window: number, withOrt: boolean): Promise<number> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const gc0 = gcCount;
      const h0 = process.memoryUsage().heapUsed;
      for (let k = 0; k < window; k++) {
        if (withOrt) await tick(k);
        else {
          perturb(inputs, k);
          assembler.assemble(inputs);
          action.map(policy.output);
        }
      }
      const h1 = process.memoryUsage().heapUsed;
      await new Promise((r) => setImmediate(r)); // let the observer report
      if (gcCount === gc0 && h1 >= h0) return (h1 - h0) / window;
    }
    return NaN;
  };
  const bytesTotal = await allocPerTick(200, true);
  const bytesHost = await allocPerTick(2000, false);
  await policy.release();
  const r = (x: number): number => Number(x.toFixed(2));
  return {
    [`${subject.name}_obs_width`]: config.observationWidth,
    [`${subject.name}_tick_p50_us`]: r(percentile(tickUs, 0.5)),
    [`${subject.name}_tick_p99_us`]: r(percentile(tickUs, 0.99)),
    [`${subject.name}_obs_action_p50_us`]: r(percentile(hostUs, 0.5)),
    [`${subject.name}_obs_action_p99_us`]: r(percentile(hostUs, 0.99)),
    [`${subject.name}_bytes_per_tick_total`]: Math.round(bytesTotal),
    [`${subject.name}_bytes_per_tick_outside_ort`]: Math.round(bytesHost),
  };
}

/** Per-tick cost figures, keyed `<subject>_<figure>`. */
export async function benchPolicy(options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const ticks = options.ticks ?? 2000;
  const root = options.repoRoot ?? process.cwd();
  gcObserver.observe({ entryTypes: ['gc'] });
  try {
    return { ...(await benchOne(shippedSubject(root), ticks)), ...(await benchOne(bigMlpSubject(), ticks)) };
  } finally {
    gcObserver.disconnect();
  }
}
