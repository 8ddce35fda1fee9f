/** Loads the shipped policy files the way a composition root does (file reading stays out of src/policy). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/io/config-file.js';
import { PolicyContractSchema, type PolicyContract } from '../../src/policy/contract.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfig, type ResolvedPolicyConfig } from '../../src/policy/policy-config.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHIPPED_CONFIG = join(ROOT, 'config', 'policy_upper_body.yaml');

export function shippedConfig(): PolicyConfig {
  return loadConfigFile(PolicyConfigSchema, SHIPPED_CONFIG);
}

export function shippedResolved(patch: (c: PolicyConfig) => PolicyConfig = (c) => c): ResolvedPolicyConfig {
  return resolvePolicyConfig(patch(shippedConfig()));
}

export function shippedModelBytes(): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'models', 'g1_upper_body.onnx')));
}

export function shippedContract(): PolicyContract {
  return PolicyContractSchema.parse(JSON.parse(readFileSync(join(ROOT, 'models', 'g1_upper_body.contract.json'), 'utf8')));
}
