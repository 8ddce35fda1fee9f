/**
 * Exporter metadata in an ONNX file (BeyondMimic/holosoma style
 * `metadata_props`: comma-separated `joint_names`, `default_joint_pos`,
 * `action_scale`, `joint_stiffness`, `joint_damping`, `observation_names`)
 * → a policy config (pure: model info in, config data out).
 *
 * Observation names map to our sources by their conventional Isaac Lab names
 * (scale 1, history 1: such exporters bake scales into the network); a name
 * with no known source is an error that names it, as is a width that does not
 * match the model's input.
 */
import type { PolicyConfigInput } from '../policy-config.js';
import { observationWidth, ObservationSpecSchema, type ObservationSpecInput } from '../observation-spec.js';
import { metadataList, metadataNumbers, type OnnxModelInfo } from '../onnx-model-info.js';
import { unfedTerms } from '../sensor-intake.js';
import { ImportError } from './unitree-deploy.js';

type Term = ObservationSpecInput['terms'][number];

/** Conventional observation term names → our term (without name). */
type TermBody = Term extends infer T ? (T extends Term ? Omit<T, 'name'> : never) : never;
const KNOWN: Readonly<Record<string, TermBody>> = {
  base_ang_vel: { source: 'base_ang_vel' },
  projected_gravity: { source: 'projected_gravity' },
  velocity_commands: { source: 'velocity_command' },
  generated_commands: { source: 'velocity_command' },
  joint_pos: { source: 'joint_pos_rel' },
  joint_pos_rel: { source: 'joint_pos_rel' },
  joint_vel: { source: 'joint_vel' },
  joint_vel_rel: { source: 'joint_vel' },
  actions: { source: 'last_action', mode: 'raw' },
  last_action: { source: 'last_action', mode: 'raw' },
  motion_anchor_ori_b: { source: 'reference_anchor_ori6d' },
};

export interface OnnxImportOptions {
  modelPath: string;
  name?: string;
  /** Used when the metadata carries no rate. */
  rateHz?: number;
  file?: string;
}

export function importOnnxMetadata(info: OnnxModelInfo, opts: OnnxImportOptions): { config: PolicyConfigInput; notes: string[] } {
  const file = opts.file ?? opts.modelPath;
  const md = info.metadata;
  const problems: string[] = [];
  const notes: string[] = [];
  const joints = md['joint_names'] !== undefined ? metadataList(md['joint_names']) : [];
  if (joints.length === 0) throw new ImportError(file, ["metadata has no 'joint_names'; write the config by hand"]);
  const n = joints.length;
  const numbers = (key: string): number[] | undefined => {
    if (md[key] === undefined) return undefined;
    const v = metadataNumbers(md[key]);
    if (v.some((x) => !Number.isFinite(x))) problems.push(`metadata '${key}' has a non-numeric entry`);
    else if (v.length !== n && !(key === 'action_scale' && v.length === 1)) problems.push(`metadata '${key}' has ${v.length} values for ${n} joints`);
    return v;
  };
  const defaultJointPos = numbers('default_joint_pos') ?? Array<number>(n).fill(0);
  if (md['default_joint_pos'] === undefined) notes.push("no 'default_joint_pos' in metadata: default pose set to zeros — check it");
  const scale = numbers('action_scale');
  if (!scale) notes.push("no 'action_scale' in metadata: action scale set to 1 — check it");
  const stiffness = numbers('joint_stiffness');
  const damping = numbers('joint_damping');

  const obsNames = md['observation_names'] !== undefined ? metadataList(md['observation_names']) : [];
  if (obsNames.length === 0) problems.push("metadata has no 'observation_names'; the observation must be written by hand");
  const terms: Term[] = [];
  for (const name of obsNames) {
    const known = KNOWN[name];
    if (!known) problems.push(`observation '${name}' has no known source (known: ${Object.keys(KNOWN).join(', ')})`);
    else terms.push({ name, ...known } as Term);
  }
  const input = info.inputs[0];
  const output = info.outputs[0];
  if (!input || !output) problems.push('the model has no input or no output');
  if (problems.length === 0 && input) {
    const width = observationWidth(ObservationSpecSchema.parse({ terms }), n);
    const modelWidth = input.shape[input.shape.length - 1];
    if (typeof modelWidth === 'number' && modelWidth !== width) {
      problems.push(`observation terms [${obsNames.join(', ')}] give width ${width}, model input '${input.name}' has width ${modelWidth}`);
    }
  }
  for (const extra of info.inputs.slice(1)) notes.push(`model input '${extra.name}' needs a binding (extraInputs) in the config`);
  if (problems.length > 0) throw new ImportError(file, problems);
  for (const line of unfedTerms(ObservationSpecSchema.parse({ terms }))) notes.push(`observation term ${line}: the policy runtime refuses this config until that input exists`);
  const rate = md['policy_rate_hz'] !== undefined ? Number(md['policy_rate_hz']) : opts.rateHz;
  if (rate === undefined) notes.push('no policy rate in metadata: 50 Hz assumed — check it');
  const config: PolicyConfigInput = {
    name: opts.name ?? 'imported_policy',
    modelPath: opts.modelPath,
    rateHz: rate ?? 50,
    inputName: input!.name,
    outputName: output!.name,
    joints,
    defaultJointPos,
    observation: { terms },
    action: { scale: scale === undefined ? 1 : scale.length === 1 ? scale[0]! : scale, clip: null, offset: 'default_joint_pos' },
    ...(stiffness ? { stiffness } : {}),
    ...(damping ? { damping } : {}),
  };
  return { config, notes };
}
