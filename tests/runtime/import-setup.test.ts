/**
 * Robot profiles and the one-step import on a synthetic robot (a small URDF
 * written here) whose motor order differs from its URDF joint order, the way
 * the Go2's does: a deploy file's indices refer to the motor order, so the
 * import must take it from the profile (or a flag) and refuse to guess.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { motorOrderFromFlags } from '../../src/cli/import-common.js';
import { ConfigError, loadConfigFile, readYamlFile } from '../../src/io/config-file.js';
import { loadRobotProfile } from '../../src/io/robot-profile-file.js';
import { ImportError } from '../../src/policy/importers/unitree-deploy.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';
import { PolicyConfigSchema } from '../../src/policy/policy-config.js';
import { loadRun } from '../../src/runtime/embedded-run.js';
import { importSetup } from '../../src/runtime/import-setup.js';
import { resolveRunSetup } from '../../src/runtime/run-setup.js';
import { shieldLimitsOrThrow } from '../../src/safety/limits.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { gainsFor } from '../../src/sim/config.js';
import { createMlp } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';

/** URDF order: fl_hip, fr_hip, rl_hip (FL, FR, RL as in the Go2's URDF). */
const URDF_ORDER = ['fl_hip', 'fr_hip', 'rl_hip'];
/** Motor order: FR, FL, RL (as the Go2's SDK). */
const MOTOR_ORDER = ['fr_hip', 'fl_hip', 'rl_hip'];

function urdf(): string {
  const link = (name: string) =>
    `<link name="${name}"><inertial><origin xyz="0 0 0" rpy="0 0 0"/><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial>` +
    `<collision><geometry><box size="0.1 0.1 0.1"/></geometry></collision></link>`;
  const joint = (name: string, y: number) =>
    `<joint name="${name}" type="revolute"><parent link="base"/><child link="${name}_link"/><origin xyz="0 ${y} 0" rpy="0 0 0"/><axis xyz="0 1 0"/><limit lower="-1" upper="1" effort="20" velocity="10"/></joint>`;
  return `<robot name="synthetic">${link('base')}${URDF_ORDER.map((j) => link(`${j}_link`)).join('')}${URDF_ORDER.map((j, i) => joint(j, 0.1 * (i - 1))).join('')}</robot>`;
}

/**
 * A deploy file for the synthetic robot: policy order rl, fr, fl. joint_ids_map gives each policy
 * joint's MOTOR index; stiffness/damping are in MOTOR order (fr 11, fl 22, rl 33).
 */
const POLICY_ORDER = ['rl_hip', 'fr_hip', 'fl_hip'];
function deploy(): Record<string, unknown> {
  return {
    joint_ids_map: POLICY_ORDER.map((j) => MOTOR_ORDER.indexOf(j)), // [2, 0, 1]
    step_dt: 0.02,
    stiffness: [11, 22, 33],
    damping: [1.1, 2.2, 3.3],
    default_joint_pos: [0.3, 0.1, 0.2], // rl, fr, fl
    actions: { JointPositionAction: { scale: 0.25, clip: null, offset: [0.3, 0.1, 0.2], joint_ids: null } },
    observations: {
      base_ang_vel: { params: {}, clip: null, scale: [0.2, 0.2, 0.2], history_length: 1 },
      projected_gravity: { params: {}, clip: null, scale: null, history_length: 1 },
      joint_pos_rel: { params: {}, clip: null, scale: null, history_length: 1 },
      joint_vel_rel: { params: {}, clip: null, scale: 0.05, history_length: 1 },
      last_action: { params: {}, clip: null, scale: null, history_length: 1 },
    },
  };
}

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-import-'));
  writeFileSync(join(dir, 'synthetic.urdf'), urdf());
  writeFileSync(join(dir, 'shield.yaml'), 'limits: { effortStage: true }\ncollision: { enabled: false }\n');
  const profile = {
    name: 'synthetic',
    urdf: 'synthetic.urdf',
    motorOrder: MOTOR_ORDER,
    imuLink: 'base',
    base: 'floating',
    baseHeightM: 0.5,
    feet: ['rl_hip_link'],
    fallHeightM: 0.2,
    gains: { '.*_hip': { kp: 5, kd: 0.5 } },
    armature: { defaultKgM2: 0.01 },
    shield: 'shield.yaml',
  };
  writeFileSync(join(dir, 'profile.yaml'), stringify(profile));
  writeFileSync(join(dir, 'deploy.yaml'), stringify(deploy()));
  // 3 + 3 + 3 + 3 + 3 = 15 observation values → 3 actions
  const net = createMlp([15, 8, 3], 'elu', new Rng(7));
  writeFileSync(join(dir, 'policy.onnx'), encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions' })));
  return dir;
}

