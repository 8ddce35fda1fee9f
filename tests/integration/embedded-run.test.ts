/**
 * Topic-level integration on the embedded bus: sim + policy + shield wired only
 * by topics and services, the physics in MuJoCo. Every message is checked
 * against its ROS 2 schema, every actuator command against the URDF limits by
 * an independent monitor, and an e-stop must hold the robot until reset.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { runEmbedded } from '../../src/runtime/embedded-run.js';

const root = join(import.meta.dirname, '..', '..');
const mujoco = mujocoAvailability();
if (!mujoco.available) console.warn(`[skipped] embedded-run integration: ${mujoco.reason}`);

describe.skipIf(!mujoco.available)('embedded run (sim + policy + shield on the embedded bus)', () => {
  it('runs the scenario with zero limit violations, holds during e-stop, and resumes after reset', async () => {
    const s = await runEmbedded({
      configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'),
      root,
      validateMessages: true,
    });
    // every message had its ROS 2 shape, nothing threw
    expect(s.bus.invalidMessages).toBe(0);
    expect(s.bus.callbackErrors).toBe(0);
    expect(s.bus.qosMismatches).toBe(0);
    // the loop ran at its rates: policy 50 Hz, shield 500 Hz over 3 s
    expect(s.policy.published).toBeGreaterThanOrEqual(140);
    expect(s.shield.commands).toBeGreaterThanOrEqual(1400);
    expect(s.sim.commandsApplied).toBe(s.shield.commands);
    expect(s.sim.dynamicsEventsApplied).toBe(1);
    // no command outside the URDF limits reached the actuators
    expect(s.monitor.commands).toBe(s.shield.commands);
    expect(s.monitor.violations).toBe(0);
    // e-stop: latched hold, the command did not move until the reset
    expect(s.estop.events).toBe(1);
    expect(s.estop.maxHoldDeviationRad).toBe(0);
    expect(s.shield.timeInStateS['ESTOP']).toBeGreaterThan(0.6);
    expect(s.shield.finalState).toBe('ACTIVE');
    // the robot follows its commands (servo tracking, not a runaway)
    expect(s.monitor.maxTrackingErrorRad).toBeLessThan(0.6);
  });

  it('refuses a run config with a bad field before starting anything', async () => {
    await expect(
      runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'does-not-exist.yaml'), root }),
    ).rejects.toThrow(/does-not-exist\.yaml[\s\S]*ENOENT/);
  });

  it('names a missing robot description given with --urdf', async () => {
    await expect(
      runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, urdfPath: '/nowhere/robot.urdf' }),
    ).rejects.toThrow(/\/nowhere\/robot\.urdf/);
  });
});
