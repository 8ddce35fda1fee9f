/**
 * The I/O contract shipped beside a policy model (`<model>.contract.json`):
 * the model's tensor names and shapes, the policy joint order, default pose,
 * observation and action specs, and the policy rate. One zod schema; the
 * cross-field checks (lengths, observation width = input width, action
 * width = joint count) report every problem by path.
 */
import { z } from 'zod';
import { ActionSpecSchema } from './action.js';
import { ObservationSpecSchema, observationWidth, termWidth } from './observation-spec.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const TensorContractSchema = z.object({
  name: z.string().min(1),
  /** Dims: sizes, or symbolic names such as `batch`. */
  shape: z.array(z.union([z.number().int().min(1), z.string().min(1)])).min(1),
  dtype: z.literal('float32'),
});
export type TensorContract = z.infer<typeof TensorContractSchema>;

export const PolicyContractSchema = z
  .object({
    format: z.literal('aegis-policy-contract/1'),
    name: z.string().min(1),
    /** Model file name, relative to the contract. */
    model: z.string().min(1),
    /** Policy rate, Hz. */
    policyRateHz: finite.positive(),
    /** inputs[0] is the observation vector; further inputs are named extras. */
    inputs: z.array(TensorContractSchema).min(1),
    /** outputs[0] is the action vector. */
    outputs: z.array(TensorContractSchema).min(1),
    /** Policy joint order. */
    jointNames: z.array(z.string().min(1)).min(1),
    /** Default pose, rad, policy joint order. */
    defaultJointPos: z.array(finite),
    observation: ObservationSpecSchema,
    /** Human-readable term list in vector order: name, frame width, history length. */
    observationTerms: z.array(z.object({ name: z.string(), width: z.number().int().min(1), history: z.number().int().min(1) })),
    action: ActionSpecSchema,
    /** PD gains used in training, per policy joint (N·m/rad, N·m·s/rad). */
    stiffness: z.array(finite.nonnegative()).optional(),
    damping: z.array(finite.nonnegative()).optional(),
    description: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    const n = c.jointNames.length;
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (c.defaultJointPos.length !== n) issue(['defaultJointPos'], `${c.defaultJointPos.length} values for ${n} joints`);
    for (const k of ['stiffness', 'damping'] as const) {
      const v = c[k];
      if (v && v.length !== n) issue([k], `${v.length} values for ${n} joints`);
    }
    const width = observationWidth(c.observation, n);
    const obsIn = c.inputs[0];
    const last = obsIn?.shape[obsIn.shape.length - 1];
    if (obsIn && last !== width) issue(['inputs', 0, 'shape'], `observation input '${obsIn.name}' has width ${String(last)}, the observation spec gives ${width}`);
    const act = c.outputs[0];
    const actLast = act?.shape[act.shape.length - 1];
    if (act && actLast !== n) issue(['outputs', 0, 'shape'], `action output '${act.name}' has width ${String(actLast)} for ${n} joints`);
    const listed = c.observation.terms.map((t) => ({ name: t.name, width: termWidth(t, n), history: t.history }));
    const sorted = c.observation.termOrder === 'alphabetical' ? [...listed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : listed;
    if (JSON.stringify(sorted) !== JSON.stringify(c.observationTerms)) {
      issue(['observationTerms'], `does not match the observation spec (expected ${sorted.map((t) => `${t.name}:${t.width}x${t.history}`).join(', ')})`);
    }
  });
export type PolicyContract = z.infer<typeof PolicyContractSchema>;
export type PolicyContractInput = z.input<typeof PolicyContractSchema>;
