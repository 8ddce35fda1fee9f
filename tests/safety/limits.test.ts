import { describe, expect, it } from 'vitest';
import { ShieldLimitsConfigSchema } from '../../src/safety/config.js';
import { buildShieldLimits } from '../../src/safety/limits.js';
import { urdfLimits } from './fixtures.js';

const build = (cfg: unknown) => buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse(cfg));

describe('shield limits from URDF and config', () => {
  it('tightens positions by the margin and scales velocity and effort', () => {
    const r = build({ positionMarginRad: 0.1, velocityScale: 0.5, effortScale: 0.8 });
    if (!r.success) throw new Error('expected success');
    expect(Array.from(r.data.lower)).toEqual([-0.9, -1.9, -Infinity]);
    expect(Array.from(r.data.upper)).toEqual([0.9, 0.4, Infinity]);
    expect(Array.from(r.data.velocity)).toEqual([1, 2, 0.5]);
    expect(Array.from(r.data.effort)).toEqual([8, 40, 4]);
  });

  it('applies per-joint overrides that tighten and servo gains by regex', () => {
    const r = build({ joints: { a: { upperRad: 0.5, velocityScale: 0.25 } }, servoGains: { '[bc]': { kpNmPerRad: 7, kdNmSPerRad: 0.1 } } });
    if (!r.success) throw new Error('expected success');
    expect(r.data.upper[0]).toBe(0.5);
    expect(r.data.velocity[0]).toBe(0.5);
    expect(Array.from(r.data.kp)).toEqual([100, 7, 7]);
  });

  it('refuses every loosening field, each named by its path', () => {
    const r = build({
      positionMarginRad: -0.1,
      decelerationRadPerS2: 2000,
      joints: { a: { lowerRad: -3 }, b: { upperRad: 1 }, nope: {} },
      servoGains: { '(': { kpNmPerRad: 1, kdNmSPerRad: 0 } },
    });
    expect(r.success).toBe(false);
    if (r.success) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining([
      'positionMarginRad', 'decelerationRadPerS2', 'joints.a.lowerRad', 'joints.b.upperRad', 'joints.nope', 'servoGains.(',
    ]));
  });

  it('refuses a margin that leaves no range', () => {
    const r = build({ joints: { a: { positionMarginRad: 1 } } });
    expect(r.success ? [] : r.issues.map((i) => i.path)).toEqual(['joints.a.positionMarginRad']);
  });

  it('refuses scale factors above 1 in the schema, naming the field', () => {
    const r = ShieldLimitsConfigSchema.safeParse({ velocityScale: 1.2, joints: { a: { effortScale: 2 } } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.map((i) => i.path.join('.'))).toEqual(['velocityScale', 'joints.a.effortScale']);
  });
});
