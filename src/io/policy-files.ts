/**
 * Loading a policy from its files: the YAML config (zod), the contract JSON
 * beside the model (zod), the ONNX bytes; then `OnnxPolicy.create` checks the
 * model against both and warms it up. Relative paths in a config file are
 * resolved against that file's folder.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfigFile, readInputFile } from './config-file.js';
import { OnnxPolicy } from '../inference/onnx-policy.js';
import {
  PolicyConfigSchema,
  PolicyContractSchema,
  resolvePolicyConfig,
  type PolicyConfig,
  type ResolvedPolicyConfig,
} from '../policy/index.js';

export interface LoadedPolicy {
  config: ResolvedPolicyConfig;
  policy: OnnxPolicy;
  modelPath: string;
  /** sha256 of the model bytes loaded (hex): what the admission gate checks, not the file as it may be now. */
  modelSha256: string;
}

/** Loads and checks a policy whose config is already parsed. */
export async function loadPolicy(config: PolicyConfig, root: string): Promise<LoadedPolicy> {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));
  const resolved = resolvePolicyConfig(config);
  let contract;
  if (config.contractPath) {
    const path = at(config.contractPath);
    let json: unknown;
    try {
      json = JSON.parse(readInputFile(path, 'the model contract').toString('utf8'));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
    }
    const parsed = PolicyContractSchema.safeParse(json);
    if (!parsed.success) throw new ConfigError(path, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    contract = parsed.data;
  }
  const modelPath = at(config.modelPath);
  const bytes = readInputFile(modelPath, 'the ONNX model');
  const modelSha256 = createHash('sha256').update(bytes).digest('hex');
  const policy = await OnnxPolicy.create({
    model: new Uint8Array(bytes),
    source: modelPath,
    config: resolved,
    ...(contract ? { contract } : {}),
  });
  return { config: resolved, policy, modelPath, modelSha256 };
}

/** Loads a policy from its YAML config file (relative paths in it: against the file's folder). */
export async function loadPolicyFile(configPath: string, root: string = dirname(resolve(configPath))): Promise<LoadedPolicy> {
  return loadPolicy(loadConfigFile(PolicyConfigSchema, configPath), root);
}
