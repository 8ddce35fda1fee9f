/**
 * Trains the arm-detour diffusion bundle in TypeScript (no Python),
 * deterministic given the seed:
 *
 * 1. Demonstrations: the task's planner, both ways round the box for every
 *    context (with a small jitter of the via point).
 * 2. Denoiser ε_θ(obs, x_t, τ/S): MLP on [obs, x_t, τ/S] regressed onto the
 *    noise of x_τ = √ᾱ_τ·a + √(1−ᾱ_τ)·ε (DDPM objective, VP linear β).
 * 3. Q_a(obs, a): two MLP members, each on its own bootstrap resample,
 *    regressed onto rollout returns (kinematic rollouts through the shield
 *    core, {@link ArmDetourTask.rollout}) of denoiser samples (DDIM, T steps).
 * 4. Q_dn(obs, x_t, τ/S): two members regressed onto min-over-two Q_a of the
 *    action each seed becomes under deterministic DDIM, at every step's
 *    x_τ (so filters can run at any step).
 *
 * Targets are standardised for training; the affine map back is folded into
 * each network's last layer.
 */
import { ACTION_DIM, ArmDetourTask, HORIZON, OBS_WIDTH, observe, sampleContext, type ArmContext } from '../policy/diffusion/arm-detour.js';
import { ddimPlan, ddimStep, vpSchedule } from '../policy/diffusion/schedule.js';
import type { RobotModel } from '../robot/model.js';
import { Adam, createMlp, mlpBackward, mlpForward, zeroGrads, type Mlp } from './mlp.js';
import { Rng } from './rng.js';

export interface ArmDiffusionOptions {
  seed: number;
  trainSteps: number;
  betaMin: number;
  betaMax: number;
  /** DDIM steps used to make the critics' data (the sampling default). */
  ddimSteps: number;
  hidden: number;
  demoContexts: number;
  denoiserUpdates: number;
  qaContexts: number;
  qaSamplesPerContext: number;
  qdnContexts: number;
  qdnSeedsPerContext: number;
  criticUpdates: number;
  batch: number;
  lr: number;
  log?: (line: string) => void;
}

export const DEFAULT_ARM_DIFFUSION: ArmDiffusionOptions = {
  seed: 12,
  trainSteps: 100,
  betaMin: 1e-4,
  betaMax: 0.2,
  ddimSteps: 10,
  hidden: 128,
  demoContexts: 400,
  denoiserUpdates: 4000,
  qaContexts: 200,
  qaSamplesPerContext: 4,
  qdnContexts: 400,
  qdnSeedsPerContext: 8,
  criticUpdates: 2500,
  batch: 64,
  lr: 1e-3,
};

export interface ArmDiffusionResult {
  denoiser: Mlp;
  qAction: [Mlp, Mlp];
  qNoise: [Mlp, Mlp];
  stats: Record<string, number>;
}

const W = HORIZON * ACTION_DIM;

/** Regression with Adam on rows of X (width nIn) → Y (width nOut); `rows` picks the training rows (bootstrap). */
function fit(net: Mlp, X: Float64Array, Y: Float64Array, rows: Int32Array, updates: number, batch: number, lr: number, rng: Rng): number {
  const nIn = net.sizes[0]!;
  const nOut = net.sizes[net.sizes.length - 1]!;
  const xb = new Float64Array(batch * nIn);
  const yb = new Float64Array(batch * nOut);
  const grads = zeroGrads(net);
  const adam = new Adam(net);
  let loss = 0;
  for (let u = 0; u < updates; u++) {
    for (let b = 0; b < batch; b++) {
      const r = rows[Math.floor(rng.next() * rows.length)]!;
      xb.set(X.subarray(r * nIn, (r + 1) * nIn), b * nIn);
      yb.set(Y.subarray(r * nOut, (r + 1) * nOut), b * nOut);
    }
    const l = mlpBackward(net, xb, yb, batch, grads);
    loss = u === 0 ? l : 0.98 * loss + 0.02 * l;
    adam.step(net, grads, lr * (u < updates * 0.7 ? 1 : 0.3));
  }
  return loss;
}

/** Folds y = σ·y' + μ into the last layer. */
function foldAffine(net: Mlp, mu: number, sigma: number): void {
  const last = net.layers[net.layers.length - 1]!;
  for (let i = 0; i < last.weight.length; i++) last.weight[i]! *= sigma;
  for (let i = 0; i < last.bias.length; i++) last.bias[i] = last.bias[i]! * sigma + mu;
}

