/**
 * Trains the G1 arms' adaptation module (`models/g1_arm_context.onnx`, RMA-style student) in the
 * embedded MuJoCo sim with randomised dynamics.
 *
 * Episodes: the adaptation scenario's run (fixed-base G1, the shipped upper-body policy and its
 * motion, the shipped shield), 5 s each; at 1 s each arm independently gets a regime drawn from the
 * ranges below (servo gain scale s on kp and kd, added joint damping d, a payload at the hand, Coulomb
 * friction on the arm joints — the last not in z: a nuisance the module must ignore).
 *
 * Teacher: the true parameters, in the residual adapter's context coordinates per arm
 * (src/adaptation/context-estimator.ts: c − q ≈ (1 + a)·ŷ + m·G/kp + b·q̇/kp): with the servo
 * s·kp(c − q) − s·kd·q̇ = I q̈ + (d₀ + d)·q̇ + g + m_true·G,
 *   a = 1/s − 1,  m = m_true/s,  b = d/s − a·kd   (kd = 1 N·m·s/rad for every G1 arm joint in the sim).
 * The episodes run the residual adapter as shipped (config/adaptation.yaml's adapter, its anchor from one
 * nominal run first) with its context *set to the teacher's z* at the switch (`context.source: module`):
 * the teacher's closed loop, so the commands the window sees carry the adapter's corrections as they will
 * at run time (without it — the policy alone — the module saw 3–4× smaller servo leads than with the
 * adapter, and in the loop its estimates fed back into runaway corrections; measured, see docs/adaptation.md).
 * Student: an MLP from the window (src/adaptation/context-module.ts, filled by the policy controller
 * exactly as at run time) to z, regressed onto the teacher's z (mean squared error, Adam).
 * Deterministic given the seed (the sim is deterministic; episodes run one after another).
 */
import { join } from 'node:path';
import { CONTEXT_MODULE_FORMAT, ContextModuleContractSchema, ContextModuleRunner, type ContextModuleContract } from '../adaptation/context-module.js';
import type { RegimeMemoryFile } from '../adaptation/regime-memory.js';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { AdaptationScenarioSchema } from '../runtime/adaptation-scenario.js';
import { runEmbedded } from '../runtime/embedded-run.js';
import type { PolicyNode } from '../nodes/policy-node.js';
import type { PolicyController } from '../policy/controller.js';
import type { RunConfig } from '../runtime/run-config.js';
import { defaultPoseArray, G1_JOINTS, jointLimits } from './g1-upper-body.js';
import { Adam, createMlp, foldStandardisation, mlpBackward, mlpForward, zeroGrads, type Mlp } from './mlp.js';
import { mlpToOnnxSpec } from './mlp-onnx.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { Rng } from './rng.js';

export const CONTEXT_MODULE_FILE = 'g1_arm_context.onnx';
export const CONTEXT_MODULE_CONTRACT_FILE = 'g1_arm_context.contract.json';

const SIDES = ['left', 'right'] as const;
const ARM = ['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll', 'wrist_pitch', 'wrist_yaw'];
const NOMINAL: Record<string, { kp: number; kd: number; damping: number }> = {
  shoulder_pitch: { kp: 40, kd: 1, damping: 0.05 }, shoulder_roll: { kp: 40, kd: 1, damping: 0.05 }, shoulder_yaw: { kp: 40, kd: 1, damping: 0.05 },
  elbow: { kp: 40, kd: 1, damping: 0.05 }, wrist_roll: { kp: 20, kd: 1, damping: 0.05 }, wrist_pitch: { kp: 20, kd: 1, damping: 0.02 }, wrist_yaw: { kp: 20, kd: 1, damping: 0.02 },
};
const KD = 1;

export const CONTEXT_MODULE_DEFAULTS = {
  seed: 7,
  episodes: 240,
  /** Episodes on the first student's estimates (DAgger), added before the module is trained again. */
  daggerEpisodes: 160,
  heldOut: 40,
  episodeS: 5,
  switchS: 1,
  windowTicks: 10,
  /** Samples every this many policy ticks. */
  stride: 2,
  hidden: [64, 64],
  steps: 4000,
  batch: 128,
  lr: 1e-3,
  /** Randomised ranges (each arm independently; `p` = the probability of a change from nominal). */
  ranges: { gainScale: { p: 0.6, range: [0.5, 1.2] }, dampingNmsPerRad: { p: 0.5, range: [0, 1.5] }, payloadKg: { p: 0.6, range: [0.2, 2] }, frictionNm: { p: 0.4, range: [0, 0.3] } },
} as const;

