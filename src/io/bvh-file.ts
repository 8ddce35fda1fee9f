/** Reads a BVH file from disk (the only file-system side of the motion input). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBvh, type BvhClip } from '../motion/bvh.js';
import { humanFromBvh, type HumanMotion, type HumanOptions } from '../motion/human.js';

/** Parses a BVH file; throws an Error naming the file when it cannot be read, BvhError when malformed. */
export function loadBvhFile(path: string): BvhClip {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new Error(`cannot read BVH file '${abs}': ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseBvh(text);
  } catch (err) {
    throw new Error(`${abs}: ${(err as Error).message}`, { cause: err });
  }
}

/** Loads a BVH file as human keypoints (see src/motion/human.ts for inference and overrides). */
export function loadHumanMotion(path: string, options: HumanOptions = {}): HumanMotion {
  return humanFromBvh(loadBvhFile(path), options);
}