function meanStd(y: Float64Array): [number, number] {
  let m = 0;
  for (const v of y) m += v;
  m /= y.length;
  let s = 0;
  for (const v of y) s += (v - m) * (v - m);
  return [m, Math.sqrt(s / y.length) || 1];
}

/** Deterministic DDIM from seed x (length W) with the TS denoiser; calls visit(k, x_k, τ_k/S) before every step; x ends as the action. */
export function ddimSampleTs(denoiser: Mlp, obs: Float32Array, x: Float64Array, steps: number, opts: Pick<ArmDiffusionOptions, 'trainSteps' | 'betaMin' | 'betaMax'>,
  visit?: (k: number, xk: Float64Array, t: number) => void): Float64Array {
  const plan = ddimPlan(vpSchedule(opts.trainSteps, opts.betaMin, opts.betaMax), steps);
  const inp = new Float64Array(OBS_WIDTH + W + 1);
  const eps = new Float64Array(W);
  for (let k = 0; k < steps; k++) {
    visit?.(k, x, plan.timeInput[k]!);
    inp.set(obs, 0);
    inp.set(x, OBS_WIDTH);
    inp[OBS_WIDTH + W] = plan.timeInput[k]!;
    mlpForward(denoiser, inp, eps);
    ddimStep(x, eps, 0, W, plan.alphaBar[k]!, plan.alphaBarPrev[k]!, -1, 1, x);
  }
  return x;
}

/** min over the two members of a critic ensemble at input `inp`. */
export function ensembleTs(nets: readonly Mlp[], inp: Float64Array): number {
  const out = new Float64Array(1);
  let best = Infinity;
  for (const n of nets.slice(0, 2)) best = Math.min(best, mlpForward(n, inp, out)[0]!);
  return best;
}

