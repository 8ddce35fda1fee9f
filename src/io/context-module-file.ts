/**
 * An adaptation module's contract file (JSON, ContextModuleContractSchema) and the ONNX model it names
 * (relative to the contract). A bad file is a ConfigError naming the file and the field.
 */
import { dirname, resolve } from 'node:path';
import { ContextModuleContractSchema, type ContextModuleContract } from '../adaptation/context-module.js';
import { ConfigError, readInputFile, validateConfig } from './config-file.js';

export interface ContextModuleFile {
  contract: ContextModuleContract;
  /** The model file, absolute. */
  modelPath: string;
  model: Uint8Array;
}

export function loadContextModuleFile(file: string): ContextModuleFile {
  let raw: unknown;
  const text = readInputFile(file, 'adaptation module contract').toString('utf8');
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not JSON: ${(err as Error).message}`]);
  }
  const contract = validateConfig(ContextModuleContractSchema, raw, file);
  const modelPath = resolve(dirname(file), contract.model);
  return { contract, modelPath, model: new Uint8Array(readInputFile(modelPath, 'adaptation module model')) };
}
