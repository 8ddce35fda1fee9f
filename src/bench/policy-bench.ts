/**
 * Per-tick cost of the policy node's real hot path for the shipped
 * upper-body policy and for a 3×256 ELU MLP with a 480-wide input (96 values
 * × 5 frames of term-major history) and 29 outputs: a {@link PolicyNode} on a
 * {@link CaptureNode}, fed a varying `/joint_states` (robot order, mapped by
 * name) and `/imu` each tick, its timer called directly. A tick is the
 * node's whole work: joint-state mapping, IMU, fault checks, observation
 * assembly, inference, action mapping and the command message.
 *
 * Figures (p50/p99 in µs; heap bytes per tick):
 * - `tick`, `bytes_per_tick_total`: with the ONNX Runtime session.
 * - `tick_outside_ort`, `bytes_per_tick_outside_ort`: the same node with the
 *   policy's `run` answered at once from the last real output (no
 *   session.run and no promise); everything else is the production code.
 *   Target 0 B.
 * - `bytes_per_tick_stand`, `bytes_per_tick_damp`: the node in STAND and DAMP.
 *
 * Allocation is measured by {@link heapBytesPerCall} over GC-free windows;
 * the harness allocates nothing per tick itself (its clock is a typed-array
 * slot, no timing calls inside a window). Printed figures only (no
 * assertions).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../io/config-file.js';
import { PolicyNode } from '../nodes/policy-node.js';
import { ActionSpecSchema } from '../policy/action.js';
import type { ModeName } from '../policy/modes.js';
import { ObservationSpecSchema } from '../policy/observation-spec.js';
import { OnnxPolicy, type Policy } from '../inference/onnx-policy.js';
import { PolicyConfigSchema, resolvePolicyConfig, type ResolvedPolicyConfig } from '../policy/policy-config.js';
import { createMlp } from '../training/mlp.js';
import { mlpToOnnxSpec } from '../training/mlp-onnx.js';
import { encodeOnnxModel } from '../training/onnx-writer.js';
import { Rng } from '../training/rng.js';
import { G1_JOINTS, G1_DEFAULT_POSE } from '../training/g1-upper-body.js';
import { makeImu, makeJointState } from '../transport/messages.js';
import type { MaybePromise } from '../transport/port.js';
import { CaptureNode } from './capture-node.js';
import { heapBytesPerCall } from './heap.js';
import { percentile } from './stats.js';

interface Subject {
  name: string;
  config: ResolvedPolicyConfig;
  model: Uint8Array;
}

/** Ticks run before any figure is taken. */
const WARMUP_TICKS = 10_000;

/** A 480-input, 3×256 ELU, 29-output policy on the G1 joints. */
export function bigMlpSubject(): Subject {
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
  const file = resolve(root, 'config/policy_upper_body.yaml');
  const raw = loadConfigFile(PolicyConfigSchema, file);
  // modelPath is relative to the config file that names it
  return { name: 'upper_body', config: resolvePolicyConfig(raw), model: new Uint8Array(readFileSync(resolve(dirname(file), raw.modelPath))) };
}

/**
 * The real policy behind one class for both measurements (production has one
 * policy class; two would make the node's call sites polymorphic and change
 * what V8 inlines). `held`: `run` is answered synchronously from the last
 * real output, so the node's `.then` callback runs at once and ONNX Runtime
 * and the promise that carries its result are left out of the measurement.
 */
class BenchPolicy implements Policy {
  readonly obsWidth: number;
  readonly actionWidth: number;
  readonly input: Float32Array;
  readonly extraInputs: ReadonlyMap<string, Float32Array>;
  readonly extraOutputs: ReadonlyMap<string, Float32Array>;
  /** As production: present when the real policy runs synchronously (then `held` answers the last output at once). */
  readonly runSync?: () => Float32Array;
  private readonly answered: unknown;

  constructor(
    private readonly real: OnnxPolicy,
    private readonly held: boolean,
  ) {
    this.obsWidth = real.obsWidth;
    this.actionWidth = real.actionWidth;
    this.input = real.input;
    this.extraInputs = real.extraInputs;
    this.extraOutputs = real.extraOutputs;
    this.answered = { then: (onResult: (out: Float32Array) => void): void => onResult(real.output) };
    const runSync = real.runSync;
    if (runSync) this.runSync = held ? () => real.output : runSync;
  }

  get lastRunMs(): number {
    return this.held ? 0 : this.real.lastRunMs;
  }