export function armContextContract(opts = CONTEXT_MODULE_DEFAULTS, training: Record<string, unknown> = {}, maxAbs = 100): ContextModuleContract {
  const joints = SIDES.flatMap((s) => ARM.map((j) => `${s}_${j}_joint`));
  const signals = [
    { signal: 'lead' as const, scale: 10 },
    { signal: 'position' as const, scale: 1 },
    { signal: 'velocity' as const, scale: 0.5 },
    { signal: 'velocity_change' as const, scale: 2 },
  ];
  return ContextModuleContractSchema.parse({
    format: CONTEXT_MODULE_FORMAT,
    name: 'g1_arm_context',
    model: CONTEXT_MODULE_FILE,
    description: 'G1 arms: a 0.2 s window of servo lead, position, velocity and its change per arm joint → per arm (compliance change, payload kg, added damping), the residual adapter\'s context. Trained in the embedded MuJoCo sim with randomised dynamics (src/training/context-module.ts).',
    rateHz: 10,
    windowTicks: opts.windowTicks,
    joints,
    signals,
    input: { name: 'window', width: opts.windowTicks * joints.length * signals.length, maxAbs },
    output: {
      name: 'context',
      names: SIDES.flatMap((s) => [`${s}_compliance`, `${s}_payload_kg`, `${s}_damping`]),
      bounds: SIDES.flatMap(() => [[-0.9, 3], [-1, 3], [-3, 5]] as [number, number][]),
    },
    training,
  });
}

interface ArmRegime { gainScale: number; dampingNmsPerRad: number; payloadKg: number; frictionNm: number }

function drawRegime(rng: Rng, r = CONTEXT_MODULE_DEFAULTS.ranges): ArmRegime {
  const pick = (x: { p: number; range: readonly [number, number] }, nominal: number): number => (rng.uniform(0, 1) < x.p ? rng.uniform(x.range[0], x.range[1]) : nominal);
  return { gainScale: pick(r.gainScale, 1), dampingNmsPerRad: pick(r.dampingNmsPerRad, 0), payloadKg: pick(r.payloadKg, 0), frictionNm: pick(r.frictionNm, 0) };
}

/** The teacher: an arm's true parameters in the adapter's context coordinates (a, m, b). */
export function teacherContext(r: ArmRegime): [number, number, number] {
  const a = 1 / r.gainScale - 1;
  return [a, r.payloadKg / r.gainScale, r.dampingNmsPerRad / r.gainScale - a * KD];
}

function events(side: (typeof SIDES)[number], r: ArmRegime, atS: number): RunConfig['scenario']['dynamics'] {
  const out: RunConfig['scenario']['dynamics'] = [];
  for (const j of ARM) {
    const joint = `${side}_${j}_joint`;
    const n = NOMINAL[j]!;
    if (r.gainScale !== 1) out.push({ atS, kind: 'set_gains', target: joint, values: { kp: n.kp * r.gainScale, kd: n.kd * r.gainScale } });
    if (r.dampingNmsPerRad > 0) out.push({ atS, kind: 'set_damping', target: joint, values: { damping: n.damping + r.dampingNmsPerRad } });
    if (r.frictionNm > 0) out.push({ atS, kind: 'set_friction', target: joint, values: { friction: r.frictionNm } });
  }
  if (r.payloadKg > 0) out.push({ atS, kind: 'add_payload', target: `${side}_rubber_hand`, values: { massKg: r.payloadKg, comOffsetM: [0, 0, 0] } });
  return out;
}

export interface ContextDataset { x: Float32Array; y: Float32Array; n: number; inWidth: number; outWidth: number }

/** The teacher's adapter: the shipped scenario's settings with its context set from outside (the teacher's z). */
function teacherAdapter(root: string): () => ResidualAdapter {
  const cfg = loadConfigFile(AdaptationScenarioSchema, join(root, 'config', 'adaptation.yaml')).adapter;
  if (!cfg.context) throw new Error('config/adaptation.yaml: the adapter has no context');
  const config = { ...cfg, context: { ...cfg.context, source: 'module' as const } };
  const model = loadUrdfFile(join(root, 'urdf', 'g1_29dof_fixed.urdf'));
  const limits = Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const));
  return () => new ResidualAdapter(config, G1_JOINTS, limits, model);
}

