/**
 * Exporter metadata in an ONNX file → a policy config (pure: model info in,
 * config data out). Two metadata dialects:
 *
 * - BeyondMimic / Isaac Lab style `metadata_props`: comma-separated
 *   `joint_names`, `default_joint_pos`, `action_scale`, `joint_stiffness`,
 *   `joint_damping`, `observation_names`, optional `anchor_body_name`.
 * - holosoma style: JSON-string lists `dof_names`, `kp`, `kd`,
 *   `command_ranges` (three [lo, hi] pairs: vx, vy, wz, or an object with
 *   lin_vel_x, lin_vel_y, ang_vel_yaw / ang_vel_z), optional
 *   `default_joint_pos` / `default_dof_pos`, `observation_names`,
 *   `gait_period`. Conventions applied (docs/observation-conventions.md):
 *   terms sorted alphabetically; raw actions clipped to ±100, target =
 *   default + 1.0·action; gait phase per foot, period `gait_period` (1 s),
 *   advanced before use, pinned to π while |command| < 0.01. Without
 *   `observation_names` the holosoma layout is taken from the model's I/O
 *   (locomotion, or whole-body tracking when the model has a `time_step`
 *   input and reference outputs) and must match the model's input width.
 *
 * Whole-body tracking models (a `time_step` input; outputs `joint_pos`,
 * `joint_vel`, `ref_pos_xyz`, `ref_quat_xyzw`) get their extra inputs and
 * outputs bound by name and `reference.source: model_outputs`.
 *
 * Observation names map to our sources by their conventional names (scale 1,
 * history 1: such exporters bake scales into the network — check); a name
 * with no known source is an error that names it, as is a width that does
 * not match the model's input.
 */
import type { PolicyConfigInput } from '../policy-config.js';
import { observationWidth, ObservationSpecSchema, type ObservationSpecInput } from '../observation-spec.js';
import { metadataList, metadataNumbers, type OnnxModelInfo } from '../onnx-model-info.js';
import type { ExtraOutputTarget } from '../reference.js';
import { unfedTerms } from '../sensor-intake.js';
import { ImportError } from './unitree-deploy.js';

type Term = ObservationSpecInput['terms'][number];
type Range = [number, number];

/** Conventional observation term names → our term (without name). */
type TermBody = Term extends infer T ? (T extends Term ? Omit<T, 'name'> : never) : never;

/** Holosoma gait phase: per foot (left, right), advanced before use, pinned to π while |command| < 0.01. */
const holosomaPhase = (output: 'sin' | 'cos', periodS: number, stepS: number): TermBody => ({
  source: 'phase', output, feet: 2, periodS, offsetS: stepS, pin: { commandBelow: 0.01, phaseRad: Math.PI },
});

function knownTerms(ranges: [Range, Range, Range] | undefined, periodS: number, stepS: number): Readonly<Record<string, TermBody>> {
  const r = ranges ? { ranges } : {};
  return {
    base_ang_vel: { source: 'base_ang_vel' },
    projected_gravity: { source: 'projected_gravity' },
    velocity_commands: { source: 'velocity_command', ...r },
    keyboard_velocity_commands: { source: 'velocity_command', ...r }, // unitree_rl_lab's newer name
    generated_commands: { source: 'velocity_command', ...r },
    command_lin_vel: { source: 'velocity_command', components: 'linear', ...r },
    command_ang_vel: { source: 'velocity_command', components: 'angular', ...r },
    joint_pos: { source: 'joint_pos_rel' },
    joint_pos_rel: { source: 'joint_pos_rel' },
    dof_pos: { source: 'joint_pos_rel' },
    joint_vel: { source: 'joint_vel' },
    joint_vel_rel: { source: 'joint_vel' },
    dof_vel: { source: 'joint_vel' },
    actions: { source: 'last_action', mode: 'raw' },
    last_action: { source: 'last_action', mode: 'raw' },
    sin_phase: holosomaPhase('sin', periodS, stepS),
    cos_phase: holosomaPhase('cos', periodS, stepS),
    motion_command: { source: 'motion_command' },
    motion_anchor_ori_b: { source: 'reference_anchor_ori6d' },
    motion_ref_ori_b: { source: 'reference_anchor_ori6d' },
  };
}

/** holosoma layouts used when the metadata names no observation terms (alphabetical order is applied by the spec). */
const HOLOSOMA_LOCOMOTION = ['actions', 'base_ang_vel', 'command_ang_vel', 'command_lin_vel', 'cos_phase', 'dof_pos', 'dof_vel', 'projected_gravity', 'sin_phase'];
const HOLOSOMA_TRACKING = ['actions', 'base_ang_vel', 'dof_pos', 'dof_vel', 'motion_command', 'motion_ref_ori_b', 'projected_gravity'];

