/**
 * The online adapter of a policy node from its adaptation file (src/io/adaptation-file.ts): built for the
 * policy's joints and the robot model (limits, and the kinematics of a `loadLink`), its regime library
 * loaded from `memoryFile` when that exists, its adaptation module (`module`) loaded and checked against
 * its readers, and a `save()` for when the node stops.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { contextModuleReaders, ContextModuleRunner } from '../adaptation/context-module.js';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { OnnxContextNet } from '../inference/onnx-context-module.js';
import { AdaptationFileSchema } from '../io/adaptation-file.js';
import { ConfigError, loadConfigFile } from '../io/config-file.js';
import { loadContextModuleFile } from '../io/context-module-file.js';
import { loadRegimeMemoryFile, RegimeMemoryFileError, saveRegimeMemoryFile } from '../io/regime-memory-file.js';
import type { ContextModule } from '../nodes/adaptation-wiring.js';
import { latentWidthOf } from '../policy/observation.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';

export interface AdaptationSetup {
  adapter: ResidualAdapter;
  /** The adaptation module (null: none in the file). */
  module: ContextModule | null;
  /** The library file (absolute), or null when not kept. */
  memoryFile: string | null;
  /** Writes the library (with the current regime consolidated) to `memoryFile`; nothing before the anchor is learnt or without a file. */
  save(): boolean;
  /** Releases the module's ONNX session. */
  release(): Promise<void>;
}

const inFile = (file: string, p: string): string => (isAbsolute(p) ? p : resolve(dirname(file), p));

/** Throws a clear error (naming the file) for a bad adaptation file, a joint without limits, an unusable library file or module. */
export async function setupAdaptation(file: string, policy: ResolvedPolicyConfig, model: RobotModel): Promise<AdaptationSetup> {
  const cfg = loadConfigFile(AdaptationFileSchema, file);
  const limits = Object.fromEntries(actuatedJoints(model).filter((j) => j.limit).map((j) => [j.name, [j.limit!.lower, j.limit!.upper] as const]));
  let adapter: ResidualAdapter;
  try {
    adapter = new ResidualAdapter(cfg.adapter, policy.joints, limits, model);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const memoryFile = cfg.memoryFile === null ? null : inFile(file, cfg.memoryFile);
  if (memoryFile && existsSync(memoryFile)) {
    const data = loadRegimeMemoryFile(memoryFile); // RegimeMemoryFileError naming the file and the field
    try {
      adapter.loadMemory(data);
    } catch (err) {
      throw new RegimeMemoryFileError(memoryFile, [(err as Error).message]);
    }
  }
  const module = await loadModule(file, cfg.module, cfg.adapter.context?.source === 'module' ? adapter.context!.z.length : null, policy);
  return {
    adapter,
    module,
    memoryFile,
    save() {
      if (!memoryFile || !adapter.hasAnchor) return false;
      saveRegimeMemoryFile(memoryFile, adapter.snapshot());
      return true;
    },
    async release() {
      if (module) await (module.net as OnnxContextNet).release();
    },
  };
}

/** The module of the file (null when none), checked against the adapter's context width (null: the adapter does not read it) and the policy's context_latent. */
async function loadModule(file: string, path: string | null, adapterWidth: number | null, policy: ResolvedPolicyConfig): Promise<ContextModule | null> {
  if (path === null) {
    if (adapterWidth !== null) throw new Error(`${file}: adapter.context.source is 'module' but no module is given`);
    return null;
  }
  try {
    return await loadContextModule(inFile(file, path), { adapterContextWidth: adapterWidth, policyLatentWidth: latentWidthOf(policy.observation) }, policy.joints, policy.defaultJointPos);
  } catch (err) {
    if (err instanceof ConfigError) throw err; // names its file already
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/**
 * An adaptation module from its contract file, checked against its readers (contextModuleReaders) and the
 * policy's joints, with its ONNX session: ready for the policy node's wiring. Throws naming what is wrong.
 */
export async function loadContextModule(contractFile: string, readers: Parameters<typeof contextModuleReaders>[1], policyJoints: readonly string[], defaultPos: ArrayLike<number>): Promise<ContextModule> {
  const m = loadContextModuleFile(contractFile);
  const problems = contextModuleReaders(m.contract, readers);
  if (problems.length > 0) throw new Error(`module ${m.modelPath}:\n  - ${problems.join('\n  - ')}`);
  const runner = new ContextModuleRunner(m.contract, policyJoints, defaultPos);
  return { runner, net: await OnnxContextNet.create(m.model, m.contract, runner.input, m.modelPath) };
}