/** The anchor library: the teacher's adapter after one nominal run (its servo models learnt), for every episode to start from. */
async function anchorLibrary(root: string, make: () => ResidualAdapter): Promise<RegimeMemoryFile> {
  const adapter = make();
  await runEmbedded({ configPath: join(root, 'config', 'embedded-adaptation.yaml'), root, durationS: 6, adapter, runConfig: (c) => ({ ...c, scenario: { ...c.scenario, durationS: 6, dynamics: [] } }) });
  if (!adapter.hasAnchor) throw new Error('context module data: the nominal run learnt no anchor');
  return adapter.snapshot();
}

/** Spread of the teacher's z in `perturbed` episodes, per (a, m kg, b): about the student's early errors. */
const PERTURBATION = [0.3, 0.4, 0.6];

/**
 * Whose context the episode's adapter runs with — the windows must cover what the module sees at run time:
 * `policy` no adapter (as before an adapter's anchor is learnt), `teacher` the true z, `perturbed` the true z
 * plus noise redrawn every 0.5 s (a student's errors and what they do to the commands), `student` the
 * student's own estimates (DAgger: labelled with the teacher's z).
 */
function episodeMode(u: number, withStudent: boolean): 'policy' | 'teacher' | 'perturbed' | 'student' {
  if (withStudent) return u < 0.15 ? 'policy' : u < 0.3 ? 'teacher' : u < 0.5 ? 'perturbed' : 'student';
  return u < 0.25 ? 'policy' : u < 0.5 ? 'teacher' : 'perturbed';
}

/** Runs `episodes` randomised episodes from `first` and collects (window, teacher z) samples; with `student`, half of them run on its estimates. */
/** Called at every policy tick of an episode (after the command was published) with the adapter's applied context. */
export type PolicyTickHook = (controller: PolicyController, applied: Float64Array, mode: ReturnType<typeof episodeMode>, simTimeS: number) => void;

export async function collectContextData(root: string, first: number, episodes: number, opts = CONTEXT_MODULE_DEFAULTS, log: (line: string) => void = () => {}, student?: Mlp, onPolicyTick?: PolicyTickHook): Promise<ContextDataset> {
  const contract = armContextContract(opts);
  const make = teacherAdapter(root);
  const anchor = await anchorLibrary(root, make);
  const inWidth = contract.input.width;
  const outWidth = contract.output.names.length;
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  const zOut = new Float64Array(outWidth);
  for (let e = first; e < first + episodes; e++) {
    const rng = new Rng(opts.seed * 100_003 + e);
    const regimes = SIDES.map(() => drawRegime(rng));
    const zAfter = regimes.flatMap(teacherContext);
    const mode = episodeMode(rng.uniform(0, 1), student !== undefined);
    let policy: PolicyNode | null = null;
    let runner: ContextModuleRunner | null = null;
    let seen = 0;
    let nextApplyS = 0;
    const adapter = mode === 'policy' ? null : make();
    adapter?.loadMemory(anchor);
    const applied = new Float64Array(outWidth);
    const x = new Float32Array(inWidth);
    await runEmbedded({
      configPath: join(root, 'config', 'embedded-adaptation.yaml'),
      root,
      durationS: opts.episodeS,
      ...(adapter ? { adapter } : {}),
      runConfig: (c) => ({ ...c, scenario: { ...c.scenario, durationS: opts.episodeS, dynamics: SIDES.flatMap((s, i) => events(s, regimes[i]!, opts.switchS)) } }),
      onNodes: (n) => {
        policy = n.policy;
        runner = new ContextModuleRunner(contract, G1_JOINTS, defaultPoseArray());
        n.policy!.controller.contextWindow = runner.window;
      },
      onStep: (sim) => {
        const t = sim.time;
        const before = t < opts.switchS;
        const w = runner!.window;
        // the context the adapter runs with: the teacher's, the teacher's perturbed, or the student's (10 Hz, as at run time)
        if (adapter && t >= nextApplyS) {
          nextApplyS = t + (mode === 'perturbed' ? 0.5 : 0.1) - 1e-9;
          for (let i = 0; i < outWidth; i++) applied[i] = before ? 0 : zAfter[i]!;
          if (mode === 'perturbed') for (let i = 0; i < outWidth; i++) applied[i] = applied[i]! + PERTURBATION[i % 3]! * rng.normal();
          if (mode === 'student' && w.ready) {
            w.assemble(x);
            mlpForward(student!, x, zOut);
            applied.set(zOut);
          }
          adapter.setContextFromModule(applied);
        }
        if (w.count === seen) return;
        seen = w.count;
        onPolicyTick?.(policy!.controller, applied, mode, t);
        if (!w.ready || seen % opts.stride !== 0) return;
        // windows that straddle the switch are left out; before it the teacher's z is the nominal (0)
        if (!before && t < opts.switchS + (opts.windowTicks + 2) / 50) return;
        const row = new Float32Array(inWidth);
        w.assemble(row);
        xs.push(row);
        for (let i = 0; i < outWidth; i++) ys.push(before ? 0 : zAfter[i]!);
      },
    });
    if (!policy) throw new Error('context module data: the run had no policy node');
    if ((e - first + 1) % 20 === 0) log(`episode ${e - first + 1}/${episodes}: ${xs.length} samples`);
  }
  const x = new Float32Array(xs.length * inWidth);
  xs.forEach((row, i) => x.set(row, i * inWidth));
  return { x, y: Float32Array.from(ys), n: xs.length, inWidth, outWidth };
}

