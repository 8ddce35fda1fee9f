/**
 * The sim conditions admission trials add: a push (an impulse on the whole
 * floating robot) and a contact friction applied to robot and floor alike.
 * Oracle for the push: momentum — the base's velocity changes by impulse /
 * total mass, the mass summed from the URDF's links (not from MuJoCo).
 */
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { generateMjcf } from '../../src/sim/mjcf.js';
import { applyScenarioEvent, scenarioEventProblems, ScenarioEventSchema } from '../../src/sim/scenario.js';
import { MujocoSim } from '../../src/sim/simulation.js';
import { SimConfigSchema } from '../../src/sim/config.js';

const mujoco = mujocoAvailability();
if (!mujoco.available) process.stderr.write(`skipping the push test: ${mujoco.reason}\n`);
const model = loadUrdfFile('urdf/g1_29dof.urdf');

describe('admission sim conditions', () => {
  it.skipIf(!mujoco.available)('a push changes the floating base\'s velocity by impulse / total mass, at once', () => {
    const sim = new MujocoSim({ model, config: { base: 'floating', baseHeightM: 2, gravity: [0, 0, 0], timestepS: 0.001 } });
    try {
      const totalKg = model.links.reduce((s, l) => s + (l.inertial?.mass ?? 0), 0);
      const push = ScenarioEventSchema.parse({ kind: 'push', atS: 0, target: sim.build.rootBody, values: { impulseNs: [12, -6, 3] } });
      expect(scenarioEventProblems(sim, push)).toEqual([]);
      const before = new Float64Array(7);
      const after = new Float64Array(7);
      sim.readBasePose(before);
      applyScenarioEvent(sim, push);
      const steps = 100;
      sim.step(steps);
      sim.readBasePose(after);
      const T = steps * sim.timestepS;
      // no gravity, no contact (2 m up): the base drifts at the velocity the push gave it
      expect((after[0]! - before[0]!) / T).toBeCloseTo(12 / totalKg, 2);
      expect((after[1]! - before[1]!) / T).toBeCloseTo(-6 / totalKg, 2);
      expect((after[2]! - before[2]!) / T).toBeCloseTo(3 / totalKg, 2);
      expect(12 / totalKg).toBeGreaterThan(0.2); // a visible push, not a rounding error
    } finally {
      sim.dispose();
    }
  });

  it.skipIf(!mujoco.available)('a push must target the floating base\'s root link', () => {
    const sim = new MujocoSim({ model, config: { base: 'floating' } });
    try {
      const e = ScenarioEventSchema.parse({ kind: 'push', target: 'torso_link', values: { impulseNs: [1, 0, 0] } });
      expect(scenarioEventProblems(sim, e)).toEqual([`push at 0 s: 'torso_link' is not the floating base's root link ('${sim.build.rootBody}')`]);
    } finally {
      sim.dispose();
    }
  });

  it('contactFriction sets every geom\'s friction (robot and floor); unset, the MJCF is as before', () => {
    const plain = generateMjcf(model, SimConfigSchema.parse({ base: 'floating' }));
    expect(plain).not.toContain('<default>');
    expect(plain).toContain('friction="1 0.005 0.0001"');
    const low = generateMjcf(model, SimConfigSchema.parse({ base: 'floating', contactFriction: 0.4 }));
    expect(low).toContain('<default><geom friction="0.4 0.005 0.0001"/></default>');
    expect(low).toMatch(/type="plane"[^>]*friction="0.4 0.005 0.0001"/);
  });
});
