/**
 * The online adapter of a policy node from its adaptation file (src/io/adaptation-file.ts): built for the
 * policy's joints and the robot model (limits, and the kinematics of a `loadLink`), its regime library
 * loaded from `memoryFile` when that exists, and a `save()` for when the node stops.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { AdaptationFileSchema } from '../io/adaptation-file.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadRegimeMemoryFile, RegimeMemoryFileError, saveRegimeMemoryFile } from '../io/regime-memory-file.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';

export interface AdaptationSetup {
  adapter: ResidualAdapter;
  /** The library file (absolute), or null when not kept. */
  memoryFile: string | null;
  /** Writes the library (with the current regime consolidated) to `memoryFile`; nothing before the anchor is learnt or without a file. */
  save(): boolean;
}

/** Throws a clear error (naming the file) for a bad adaptation file, a joint without limits, or an unusable library file. */
export function setupAdaptation(file: string, policyJoints: readonly string[], model: RobotModel): AdaptationSetup {
  const cfg = loadConfigFile(AdaptationFileSchema, file);
  const limits = Object.fromEntries(actuatedJoints(model).filter((j) => j.limit).map((j) => [j.name, [j.limit!.lower, j.limit!.upper] as const]));
  let adapter: ResidualAdapter;
  try {
    adapter = new ResidualAdapter(cfg.adapter, policyJoints, limits, model);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const memoryFile = cfg.memoryFile === null ? null : isAbsolute(cfg.memoryFile) ? cfg.memoryFile : resolve(dirname(file), cfg.memoryFile);
  if (memoryFile && existsSync(memoryFile)) {
    const data = loadRegimeMemoryFile(memoryFile); // RegimeMemoryFileError naming the file and the field
    try {
      adapter.loadMemory(data);
    } catch (err) {
      throw new RegimeMemoryFileError(memoryFile, [(err as Error).message]);
    }
  }
  return {
    adapter,
    memoryFile,
    save() {
      if (!memoryFile || !adapter.hasAnchor) return false;
      saveRegimeMemoryFile(memoryFile, adapter.snapshot());
      return true;
    },
  };
}
