/**
 * One import: a third-party policy (unitree_rl_lab `deploy.yaml`, ONNX
 * exporter metadata, or both) plus a robot profile → a complete runnable
 * setup folder that `npm start -- --config <folder>/run.yaml` runs:
 *
 *   policy.yaml  the policy config (modelPath relative to this folder)
 *   run.yaml     the run: robot profile (and URDF), sim (floating base, base
 *                height, armature, the policy's gains by joint name, the
 *                policy's default pose as the initial pose), the shield
 *                profile, a scenario with the velocity command the policy expects
 *   stand.yaml   the same run at a zero command
 *
 * Every path is written relative to the file that names it and checked here:
 * the written files are loaded back exactly as the run will load them, and
 * the model is checked against the policy config, before the import succeeds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfigFile, readYamlFile } from '../io/config-file.js';
import { loadRobotProfile, type LoadedRobotProfile } from '../io/robot-profile-file.js';
import { ImportError, importUnitreeDeploy, motorOrderFor } from '../policy/importers/unitree-deploy.js';
import { importOnnxMetadata } from '../policy/importers/onnx-metadata.js';
import { checkModelAgainstConfig } from '../policy/compatibility.js';
import { readOnnxModelInfo, type OnnxModelInfo } from '../policy/onnx-model-info.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfigInput } from '../policy/policy-config.js';
import { actuatedJoints } from '../robot/model.js';
import { resolveRunSetup } from './run-setup.js';

export interface ImportSetupOptions {
  /** Robot profile file. */
  robot: string;
  /** URDF replacing the profile's (e.g. the vendor's description). */
  urdf?: string;
  /** unitree_rl_lab deploy.yaml. */
  deploy?: string;
  /** ONNX model (default with a deploy file: policy.onnx beside it, else ../exported/policy.onnx). */
  onnx?: string;
  /** Motor order overriding the profile's. */
  motorOrder?: string[];
  /** Output folder (created; must be empty unless `force`). */
  out: string;
  force?: boolean;
  name?: string;
  /** Velocity command of the walking scenario: vx m/s, vy m/s, yaw rate rad/s. */
  command?: [number, number, number];
  /** When the command starts, s. */
  commandAtS?: number;
  /** How long it lasts (the run ends then), s. */
  commandForS?: number;
  /** Physics step, s. */
  timestepS?: number;
}

export interface ImportedSetup {
  dir: string;
  files: { policy: string; run: string; stand: string };
  notes: string[];
}

/** Relative path from a folder, POSIX separators, `./` never needed. */
const rel = (fromDir: string, to: string): string => relative(fromDir, to).split('\\').join('/');

