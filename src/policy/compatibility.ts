/**
 * Configure-time checks that a model, its contract and the runtime config
 * agree. Each returns every problem as one line naming the mismatch
 * (e.g. "model input 'obs' has width 96, config expects 95"); an empty list
 * means compatible. The runtime refuses to start on any problem.
 */
import type { PolicyContract } from './contract.js';
import { orderedTerms } from './observation-spec.js';
import { metadataList, metadataNumbers, ONNX_FLOAT32, type OnnxModelInfo, type OnnxValueInfo } from './onnx-model-info.js';
import type { ResolvedPolicyConfig } from './policy-config.js';
import { extraOutputWidth } from './reference.js';

const TOL = 1e-5;

/** Deep equality of plain JSON-like data (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function fmtShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function checkVector(v: OnnxValueInfo, kind: 'input' | 'output', width: number, what: string, problems: string[]): void {
  if (v.elemType !== ONNX_FLOAT32) problems.push(`model ${kind} '${v.name}' has element type ${v.elemType}, expected float32 (1)`);
  const last = v.shape[v.shape.length - 1];
  if (v.shape.length === 0) return; // shape not declared: checked at the warm-up run
  if (v.shape.length > 2) problems.push(`model ${kind} '${v.name}' has shape ${fmtShape(v.shape)}, expected [batch, ${width}]`);
  if (typeof last === 'number' && last !== width) problems.push(`model ${kind} '${v.name}' has width ${last}, config expects ${width} (${what})`);
  const batch = v.shape.length === 2 ? v.shape[0] : undefined;
  if (typeof batch === 'number' && batch !== 1) problems.push(`model ${kind} '${v.name}' has a fixed batch of ${batch}, expected 1 or symbolic`);
}

/** First difference of two name lists, as a message, or null when equal. */
export function diffNames(what: string, got: readonly string[], want: readonly string[], gotLabel: string, wantLabel: string): string | null {
  if (got.length !== want.length) return `${what}: ${gotLabel} has ${got.length} names, ${wantLabel} has ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      const sameSet = new Set(got).size === new Set([...got, ...want]).size;
      return `${what}${sameSet ? ' are in a different order' : ' differ'}: index ${i} is '${got[i]}' in ${gotLabel}, '${want[i]}' in ${wantLabel}`;
    }
  }
  return null;
}

function diffNumbers(what: string, got: readonly number[], want: ArrayLike<number>, names: readonly string[], label: string): string | null {
  if (got.length !== want.length) return `${what}: ${label} has ${got.length} values, config has ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!(Math.abs(g - w) <= TOL * Math.max(1, Math.abs(w)))) return `${what} differs at '${names[i] ?? i}': ${g} in ${label}, ${w} in config`;
  }
  return null;
}

/** The config's action scale per joint. */
function actionScales(cfg: ResolvedPolicyConfig): number[] {
  const s = cfg.action.scale;
  return typeof s === 'number' ? cfg.joints.map(() => s) : [...s];
}

