/**
 * Converts a unitree_rl_lab `deploy.yaml` into an aegis policy config.
 *
 *   node dist/cli/import-deploy.js <deploy.yaml> (--robot config/robots/g1_29dof.yaml | --motor-order a,b,…) [--urdf f] [--model path.onnx] [--name n] [--out cfg.yaml]
 *
 * The robot's motor (SDK) order that `joint_ids_map` and the gains index
 * comes from the robot profile or `--motor-order` (alias `--robot-joints`);
 * never from the URDF's joint order (`--urdf` only checks the names). For a
 * complete runnable setup use `import` (src/cli/import.ts). YAML tags beyond
 * the core schema are rejected, never executed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseYamlStrict } from '../io/config-file.js';
import { importUnitreeDeploy } from '../policy/importers/unitree-deploy.js';
import { fail, motorOrderFromFlags, writeImportedConfig } from './import-common.js';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      robot: { type: 'string' },
      urdf: { type: 'string' },
      'motor-order': { type: 'string' },
      'robot-joints': { type: 'string' },
      model: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) fail('usage: import-deploy <deploy.yaml> (--robot <profile.yaml> | --motor-order a,b,…) [--urdf <file>] [--model <onnx>] [--name <name>] [--out <config.yaml>]');
  const robot = motorOrderFromFlags(values, file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // unitree_rl_lab layout: <policy>/params/deploy.yaml beside <policy>/exported/policy.onnx
  const modelFile = resolve(values.model ?? join(dirname(file), '..', 'exported', 'policy.onnx'));
  // modelPath is resolved against the folder of the config file that names it
  const model = relative(values.out ? dirname(resolve(values.out)) : process.cwd(), modelFile);
  const { config, notes } = importUnitreeDeploy(parseYamlStrict(text, file), { robotJointNames: robot, modelPath: model, file, ...(values.name ? { name: values.name } : {}) });
  writeImportedConfig(config, notes, file, values.out);
}

try {
  main();
} catch (err) {
  fail(err);
}