function readOnnx(file: string): { bytes: Uint8Array; info: OnnxModelInfo } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new ImportError(file, [`cannot read the ONNX model: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  try {
    return { bytes, info: readOnnxModelInfo(bytes) };
  } catch (err) {
    throw new ImportError(file, [`not a readable ONNX model: ${(err as Error).message}`]);
  }
}

function defaultOnnxFor(deploy: string): string | undefined {
  const candidates = [join(dirname(deploy), 'policy.onnx'), join(dirname(deploy), '..', 'exported', 'policy.onnx')];
  return candidates.find((c) => existsSync(c));
}

function header(lines: string[]): string {
  return lines.map((l) => `# ${l}`).join('\n') + '\n';
}

export function importSetup(opts: ImportSetupOptions): ImportedSetup {
  const dir = resolve(opts.out);
  const notes: string[] = [];
  const robot: LoadedRobotProfile = loadRobotProfile(opts.robot, opts.urdf);
  const urdfJoints = actuatedJoints(robot.model).map((j) => j.name);
  if (!opts.deploy && !opts.onnx) throw new ImportError(dir, ['give the policy: --deploy <deploy.yaml>, --onnx <model.onnx>, or both']);

  const deploy = opts.deploy !== undefined ? resolve(opts.deploy) : undefined;
  const onnxFile = opts.onnx !== undefined ? resolve(opts.onnx) : deploy ? defaultOnnxFor(deploy) : undefined;
  if (!onnxFile) throw new ImportError(deploy!, ['no ONNX model beside the deploy file (policy.onnx or ../exported/policy.onnx); give it with --onnx']);
  const onnx = readOnnx(onnxFile);
  const modelPath = rel(dir, onnxFile);

  let policy: PolicyConfigInput;
  if (deploy) {
    const motorOrder = motorOrderFor({ file: deploy, profile: robot.profile.motorOrder, urdfJoints, ...(opts.motorOrder ? { flag: opts.motorOrder } : {}) });
    const r = importUnitreeDeploy(readYamlFile(deploy), { robotJointNames: motorOrder, modelPath, file: deploy, ...(opts.name ? { name: opts.name } : {}) });
    policy = r.config;
    notes.push(...r.notes);
  } else {
    const r = importOnnxMetadata(onnx.info, { modelPath, file: onnxFile, ...(opts.name ? { name: opts.name } : {}) });
    policy = r.config;
    notes.push(...r.notes);
  }
  const resolved = resolvePolicyConfig(PolicyConfigSchema.parse(policy));
  const modelProblems = checkModelAgainstConfig(onnx.info, resolved);
  if (modelProblems.length > 0) throw new ImportError(onnxFile, modelProblems);
  const unknown = resolved.joints.filter((j) => !urdfJoints.includes(j));
  if (unknown.length > 0) throw new ImportError(deploy ?? onnxFile, [`policy joints not actuated in URDF '${robot.model.name}': ${unknown.join(', ')}`]);

  // Gains: the policy's own (what it was trained with), by joint name; else the profile's.
  const gains: Record<string, { kp: number; kd: number }> = {};
  if (resolved.config.stiffness && resolved.config.damping) {
    resolved.joints.forEach((j, i) => (gains[j] = { kp: resolved.config.stiffness![i]!, kd: resolved.config.damping![i]! }));
  } else notes.push(`the policy carries no gains: the profile's gains (${robot.file}) drive the servos — check they are the ones it was trained with`);
  const initialPose: Record<string, number> = {};
  resolved.joints.forEach((j, i) => (initialPose[j] = resolved.defaultJointPos[i]!));

  const hasCommand = resolved.observation.terms.some((t) => t.source === 'velocity_command');
  const [vx, vy, wz] = opts.command ?? [0.5, 0, 0];
  const atS = opts.commandAtS ?? 1;
  const forS = opts.commandForS ?? 20;
  if (!hasCommand && opts.command) notes.push('the policy observes no velocity command: --command is ignored');

  // Files.
  if (existsSync(dir) && readdirSync(dir).length > 0 && !opts.force) throw new ImportError(dir, ['the output folder is not empty (use --force to overwrite)']);
  mkdirSync(dir, { recursive: true });
  const files = { policy: join(dir, 'policy.yaml'), run: join(dir, 'run.yaml'), stand: join(dir, 'stand.yaml') };
  const source = [deploy, onnxFile].filter((x): x is string => x !== undefined).join(' + ');
  const policyOut: PolicyConfigInput = { ...policy, name: opts.name ?? policy.name ?? 'imported_policy' };
  writeFileSync(
    files.policy,
    header([
      `Policy config imported from ${source} by aegis-control (import).`,
      `${resolved.joints.length} policy joints, observation width ${resolved.observationWidth}, ${resolved.config.rateHz} Hz. Paths are relative to this file.`,
      ...notes.map((n) => `NOTE: ${n}`),
    ]) + stringify(policyOut, { lineWidth: 120, flowCollectionPadding: false }),
  );
  const p = robot.profile;
  const run = (command: boolean): Record<string, unknown> => ({
    robot: { profile: rel(dir, robot.file), ...(opts.urdf !== undefined ? { urdf: rel(dir, robot.urdfPath) } : {}) },
    sim: {
      base: p.base,
      baseHeightM: p.baseHeightM,
      timestepS: opts.timestepS ?? 0.002,
      integrator: 'Euler',
      imuLink: p.imuLink,
      armature: p.armature,
      ...(Object.keys(gains).length > 0 ? { gains } : {}),
      initialPose,
    },
    policy: 'policy.yaml',
    shield: rel(dir, robot.shieldPath),
    fallHeightM: p.fallHeightM,
    scenario: {
      durationS: atS + forS,
      operator: command && hasCommand ? [{ atS, action: 'cmd_vel', linear: [vx, vy], yawRate: wz }] : [],
    },
  });
  const runHeader = (what: string, file: string): string =>
    header([
      `Run imported by aegis-control (import) for ${robot.profile.name}: ${what}.`,
      `Start it with: npm start -- --config ${file}`,
      `Robot profile ${robot.file}; gains are the policy's own (by joint name) when it carries them, else the profile's.`,
      'Paths are relative to this file.',
    ]);
  const yaml = (v: unknown): string => stringify(v, { lineWidth: 120, flowCollectionPadding: false });
  writeFileSync(files.run, runHeader(`velocity command (${vx}, ${vy}, ${wz}) from t = ${atS} s for ${forS} s`, files.run) + yaml(run(true)));
  writeFileSync(files.stand, runHeader(`zero velocity command for ${atS + forS} s`, files.stand) + yaml(run(false)));

  // Check: load back exactly as the run will.
  for (const f of [files.run, files.stand]) resolveRunSetup(f);
  loadConfigFile(PolicyConfigSchema, files.policy);
  const model = isAbsolute(modelPath) ? modelPath : resolve(dir, modelPath);
  if (!existsSync(model)) throw new ConfigError(files.policy, [`modelPath: '${model}' does not exist`]);
  return { dir, files, notes };
}