/** Model tensors and (when present) exporter metadata against the config. */
export function checkModelAgainstConfig(info: OnnxModelInfo, cfg: ResolvedPolicyConfig): string[] {
  const problems: string[] = [];
  const { inputName, outputName } = cfg.config;
  const input = info.inputs.find((i) => i.name === inputName);
  if (!input) problems.push(`model has no input '${inputName}' (model inputs: ${info.inputs.map((i) => `'${i.name}'`).join(', ') || 'none'})`);
  else checkVector(input, 'input', cfg.observationWidth, 'observation width', problems);
  const extras = cfg.config.extraInputs;
  for (const extra of info.inputs) {
    if (extra.name === inputName) continue;
    const bound = extras.find((e) => e.name === extra.name);
    if (!bound) problems.push(`model input '${extra.name}' ${fmtShape(extra.shape)} is not bound by the config (extraInputs)`);
    else checkVector(extra, 'input', 1, `extra input from ${bound.source}`, problems);
  }
  for (const e of extras) {
    if (!info.inputs.some((i) => i.name === e.name)) problems.push(`config extra input '${e.name}' is not a model input (model inputs: ${info.inputs.map((i) => `'${i.name}'`).join(', ')})`);
  }
  for (const e of cfg.config.extraOutputs) {
    const out = info.outputs.find((o) => o.name === e.name);
    if (!out) problems.push(`config extra output '${e.name}' is not a model output (model outputs: ${info.outputs.map((o) => `'${o.name}'`).join(', ')})`);
    else checkVector(out, 'output', extraOutputWidth(e.target, cfg.joints.length), e.target, problems);
  }
  const output = info.outputs.find((o) => o.name === outputName);
  if (!output) problems.push(`model has no output '${outputName}' (model outputs: ${info.outputs.map((o) => `'${o.name}'`).join(', ') || 'none'})`);
  else checkVector(output, 'output', cfg.joints.length, `${cfg.joints.length} joints`, problems);

  const md = info.metadata;
  const jointNames = md['joint_names'] ?? md['dof_names']; // holosoma: dof_names
  if (jointNames !== undefined) {
    const d = diffNames('joint names', metadataList(jointNames), cfg.joints, 'model metadata', 'config');
    if (d) problems.push(d);
  }
  if (md['default_joint_pos'] !== undefined) {
    const d = diffNumbers('default_joint_pos', metadataNumbers(md['default_joint_pos']), cfg.defaultJointPos, cfg.joints, 'model metadata');
    if (d) problems.push(d);
  }
  if (md['action_scale'] !== undefined) {
    const got = metadataNumbers(md['action_scale']);
    const want = actionScales(cfg);
    const d = diffNumbers('action_scale', got.length === 1 ? want.map(() => got[0]!) : got, want, cfg.joints, 'model metadata');
    if (d) problems.push(d);
  }
  if (md['observation_names'] !== undefined) {
    const d = diffNames('observation terms', metadataList(md['observation_names']), orderedTerms(cfg.observation).map((t) => t.name), 'model metadata', 'config');
    if (d) problems.push(d);
  }
  return problems;
}

/** The shipped contract against the config. */
export function checkContractAgainstConfig(c: PolicyContract, cfg: ResolvedPolicyConfig): string[] {
  const problems: string[] = [];
  const obsIn = c.inputs[0]!;
  const act = c.outputs[0]!;
  if (obsIn.name !== cfg.config.inputName) problems.push(`contract observation input is '${obsIn.name}', config inputName is '${cfg.config.inputName}'`);
  if (act.name !== cfg.config.outputName) problems.push(`contract action output is '${act.name}', config outputName is '${cfg.config.outputName}'`);
  const w = obsIn.shape[obsIn.shape.length - 1];
  if (w !== cfg.observationWidth) problems.push(`contract input '${obsIn.name}' has width ${String(w)}, config expects ${cfg.observationWidth}`);
  const dn = diffNames('joint names', c.jointNames, cfg.joints, 'contract', 'config');
  if (dn) problems.push(dn);
  const dd = diffNumbers('defaultJointPos', c.defaultJointPos, cfg.defaultJointPos, cfg.joints, 'contract');
  if (dd) problems.push(dd);
  if (Math.abs(c.policyRateHz - cfg.config.rateHz) > 1e-9) problems.push(`contract policy rate is ${c.policyRateHz} Hz, config has ${cfg.config.rateHz} Hz`);
    if (!sameValue(c.observation, cfg.observation)) {
    const cTerms = orderedTerms(c.observation);
    const gTerms = orderedTerms(cfg.observation);
    const i = cTerms.findIndex((t, k) => !sameValue(t, gTerms[k]));
    problems.push(
      i >= 0
        ? `observation term ${i} differs: contract ${JSON.stringify(cTerms[i])}, config ${JSON.stringify(gTerms[i] ?? null)}`
        : `observation conventions differ: contract ${JSON.stringify({ ...c.observation, terms: undefined })}, config ${JSON.stringify({ ...cfg.observation, terms: undefined })}`,
    );
  }
  if (!sameValue(c.action, cfg.action)) problems.push(`action spec differs: contract ${JSON.stringify(c.action)}, config ${JSON.stringify(cfg.action)}`);
  return problems;
}