/** Reference outputs of whole-body tracking models, by output name. */
const REFERENCE_OUTPUTS: Readonly<Record<string, ExtraOutputTarget>> = {
  joint_pos: 'reference_joint_pos',
  joint_vel: 'reference_joint_vel',
  ref_pos_xyz: 'reference_root_pos',
  ref_quat_xyzw: 'reference_anchor_quat_xyzw',
};

export interface OnnxImportOptions {
  modelPath: string;
  name?: string;
  /** Used when the metadata carries no rate. */
  rateHz?: number;
  file?: string;
  /** Observation term names, when the metadata has none (in the model's order). */
  observationNames?: readonly string[];
}

/** `command_ranges` (JSON): three [lo, hi] pairs, or an object of named ranges. */
function parseCommandRanges(value: string, problems: string[]): [Range, Range, Range] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    problems.push("metadata 'command_ranges' is not JSON");
    return undefined;
  }
  const pair = (x: unknown): Range | null => (Array.isArray(x) && x.length === 2 && x.every((e) => typeof e === 'number' && Number.isFinite(e)) && x[0] <= x[1] ? [x[0], x[1]] : null);
  let list: unknown[] | null = null;
  if (Array.isArray(v)) list = v;
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    list = [o['lin_vel_x'], o['lin_vel_y'], o['ang_vel_yaw'] ?? o['ang_vel_z']];
  }
  const pairs = list?.map(pair);
  if (!pairs || pairs.length !== 3 || pairs.some((p) => p === null)) {
    problems.push("metadata 'command_ranges' must be three [lo, hi] pairs (vx, vy, wz) or {lin_vel_x, lin_vel_y, ang_vel_yaw}");
    return undefined;
  }
  return pairs as [Range, Range, Range];
}

