/**
 * A small fully-connected network in float64 for offline training:
 * `y = W_L·act(… act(W_1·x + b_1) …) + b_L`, weights row-major `[out][in]`
 * (the ONNX `Gemm(transB=1)` layout), hidden activation tanh/elu/relu,
 * linear output. Mini-batch backprop for a mean-squared-error loss and Adam.
 * Deterministic given the RNG.
 */
import { Rng } from './rng.js';

export type Activation = 'tanh' | 'elu' | 'relu';

export interface MlpLayer {
  inputs: number;
  outputs: number;
  /** Row-major [outputs][inputs]. */
  weight: Float64Array;
  bias: Float64Array;
}

export interface Mlp {
  sizes: readonly number[];
  activation: Activation;
  layers: MlpLayer[];
}

export function createMlp(sizes: readonly number[], activation: Activation, rng: Rng): Mlp {
  if (sizes.length < 2) throw new Error('an MLP needs at least an input and an output size');
  const layers: MlpLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l] ?? 0;
    const outputs = sizes[l + 1] ?? 0;
    const weight = new Float64Array(outputs * inputs);
    // Xavier/Glorot normal init; the output layer is scaled down (small initial actions).
    const last = l + 2 === sizes.length;
    const std = Math.sqrt(2 / (inputs + outputs)) * (last ? 0.1 : 1);
    for (let i = 0; i < weight.length; i++) weight[i] = rng.normal() * std;
    layers.push({ inputs, outputs, weight, bias: new Float64Array(outputs) });
  }
  return { sizes: [...sizes], activation, layers };
}

function act(a: Activation, x: number): number {
  if (a === 'tanh') return Math.tanh(x);
  if (a === 'relu') return x > 0 ? x : 0;
  return x > 0 ? x : Math.expm1(x);
}

/** d act / d pre-activation, from the activation output y. */
function dact(a: Activation, y: number): number {
  if (a === 'tanh') return 1 - y * y;
  if (a === 'relu') return y > 0 ? 1 : 0;
  return y > 0 ? 1 : y + 1;
}

/** Forward pass of one sample into `out` (length sizes[last]). */
export function mlpForward(net: Mlp, x: ArrayLike<number>, out: Float64Array): Float64Array {
  let cur: ArrayLike<number> = x;
  net.layers.forEach((layer, l) => {
    const last = l + 1 === net.layers.length;
    const y = last ? out : new Float64Array(layer.outputs);
    for (let o = 0; o < layer.outputs; o++) {
      let s = layer.bias[o] ?? 0;
      const row = o * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) s += (layer.weight[row + i] ?? 0) * (cur[i] ?? 0);
      y[o] = last ? s : act(net.activation, s);
    }
    cur = y;
  });
  return out;
}

/** Gradient buffers shaped like the network. */
export interface MlpGrads {
  weight: Float64Array[];
  bias: Float64Array[];
}

export function zeroGrads(net: Mlp): MlpGrads {
  return {
    weight: net.layers.map((l) => new Float64Array(l.weight.length)),
    bias: net.layers.map((l) => new Float64Array(l.bias.length)),
  };
}

/**
 * Accumulates the gradient of the mean squared error over a batch
 * (`x`, `target` row-major [batch][width]) into `grads` (zeroed first).
 * Returns the batch loss `mean over samples of Σ_j (y_j − t_j)² / outputs`.
 */
