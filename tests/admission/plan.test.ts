/**
 * The admission plan (pure): scenarios by policy kind, commands from the
 * policy's own command ranges, randomised conditions drawn reproducibly per
 * (scenario, seed) inside the stated ranges.
 */
import { describe, expect, it } from 'vitest';
import { AdmissionOptionsSchema, planTrials, scenarioCommand, type PlanContext } from '../../src/admission/index.js';

const ctx: PlanContext = {
  kind: 'velocity',
  commandRanges: [[-0.5, 1], [-0.3, 0.3], [-0.2, 0.2]],
  joints: ['a', 'b', 'c'],
  links: ['pelvis', 'torso_link'],
  rootLink: 'pelvis',
};

describe('admission plan', () => {
  it('a velocity policy gets stand, forward, backward, left, right and two turns, each over every seed', () => {
    const specs = planTrials(ctx, AdmissionOptionsSchema.parse({ seeds: 2 }));
    expect(specs.map((s) => `${s.scenario}#${s.seed}`)).toEqual([
      'stand#1', 'stand#2', 'forward#1', 'forward#2', 'backward#1', 'backward#2', 'left#1', 'left#2', 'right#1', 'right#2', 'turn_left#1', 'turn_left#2', 'turn_right#1', 'turn_right#2',
    ]);
  });

  it('commands are the range bounds × the fraction, in each direction; turns walk forward at half speed', () => {
    const f = 0.9;
    expect(scenarioCommand('stand', ctx.commandRanges, f)).toEqual({ vx: 0, vy: 0, wz: 0 });
    expect(scenarioCommand('forward', ctx.commandRanges, f)).toEqual({ vx: 0.9, vy: 0, wz: 0 });
    expect(scenarioCommand('backward', ctx.commandRanges, f)!.vx).toBeCloseTo(-0.45, 12);
    expect(scenarioCommand('left', ctx.commandRanges, f)!.vy).toBeCloseTo(0.27, 12);
    expect(scenarioCommand('right', ctx.commandRanges, f)!.vy).toBeCloseTo(-0.27, 12);
    const tl = scenarioCommand('turn_left', ctx.commandRanges, f)!;
    expect([tl.vx, tl.vy]).toEqual([0.45, 0]);
    expect(tl.wz).toBeCloseTo(0.18, 12);
    expect(scenarioCommand('turn_right', ctx.commandRanges, f)!.wz).toBeCloseTo(-0.18, 12);
  });

  it('a direction the policy was not trained for (range bound 0) is not planned', () => {
    const specs = planTrials({ ...ctx, commandRanges: [[0, 1], [0, 0], [-0.2, 0.2]] }, AdmissionOptionsSchema.parse({ seeds: 1 }));
    expect(specs.map((s) => s.scenario)).toEqual(['stand', 'forward', 'turn_left', 'turn_right']);
  });

  it('conditions: inside the stated ranges, reproducible per (scenario, seed), different between seeds', () => {
    const opts = AdmissionOptionsSchema.parse({ seeds: 5 });
    const a = planTrials(ctx, opts);
    const b = planTrials(ctx, opts);
    expect(a).toEqual(b);
    const r = opts.randomise;
    for (const s of a) {
      const c = s.conditions;
      expect(c.friction).toBeGreaterThanOrEqual(r.friction[0]);
      expect(c.friction).toBeLessThanOrEqual(r.friction[1]);
      expect(c.addedMass.kg).toBeGreaterThanOrEqual(r.addedMassKg[0]);
      expect(c.addedMass.kg).toBeLessThanOrEqual(r.addedMassKg[1]);
      expect(c.addedMass.link).toBe('torso_link');
      expect(c.motorStrength).toBeGreaterThanOrEqual(r.motorStrength[0]);
      expect(c.motorStrength).toBeLessThanOrEqual(r.motorStrength[1]);
      expect(c.latencyS).toBeGreaterThanOrEqual(r.latencyS[0]);
      expect(c.latencyS).toBeLessThanOrEqual(r.latencyS[1]);
      for (const j of ctx.joints) expect(Math.abs(c.poseNoiseRad[j]!)).toBeLessThanOrEqual(r.poseNoiseRad);
      expect(Math.hypot(...c.push!.impulseNs)).toBeCloseTo(r.pushImpulseNs, 9);
      expect(c.push!.impulseNs[2]).toBe(0);
      // pushed inside the tracking window, at least 2 s before the end (room to recover)
      expect(c.push!.atS).toBeGreaterThanOrEqual(s.scenario === 'stand' ? 2.5 : s.trackFromS!);
      expect(c.push!.atS).toBeLessThanOrEqual(s.durationS - 2);
    }
    const frictions = new Set(a.filter((s) => s.scenario === 'forward').map((s) => s.conditions.friction));
    expect(frictions.size).toBe(5);
  });

  it('a tracking policy runs its reference for the reference\'s length; other policies hold; velocity scenarios need a velocity policy', () => {
    const opts = AdmissionOptionsSchema.parse({ seeds: 1 });
    const t = planTrials({ ...ctx, kind: 'tracking', referenceDurationS: 12.5 }, opts);
    expect(t.map((s) => [s.scenario, s.durationS, s.command])).toEqual([['reference', 12.5, null]]);
    expect(planTrials({ ...ctx, kind: 'other' }, opts).map((s) => s.scenario)).toEqual(['hold']);
    expect(() => planTrials({ ...ctx, kind: 'other' }, AdmissionOptionsSchema.parse({ scenarios: ['forward'] }))).toThrow(/needs a velocity policy/);
  });

  it('options are strict: an unknown key is refused by path', () => {
    const r = AdmissionOptionsSchema.safeParse({ randomise: { frction: [0.5, 1] } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain('frction');
  });
});
