/**
 * Golden observations for holosoma-style policies, the expected vectors built
 * here from holosoma's published conventions (issue 9), not from the assembler:
 * - terms sorted alphabetically by name;
 * - command split: command_ang_vel [wz] (1), command_lin_vel [vx, vy] (2);
 * - gait phase per foot (left, right = left + π), sin_phase and cos_phase
 *   each 2 wide; the clock advances by 2π·dt/period before each use and
 *   restarts at 0 after a stand; while |command| < 0.01 both feet sit at π;
 * - raw actions clipped to ±100; target = default + 1.0·action.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlStrict } from '../../src/io/config-file.js';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeImu, makeJointState } from '../../src/transport/messages.js';
import { importUnitreeDeploy } from '../../src/policy/importers/unitree-deploy.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { ActionMapper } from '../../src/policy/action.js';
import { importOnnxMetadata } from '../../src/policy/importers/onnx-metadata.js';
import { createObservationInputs, ObservationAssembler } from '../../src/policy/observation.js';
import { readOnnxModelInfo } from '../../src/policy/onnx-model-info.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { createMlp } from '../../src/training/mlp.js';
import { mlpToOnnxSpec } from '../../src/training/mlp-onnx.js';
import { encodeOnnxModel } from '../../src/training/onnx-writer.js';
import { Rng } from '../../src/training/rng.js';
import { expectVector, JOINTS } from './conventions-fixtures.js';

const DEFAULT = [0.1, 0.2, 0.3];
const DT = 0.02;
const HOLOSOMA_METADATA = {
  dof_names: JSON.stringify(JOINTS),
  kp: JSON.stringify([40, 40, 20]),
  kd: JSON.stringify([1, 1, 0.5]),
  default_joint_pos: JSON.stringify(DEFAULT),
  command_ranges: JSON.stringify([[-1, 1], [-0.5, 0.5], [-1, 1]]),
};

function locomotionModel(width: number): Uint8Array {
  const net = createMlp([width, 8, 3], 'elu', new Rng(9));
  return encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions', metadata: HOLOSOMA_METADATA }));
}

describe('holosoma-style locomotion', () => {
  it('import-onnx reads holosoma metadata (JSON-string dof_names, kp, kd, command_ranges) into a loadable config', async () => {
    const model = locomotionModel(3 + 3 + 1 + 2 + 2 + 3 + 3 + 3 + 2);
    const { config, notes } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    expect(notes.join('\n')).toMatch(/holosoma locomotion layout/);
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    expect(cfg.joints).toEqual(JOINTS);
    expect(cfg.config.stiffness).toEqual([40, 40, 20]);
    expect(cfg.config.damping).toEqual([1, 1, 0.5]);
    expect(Array.from(cfg.defaultJointPos)).toEqual(DEFAULT);
    expect(cfg.observationWidth).toBe(22);
    const policy = await OnnxPolicy.create({ model, config: cfg });
    await policy.release();
  });

  it('a model whose width does not fit the holosoma layout is refused, naming both widths', () => {
    expect(() => importOnnxMetadata(readOnnxModelInfo(locomotionModel(23)), { modelPath: 'x.onnx', rateHz: 50 })).toThrow(/give width 22, model input 'obs' has width 23/);
  });

  it('assembles the alphabetical, split-command, per-foot pinned-phase observation built from the conventions', () => {
    const { config } = importOnnxMetadata(readOnnxModelInfo(locomotionModel(22)), { modelPath: 'x.onnx', rateHz: 50 });
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    const a = new ObservationAssembler(cfg.observation, cfg.defaultJointPos);
    const s = createObservationInputs(3);
    const commands = [[1.5, 0.2, -0.4], [0.5, 0, 0], [0.005, 0, 0.005], [0, 0, 0.3], [0, 0, 0.3]];
    // holosoma's gait clock, written independently: advance then use; a stand pins π and restarts the clock
    let clock = 0;
    commands.forEach((cmd, k) => {
      s.step = k;
      s.timeS = k * DT;
      s.velocityCommand.set(cmd);
      s.baseAngVel.set([0.1 * k, -0.2, 0.3]);
      s.baseQuatXyzw.set([0, Math.sin(0.1), 0, Math.cos(0.1)]); // pitched 0.2 rad nose-down
      s.jointPos.set([0.5, 0.2 - 0.1 * k, 0.3]);
      s.jointVel.set([1, -1, 2 * k]);
      s.lastActionRaw.set([k, -k, 0.5]);
      expect(a.assemble(s)).toBe('ok');
      const stand = Math.hypot(cmd[0]!, cmd[1]!, cmd[2]!) < 0.01;
      let left: number, right: number;
      if (stand) {
        clock = 0;
        left = right = Math.PI;
      } else {
        clock += (2 * Math.PI * DT) / 1;
        left = clock;
        right = clock + Math.PI;
      }
      const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
      const want = [
        ...[k, -k, 0.5], // actions
        ...[0.1 * k, -0.2, 0.3], // base_ang_vel
        clamp(cmd[2]!, -1, 1), // command_ang_vel
        clamp(cmd[0]!, -1, 1), clamp(cmd[1]!, -0.5, 0.5), // command_lin_vel
        Math.cos(left), Math.cos(right), // cos_phase
        0.5 - 0.1, 0.2 - 0.1 * k - 0.2, 0, // dof_pos (relative to default)
        1, -1, 2 * k, // dof_vel
        Math.sin(0.2), 0, -Math.cos(0.2), // projected_gravity
        Math.sin(left), Math.sin(right), // sin_phase
      ];
      expectVector(a.out, want, 5, `tick ${k}`);
    });
  });

  it('actions: raw clipped to ±100, target = default + 1.0·action', () => {
    const { config } = importOnnxMetadata(readOnnxModelInfo(locomotionModel(22)), { modelPath: 'x.onnx', rateHz: 50 });
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    const m = new ActionMapper(cfg.action, cfg.defaultJointPos);
    expect(m.map([150, -0.3, -250]).kind).toBe('ok');
    expectVector(m.target, [0.1 + 100, 0.2 - 0.3, 0.3 - 100], 9);
  });

  it('keyboard_velocity_commands (unitree_rl_lab newer name) is the velocity command', () => {
    const net = createMlp([3 + 3, 8, 3], 'elu', new Rng(4));
    const model = encodeOnnxModel(mlpToOnnxSpec(net, { inputName: 'obs', outputName: 'actions', metadata: { joint_names: JOINTS.join(','), action_scale: '0.5', default_joint_pos: '0,0,0', observation_names: 'base_ang_vel,keyboard_velocity_commands' } }));
    const { config } = importOnnxMetadata(readOnnxModelInfo(model), { modelPath: 'x.onnx', rateHz: 50 });
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config));
    expect(cfg.observation.terms[1]).toMatchObject({ name: 'keyboard_velocity_commands', source: 'velocity_command' });
  });
});

describe('unitree_rl_lab term alias', () => {
  it('import-deploy accepts keyboard_velocity_commands as the velocity command term (same ranges, same width)', () => {
    const file = join(import.meta.dirname, 'fixtures', 'g1_12dof_deploy.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^  velocity_commands:/m);
    const renamed = parseYamlStrict(text.replace(/^  velocity_commands:/m, '  keyboard_velocity_commands:'), file);
    const { config } = importUnitreeDeploy(renamed, { robotJointNames: G1_JOINTS, modelPath: 'm.onnx' });
    const original = importUnitreeDeploy(parseYamlStrict(text, file), { robotJointNames: G1_JOINTS, modelPath: 'm.onnx' }).config;
    const terms = (config.observation as { terms: { name: string }[] }).terms;
    const i = terms.findIndex((t) => t.name === 'keyboard_velocity_commands');
    expect(i).toBeGreaterThanOrEqual(0);
    expect({ ...terms[i], name: 'velocity_commands' }).toEqual((original.observation as { terms: unknown[] }).terms[i]);
  });
});

describe('pinned phase on the policy node', () => {
  it('a pinned phase without a command term still subscribes to /cmd_vel (else it would stay pinned forever)', async () => {
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({
      modelPath: 'unused.onnx', joints: JOINTS, defaultJointPos: DEFAULT,
      observation: { terms: [{ name: 'sin_phase', source: 'phase', output: 'sin', feet: 2, periodS: 1, pin: {} }] },
      action: { scale: 1 },
    }));
    const bus = new EmbeddedBus();
    const seen: number[][] = [];
    const input = new Float32Array(2);
    const policy = { obsWidth: 2, actionWidth: 3, input, lastRunMs: 0, run: () => (seen.push(Array.from(input)), Promise.resolve(new Float32Array(3))), release: () => Promise.resolve() };
    const node = new PolicyNode({ node: bus.createNode('policy'), config: cfg, policy, robotJointNames: JOINTS });
    try {
      const robot = bus.createNode('robot');
      const js = robot.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
      const imu = robot.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
      const cmd = robot.createPublisher('geometry_msgs/msg/Twist', '/cmd_vel');
      const twist = { linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };
      for (let k = 1; k <= 3; k++) {
        js.publish(makeJointState(JOINTS));
        imu.publish(makeImu('pelvis'));
        if (k === 2) cmd.publish(twist);
        bus.advanceTo(BigInt(k) * 20_000_000n);
        await bus.settle();
      }
      expect(seen.length).toBe(3);
      expectVector(seen[0]!, [0, 0], 6, 'standing: pinned at π'); // sin π = 0 for both feet
      // walking from the second tick: the clock restarted at the last pinned tick (t = 0), right foot half a period on
      expectVector(seen[1]!, [Math.sin(2 * Math.PI * 0.02), Math.sin(2 * Math.PI * 0.02 + Math.PI)], 5, 'walking, first tick');
      expectVector(seen[2]!, [Math.sin(2 * Math.PI * 0.04), Math.sin(2 * Math.PI * 0.04 + Math.PI)], 5, 'walking, second tick');
    } finally {
      node.destroy();
      await bus.shutdown();
    }
  });
});
