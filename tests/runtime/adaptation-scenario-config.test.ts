/**
 * The adaptation scenario's files agree with each other and with the robot: every dynamics event starts a
 * listed regime; the payload is "released" back to the URDF's hand mass; restored gains and damping are the
 * sim's defaults and the URDF's (a URDF or default change must update config/embedded-adaptation.yaml).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/io/config-file.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { groupValueOf, leadBoundOf } from '../../src/adaptation/config.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { AdaptationScenarioSchema } from '../../src/runtime/adaptation-scenario.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';
import { buildShieldLimits } from '../../src/safety/limits.js';
import { RunConfigSchema } from '../../src/runtime/run-config.js';
import { gainsFor } from '../../src/sim/config.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe.each(['adaptation.yaml', 'adaptation-following.yaml', 'adaptation-damping.yaml'])('config/%s', (file) => {
  const sc = loadConfigFile(AdaptationScenarioSchema, join(ROOT, 'config', file));
  const run = loadConfigFile(RunConfigSchema, join(ROOT, 'config', sc.run));
  const model = loadUrdfFile(join(ROOT, 'config', run.robot.urdf ?? 'missing robot.urdf'));

  it('every dynamics event starts a listed regime, and the run lasts to the last regime + 10 s or more', () => {
    const starts = new Set(sc.regimes.map((r) => r.startS));
    for (const e of run.scenario.dynamics) expect(starts.has(e.atS)).toBe(true);
    expect(run.scenario.durationS).toBeGreaterThanOrEqual(sc.regimes.at(-1)!.startS + 10);
    for (let i = 1; i < sc.regimes.length; i++) expect(sc.regimes[i]!.startS - sc.regimes[i - 1]!.startS).toBeGreaterThanOrEqual(10);
  });

  it('restores the URDF hand mass, the sim default gains and the URDF damping', () => {
    const restoreTimes = new Set(sc.regimes.filter((r) => r.name === sc.regimes[0]!.name || r.name.startsWith('payload')).map((r) => r.startS));
    let checked = 0;
    for (const e of run.scenario.dynamics) {
      if (e.kind === 'set_mass') {
        const link = model.links.find((l) => l.name === e.target);
        expect(e.values.massKg).toBe(link?.inertial?.mass);
        checked++;
      }
      if (restoreTimes.has(e.atS) && e.kind === 'set_gains') {
        expect(e.values).toEqual(gainsFor(run.sim, e.target));
        checked++;
      }
      if (restoreTimes.has(e.atS) && e.kind === 'set_damping') {
        expect(e.values.damping).toBe(model.joints.find((j) => j.name === e.target)?.dynamics?.damping);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("the adapter's command-lead bound of every adapted joint is the shield's following-error bound of that joint", () => {
    const shieldFile = sc.shield ? join(ROOT, 'config', sc.shield) : join(ROOT, 'config', run.shield ?? 'missing shield');
    const shield = loadConfigFile(ShieldNodeConfigSchema, shieldFile);
    const names = model.joints.filter((j) => j.type !== 'fixed').map((j) => j.name);
    const gains = Object.fromEntries(names.map((n) => [n, gainsFor(run.sim, n)]));
    const r = buildShieldLimits(jointLimitArrays(model, names), shield.limits, { gains, base: 'fixed' });
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const adapted = sc.adapter.groups.flatMap((g) => g.joints);
    expect(adapted.length).toBeGreaterThan(0);
    for (const j of adapted) expect(leadBoundOf(sc.adapter.trustRegion.maxLeadRad, j), j).toBe(r.data.followingError[names.indexOf(j)]);
  });

  it("the context's kp of every adapted joint is the sim's servo kp of that joint (it normalises payload and damping between the joints)", () => {
    if (!sc.adapter.context) return expect(file).not.toBe('adaptation.yaml'); // the shipped scenario has one
    for (const j of sc.adapter.groups.flatMap((g) => g.joints)) expect(groupValueOf(sc.adapter.context.kp, j), j).toBe(gainsFor(run.sim, j).kp);
  });
});
