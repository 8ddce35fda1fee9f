/**
 * Per-tick cost of the policy runtime (the PolicyController's tick: fault
 * checks, observation assembly, ONNX inference, action mapping) for the shipped upper-body policy and for a 3×256 ELU MLP
 * with a 480-wide input (96 values × 5 frames of term-major history) and 29
 * outputs, plus heap bytes allocated per tick, in total and outside ONNX
 * Runtime (observation + action only; target 0).
 *
 * Allocation is measured as the growth of `heapUsed` over a window of ticks
 * in which no garbage collection ran (observed with a `gc` PerformanceObserver);
 * windows with a GC are discarded. Outside ONNX Runtime the figure is the
 * boxing of float64 time arguments at call boundaries (16 B per double passed
 * to a non-inlined call: tick, finishInference and the two sensor accepts in
 * this harness); with integer times the controller measures 0 B per tick.
 * Printed figures only (no assertions).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadConfigFile } from '../io/config-file.js';
import { ActionSpecSchema } from '../policy/action.js';
import { PolicyController } from '../policy/controller.js';
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

/** Feeds a slightly varying robot state (policy order) so nothing is constant-folded. */
function feed(c: PolicyController, pos: Float64Array, vel: Float64Array, k: number, nowS: number): void {
  const x = Math.sin(k * 0.1);
  for (let j = 0; j < pos.length; j++) pos[j] = 0.01 * x * j;
  c.acceptJointState(pos, vel, nowS);
  c.acceptImu(0, 0, 0, 1, 0.1 * x, 0, 0, nowS);
}

async function benchOne(subject: Subject, ticks: number): Promise<Record<string, number>> {
  const { config } = subject;
  const policy = await OnnxPolicy.create({ model: subject.model, config });
  const c = new PolicyController(config, policy.input, { inputs: policy.extraInputs, outputs: policy.extraOutputs });
  const pos = Float64Array.from(config.defaultJointPos);
  const vel = new Float64Array(config.joints.length);
  const dt = 1 / config.config.rateHz;
  const tickUs = new Float64Array(ticks);
  const hostUs = new Float64Array(ticks);
  let k = 0;
  /** One full tick with inference; returns its duration, µs. */
  const tick = async (): Promise<number> => {
    const nowS = k * dt;
    feed(c, pos, vel, k++, nowS);
    const t0 = performance.now();
    if (c.tick(nowS) === 'infer') c.finishInference(await policy.run(policy.input), nowS, 0);
    return (performance.now() - t0) * 1000;
  };
  /** The same tick without ONNX Runtime (the last output is reused). */
  const hostTick = (): number => {
    const nowS = k * dt;
    feed(c, pos, vel, k++, nowS);
    const t0 = performance.now();
    if (c.tick(nowS) === 'infer') c.finishInference(policy.output, nowS, 0);
    return (performance.now() - t0) * 1000;
  };
  for (let i = 0; i < 200; i++) await tick(); // JIT warm-up
  for (let i = 0; i < ticks; i++) {
    hostUs[i] = hostTick();
    tickUs[i] = await tick();
  }
  if (c.mode !== 'POLICY') throw new Error(`bench left POLICY mode: ${JSON.stringify(c.modes.log.at(-1))}`);
  // allocation per tick, total and outside ONNX Runtime, from GC-free windows
  const allocPerTick = async (window: number, withOrt: boolean): Promise<number> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const gc0 = gcCount;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < window; i++) {
        if (withOrt) await tick();
        else hostTick();
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
    [`${subject.name}_tick_outside_ort_p50_us`]: r(percentile(hostUs, 0.5)),
    [`${subject.name}_tick_outside_ort_p99_us`]: r(percentile(hostUs, 0.99)),
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
