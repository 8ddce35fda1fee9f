/**
 * Loading a diffusion bundle from its files: the contract JSON (zod, strict)
 * and the three ONNX files it names, beside it. Relative contract paths are
 * resolved against `root`.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { DiffusionContractSchema, type DiffusionContract } from '../policy/diffusion/contract.js';
import type { DiffusionBundleBytes } from '../inference/diffusion-onnx.js';
import { ConfigError, formatIssues, readInputFile } from './config-file.js';

export interface DiffusionBundleFiles {
  contract: DiffusionContract;
  bytes: DiffusionBundleBytes;
  contractPath: string;
}

export function loadDiffusionBundle(contractPath: string, root: string): DiffusionBundleFiles {
  const path = isAbsolute(contractPath) ? contractPath : resolve(root, contractPath);
  let json: unknown;
  try {
    json = JSON.parse(readInputFile(path, 'the diffusion contract').toString('utf8'));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(path, [`not JSON: ${(err as Error).message}`]);
  }
  const parsed = DiffusionContractSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(path, formatIssues(parsed.error));
  const contract = parsed.data;
  const dir = dirname(path);
  return {
    contract,
    contractPath: path,
    bytes: {
      denoiser: readInputFile(resolve(dir, contract.denoiser.file), 'the denoiser model'),
      qAction: readInputFile(resolve(dir, contract.qAction.file), 'the Q_a model'),
      qNoise: readInputFile(resolve(dir, contract.qNoise.file), 'the Q_dn model'),
    },
  };
}
