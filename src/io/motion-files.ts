/** Reads the motion configuration files (retargeting maps) from disk, validated. */
import { loadConfigFile } from './config-file.js';
import { RetargetMapSchema, type RetargetMap } from '../motion/retarget-config.js';

/** Loads a retargeting map (YAML/JSON); ConfigError lists every problem by field path. */
export function loadRetargetMap(path: string): RetargetMap {
  return loadConfigFile(RetargetMapSchema, path);
}
