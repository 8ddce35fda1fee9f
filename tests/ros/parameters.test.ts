/**
 * Config schema → ROS parameter descriptors, and live changes routed through
 * the schema (pure logic, no ROS).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyParameterChanges, fromRosValue, toRosValue } from '../../src/transport/ros/param-changes.js';
import { describeParameters, type ParameterSpec } from '../../src/transport/ros/param-descriptors.js';

const Schema = z
  .object({
    rateHz: z.number().int().min(1).max(1000).default(50).describe('control rate, Hz'),
    limits: z.object({
      velocityScale: z.number().gt(0).max(1).default(0.8).describe('fraction of the URDF velocity limit'),
      marginRad: z.number().min(0).default(0.02),
    }),
    mode: z.enum(['position', 'trajectory']).default('position'),
    urdf: z.string().default('urdf/g1_29dof.urdf'),
    enabled: z.boolean().default(true),
    joints: z.array(z.string()).default([]),
    gains: z.array(z.number()).default([1, 2]),
    perJoint: z.record(z.string(), z.number()).default({}),
    payloadKg: z.number().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'trajectory' && c.rateHz > 500) {
      ctx.addIssue({ code: 'custom', path: ['rateHz'], message: 'trajectory mode runs at most 500 Hz' });
    }
  });
type Config = z.output<typeof Schema>;
const initial: Config = Schema.parse({ limits: {} });

const described = describeParameters(Schema, initial, { readOnly: ['urdf', 'limits.marginRad'] });
const specs = new Map(described.specs.map((s) => [s.name, s]));
const spec = (name: string): ParameterSpec => {
  const s = specs.get(name);
  if (!s) throw new Error(`no spec ${name}`);
  return s;
};

describe('describeParameters', () => {
  it('declares every leaf by its dotted path with its ROS type', () => {
    expect(described.specs.map((s) => [s.name, s.kind])).toEqual([
      ['rateHz', 'integer'],
      ['limits.velocityScale', 'double'],
      ['limits.marginRad', 'double'],
      ['mode', 'string'],
      ['urdf', 'string'],
      ['enabled', 'bool'],
      ['joints', 'string_array'],
      ['gains', 'double_array'],
    ]);
  });

  it('carries ranges, descriptions and constraints ROS ranges cannot express', () => {
    expect(spec('rateHz')).toMatchObject({ range: { from: 1, to: 1000, step: 1 }, description: 'control rate, Hz' });
    expect(spec('limits.velocityScale')).toMatchObject({ range: { from: 0, to: 1, step: 0 }, additionalConstraints: '> 0' });
    expect(spec('limits.marginRad').range).toBeUndefined();
    expect(spec('limits.marginRad').additionalConstraints).toBe('>= 0');
    expect(spec('mode').additionalConstraints).toBe('one of: position, trajectory');
  });

  it('marks the unsafe-to-change fields read-only', () => {
    expect(described.specs.filter((s) => s.readOnly).map((s) => s.name)).toEqual(['limits.marginRad', 'urdf']);
  });

  it('reports the fields a ROS parameter cannot carry, with the reason', () => {
    expect(described.skipped.map((s) => s.name)).toEqual(['perJoint', 'payloadKg']);
    expect(described.skipped[0]?.reason).toMatch(/ZodRecord is not representable/);
    expect(described.skipped[1]?.reason).toMatch(/optional field without a value/);
  });

  it('declares an optional field once the config gives it a value', () => {
    const withPayload = describeParameters(Schema, { ...initial, payloadKg: 1.5 });
    expect(withPayload.specs.find((s) => s.name === 'payloadKg')?.kind).toBe('double');
  });

  it('refuses a schema that is not an object', () => {
    expect(() => describeParameters(z.number(), 1)).toThrow(/zod object/);
  });
});

describe('ROS values', () => {
  it('converts integers to bigint and typed arrays to plain arrays for ROS', () => {
    expect(toRosValue(spec('rateHz'), 50)).toBe(50n);
    expect(toRosValue(spec('gains'), new Float64Array([1.5, 2]))).toEqual([1.5, 2]);
  });

  it('converts ROS values back and accepts an integer for a double', () => {
    expect(fromRosValue(spec('rateHz'), 200n)).toEqual({ ok: true, value: 200 });
    expect(fromRosValue(spec('limits.velocityScale'), 1n)).toEqual({ ok: true, value: 1 });
    expect(fromRosValue(spec('enabled'), 'yes')).toEqual({ ok: false, reason: 'expected a bool' });
    expect(fromRosValue(spec('joints'), ['a', 1])).toMatchObject({ ok: false });
  });
});

describe('applyParameterChanges', () => {
  it('accepts a valid change and returns the new config', () => {
    const r = applyParameterChanges(Schema, initial, specs, [{ name: 'limits.velocityScale', value: 0.5 }]);
    expect(r).toMatchObject({ ok: true, changed: ['limits.velocityScale'] });
    if (r.ok) expect(r.config.limits.velocityScale).toBe(0.5);
    expect(initial.limits.velocityScale).toBe(0.8);
  });

  it('refuses a value the schema rejects, naming the field and reason', () => {
    const r = applyParameterChanges(Schema, initial, specs, [{ name: 'limits.velocityScale', value: 1.5 }]);
    expect(r).toEqual({ ok: false, reason: 'refused limits.velocityScale: limits.velocityScale: Too big: expected number to be <=1' });
  });

  it('applies cross-field rules and is atomic: one refused change rejects the whole set', () => {
    const r = applyParameterChanges(Schema, initial, specs, [
      { name: 'mode', value: 'trajectory' },
      { name: 'rateHz', value: 800n },
    ]);
    expect(r).toEqual({ ok: false, reason: 'refused mode, rateHz: rateHz: trajectory mode runs at most 500 Hz' });
    expect(initial.mode).toBe('position');
  });

  it('refuses read-only, unknown and wrongly typed parameters', () => {
    expect(applyParameterChanges(Schema, initial, specs, [{ name: 'urdf', value: 'x.urdf' }])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/urdf: read-only/),
    });
    expect(applyParameterChanges(Schema, initial, specs, [{ name: 'nope', value: 1 }])).toMatchObject({ ok: false, reason: 'nope: not a parameter of this node' });
    expect(applyParameterChanges(Schema, initial, specs, [{ name: 'enabled', value: 1n }])).toMatchObject({ ok: false, reason: 'enabled: expected a bool' });
  });

  it('lets start-up overrides set read-only parameters', () => {
    const r = applyParameterChanges(Schema, initial, specs, [{ name: 'urdf', value: 'urdf/g1_29dof_fixed.urdf' }], undefined, { allowReadOnly: true });
    expect(r.ok && r.config.urdf).toBe('urdf/g1_29dof_fixed.urdf');
  });

  it('refuses what the guard calls unsafe (e.g. above a URDF limit)', () => {
    const guard = (c: Config): string | null => (c.gains.some((g) => g > 10) ? 'gain above the URDF-derived maximum 10' : null);
    const r = applyParameterChanges(Schema, initial, specs, [{ name: 'gains', value: [1, 20] }], guard);
    expect(r).toEqual({ ok: false, reason: 'refused gains: gain above the URDF-derived maximum 10' });
  });
});
