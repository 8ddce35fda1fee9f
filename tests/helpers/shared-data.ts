/**
 * Where the shared third-party artefacts live (never copied into the project):
 * `../shared/data` beside the checkout, or `AEGIS_SHARED_DATA` when set.
 * Tests that need a file call `sharedData(...)` and skip with `skipReason`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_DATA = process.env.AEGIS_SHARED_DATA
  ? resolve(process.env.AEGIS_SHARED_DATA)
  : resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** Absolute path of a file under the shared data folder. */
export function sharedData(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/**
 * Undefined when every named file exists; otherwise one line saying what is missing,
 * for `describe.skipIf(reason)` plus a printed note.
 */
export function sharedDataMissing(...relativePaths: string[]): string | undefined {
  const missing = relativePaths.filter((p) => !existsSync(sharedData(p)));
  if (missing.length === 0) return undefined;
  const reason = `shared data absent (${missing.map((p) => sharedData(p)).join(', ')}); set AEGIS_SHARED_DATA or lay out ../shared/data beside the checkout`;
  process.stderr.write(`skipping: ${reason}\n`);
  return reason;
}

/** The unitree_rl_lab G1-29 velocity policy and its deploy file. */
export const UNITREE_G1_VELOCITY = {
  onnx: 'third_party/unitree_rl_lab_g1_29dof_velocity/policy.onnx',
  deploy: 'third_party/unitree_rl_lab_g1_29dof_velocity/deploy.yaml',
  urdf: 'third_party/unitree_g1_description/g1_29dof_rev_1_0.urdf',
} as const;

/** The CMU BVH clips (three skeleton families). */
export const CMU_CLIPS = [
  'cmu_mocap/131_01_walk_metres.bvh',
  'cmu_mocap/cmu_13_26.bvh',
  'cmu_mocap/cmu_13_29.bvh',
  'cmu_mocap/cmu_14_12.bvh',
  'cmu_mocap/cmu_14_37.bvh',
  'cmu_mocap/cmu_02_06.bvh',
] as const;