export function importOnnxMetadata(info: OnnxModelInfo, opts: OnnxImportOptions): { config: PolicyConfigInput; notes: string[] } {
  const file = opts.file ?? opts.modelPath;
  const md = info.metadata;
  const problems: string[] = [];
  const notes: string[] = [];
  const list = (key: string): string[] => {
    try {
      return metadataList(md[key]!);
    } catch (err) {
      problems.push(`metadata '${key}': ${(err as Error).message}`);
      return [];
    }
  };
  const holosoma = md['joint_names'] === undefined && md['dof_names'] !== undefined;
  const jointKey = holosoma ? 'dof_names' : 'joint_names';
  const joints = md[jointKey] !== undefined ? list(jointKey) : [];
  if (joints.length === 0) throw new ImportError(file, ["metadata has no 'joint_names' (or holosoma 'dof_names'); write the config by hand", ...problems]);
  const n = joints.length;
  const firstKey = (...keys: string[]): string | undefined => keys.find((k) => md[k] !== undefined);
  const numbers = (key: string | undefined): number[] | undefined => {
    if (key === undefined) return undefined;
    const v = list(key).map(Number);
    if (v.some((x) => !Number.isFinite(x))) problems.push(`metadata '${key}' has a non-numeric entry`);
    else if (v.length !== n && !(key === 'action_scale' && v.length === 1)) problems.push(`metadata '${key}' has ${v.length} values for ${n} joints`);
    return v;
  };
  const defaultKey = firstKey('default_joint_pos', 'default_dof_pos', 'default_dof_angles');
  const defaultJointPos = numbers(defaultKey) ?? Array<number>(n).fill(0);
  if (defaultKey === undefined) notes.push("no 'default_joint_pos' in metadata: default pose set to zeros — check it");
  const scale = holosoma ? [1] : numbers('action_scale');
  if (!scale) notes.push("no 'action_scale' in metadata: action scale set to 1 — check it");
  const stiffness = numbers(firstKey('joint_stiffness', 'kp'));
  const damping = numbers(firstKey('joint_damping', 'kd'));
  const ranges = md['command_ranges'] !== undefined ? parseCommandRanges(md['command_ranges'], problems) : undefined;

  const rate = md['policy_rate_hz'] !== undefined ? Number(md['policy_rate_hz']) : opts.rateHz;
  if (rate === undefined) notes.push('no policy rate in metadata: 50 Hz assumed — check it');
  const rateHz = rate ?? 50;
  const periodS = md['gait_period'] !== undefined ? Number(md['gait_period']) : 1;
  if (!(periodS > 0)) problems.push(`metadata 'gait_period' is not a positive number`);
  const KNOWN = knownTerms(ranges, periodS, 1 / rateHz);

  const input = info.inputs[0];
  const output = info.outputs[0];
  if (!input || !output) problems.push('the model has no input or no output');
  const timeStepInput = info.inputs.find((i) => i.name === 'time_step');
  const refOutputs = info.outputs.filter((o) => REFERENCE_OUTPUTS[o.name] !== undefined);
  const tracking = timeStepInput !== undefined && refOutputs.length > 0;

  let obsNames = md['observation_names'] !== undefined ? list('observation_names') : [...(opts.observationNames ?? [])];
  if (obsNames.length === 0 && holosoma) {
    obsNames = tracking ? HOLOSOMA_TRACKING : HOLOSOMA_LOCOMOTION;
    notes.push(`no 'observation_names' in metadata: the holosoma ${tracking ? 'whole-body tracking' : 'locomotion'} layout [${obsNames.join(', ')}] is assumed (scales 1, history 1) — check it against the training config`);
  }
  if (obsNames.length === 0) problems.push("metadata has no 'observation_names'; the observation must be written by hand");
  const terms: Term[] = [];
  for (const name of obsNames) {
    const known = KNOWN[name];
    if (!known) problems.push(`observation '${name}' has no known source (known: ${Object.keys(KNOWN).join(', ')})`);
    else terms.push({ name, ...known } as Term);
  }
  const observation: ObservationSpecInput = holosoma ? { termOrder: 'alphabetical', terms } : { terms };
  if (problems.length === 0 && input) {
    const width = observationWidth(ObservationSpecSchema.parse(observation), n);
    const modelWidth = input.shape[input.shape.length - 1];
    if (typeof modelWidth === 'number' && modelWidth !== width) {
      problems.push(`observation terms [${obsNames.join(', ')}] give width ${width}, model input '${input.name}' has width ${modelWidth}`);
    }
  }
  const extraInputs = tracking ? [{ name: 'time_step', source: 'time_step' as const }] : [];
  const extraOutputs = tracking ? refOutputs.map((o) => ({ name: o.name, target: REFERENCE_OUTPUTS[o.name]! })) : [];
  for (const extra of info.inputs.slice(1)) {
    if (!extraInputs.some((e) => e.name === extra.name)) notes.push(`model input '${extra.name}' needs a binding (extraInputs) in the config`);
  }
  const anchorTerm = terms.some((t) => t.source === 'reference_anchor_ori6d');
  const anchorBody = md['anchor_body_name'] ?? (anchorTerm ? 'torso_link' : undefined);
  if (tracking && anchorTerm && md['anchor_body_name'] === undefined) notes.push("no 'anchor_body_name' in metadata: anchor body torso_link assumed — check it");
  let reference: PolicyConfigInput['reference'];
  if (tracking) {
    const hasQuat = extraOutputs.some((e) => e.target === 'reference_anchor_quat_xyzw');
    if (anchorTerm && !hasQuat) problems.push("observation needs the reference anchor orientation but the model has no 'ref_quat_xyzw' output");
    reference = { source: 'model_outputs', ...(anchorTerm ? { anchorBody, startYaw: 'anchor' as const } : {}) };
  } else if (anchorTerm || terms.some((t) => t.source === 'motion_command')) {
    notes.push(`the observation reads a reference motion: add a reference section (source file or topic${anchorTerm ? `, anchorBody ${anchorBody}` : ''}) to the config`);
  }
  if (problems.length > 0) throw new ImportError(file, problems);
  if (!reference) {
    for (const line of unfedTerms(ObservationSpecSchema.parse(observation))) notes.push(`observation term ${line}: the policy runtime refuses this config until that input exists`);
  }
  const config: PolicyConfigInput = {
    name: opts.name ?? 'imported_policy',
    modelPath: opts.modelPath,
    rateHz,
    inputName: input!.name,
    outputName: output!.name,
    ...(extraInputs.length > 0 ? { extraInputs } : {}),
    ...(extraOutputs.length > 0 ? { extraOutputs } : {}),
    ...(reference ? { reference } : {}),
    joints,
    defaultJointPos,
    observation,
    action: holosoma
      ? { scale: 1, clip: 100, offset: 'default_joint_pos' }
      : { scale: scale === undefined ? 1 : scale.length === 1 ? scale[0]! : scale, clip: null, offset: 'default_joint_pos' },
    ...(stiffness ? { stiffness } : {}),
    ...(damping ? { damping } : {}),
  };
  return { config, notes };
}
