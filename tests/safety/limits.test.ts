import { describe, expect, it } from 'vitest';
import { ShieldLimitsConfigSchema } from '../../src/safety/config.js';
import { buildShieldLimits, type LimitsContext } from '../../src/safety/limits.js';
import { urdfLimits } from './fixtures.js';

const build = (cfg: object, ctx: LimitsContext = {}) =>
  buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({ kpNmPerRad: 100, kdNmSPerRad: 2, ...cfg }), ctx);
const paths = (r: ReturnType<typeof build>): string[] => (r.success ? [] : r.issues.map((i) => i.path));
const messages = (r: ReturnType<typeof build>): string => (r.success ? '' : r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
/** The robot's gains (a: 20/0.5, b: 50/1, c: 4/0.2), as the embedded run hands them over from sim.gains. */
const ROBOT = { a: { kp: 20, kd: 0.5 }, b: { kp: 50, kd: 1 }, c: { kp: 4, kd: 0.2 } };

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

  it('applies per-group overrides by regex; a joints entry wins over its group; a group matching nothing is refused', () => {
    const r = build({ groups: { '[ab]': { velocityScale: 0.5, upperRad: 0.2 } }, joints: { b: { velocityScale: 0.25 } } });
    if (!r.success) throw new Error(messages(r));
    expect(Array.from(r.data.velocity)).toEqual([1, 1, 1]);
    expect(Array.from(r.data.upper)).toEqual([0.2, 0.2, Infinity]);
    expect(paths(build({ groups: { 'leg_.*': { velocityScale: 0.5 } } }))).toEqual(['groups.leg_.*']);
  });

  it('takes the servo gains from the robot; config gains that differ are refused with both values named', () => {
    const r = buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({}), { gains: ROBOT, gainsSource: 'sim.gains' });
    if (!r.success) throw new Error(messages(r));
    expect(Array.from(r.data.kp)).toEqual([20, 50, 4]);
    expect(Array.from(r.data.kd)).toEqual([0.5, 1, 0.2]);
    const bad = build({ servoGains: { b: { kpNmPerRad: 50, kdNmSPerRad: 3 } } }, { gains: ROBOT, gainsSource: 'sim.gains' });
    expect(messages(bad)).toContain("kpNmPerRad: kp 100 N·m/rad for 'a' differs from the robot's servo gain 20 N·m/rad (sim.gains)");
    expect(messages(bad)).toContain("servoGains: kd 3 N·m·s/rad for 'b' differs from the robot's servo gain 1 N·m·s/rad (sim.gains)");
    expect(messages(bad)).not.toContain("kp 50");
    // no gains anywhere while the effort stage runs: refused, joint named
    const none = buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({}));
    expect(messages(none)).toContain("the effort stage needs the servo gains of 'a'");
  });

  it('a floating-base profile refuses anything that caps a servo below its effort limit, naming the joint', () => {
    // E/kp: a 10/20 = 0.5 rad, b 50/50 = 1 rad, c 5/4 = 1.25 rad
    const ok = buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({ followingErrorRad: 1.25 }), { gains: ROBOT, base: 'floating' });
    expect(ok.success).toBe(true);
    const r = buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({ followingErrorRad: 0.6, joints: { a: { effortScale: 0.5 } } }), { gains: ROBOT, base: 'floating' });
    const m = messages(r);
    expect(m).toContain("followingErrorRad: 0.6 rad caps the static torque of 'b' at kp·0.6 = 30.000 N·m, below its effort limit 50 N·m");
    expect(m).toContain("'c'");
    expect(m).not.toContain("static torque of 'a'");
    expect(m).toContain("joints.a.effortScale: 0.5 caps the torque of 'a' below its effort limit");
    // the same on a fixed base is allowed
    expect(buildShieldLimits(urdfLimits(), ShieldLimitsConfigSchema.parse({ followingErrorRad: 0.6 }), { gains: ROBOT, base: 'fixed' }).success).toBe(true);
  });

  it('refuses scale factors above 1 in the schema, naming the field', () => {
    const r = ShieldLimitsConfigSchema.safeParse({ velocityScale: 1.2, joints: { a: { effortScale: 2 } } });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.map((i) => i.path.join('.'))).toEqual(['velocityScale', 'joints.a.effortScale']);
  });
});