export function mlpBackward(net: Mlp, x: Float64Array, target: Float64Array, batch: number, grads: MlpGrads): number {
  grads.weight.forEach((g) => g.fill(0));
  grads.bias.forEach((g) => g.fill(0));
  const L = net.layers.length;
  const acts: Float64Array[] = [new Float64Array(0)];
  for (const layer of net.layers) acts.push(new Float64Array(layer.outputs));
  const deltas = net.layers.map((l) => new Float64Array(l.outputs));
  const nOut = net.layers[L - 1]?.outputs ?? 0;
  const nIn = net.layers[0]?.inputs ?? 0;
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    const xb = x.subarray(b * nIn, (b + 1) * nIn);
    acts[0] = xb;
    // forward, keeping activations
    for (let l = 0; l < L; l++) {
      const layer = net.layers[l]!;
      const inp = acts[l]!;
      const y = acts[l + 1]!;
      for (let o = 0; o < layer.outputs; o++) {
        let s = layer.bias[o]!;
        const row = o * layer.inputs;
        for (let i = 0; i < layer.inputs; i++) s += layer.weight[row + i]! * inp[i]!;
        y[o] = l + 1 === L ? s : act(net.activation, s);
      }
    }
    // output delta (d loss / d pre-activation), loss = mean_b Σ_j (y−t)² / nOut
    const yOut = acts[L]!;
    const dOut = deltas[L - 1]!;
    for (let j = 0; j < nOut; j++) {
      const e = yOut[j]! - target[b * nOut + j]!;
      loss += e * e;
      dOut[j] = (2 * e) / (nOut * batch);
    }
    // backward
    for (let l = L - 1; l >= 0; l--) {
      const layer = net.layers[l]!;
      const d = deltas[l]!;
      const inp = acts[l]!;
      const gw = grads.weight[l]!;
      const gb = grads.bias[l]!;
      for (let o = 0; o < layer.outputs; o++) {
        const dov = d[o]!;
        gb[o] = gb[o]! + dov;
        const row = o * layer.inputs;
        for (let i = 0; i < layer.inputs; i++) gw[row + i] = gw[row + i]! + dov * inp[i]!;
      }
      if (l > 0) {
        const dPrev = deltas[l - 1]!;
        for (let i = 0; i < layer.inputs; i++) {
          let s = 0;
          for (let o = 0; o < layer.outputs; o++) s += layer.weight[o * layer.inputs + i]! * d[o]!;
          dPrev[i] = s * dact(net.activation, inp[i]!);
        }
      }
    }
  }
  return loss / (nOut * batch);
}

/** Adam optimiser state for one network. */
export class Adam {
  private readonly m: MlpGrads;
  private readonly v: MlpGrads;
  private t = 0;

  constructor(
    net: Mlp,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = zeroGrads(net);
    this.v = zeroGrads(net);
  }

  step(net: Mlp, grads: MlpGrads, lr: number): void {
    this.t += 1;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    const update = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): void => {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = this.beta1 * m[i]! + (1 - this.beta1) * gi;
        const vi = this.beta2 * v[i]! + (1 - this.beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + this.eps);
      }
    };
    net.layers.forEach((layer, l) => {
      update(layer.weight, grads.weight[l]!, this.m.weight[l]!, this.v.weight[l]!);
      update(layer.bias, grads.bias[l]!, this.m.bias[l]!, this.v.bias[l]!);
    });
  }
}

/** Per-column standardisation statistics. */
export interface Moments {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/**
 * Folds a standardisation the network was trained with into its weights, so the exported network takes raw
 * inputs (x̂ = (x − μx)/σx into the first layer) and, with `ys`, gives raw outputs (y = ŷ·σy + μy from the last).
 */
export function foldStandardisation(net: Mlp, xs: Moments, ys?: Moments): void {
  const first = net.layers[0]!;
  for (let o = 0; o < first.outputs; o++) {
    let shift = 0;
    for (let i = 0; i < first.inputs; i++) {
      const w = first.weight[o * first.inputs + i]! / xs.std[i]!;
      first.weight[o * first.inputs + i] = w;
      shift += w * xs.mean[i]!;
    }
    first.bias[o] = first.bias[o]! - shift;
  }
  if (!ys) return;
  const last = net.layers[net.layers.length - 1]!;
  for (let o = 0; o < last.outputs; o++) {
    for (let i = 0; i < last.inputs; i++) last.weight[o * last.inputs + i] = last.weight[o * last.inputs + i]! * ys.std[o]!;
    last.bias[o] = last.bias[o]! * ys.std[o]! + ys.mean[o]!;
  }
}
