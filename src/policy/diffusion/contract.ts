/**
 * The I/O contract of a diffusion bundle (denoiser + Q_a + Q_dn ONNX files
 * and their sampling constants), stored as JSON beside the models, and the
 * configure-time checks of config ↔ contract ↔ each model's declared tensors.
 */
import { z } from 'zod';
import { TensorContractSchema } from '../contract.js';
import type { OnnxModelInfo } from '../onnx-model-info.js';
import type { DiffusionPolicyConfig } from './config.js';

const ModelEntrySchema = z
  .object({
    /** ONNX file, relative to the contract's folder. */
    file: z.string().min(1),
    inputs: z.array(TensorContractSchema).min(1),
    outputs: z.array(TensorContractSchema).length(1),
  })
  .strict();

export const DiffusionContractSchema = z
  .object({
    format: z.literal('aegis-diffusion-contract/1'),
    name: z.string().min(1),
    description: z.string().optional(),
    obsWidth: z.number().int().min(1),
    horizon: z.number().int().min(1),
    actionDim: z.number().int().min(1),
    /** Bounds of the normalised action space; x̂_0 is clipped into them. */
    actionBounds: z.tuple([z.number(), z.number()]),
    /** VP schedule the denoiser was trained with (β linear over trainSteps; time input τ/trainSteps). */
    trainSteps: z.number().int().min(1),
    betaMin: z.number().positive(),
    betaMax: z.number().positive(),
    /** Joints of the chunk's D dimensions and their normalisation q = centre + half·a, rad. */
    jointNames: z.array(z.string().min(1)).min(1),
    jointCentre: z.array(z.number()),
    jointHalfRange: z.array(z.number().positive()),
    denoiser: ModelEntrySchema,
    qAction: ModelEntrySchema,
    qNoise: ModelEntrySchema,
  })
  .strict();
export type DiffusionContract = z.infer<typeof DiffusionContractSchema>;

type Role = 'denoiser' | 'qAction' | 'qNoise';
export const DIFFUSION_ROLES: readonly Role[] = ['denoiser', 'qAction', 'qNoise'];

/** Expected [batch, width] inputs (by position) and output width of each role; −1: members (≥ 1). */
export function expectedShapes(c: { obsWidth: number; horizon: number; actionDim: number }, role: Role): { inputs: number[]; output: number } {
  const w = c.horizon * c.actionDim;
  if (role === 'denoiser') return { inputs: [c.obsWidth, w, 1], output: w };
  if (role === 'qAction') return { inputs: [c.obsWidth, w], output: -1 };
  return { inputs: [c.obsWidth, w, 1], output: -1 };
}

/** Every disagreement between config, contract and models, as messages (empty: compatible). */
export function checkDiffusionBundle(config: DiffusionPolicyConfig, contract: DiffusionContract, models: Record<Role, OnnxModelInfo>): string[] {
  const problems: string[] = [];
  if (config.obsWidth !== contract.obsWidth) problems.push(`obsWidth: config ${config.obsWidth}, contract ${contract.obsWidth}`);
  if (config.horizon !== contract.horizon) problems.push(`horizon: config ${config.horizon}, contract ${contract.horizon}`);
  if (config.actionDim !== contract.actionDim) problems.push(`actionDim: config ${config.actionDim}, contract ${contract.actionDim}`);
  if (contract.jointNames.length !== contract.actionDim || contract.jointCentre.length !== contract.actionDim || contract.jointHalfRange.length !== contract.actionDim) {
    problems.push(`contract: jointNames, jointCentre and jointHalfRange need actionDim (${contract.actionDim}) entries each`);
  }
  if (!(contract.actionBounds[0] < contract.actionBounds[1])) problems.push(`contract.actionBounds: lower ${contract.actionBounds[0]} is not below upper ${contract.actionBounds[1]}`);
  if (!(contract.betaMax >= contract.betaMin && contract.betaMax < 1)) problems.push(`contract: need betaMin ≤ betaMax < 1`);
  if (config.sampling.steps > contract.trainSteps) problems.push(`sampling.steps ${config.sampling.steps} exceeds the contract's trainSteps ${contract.trainSteps}`);
  for (const role of DIFFUSION_ROLES) {
    const entry = contract[role];
    const info = models[role];
    const want = expectedShapes(config, role);
    if (entry.inputs.length !== want.inputs.length) problems.push(`${role}: contract lists ${entry.inputs.length} inputs, expected ${want.inputs.length}`);
    if (info.inputs.length !== want.inputs.length) problems.push(`${role}: model has ${info.inputs.length} inputs, expected ${want.inputs.length}`);
    want.inputs.forEach((width, i) => {
      const ce = entry.inputs[i];
      const mi = info.inputs[i];
      if (ce && ce.shape[1] !== width) problems.push(`${role}: contract input '${ce.name}' width ${String(ce.shape[1])}, config needs ${width}`);
      if (mi) {
        if (ce && mi.name !== ce.name) problems.push(`${role}: model input ${i} is '${mi.name}', contract says '${ce.name}'`);
        if (mi.shape.length !== 2 || mi.shape[1] !== width) problems.push(`${role}: model input '${mi.name}' has shape [${mi.shape.join(', ')}], expected [batch, ${width}]`);
        else if (typeof mi.shape[0] === 'number') problems.push(`${role}: model input '${mi.name}' has a fixed batch of ${mi.shape[0]}; candidates are batched (a symbolic batch dim is needed)`);
      }
    });
    const out = info.outputs[0];
    const co = entry.outputs[0]!;
    if (info.outputs.length !== 1 || !out) problems.push(`${role}: model has ${info.outputs.length} outputs, expected 1`);
    else {
      if (out.name !== co.name) problems.push(`${role}: model output is '${out.name}', contract says '${co.name}'`);
      const width = out.shape[1];
      if (out.shape.length !== 2 || typeof width !== 'number') problems.push(`${role}: model output '${out.name}' has shape [${out.shape.join(', ')}], expected [batch, width]`);
      else if (want.output >= 0 && width !== want.output) problems.push(`${role}: model output width ${width}, expected ${want.output}`);
      else if (want.output < 0 && width < 1) problems.push(`${role}: critic output width ${width}, expected ≥ 1 ensemble members`);
      if (typeof width === 'number' && co.shape[1] !== width) problems.push(`${role}: contract output width ${String(co.shape[1])}, model ${width}`);
    }
  }
  return problems;
}

/** Joint targets (rad) of chunk step h: q_j = centre_j + half_j · a[h·D + j], into out (length D). */
export function chunkStepTargets(contract: DiffusionContract, chunk: ArrayLike<number>, h: number, out: Float64Array): Float64Array {
  const D = contract.actionDim;
  for (let j = 0; j < D; j++) out[j] = contract.jointCentre[j]! + contract.jointHalfRange[j]! * chunk[h * D + j]!;
  return out;
}