export function trainArmDiffusion(robot: RobotModel, options: Partial<ArmDiffusionOptions> = {}): ArmDiffusionResult {
  const o = { ...DEFAULT_ARM_DIFFUSION, ...options };
  const log = o.log ?? (() => {});
  const rng = new Rng(o.seed);
  const task = new ArmDetourTask(robot);
  const vp = vpSchedule(o.trainSteps, o.betaMin, o.betaMax);
  const stats: Record<string, number> = {};

  // 1. Demonstrations: both ways round, two jittered plans each.
  const demoObs: Float32Array[] = [];
  const demoAct: Float32Array[] = [];
  for (let c = 0; c < o.demoContexts; c++) {
    const ctx = sampleContext(rng);
    const obs = observe(ctx);
    for (const side of [1, -1] as const) {
      for (let j = 0; j < 2; j++) {
        demoObs.push(obs);
        demoAct.push(task.plan(ctx, side, 0.02, rng));
      }
    }
  }
  stats.demos = demoAct.length;
  log(`  ${demoAct.length} demonstrations (both ways round, ${o.demoContexts} contexts)`);

  // 2. Denoiser: fresh (x_t, t, ε) per update.
  const nIn = OBS_WIDTH + W + 1;
  const denoiser = createMlp([nIn, o.hidden, o.hidden, W], 'elu', rng);
  {
    const xb = new Float64Array(o.batch * nIn);
    const yb = new Float64Array(o.batch * W);
    const grads = zeroGrads(denoiser);
    const adam = new Adam(denoiser);
    let loss = 0;
    for (let u = 0; u < o.denoiserUpdates; u++) {
      for (let b = 0; b < o.batch; b++) {
        const i = Math.floor(rng.next() * demoAct.length);
        const t = Math.floor(rng.next() * o.trainSteps);
        const ab = vp.alphaBar[t]!;
        const a = demoAct[i]!;
        xb.set(demoObs[i]!, b * nIn);
        for (let j = 0; j < W; j++) {
          const e = rng.normal();
          yb[b * W + j] = e;
          xb[b * nIn + OBS_WIDTH + j] = Math.sqrt(ab) * a[j]! + Math.sqrt(1 - ab) * e;
        }
        xb[b * nIn + OBS_WIDTH + W] = t / o.trainSteps;
      }
      const l = mlpBackward(denoiser, xb, yb, o.batch, grads);
      loss = u === 0 ? l : 0.99 * loss + 0.01 * l;
      adam.step(denoiser, grads, o.lr * (u < o.denoiserUpdates * 0.7 ? 1 : 0.3));
      if ((u + 1) % Math.max(1, Math.round(o.denoiserUpdates / 4)) === 0) log(`  denoiser update ${u + 1}: ε loss ${loss.toFixed(4)}`);
    }
    stats.denoiserLoss = loss;
  }

  // 3. Q_a on rollout returns of denoiser samples.
  const qaIn = OBS_WIDTH + W;
  const qaRows = o.qaContexts * o.qaSamplesPerContext;
  const qaX = new Float64Array(qaRows * qaIn);
  const qaY = new Float64Array(qaRows);
  let successes = 0;
  {
    let r = 0;
    const x = new Float64Array(W);
    for (let c = 0; c < o.qaContexts; c++) {
      const ctx: ArmContext = sampleContext(rng);
      const obs = observe(ctx);
      for (let s = 0; s < o.qaSamplesPerContext; s++) {
        for (let j = 0; j < W; j++) x[j] = rng.normal();
        ddimSampleTs(denoiser, obs, x, o.ddimSteps, o);
        const res = task.rollout(ctx, x);
        if (res.success) successes++;
        qaX.set(obs, r * qaIn);
        qaX.set(x, r * qaIn + OBS_WIDTH);
        qaY[r] = res.ret;
        r++;
      }
    }
  }
  stats.qaRollouts = qaRows;
  stats.qaSampleSuccess = successes / qaRows;
  const [qaMu, qaSigma] = meanStd(qaY);
  stats.qaReturnMean = qaMu;
  stats.qaReturnStd = qaSigma;
  log(`  ${qaRows} rollouts of denoiser samples: return mean ${qaMu.toFixed(3)} std ${qaSigma.toFixed(3)}, success ${(100 * successes / qaRows).toFixed(1)} %`);
  const qaYs = Float64Array.from(qaY, (v) => (v - qaMu) / qaSigma);
  const qAction = [0, 1].map((m) => {
    const mr = new Rng(o.seed * 31 + m + 1);
    const net = createMlp([qaIn, o.hidden, o.hidden, 1], 'elu', mr);
    const rows = Int32Array.from({ length: qaRows }, () => Math.floor(mr.next() * qaRows));
    const loss = fit(net, qaX, qaYs, rows, o.criticUpdates, o.batch, o.lr, mr);
    stats[`qaLoss${m}`] = loss;
    log(`  Q_a member ${m}: standardised loss ${loss.toFixed(4)}`);
    foldAffine(net, qaMu, qaSigma);
    return net;
  }) as [Mlp, Mlp];

  // 4. Q_dn onto min-over-two Q_a of the action each seed becomes, at every step.
  const dnIn = OBS_WIDTH + W + 1;
  const dnRows = o.qdnContexts * o.qdnSeedsPerContext * o.ddimSteps;
  const dnX = new Float64Array(dnRows * dnIn);
  const dnY = new Float64Array(dnRows);
  {
    let r = 0;
    const x = new Float64Array(W);
    const qin = new Float64Array(qaIn);
    for (let c = 0; c < o.qdnContexts; c++) {
      const obs = observe(sampleContext(rng));
      for (let s = 0; s < o.qdnSeedsPerContext; s++) {
        for (let j = 0; j < W; j++) x[j] = rng.normal();
        const first = r;
        ddimSampleTs(denoiser, obs, x, o.ddimSteps, o, (_k, xk, t) => {
          dnX.set(obs, r * dnIn);
          dnX.set(xk, r * dnIn + OBS_WIDTH);
          dnX[r * dnIn + OBS_WIDTH + W] = t;
          r++;
        });
        qin.set(obs, 0);
        qin.set(x, OBS_WIDTH);
        const q = ensembleTs(qAction, qin);
        for (let k = first; k < r; k++) dnY[k] = q;
      }
    }
  }
  const [dnMu, dnSigma] = meanStd(dnY);
  const dnYs = Float64Array.from(dnY, (v) => (v - dnMu) / dnSigma);
  const qNoise = [0, 1].map((m) => {
    const mr = new Rng(o.seed * 57 + m + 1);
    const net = createMlp([dnIn, o.hidden, o.hidden, 1], 'elu', mr);
    const rows = Int32Array.from({ length: dnRows }, () => Math.floor(mr.next() * dnRows));
    const loss = fit(net, dnX, dnYs, rows, o.criticUpdates, o.batch, o.lr, mr);
    stats[`qdnLoss${m}`] = loss;
    log(`  Q_dn member ${m}: standardised loss ${loss.toFixed(4)} (${dnRows} rows)`);
    foldAffine(net, dnMu, dnSigma);
    return net;
  }) as [Mlp, Mlp];

  return { denoiser, qAction, qNoise, stats };
}