/** The plausible bound of a window: 4 × the largest |value| in the training windows, rounded up to an integer. */
export function windowBound(data: ContextDataset): number {
  let m = 0;
  for (let i = 0; i < data.x.length; i++) m = Math.max(m, Math.abs(data.x[i]!));
  return Math.ceil(4 * m);
}

export function concatContextData(a: ContextDataset, b: ContextDataset): ContextDataset {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float32Array(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { x, y, n: a.n + b.n, inWidth: a.inWidth, outWidth: a.outWidth };
}

/** Per-column mean and standard deviation (floored at `floor`). */
export function moments(a: Float32Array, n: number, w: number, floor = 1e-3): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(w);
  const std = new Float64Array(w);
  for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) mean[j] = mean[j]! + a[i * w + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) std[j] = std[j]! + (a[i * w + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < w; j++) std[j] = Math.max(floor, Math.sqrt(std[j]!));
  return { mean, std };
}

/** Trains the student on `train` with normalised inputs and targets, then folds the normalisation into the first and last layers. */
export function trainContextModule(train: ContextDataset, opts = CONTEXT_MODULE_DEFAULTS, log: (line: string) => void = () => {}): Mlp {
  const rng = new Rng(opts.seed);
  const { inWidth: I, outWidth: O, n } = train;
  const xm = moments(train.x, n, I);
  const ym = moments(train.y, n, O);
  const net = createMlp([I, ...opts.hidden, O], 'elu', rng);
  const adam = new Adam(net);
  const grads = zeroGrads(net);
  const bx = new Float64Array(opts.batch * I);
  const by = new Float64Array(opts.batch * O);
  for (let step = 1; step <= opts.steps; step++) {
    for (let b = 0; b < opts.batch; b++) {
      const i = Math.min(n - 1, Math.floor(rng.uniform(0, n)));
      for (let j = 0; j < I; j++) bx[b * I + j] = (train.x[i * I + j]! - xm.mean[j]!) / xm.std[j]!;
      for (let j = 0; j < O; j++) by[b * O + j] = (train.y[i * O + j]! - ym.mean[j]!) / ym.std[j]!;
    }
    for (const g of [...grads.weight, ...grads.bias]) g.fill(0);
    const loss = mlpBackward(net, bx, by, opts.batch, grads);
    const lr = opts.lr * (step > 0.7 * opts.steps ? 0.3 : 1);
    adam.step(net, grads, lr);
    if (step % 500 === 0) log(`step ${step}/${opts.steps}: normalised loss ${loss.toFixed(4)}`);
  }
  foldStandardisation(net, xm, ym); // the exported module takes raw windows and gives z
  return net;
}

/** RMS error per output on a dataset, and the RMS of the targets themselves (what predicting 0 would cost). */
export function evaluateContextModule(net: Mlp, data: ContextDataset): { rmse: number[]; targetRms: number[] } {
  const { inWidth: I, outWidth: O, n } = data;
  const out = new Float64Array(O);
  const se = new Float64Array(O);
  const ss = new Float64Array(O);
  for (let i = 0; i < n; i++) {
    mlpForward(net, data.x.subarray(i * I, (i + 1) * I), out);
    for (let j = 0; j < O; j++) {
      const t = data.y[i * O + j]!;
      se[j] = se[j]! + (out[j]! - t) ** 2;
      ss[j] = ss[j]! + t * t;
    }
  }
  return { rmse: Array.from(se, (v) => Math.sqrt(v / n)), targetRms: Array.from(ss, (v) => Math.sqrt(v / n)) };
}

export function contextModuleOnnx(net: Mlp, contract: ContextModuleContract): Uint8Array {
  return encodeOnnxModel(mlpToOnnxSpec(net, { inputName: contract.input.name, outputName: contract.output.name, graphName: contract.name, docString: contract.description }));
}
