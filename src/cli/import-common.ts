/** Shared pieces of the importer CLIs: robot joint names, validation of the result, YAML output. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadUrdfFile } from '../io/urdf-file.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfigInput } from '../policy/policy-config.js';
import { actuatedJoints } from '../robot/model.js';

/** Robot joint names from `--urdf` (actuated joints, URDF order) or `--robot-joints a,b,c`. */
export function robotJointNames(urdf: string | undefined, list: string | undefined): string[] | undefined {
  if (list) return list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (urdf) return actuatedJoints(loadUrdfFile(urdf)).map((j) => j.name);
  return undefined;
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
