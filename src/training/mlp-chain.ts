/**
 * Batched forward/backward of an {@link Mlp} for networks trained in a chain
 * (encoder → quantiser → decoder): the forward keeps every layer's
 * activations, the backward takes dLoss/dOutput for the batch, accumulates
 * the parameter gradients and returns dLoss/dInput, so gradients can flow
 * from one network into the one before it. Deterministic, float64.
 */
import type { Mlp, MlpGrads } from './mlp.js';

export interface MlpTape {
  batch: number;
  /** acts[0] = input, acts[l+1] = output of layer l (batch-major). */
  acts: Float64Array[];
}

function act(kind: Mlp['activation'], x: number): number {
  if (kind === 'tanh') return Math.tanh(x);
  if (kind === 'relu') return x > 0 ? x : 0;
  return x > 0 ? x : Math.expm1(x);
}
function dact(kind: Mlp['activation'], y: number): number {
  if (kind === 'tanh') return 1 - y * y;
  if (kind === 'relu') return y > 0 ? 1 : 0;
  return y > 0 ? 1 : y + 1;
}

/** Forward of a batch (`x`: batch × inputs); returns the tape (output = acts[last]). */
export function mlpForwardBatch(net: Mlp, x: Float64Array, batch: number): MlpTape {
  const acts: Float64Array[] = [x];
  const L = net.layers.length;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l]!;
    const inp = acts[l]!;
    const out = new Float64Array(batch * layer.outputs);
    const last = l + 1 === L;
    for (let b = 0; b < batch; b++) {
      const io = b * layer.inputs, oo = b * layer.outputs;
      for (let o = 0; o < layer.outputs; o++) {
        let s = layer.bias[o]!;
        const row = o * layer.inputs;
        for (let i = 0; i < layer.inputs; i++) s += layer.weight[row + i]! * inp[io + i]!;
        out[oo + o] = last ? s : act(net.activation, s);
      }
    }
    acts.push(out);
  }
  return { batch, acts };
}

/** Output of a tape. */
export const tapeOutput = (t: MlpTape): Float64Array => t.acts[t.acts.length - 1]!;

/**
 * Backward of a batch given dLoss/dOutput (`dOut`: batch × outputs). Adds the
 * parameter gradients into `grads` (not zeroed here) and returns dLoss/dInput.
 */
export function mlpBackwardBatch(net: Mlp, tape: MlpTape, dOut: Float64Array, grads: MlpGrads): Float64Array {
  const L = net.layers.length;
  const batch = tape.batch;
  let delta = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const inp = tape.acts[l]!;
    const gw = grads.weight[l]!, gb = grads.bias[l]!;
    const dIn = new Float64Array(batch * layer.inputs);
    for (let b = 0; b < batch; b++) {
      const io = b * layer.inputs, oo = b * layer.outputs;
      for (let o = 0; o < layer.outputs; o++) {
        const d = delta[oo + o]!;
        if (d === 0) continue;
        gb[o] = gb[o]! + d;
        const row = o * layer.inputs;
        for (let i = 0; i < layer.inputs; i++) {
          gw[row + i] = gw[row + i]! + d * inp[io + i]!;
          dIn[io + i] = dIn[io + i]! + layer.weight[row + i]! * d;
        }
      }
    }
    if (l > 0) for (let k = 0; k < dIn.length; k++) dIn[k] = dIn[k]! * dact(net.activation, inp[k]!);
    delta = dIn;
  }
  return delta;
}