describe('robot profile + import on a robot whose motor order is not its URDF order', () => {
  it('imports correctly from the profile: policy joints by joint_ids_map over the motor order, gains by motor index, by name in the run', () => {
    const dir = workspace();
    const r = importSetup({ robot: join(dir, 'profile.yaml'), deploy: join(dir, 'deploy.yaml'), out: join(dir, 'setup') });
    const policy = loadConfigFile(PolicyConfigSchema, r.files.policy);
    expect(policy.joints).toEqual(POLICY_ORDER);
    // stiffness[motor index] → policy order: rl (motor 2) 33, fr (motor 0) 11, fl (motor 1) 22
    expect(policy.stiffness).toEqual([33, 11, 22]);
    expect(policy.damping).toEqual([3.3, 1.1, 2.2]);
    expect(policy.modelPath).toBe('../policy.onnx'); // relative to the policy file's folder
    const run = resolveRunSetup(r.files.run);
    expect(gainsFor(run.config.sim, 'fr_hip')).toEqual({ kp: 11, kd: 1.1 });
    expect(gainsFor(run.config.sim, 'fl_hip')).toEqual({ kp: 22, kd: 2.2 });
    expect(gainsFor(run.config.sim, 'rl_hip')).toEqual({ kp: 33, kd: 3.3 });
    expect(run.config.sim.initialPose).toEqual({ rl_hip: 0.3, fr_hip: 0.1, fl_hip: 0.2 });
    expect(run.config.sim.base).toBe('floating');
    expect(run.config.sim.armature.defaultKgM2).toBe(0.01);
    expect(run.fallHeightM).toBe(0.2);
    expect(run.shieldPath).toBe(join(dir, 'shield.yaml'));
    expect(run.policyPath).toBe(r.files.policy);
    const scenario = (readYamlFile(r.files.run) as { scenario: { operator: unknown[]; durationS: number } }).scenario;
    expect(scenario.durationS).toBe(21);
    expect(scenario.operator).toEqual([]); // the policy observes no velocity command
  });

  it('refuses a deploy file without a motor order (URDF only), and takes a --motor-order flag instead', () => {
    const dir = workspace();
    const file = join(dir, 'deploy.yaml');
    expect(() => motorOrderFromFlags({ urdf: join(dir, 'synthetic.urdf') }, file)).toThrow(ImportError);
    expect(() => motorOrderFromFlags({ urdf: join(dir, 'synthetic.urdf') }, file)).toThrow(/motor \(SDK\) order[\s\S]*not assumed to be the motor order/);
    expect(motorOrderFromFlags({ robot: join(dir, 'profile.yaml') }, file)).toEqual(MOTOR_ORDER);
    expect(motorOrderFromFlags({ urdf: join(dir, 'synthetic.urdf'), 'motor-order': MOTOR_ORDER.join(',') }, file)).toEqual(MOTOR_ORDER);
    expect(() => motorOrderFromFlags({ urdf: join(dir, 'synthetic.urdf'), 'motor-order': 'fr_hip,fl_hip,rr_hip' }, file)).toThrow(/'rr_hip' is not an actuated joint/);
  });

  it('a profile whose motor order or links do not match its URDF is refused, every problem by field', () => {
    const dir = workspace();
    const bad = readYamlFile(join(dir, 'profile.yaml')) as Record<string, unknown>;
    writeFileSync(join(dir, 'bad.yaml'), stringify({ ...bad, motorOrder: ['fr_hip', 'fr_hip', 'rr_hip'], imuLink: 'imu', gains: { 'rear_.*': { kp: 1, kd: 0 } } }));
    try {
      loadRobotProfile(join(dir, 'bad.yaml'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toMatch(/motorOrder.1: 'fr_hip' appears twice/);
      expect(text).toMatch(/motorOrder.2: 'rr_hip' is not an actuated joint/);
      expect(text).toMatch(/motorOrder: the URDF's actuated joints 'fl_hip', 'rl_hip' have no motor index/);
      expect(text).toMatch(/imuLink: 'imu' is not a link/);
      expect(text).toMatch(/gains: no key matches actuated joint 'fr_hip'/);
      expect(text).toMatch(/gains.rear_.*: matches no actuated joint/);
    }
  });

  it('a run naming a profile drives the shield effort stage with the sim servo gains, joint by joint', async () => {
    const dir = workspace();
    const r = importSetup({ robot: join(dir, 'profile.yaml'), deploy: join(dir, 'deploy.yaml'), out: join(dir, 'setup') });
    // what loadRun hands the shield node: the deploy file's gains, which are in MOTOR order (fr 11, fl 22, rl 33)
    const loaded = await loadRun({ configPath: r.files.run, root: dir, candidateSource: () => ({ destroy() {} }) });
    expect(loaded.fallHeightM).toBe(0.2);
    expect(loaded.servoGains).toEqual({ fl_hip: { kp: 22, kd: 2.2 }, fr_hip: { kp: 11, kd: 1.1 }, rl_hip: { kp: 33, kd: 3.3 } });
    // the shield config stays as written: no second copy of the gains to drift from the sim's
    const file = loadConfigFile(ShieldNodeConfigSchema, resolveRunSetup(r.files.run).shieldPath);
    expect(loaded.shieldConfig.limits.servoGains).toEqual(file.limits.servoGains);
    // and the shield compiles exactly these gains into its effort model
    const limits = shieldLimitsOrThrow(jointLimitArrays(loaded.model), loaded.shieldConfig.limits, { gains: loaded.servoGains, gainsSource: 'sim.gains' });
    expect(limits.names.map((n, i) => [n, limits.kp[i], limits.kd[i]])).toEqual([['fl_hip', 22, 2.2], ['fr_hip', 11, 1.1], ['rl_hip', 33, 3.3]]);
  });

  it('a shield config naming servo gains other than the sim servos\' is refused when the shield is built', async () => {
    const dir = workspace();
    const r = importSetup({ robot: join(dir, 'profile.yaml'), deploy: join(dir, 'deploy.yaml'), out: join(dir, 'setup') });
    const loaded = await loadRun({ configPath: r.files.run, root: dir, candidateSource: () => ({ destroy() {} }) });
    const other = { ...loaded.shieldConfig.limits, servoGains: { fr_hip: { kpNmPerRad: 99, kdNmSPerRad: 1.1 } } };
    expect(() => shieldLimitsOrThrow(jointLimitArrays(loaded.model), other, { gains: loaded.servoGains, gainsSource: 'sim.gains' }))
      .toThrow(/kp 99 N·m\/rad for 'fr_hip' differs from the robot's servo gain 11 N·m\/rad \(sim\.gains\)/);
  });

  it('refuses to write into a non-empty folder, and names an unreadable ONNX file', () => {
    const dir = workspace();
    expect(() => importSetup({ robot: join(dir, 'profile.yaml'), deploy: join(dir, 'deploy.yaml'), out: dir })).toThrow(/not empty/);
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    expect(() => importSetup({ robot: join(dir, 'profile.yaml'), deploy: join(dir, 'deploy.yaml'), onnx: join(dir, 'junk.onnx'), out: join(dir, 'o') })).toThrow(
      new RegExp(`${join(dir, 'junk.onnx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*not a readable ONNX model`),
    );
  });
});
