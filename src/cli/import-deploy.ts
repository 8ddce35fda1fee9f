/**
 * Converts a unitree_rl_lab `deploy.yaml` into an aegis policy config.
 *
 *   node dist/cli/import-deploy.js <deploy.yaml> --urdf urdf/g1_29dof.urdf [--model path.onnx] [--name n] [--out cfg.yaml]
 *
 * `--urdf` (actuated joints in URDF order) or `--robot-joints a,b,…` gives
 * the robot's SDK joint order that `joint_ids_map` indexes. YAML tags beyond
 * the core schema are rejected, never executed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseYamlStrict } from '../io/config-file.js';
import { importUnitreeDeploy } from '../policy/importers/unitree-deploy.js';
import { fail, robotJointNames, writeImportedConfig } from './import-common.js';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      urdf: { type: 'string' },
      'robot-joints': { type: 'string' },
      model: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) fail('usage: import-deploy <deploy.yaml> (--urdf <file> | --robot-joints a,b,…) [--model <onnx>] [--name <name>] [--out <config.yaml>]');
  const robot = robotJointNames(values.urdf, values['robot-joints']);
  if (!robot) fail('give the robot joint order with --urdf <file> or --robot-joints a,b,…');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // unitree_rl_lab layout: <policy>/params/deploy.yaml beside <policy>/exported/policy.onnx
  const model = values.model ?? relative(process.cwd(), join(dirname(file), '..', 'exported', 'policy.onnx'));
  const { config, notes } = importUnitreeDeploy(parseYamlStrict(text, file), { robotJointNames: robot, modelPath: model, file, ...(values.name ? { name: values.name } : {}) });
  writeImportedConfig(config, notes, file, values.out);
}

try {
  main();
} catch (err) {
  fail(err);
}
