/**
 * Reads a URDF file from disk and parses it (the only file-system side of the
 * robot model). Mesh existence is checked with fs.existsSync.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseUrdf } from '../robot/urdf.js';
import type { RobotModel } from '../robot/model.js';

export interface LoadUrdfOptions {
  /** `package://<name>/...` → directory of package <name> (made absolute against the cwd). */
  packageDirs?: Record<string, string>;
}

/** Loads and validates a URDF file. Throws Error naming the file when it cannot be read, UrdfError when invalid. */
export function loadUrdfFile(path: string, options: LoadUrdfOptions = {}): RobotModel {
  const absPath = resolve(path);
  let xml: string;
  try {
    xml = readFileSync(absPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read URDF file '${absPath}': ${why}`, { cause: err });
  }
  const packageDirs = options.packageDirs
    ? Object.fromEntries(Object.entries(options.packageDirs).map(([k, v]) => [k, resolve(v)]))
    : undefined;
  return parseUrdf(xml, { sourcePath: absPath, ...(packageDirs ? { packageDirs } : {}), fileExists: existsSync });
}
