/**
 * The walking-robot setup of the shield acceptance test: the unitree_rl_lab
 * G1-29 velocity policy on the vendor's G1 URDF in the embedded sim (floating
 * base, the deploy file's gains, armature 0.01 kg·m², policy at 50 Hz from
 * t = 0), built in a temp folder from the shared files (never copied into the
 * repo). Also runnable on its own to print the distances:
 *
 *   npx vite-node tests/helpers/print-g1-walk.ts
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { parseYamlStrict } from '../../src/io/config-file.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { importUnitreeDeploy } from '../../src/policy/importers/unitree-deploy.js';
import { actuatedJoints } from '../../src/robot/model.js';
import { runEmbedded, type RunSummary } from '../../src/runtime/embedded-run.js';
import { sharedData, UNITREE_G1_VELOCITY } from './shared-data.js';

const REPO = resolve(import.meta.dirname, '..', '..');

export interface WalkSetup {
  dir: string;
  /** Run config path for a given shield config file and forward command (m/s). */
  runConfig(shieldConfigPath: string, forwardMps: number, durationS: number): string;
}

/** Writes the imported policy config into a temp folder; the run configs reference the shared files by absolute path. */
export function setupG1Walk(): WalkSetup {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-g1-walk-'));
  const urdf = sharedData(UNITREE_G1_VELOCITY.urdf);
  const deployPath = sharedData(UNITREE_G1_VELOCITY.deploy);
  const robotJoints = actuatedJoints(loadUrdfFile(urdf)).map((j) => j.name);
  const deploy = parseYamlStrict(readFileSync(deployPath, 'utf8'), deployPath) as { stiffness: number[]; damping: number[] };
  const { config } = importUnitreeDeploy(deploy, { robotJointNames: robotJoints, modelPath: sharedData(UNITREE_G1_VELOCITY.onnx), name: 'unitree_g1_velocity' });
  writeFileSync(join(dir, 'policy.yaml'), stringify(config));
  // deploy.yaml stiffness/damping are in the robot's motor order (= URDF order on the G1).
  const gains: Record<string, { kp: number; kd: number }> = {};
  robotJoints.forEach((name, i) => (gains[name] = { kp: deploy.stiffness[i]!, kd: deploy.damping[i]! }));
  const initialPose: Record<string, number> = {};
  config.joints!.forEach((name, i) => (initialPose[name] = (config.defaultJointPos as number[])[i]!));
  return {
    dir,
    runConfig(shieldConfigPath, forwardMps, durationS) {
      const file = join(dir, `run-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, stringify({
        robot: { urdf },
        sim: {
          base: 'floating', baseHeightM: 0.8, timestepS: 0.002, integrator: 'Euler', meshes: 'skip',
          gains, armature: { defaultKgM2: 0.01 }, initialPose,
        },
        simNode: { jointStateRateHz: 500, imuRateHz: 500, clockRateHz: 500 },
        policy: join(dir, 'policy.yaml'),
        shield: resolve(shieldConfigPath),
        scenario: { durationS, operator: [{ atS: 1.0, action: 'cmd_vel', linear: [forwardMps, 0] }] },
        fallHeightM: 0.4,
      }));
      return file;
    },
  };
}

export interface WalkResult {
  summary: RunSummary;
  /** Base displacement in the floor plane from t = 0 to the end, m. */
  distanceM: number;
  forwardM: number;
  /** Base yaw at the end, deg (heading drift; 0 at the start). */
  yawDeg: number;
  fell: boolean;
}

/** One run; the base pose is read at the start and the end. */
export async function walk(setup: WalkSetup, shieldConfigPath: string, forwardMps: number, durationS = 20): Promise<WalkResult> {
  const pose = new Float64Array(7);
  const start = [NaN, NaN];
  const end = [0, 0];
  let yaw = 0;
  const summary = await runEmbedded({
    configPath: setup.runConfig(shieldConfigPath, forwardMps, durationS),
    root: REPO,
    onStep: (sim) => {
      sim.readBasePose(pose);
      if (Number.isNaN(start[0])) [start[0], start[1]] = [pose[0]!, pose[1]!];
      [end[0], end[1]] = [pose[0]!, pose[1]!];
      const [w, x, y, z] = [pose[3]!, pose[4]!, pose[5]!, pose[6]!];
      yaw = Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
    },
  });
  return { summary, distanceM: Math.hypot(end[0]! - start[0]!, end[1]! - start[1]!), forwardM: end[0]! - start[0]!, yawDeg: (yaw * 180) / Math.PI, fell: summary.sim.fell };
}

export const FLOATING_PROFILE = join(REPO, 'config', 'shield_g1_floating.yaml');

/** Prints the shield, pass-through and standing runs (tests/helpers/print-g1-walk.ts). */
export async function printWalkComparison(profile = FLOATING_PROFILE): Promise<void> {
  const setup = setupG1Walk();
  const passThrough = join(setup.dir, 'pass-through.yaml');
  writeFileSync(passThrough, readFileSync(profile, 'utf8').replace(/passThrough: false/, 'passThrough: true'));
  for (const [label, file, v] of [['shield', profile, 0.5], ['pass-through', passThrough, 0.5], ['shield stand', profile, 0]] as const) {
    const r = await walk(setup, file, v);
    process.stdout.write(`${label}: ${r.distanceM.toFixed(3)} m (forward ${r.forwardM.toFixed(3)} m, yaw ${r.yawDeg.toFixed(1)}°), fell ${r.fell}, min base ${r.summary.sim.minBaseHeightM.toFixed(3)} m, `
      + `interventions ${JSON.stringify(r.summary.shield.interventions)}\n`);
  }
}
