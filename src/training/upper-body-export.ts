/**
 * Packs the trained upper-body network as the shipped artifacts: the ONNX
 * model (input `obs` [batch, 95], output `actions` [batch, 29], exporter
 * metadata in the BeyondMimic/holosoma style: comma-separated lists) and its
 * I/O contract (validated by the contract schema before it is returned).
 */
import { PolicyContractSchema, type PolicyContract } from '../policy/contract.js';
import { observationWidth, orderedTerms, termWidth } from '../policy/observation-spec.js';
import type { Mlp } from './mlp.js';
import { mlpToOnnxSpec } from './mlp-onnx.js';
import { encodeOnnxModel } from './onnx-writer.js';
import {
  defaultPoseArray,
  G1_JOINTS,
  UPPER_BODY,
  UPPER_BODY_ACTION,
  UPPER_BODY_OBSERVATION,
  upperBodyDamping,
  upperBodyStiffness,
} from './g1-upper-body.js';

export const UPPER_BODY_MODEL_FILE = 'g1_upper_body.onnx';
export const UPPER_BODY_CONTRACT_FILE = 'g1_upper_body.contract.json';

const list = (xs: ArrayLike<number> | readonly string[]): string => Array.from(xs as ArrayLike<number | string>, String).join(',');

export function upperBodyContract(): PolicyContract {
  const n = G1_JOINTS.length;
  const width = observationWidth(UPPER_BODY_OBSERVATION, n);
  return PolicyContractSchema.parse({
    format: 'aegis-policy-contract/1',
    name: UPPER_BODY.name,
    model: UPPER_BODY_MODEL_FILE,
    description:
      'Fixed-base G1 upper-body motion (arms wave/reach, waist yaw sway, 4 s period; legs hold the default pose). ' +
      'Behaviour-cloned in TypeScript from a scripted closed-loop expert (src/training/g1-upper-body.ts). ' +
      'joint target = default + 0.25 * clip(action, -10, 10).',
    policyRateHz: UPPER_BODY.policyRateHz,
    inputs: [{ name: 'obs', shape: ['batch', width], dtype: 'float32' }],
    outputs: [{ name: 'actions', shape: ['batch', n], dtype: 'float32' }],
    jointNames: G1_JOINTS,
    defaultJointPos: Array.from(defaultPoseArray()),
    observation: UPPER_BODY_OBSERVATION,
    observationTerms: orderedTerms(UPPER_BODY_OBSERVATION).map((t) => ({ name: t.name, width: termWidth(t, n), history: t.history })),
    action: UPPER_BODY_ACTION,
    stiffness: upperBodyStiffness(),
    damping: upperBodyDamping(),
  });
}

export function upperBodyOnnx(net: Mlp, contract: PolicyContract = upperBodyContract(), contractFile = UPPER_BODY_CONTRACT_FILE): Uint8Array {
  return encodeOnnxModel(
    mlpToOnnxSpec(net, {
      inputName: 'obs',
      outputName: 'actions',
      graphName: contract.name,
      docString: contract.description,
      metadata: {
        joint_names: list(contract.jointNames),
        default_joint_pos: list(contract.defaultJointPos),
        action_scale: list(contract.jointNames.map(() => UPPER_BODY.actionScale)),
        joint_stiffness: list(contract.stiffness ?? []),
        joint_damping: list(contract.damping ?? []),
        observation_names: list(contract.observationTerms.map((t) => t.name)),
        policy_rate_hz: String(contract.policyRateHz),
        contract: contractFile,
      },
    }),
  );
}
