/**
 * Every ROS parameter of the shield, policy and sim nodes carries a
 * description (from the schema's `.describe()`), so `ros2 param describe`
 * tells an operator what a field means and its unit.
 *
 * The configs set every optional and nullable field, so no leaf is left out
 * of the check for lack of a value; the only leaves not declared are those
 * ROS parameters cannot carry (records, unions, arrays of objects).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { PolicyConfigSchema } from '../../src/policy/policy-config.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';
import { SimConfigSchema } from '../../src/sim/config.js';
import { SimNodeConfigSchema } from '../../src/sim/sim-node.js';
import { describeParameters, type ParameterSpec } from '../../src/transport/ros/param-descriptors.js';

const shieldConfig = ShieldNodeConfigSchema.parse({
  limits: { jerkRadPerS3: 5000, followingErrorRad: 0.3, kpNmPerRad: 100, kdNmSPerRad: 2 },
  controllerJoints: ['left_shoulder_pitch_joint', 'right_shoulder_pitch_joint'],
});

const policyConfig = PolicyConfigSchema.parse({
  modelPath: 'models/policy.onnx',
  contractPath: 'models/policy.contract.json',
  joints: ['left_shoulder_pitch_joint', 'right_shoulder_pitch_joint'],
  jointIndexMap: [0, 1],
  defaultJointPos: [0.1, -0.1],
  observation: { terms: [{ name: 'ang_vel', source: 'base_ang_vel' }] },
  action: { scale: 0.25 },
  stiffness: [40, 40],
  damping: [1, 1],
  modes: { faults: { inferenceBudgetS: 0.02 } },
});

const simConfig = SimConfigSchema.parse({ baseHeightM: 0.8, imuLink: 'pelvis', contactFriction: 0.8 });
const simNodeConfig = SimNodeConfigSchema.parse({
  commandJointOrder: ['left_shoulder_pitch_joint'],
  jointStateOrder: ['left_shoulder_pitch_joint'],
});

const cases: ReadonlyArray<[string, z.ZodType, unknown]> = [
  ['shield', ShieldNodeConfigSchema, shieldConfig],
  ['policy', PolicyConfigSchema, policyConfig],
  ['sim', SimConfigSchema, simConfig],
  ['sim node', SimNodeConfigSchema, simNodeConfig],
];

const specsOf = (schema: z.ZodType, config: unknown): Map<string, ParameterSpec> =>
  new Map(describeParameters(schema, config).specs.map((s) => [s.name, s]));

const spec = (specs: Map<string, ParameterSpec>, name: string): ParameterSpec => {
  const s = specs.get(name);
  if (!s) throw new Error(`no parameter ${name}`);
  return s;
};

describe('ROS parameter descriptions of the node configs', () => {
  it.each(cases)('every %s parameter has a description', (_name, schema, config) => {
    const { specs } = describeParameters(schema, config);
    expect(specs.length).toBeGreaterThan(5);
    const undescribed = specs.filter((s) => s.description.trim() === '').map((s) => s.name);
    expect(undescribed).toEqual([]);
  });

  it.each(cases)('the %s config leaves no leaf out for lack of a value', (_name, schema, config) => {
    const { skipped } = describeParameters(schema, config);
    expect(skipped.filter((s) => !/not representable/.test(s.reason))).toEqual([]);
  });

  it("describes the shield's core.rateHz with its unit and its 500–1000 Hz range", () => {
    const rate = spec(specsOf(ShieldNodeConfigSchema, shieldConfig), 'core.rateHz');
    expect(rate.kind).toBe('double');
    expect(rate.description).toMatch(/\bHz\b/);
    expect(rate.description).toMatch(/500–1000/);
    expect(rate.range).toEqual({ from: 500, to: 1000, step: 0 });
  });

  it("describes the policy's modes.faults.maxTiltRad in rad with its (0, π] range", () => {
    const tilt = spec(specsOf(PolicyConfigSchema, policyConfig), 'modes.faults.maxTiltRad');
    expect(tilt.description).toMatch(/tilt/i);
    expect(tilt.description).toMatch(/\brad\b/);
    expect(tilt.range).toEqual({ from: 0, to: Math.PI, step: 0 });
    expect(tilt.additionalConstraints).toBe('> 0');
  });

  it("describes the sim's timestepS and the sim node's jointStateRateHz with their units", () => {
    expect(spec(specsOf(SimConfigSchema, simConfig), 'timestepS').description).toMatch(/step, s$/);
    expect(spec(specsOf(SimNodeConfigSchema, simNodeConfig), 'jointStateRateHz').description).toMatch(/\/joint_states rate, Hz/);
  });
});