  run(): Promise<Float32Array> {
    return this.held ? (this.answered as Promise<Float32Array>) : this.real.run(this.real.input);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}

interface Rig {
  node: PolicyNode;
  /** One tick: new sensor messages, then the node's timer (a Promise while an inference runs). */
  step: () => MaybePromise;
}

/** A PolicyNode on a capture node; the robot lists its joints in reverse policy order (mapped by name). */
function rig(config: ResolvedPolicyConfig, policy: Policy): Rig {
  const cap = new CaptureNode('policy_bench');
  const robotJoints = [...config.joints].reverse();
  const node = new PolicyNode({ node: cap, config, policy, robotJointNames: robotJoints });
  const topics = config.config.topics;
  const onJointState = cap.handler('sensor_msgs/msg/JointState', topics.jointStates);
  const onImu = cap.handler('sensor_msgs/msg/Imu', topics.imu);
  const tick = cap.timer(config.commandPeriodNs);
  const js = makeJointState(robotJoints);
  const imu = makeImu('imu_in_pelvis');
  const def = Float64Array.from(config.defaultJointPos).reverse();
  const dtS = Number(config.commandPeriodNs) * 1e-9;
  let k = 0;
  const step = (): MaybePromise => {
    cap.clock[0] = k * dtS;
    const x = Math.sin(k * 0.1); // a slightly varying state, so nothing is constant-folded
    k++;
    for (let j = 0; j < js.position.length; j++) js.position[j] = def[j]! + 0.01 * x;
    imu.angular_velocity.x = 0.1 * x;
    void onJointState(js);
    void onImu(imu);
    return tick();
  };
  return { node, step };
}

/** Runs one tick to completion; returns its duration, µs. */
async function timedStep(r: Rig): Promise<number> {
  const t0 = performance.now();
  const p = r.step();
  if (p) await p;
  return (performance.now() - t0) * 1000;
}

function expectMode(r: Rig, mode: ModeName, what: string): void {
  if (r.node.mode !== mode) throw new Error(`bench (${what}) left ${mode} mode: ${JSON.stringify(r.node.transitions.at(-1))}`);
}

async function benchOne(subject: Subject, ticks: number): Promise<Record<string, number>> {
  const { config } = subject;
  const policy = await OnnxPolicy.create({ model: subject.model, config });
  const withOrt = rig(config, new BenchPolicy(policy, false));
  const host = rig(config, new BenchPolicy(policy, true));
  const tickUs = new Float64Array(ticks);
  const hostUs = new Float64Array(ticks);
  // JIT warm-up to steady state (V8 optimises a small callback only after
  // thousands of calls; until then its float values are boxed).
  for (let i = 0; i < WARMUP_TICKS; i++) {
    if (i % 5 === 0) await timedStep(withOrt);
    await timedStep(host);
  }
  for (let i = 0; i < ticks; i++) {
    hostUs[i] = await timedStep(host);
    tickUs[i] = await timedStep(withOrt);
  }
  expectMode(withOrt, 'POLICY', 'with ONNX Runtime');
  expectMode(host, 'POLICY', 'outside ONNX Runtime');
  const bytesTotal = await heapBytesPerCall(withOrt.step, 200);
  const bytesHost = await heapBytesPerCall(host.step, 2000);
  expectMode(host, 'POLICY', 'outside ONNX Runtime');
  const modeBytes = async (mode: ModeName): Promise<number> => {
    host.node.request(mode, 'bench');
    for (let i = 0; i < WARMUP_TICKS; i++) await host.step(); // warm the mode's path
    const b = await heapBytesPerCall(host.step, 2000);
    expectMode(host, mode, mode);
    return b;
  };
  const bytesStand = await modeBytes('STAND');
  const bytesDamp = await modeBytes('DAMP');
  withOrt.node.destroy();
  host.node.destroy();
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
    [`${subject.name}_bytes_per_tick_stand`]: Math.round(bytesStand),
    [`${subject.name}_bytes_per_tick_damp`]: Math.round(bytesDamp),
  };
}

/** Per-tick cost figures, keyed `<subject>_<figure>`. */
export async function benchPolicy(options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const ticks = options.ticks ?? 2000;
  const root = options.repoRoot ?? process.cwd();
  return { ...(await benchOne(shippedSubject(root), ticks)), ...(await benchOne(bigMlpSubject(), ticks)) };
}
