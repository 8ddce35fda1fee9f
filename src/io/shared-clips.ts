/**
 * Where the shared CMU clips live outside the repository: `AEGIS_SHARED_DATA`
 * (the data folder) or `../shared/data` beside the checkout. Never copied in.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CMU_CLIP_FILES = [
  '131_01_walk_metres.bvh', 'cmu_13_26.bvh', 'cmu_13_29.bvh', 'cmu_14_12.bvh', 'cmu_14_37.bvh', 'cmu_02_06.bvh',
] as const;

/** The CMU clip folder, or undefined with the reason when it (or a clip) is absent. */
export function cmuClipDir(repoRoot: string): { dir: string } | { missing: string } {
  const data = process.env['AEGIS_SHARED_DATA'] ? resolve(process.env['AEGIS_SHARED_DATA']) : resolve(repoRoot, '..', 'shared', 'data');
  const dir = join(data, 'cmu_mocap');
  const absent = CMU_CLIP_FILES.filter((f) => !existsSync(join(dir, f)));
  if (absent.length > 0) return { missing: `CMU clips absent in ${dir} (${absent.join(', ')}); set AEGIS_SHARED_DATA` };
  return { dir };
}
