/**
 * Packs the trained arm-detour bundle: three ONNX models with a symbolic
 * batch dim (every live candidate in one call) and the bundle contract.
 *
 *   denoiser  obs [batch, 6], x_t [batch, 16], t [batch, 1] → eps [batch, 16]
 *   q_action  obs [batch, 6], action [batch, 16]           → q [batch, 2]   (two ensemble members)
 *   q_noise   obs [batch, 6], x_t [batch, 16], t [batch, 1] → q [batch, 2]
 *
 * Each graph concatenates its inputs (Concat, axis 1) and runs the MLP(s).
 */
import { ACTION_DIM, ARM_JOINTS, ARM_RANGE, HORIZON, OBS_WIDTH } from '../policy/diffusion/arm-detour.js';
import { DiffusionContractSchema, type DiffusionContract } from '../policy/diffusion/contract.js';
import type { ArmDiffusionOptions, ArmDiffusionResult } from './diffusion-arm.js';
import type { Mlp } from './mlp.js';
import { mlpGraph } from './mlp-onnx.js';
import { encodeOnnxModel, type OnnxInitializer, type OnnxNode } from './onnx-writer.js';

export const ARM_DIFFUSION_CONTRACT_FILE = 'arm_detour.diffusion.json';
export const ARM_DIFFUSION_FILES = { denoiser: 'arm_detour_denoiser.onnx', qAction: 'arm_detour_q_action.onnx', qNoise: 'arm_detour_q_noise.onnx' } as const;

const W = HORIZON * ACTION_DIM;

type In = { name: string; width: number };
const OBS: In = { name: 'obs', width: OBS_WIDTH };
const XT: In = { name: 'x_t', width: W };
const T: In = { name: 't', width: 1 };
const ACT: In = { name: 'action', width: W };

function graph(name: string, inputs: In[], nets: Mlp[], output: string, outWidth: number, doc: string): Uint8Array {
  const nodes: OnnxNode[] = [{ opType: 'Concat', name: 'inputs.concat', inputs: inputs.map((i) => i.name), outputs: ['features'], attributes: [{ name: 'axis', kind: 'int', value: 1 }] }];
  const initializers: OnnxInitializer[] = [];
  if (nets.length === 1) {
    const g = mlpGraph(nets[0]!, { input: 'features', output });
    nodes.push(...g.nodes);
    initializers.push(...g.initializers);
  } else {
    nets.forEach((net, m) => {
      const g = mlpGraph(net, { input: 'features', output: `member${m}`, prefix: `m${m}.` });
      nodes.push(...g.nodes);
      initializers.push(...g.initializers);
    });
    nodes.push({ opType: 'Concat', name: 'members.concat', inputs: nets.map((_, m) => `member${m}`), outputs: [output], attributes: [{ name: 'axis', kind: 'int', value: 1 }] });
  }
  return encodeOnnxModel({
    graphName: name,
    nodes,
    initializers,
    inputs: inputs.map((i) => ({ name: i.name, type: 'float32', shape: ['batch', i.width] })),
    outputs: [{ name: output, type: 'float32', shape: ['batch', outWidth] }],
    docString: doc,
    metadata: { contract: ARM_DIFFUSION_CONTRACT_FILE },
  });
}

const tensors = (ins: In[]) => ins.map((i) => ({ name: i.name, shape: ['batch', i.width] as (string | number)[], dtype: 'float32' as const }));

export function armDiffusionContract(o: Pick<ArmDiffusionOptions, 'trainSteps' | 'betaMin' | 'betaMax'>): DiffusionContract {
  return DiffusionContractSchema.parse({
    format: 'aegis-diffusion-contract/1',
    name: 'arm_detour',
    description:
      'G1 right arm reaches a target above a box, passing it on the body side or the outer side (src/policy/diffusion/arm-detour.ts). ' +
      'Action chunk: 4 waypoints × 4 arm joints, normalised q = centre + half·a. Denoiser trained on planner demonstrations of both ways; ' +
      'Q_a on kinematic shield-core rollout returns; Q_dn on Q_a of the action each DDIM seed becomes. Trained by src/training/diffusion-arm.ts.',
    obsWidth: OBS_WIDTH,
    horizon: HORIZON,
    actionDim: ACTION_DIM,
    actionBounds: [-1, 1],
    trainSteps: o.trainSteps,
    betaMin: o.betaMin,
    betaMax: o.betaMax,
    jointNames: [...ARM_JOINTS],
    jointCentre: ARM_RANGE.map((r) => r.centre),
    jointHalfRange: ARM_RANGE.map((r) => r.half),
    denoiser: { file: ARM_DIFFUSION_FILES.denoiser, inputs: tensors([OBS, XT, T]), outputs: [{ name: 'eps', shape: ['batch', W], dtype: 'float32' }] },
    qAction: { file: ARM_DIFFUSION_FILES.qAction, inputs: tensors([OBS, ACT]), outputs: [{ name: 'q', shape: ['batch', 2], dtype: 'float32' }] },
    qNoise: { file: ARM_DIFFUSION_FILES.qNoise, inputs: tensors([OBS, XT, T]), outputs: [{ name: 'q', shape: ['batch', 2], dtype: 'float32' }] },
  });
}

/** The three ONNX files by file name. */
export function armDiffusionOnnx(r: ArmDiffusionResult): Record<string, Uint8Array> {
  return {
    [ARM_DIFFUSION_FILES.denoiser]: graph('arm_detour_denoiser', [OBS, XT, T], [r.denoiser], 'eps', W, 'ε_θ(obs, x_t, τ/S) for the arm-detour task'),
    [ARM_DIFFUSION_FILES.qAction]: graph('arm_detour_q_action', [OBS, ACT], r.qAction, 'q', 2, 'Q_a(obs, a): two ensemble members (score = min over two)'),
    [ARM_DIFFUSION_FILES.qNoise]: graph('arm_detour_q_noise', [OBS, XT, T], r.qNoise, 'q', 2, 'Q_dn(obs, x_t, τ/S): two ensemble members (score = min over two)'),
  };
}
