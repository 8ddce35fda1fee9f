/**
 * A context-conditioned upper-body policy (RMA's base policy): the shipped policy's observation plus a
 * `context_latent` term (the arms' context z, 6 values), cloned from the privileged expert = the shipped
 * policy with the residual adapter's correction at a known context (the teacher loop of the adaptation
 * module's episodes, src/training/context-module.ts: the true z, or the true z perturbed). At run time it
 * reads z from the adaptation module (`models/g1_arm_context.onnx`) through `context_latent`; no residual
 * adapter.
 *
 * Samples: every policy tick of the `teacher` and `perturbed` episodes (not the `policy` ones: without the
 * adapter the command lacks the servo compensation the expert applies at z = 0). Input: the observation
 * assembled by the runtime's own assembler from the controller's inputs, with the last action replaced by
 * the expert's previous action (what the student will see of its own) and the context the adapter applied;
 * label: the expert's action, (command − default)/action scale.
 */
import { createObservationInputs, latentWidthOf, ObservationAssembler } from '../policy/observation.js';
import { PolicyContractSchema, type PolicyContract } from '../policy/contract.js';
import { observationWidth, orderedTerms, termWidth, type ObservationSpec } from '../policy/observation-spec.js';
import { upperBodyContract, upperBodyOnnx } from './upper-body-export.js';
import { collectContextData, CONTEXT_MODULE_DEFAULTS, moments } from './context-module.js';
import { defaultPoseArray, G1_JOINTS, UPPER_BODY, UPPER_BODY_OBSERVATION } from './g1-upper-body.js';
import { Adam, createMlp, foldStandardisation, mlpBackward, zeroGrads, type Mlp } from './mlp.js';
import { Rng } from './rng.js';

export const CONTEXT_POLICY_OBSERVATION: ObservationSpec = {
  ...UPPER_BODY_OBSERVATION,
  terms: [...UPPER_BODY_OBSERVATION.terms, { name: 'context', source: 'context_latent', width: 6, scale: 1, history: 1 }],
};

export interface PolicyDataset { x: Float32Array; y: Float32Array; n: number; inWidth: number; outWidth: number }

export async function collectContextPolicyData(root: string, first: number, episodes: number, log: (line: string) => void = () => {}): Promise<PolicyDataset> {
  const N = G1_JOINTS.length;
  const inWidth = observationWidth(CONTEXT_POLICY_OBSERVATION, N);
  const inputs = createObservationInputs(N, latentWidthOf(CONTEXT_POLICY_OBSERVATION));
  const obs = new Float32Array(inWidth);
  const assembler = new ObservationAssembler(CONTEXT_POLICY_OBSERVATION, defaultPoseArray(), obs);
  const def = defaultPoseArray();
  const prevAction = new Float64Array(N);
  const xs: number[] = [];
  const ys: number[] = [];
  let lastT = Infinity;
  await collectContextData(root, first, episodes, CONTEXT_MODULE_DEFAULTS, log, undefined, (c, applied, mode, t) => {
    if (t < lastT) {
      assembler.reset();
      prevAction.fill(0);
    }
    lastT = t;
    if (mode === 'policy') return;
    // the controller's observation state, with the expert's own last action and the applied context
    Object.assign(inputs, { timeS: c.inputs.timeS, step: c.inputs.step });
    for (const k of ['jointPos', 'jointVel', 'baseAngVel', 'baseQuatXyzw', 'velocityCommand'] as const) inputs[k].set(c.inputs[k]);
    inputs.lastActionRaw.set(prevAction);
    inputs.lastActionClipped.set(prevAction);
    inputs.contextLatent.set(applied);
    assembler.assemble(inputs);
    for (let i = 0; i < inWidth; i++) xs.push(obs[i]!);
    for (let j = 0; j < N; j++) {
      const a = (c.target[j]! - def[j]!) / UPPER_BODY.actionScale;
      ys.push(a);
      prevAction[j] = a;
    }
  });
  return { x: Float32Array.from(xs), y: Float32Array.from(ys), n: xs.length / inWidth, inWidth, outWidth: N };
}

export function trainContextPolicy(data: PolicyDataset, steps = 6000, log: (line: string) => void = () => {}): Mlp {
  const rng = new Rng(11);
  const { inWidth: I, outWidth: O, n } = data;
  const xs = moments(data.x, n, I, 1e-2);
  const { mean, std } = xs;
  const net = createMlp([I, 128, 128, O], 'elu', rng);
  const adam = new Adam(net);
  const grads = zeroGrads(net);
  const B = 256;
  const bx = new Float64Array(B * I);
  const by = new Float64Array(B * O);
  for (let step = 1; step <= steps; step++) {
    for (let b = 0; b < B; b++) {
      const i = Math.min(n - 1, Math.floor(rng.uniform(0, n)));
      for (let j = 0; j < I; j++) bx[b * I + j] = (data.x[i * I + j]! - mean[j]!) / std[j]!;
      for (let j = 0; j < O; j++) by[b * O + j] = data.y[i * O + j]!;
    }
    for (const g of [...grads.weight, ...grads.bias]) g.fill(0);
    const loss = mlpBackward(net, bx, by, B, grads);
    adam.step(net, grads, step > 0.7 * steps ? 3e-4 : 1e-3);
    if (step % 1000 === 0) log(`step ${step}/${steps}: loss ${loss.toExponential(3)}`);
  }
  foldStandardisation(net, xs); // the exported policy takes raw observations
  return net;
}

export const CONTEXT_POLICY_FILE = 'g1_upper_body_ctx.onnx';
export const CONTEXT_POLICY_CONTRACT_FILE = 'g1_upper_body_ctx.contract.json';
/** Episodes of the teacher loop (those without the adapter are skipped) and Adam steps. */
export const CONTEXT_POLICY_DEFAULTS = { episodes: 120, steps: 4000 } as const;

/** The shipped policy's contract with the context term: the same joints, action and rate; a 101-wide observation. */
export function contextPolicyContract(): PolicyContract {
  const base = upperBodyContract();
  const n = base.jointNames.length;
  return PolicyContractSchema.parse({
    ...base,
    name: 'g1_upper_body_ctx',
    model: CONTEXT_POLICY_FILE,
    description:
      'Fixed-base G1 upper-body motion, conditioned on the arms\' dynamics context (context_latent: per arm compliance change, payload kg, ' +
      'added damping, from the adaptation module models/g1_arm_context.onnx). Cloned in TypeScript from the shipped policy with the residual ' +
      'adapter\'s correction at a known context, in the embedded MuJoCo sim with randomised dynamics (src/training/context-policy.ts). ' +
      'joint target = default + 0.25 * clip(action, -10, 10).',
    inputs: [{ name: 'obs', shape: ['batch', observationWidth(CONTEXT_POLICY_OBSERVATION, n)], dtype: 'float32' }],
    observation: CONTEXT_POLICY_OBSERVATION,
    observationTerms: orderedTerms(CONTEXT_POLICY_OBSERVATION).map((t) => ({ name: t.name, width: termWidth(t, n), history: t.history })),
  });
}

export function contextPolicyOnnx(net: Mlp): Uint8Array {
  return upperBodyOnnx(net, contextPolicyContract(), CONTEXT_POLICY_CONTRACT_FILE);
}
