/**
 * Behaviour cloning of the scripted upper-body expert (./g1-upper-body.ts)
 * into a 95→64→64→29 tanh MLP, in TypeScript, deterministic for a seed.
 *
 * Each sample: a phase time t ~ U[0, 4 s); joint positions around the
 * reference (per-sample spread σ_q ~ U[0, 0.2] rad); noisy joint velocities
 * (σ 0.5 rad/s), gyro (σ 0.2 rad/s), gravity (σ 0.05) and last action (σ 0.3);
 * the observation is assembled by the runtime's own ObservationAssembler, so
 * training and deployment share one code path. The label is the expert action.
 * Inputs and outputs are standardised for training and the statistics folded
 * into the first and last layers before export.
 */
import { createObservationInputs, ObservationAssembler } from '../policy/observation.js';
import { observationWidth } from '../policy/observation-spec.js';
import { Adam, createMlp, foldStandardisation, mlpBackward, mlpForward, zeroGrads, type Mlp } from './mlp.js';
import { Rng } from './rng.js';
import {
  defaultPoseArray,
  expertAction,
  G1_JOINTS,
  referenceMotion,
  UPPER_BODY,
  UPPER_BODY_OBSERVATION,
} from './g1-upper-body.js';

export interface TrainOptions {
  seed: number;
  steps: number;
  batch: number;
  hidden: readonly number[];
  learningRate: number;
  /** Called every `logEvery` steps with (step, loss). */
  onProgress?: (step: number, loss: number) => void;
  logEvery?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { seed: 20240601, steps: 4000, batch: 128, hidden: [64, 64], learningRate: 2e-3 };

const N = G1_JOINTS.length;
const OBS = observationWidth(UPPER_BODY_OBSERVATION, N);

/** Draws one (observation, expert action) pair. */
export class UpperBodySampler {
  private readonly inputs = createObservationInputs(N);
  private readonly assembler: ObservationAssembler;
  private readonly qRef = new Float64Array(N);
  private readonly qdRef = new Float64Array(N);
  private readonly prevRef = new Float64Array(N);
  private readonly scratch = new Float64Array(N);

  constructor(private readonly rng: Rng) {
    this.assembler = new ObservationAssembler(UPPER_BODY_OBSERVATION, defaultPoseArray());
  }

  /** Writes obs (OBS) and action (N) at the given offsets. */
  sample(obs: Float64Array, obsOff: number, act: Float64Array, actOff: number): void {
    const r = this.rng;
    const s = this.inputs;
    const t = r.uniform(0, UPPER_BODY.periodS);
    referenceMotion(t, this.qRef, this.qdRef);
    const sigmaQ = r.uniform(0, 0.2);
    for (let j = 0; j < N; j++) {
      s.jointPos[j] = this.qRef[j]! + sigmaQ * r.normal();
      s.jointVel[j] = this.qdRef[j]! + 0.5 * r.normal();
    }
    for (let i = 0; i < 3; i++) s.baseAngVel[i] = 0.2 * r.normal();
    // small random tilt: gravity noise of ~0.05 through a random small rotation
    const ax = 0.025 * r.normal();
    const ay = 0.025 * r.normal();
    s.baseQuatXyzw.set([ax, ay, 0, Math.sqrt(Math.max(0, 1 - ax * ax - ay * ay))]);
    referenceMotion(t - 1 / UPPER_BODY.policyRateHz, this.prevRef, this.scratch);
    expertAction(this.prevRef, this.prevRef, s.lastActionRaw);
    for (let j = 0; j < N; j++) s.lastActionRaw[j] = s.lastActionRaw[j]! + 0.3 * r.normal();
    s.timeS = t;
    this.assembler.reset();
    this.assembler.assemble(s);
    for (let i = 0; i < OBS; i++) obs[obsOff + i] = this.assembler.out[i]!;
    expertAction(this.qRef, s.jointPos, act.subarray(actOff, actOff + N));
  }
}

function stats(data: Float64Array, rows: number, width: number, floor: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) mean[i] = mean[i]! + data[r * width + i]! / rows;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < width; i++) {
      const d = data[r * width + i]! - mean[i]!;
      std[i] = std[i]! + (d * d) / rows;
    }
  }
  for (let i = 0; i < width; i++) std[i] = Math.max(floor, Math.sqrt(std[i]!));
  return { mean, std };
}

export interface TrainResult {
  net: Mlp;
  finalLoss: number;
  steps: number;
}

/** Trains the policy network; returns it with normalisation folded in (raw obs → raw action). */
export function trainUpperBody(options: Partial<TrainOptions> = {}): TrainResult {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const rng = new Rng(o.seed);
  const sampler = new UpperBodySampler(rng);
  // normalisation statistics from a fixed calibration set
  const calib = 4096;
  const cx = new Float64Array(calib * OBS);
  const cy = new Float64Array(calib * N);
  for (let k = 0; k < calib; k++) sampler.sample(cx, k * OBS, cy, k * N);
  const xs = stats(cx, calib, OBS, 1e-2);
  const ys = stats(cy, calib, N, 1e-2);

  const net = createMlp([OBS, ...o.hidden, N], 'tanh', rng);
  const adam = new Adam(net);
  const grads = zeroGrads(net);
  const x = new Float64Array(o.batch * OBS);
  const y = new Float64Array(o.batch * N);
  let loss = NaN;
  for (let step = 0; step < o.steps; step++) {
    for (let b = 0; b < o.batch; b++) sampler.sample(x, b * OBS, y, b * N);
    for (let b = 0; b < o.batch; b++) {
      for (let i = 0; i < OBS; i++) x[b * OBS + i] = (x[b * OBS + i]! - xs.mean[i]!) / xs.std[i]!;
      for (let j = 0; j < N; j++) y[b * N + j] = (y[b * N + j]! - ys.mean[j]!) / ys.std[j]!;
    }
    loss = mlpBackward(net, x, y, o.batch, grads);
    // cosine decay to 5 % of the initial rate
    const lr = o.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / o.steps)));
    adam.step(net, grads, lr);
    if (o.onProgress && (step + 1) % (o.logEvery ?? 500) === 0) o.onProgress(step + 1, loss);
  }
  foldStandardisation(net, xs, ys);
  return { net, finalLoss: loss, steps: o.steps };
}

/** Expert-vs-network error on fresh samples, in joint-target radians (action error × scale). */
export function evaluateUpperBody(forward: (obs: Float64Array, out: Float64Array) => void, seed: number, samples: number): { rmsRad: number; maxRad: number } {
  const sampler = new UpperBodySampler(new Rng(seed));
  const obs = new Float64Array(OBS);
  const want = new Float64Array(N);
  const got = new Float64Array(N);
  let sq = 0;
  let max = 0;
  for (let k = 0; k < samples; k++) {
    sampler.sample(obs, 0, want, 0);
    forward(obs, got);
    for (let j = 0; j < N; j++) {
      const e = Math.abs(got[j]! - want[j]!) * UPPER_BODY.actionScale;
      sq += e * e;
      if (e > max) max = e;
    }
  }
  return { rmsRad: Math.sqrt(sq / (samples * N)), maxRad: max };
}

export const mlpForwardFn = (net: Mlp) => (obs: Float64Array, out: Float64Array): void => void mlpForward(net, obs, out);
