/** Shared pieces of the importer CLIs: robot joint names, validation of the result, YAML output. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadRobotProfile } from '../io/robot-profile-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { motorOrderFor } from '../policy/importers/unitree-deploy.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfigInput } from '../policy/policy-config.js';
import { actuatedJoints } from '../robot/model.js';

/** A comma-separated list flag. */
export function listFlag(list: string | undefined): string[] | undefined {
  return list === undefined ? undefined : list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The robot's motor order for a deploy file: `--motor-order a,b,…` (alias `--robot-joints`), else
 * the `--robot` profile's; refused with neither (the URDF's joint order is never assumed). `--urdf`
 * (or the profile's URDF) only checks the names.
 */
export function motorOrderFromFlags(v: { robot?: string | undefined; urdf?: string | undefined; 'motor-order'?: string | undefined; 'robot-joints'?: string | undefined }, file: string): string[] {
  const profile = v.robot !== undefined ? loadRobotProfile(v.robot, v.urdf) : undefined;
  const urdfJoints = profile ? actuatedJoints(profile.model).map((j) => j.name) : v.urdf ? actuatedJoints(loadUrdfFile(v.urdf)).map((j) => j.name) : undefined;
  const flag = listFlag(v['motor-order'] ?? v['robot-joints']);
  return motorOrderFor({ file, ...(flag ? { flag } : {}), ...(profile ? { profile: profile.profile.motorOrder } : {}), ...(urdfJoints ? { urdfJoints } : {}) });
}

/** Validates the imported config exactly as the runtime will, then writes it (or prints it). */
export function writeImportedConfig(config: PolicyConfigInput, notes: string[], source: string, out: string | undefined): void {
  const resolved = resolvePolicyConfig(PolicyConfigSchema.parse(config));
  const header = [
    `# Imported from ${source} by aegis-control.`,
    `# ${resolved.joints.length} policy joints, observation width ${resolved.observationWidth}, ${resolved.config.rateHz} Hz.`,
    ...notes.map((n) => `# NOTE: ${n}`),
  ].join('\n');
  const text = `${header}\n${stringify(config, { lineWidth: 120, flowCollectionPadding: false })}`;
  if (out) {
    writeFileSync(out, text);
    console.error(`wrote ${out}`);
  } else process.stdout.write(text);
  for (const n of notes) console.error(`note: ${n}`);
}

/** Prints an error and exits non-zero. */
export function fail(err: unknown): never {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
