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
  it('runs the scenario with zero limit violations, holds from e-stop through reset, and resumes only on activate', async () => {
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
    expect(s.estop.maxHoldDeviationRad).toBe(0); // from the e-stop through the reset until the activate
    expect(s.shield.timeInStateS['ESTOP']).toBeGreaterThan(0.6);
    expect(s.shield.timeInStateS['HOLD']).toBeGreaterThanOrEqual(0.29); // reset at 2.2 s holds until the activate at 2.5 s
    expect(s.shield.activations).toBe(2); // the demo's first start, then the operator's activate
    expect(s.shield.notActivatedReason).toBeNull();
    // the summary is taken after the end-of-run hold (it used to say ACTIVE, from before the hold)
    expect(s.shield.finalState).toBe('HOLD');
    expect(s.shield.finalReason).toBe('hold_requested');
    // the phases split the run: their ticks and interventions add up to the totals
    expect(s.shield.phases.map((p) => p.events[0])).toEqual(['start', 'add_payload left_rubber_hand', 'estop', 'reset', 'activate']);
    expect(s.shield.phases.reduce((a, p) => a + p.ticks, 0)).toBe(s.shield.ticks);
    expect(s.shield.phases.reduce((a, p) => a + p.interventionTicks, 0)).toBe(s.shield.interventionTicks);
    for (const [stage, n] of Object.entries(s.shield.interventions)) {
      expect(s.shield.phases.reduce((a, p) => a + (p.interventions[stage] ?? 0), 0)).toBe(n);
    }
    // during the e-stop and after the reset until the activate the output is a constant hold: no stage acts
    expect(s.shield.phases[2]!.interventionTicks).toBe(0);
    expect(s.shield.phases[3]!.activeS).toBe(0);
    expect(s.shield.phases[3]!.interventionTicks).toBe(0);
    // resumed after the operator's activate: the last phase (from 2.5 s) was spent ACTIVE
    const last = s.shield.phases.at(-1)!;
    expect(last.events).toEqual(['activate']);
    expect(last.fromS).toBe(2.5);
    expect(last.activeS).toBeGreaterThan(0.4);
    // the robot follows its commands (servo tracking, not a runaway)
    expect(s.monitor.maxTrackingErrorRad).toBeLessThan(0.6);
  });

  it('refuses a run config with a bad field before starting anything', async () => {
    await expect(
      runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'does-not-exist.yaml'), root }),
    ).rejects.toThrow(/does-not-exist\.yaml[\s\S]*ENOENT/);
  });

  it('publishes scripted velocity commands on /cmd_vel and repeats the latest at 50 Hz', async () => {
    const seen: Array<{ t: number; vx: number; wz: number }> = [];
    await runEmbedded({
      configPath: join(root, 'tests', 'fixtures', 'embedded-cmdvel.yaml'),
      root,
      validateMessages: true,
      candidateSource: (node) => {
        const sub = node.createSubscription('geometry_msgs/msg/Twist', '/cmd_vel', (m) => {
          seen.push({ t: node.nowSeconds(), vx: m.linear.x, wz: m.angular.z });
        });
        return { destroy: () => sub.destroy() };
      },
    });
    const at = (t0: number, t1: number) => seen.filter((s) => s.t >= t0 && s.t < t1);
    expect(at(0, 0.2).length).toBeGreaterThan(5);
    expect(at(0, 0.2).every((s) => s.vx === 0 && s.wz === 0)).toBe(true);
    expect(at(0.21, 0.6).length).toBeGreaterThanOrEqual(18); // 50 Hz over 0.4 s
    expect(at(0.21, 0.6).every((s) => s.vx === 0.5 && s.wz === 0.3)).toBe(true);
    expect(at(0.61, 1.0).every((s) => s.vx === 0 && s.wz === 0)).toBe(true);
  });

  it('refuses to start with a URDF whose revolute joint lacks an upper limit, naming the joint', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'aegis-urdf-'));
    const text = readFileSync(join(root, 'urdf', 'g1_29dof_fixed.urdf'), 'utf8');
    const cut = text.replace(/(<joint name="left_knee_joint"[\s\S]*?<limit[^>]*?) upper="[^"]*"/, '$1');
    expect(cut).not.toBe(text);
    writeFileSync(join(dir, 'robot.urdf'), cut);
    await expect(runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, urdfPath: join(dir, 'robot.urdf') }))
      .rejects.toThrow(/<joint name="left_knee_joint">: <limit> is missing attribute upper/);
  });

  it('names a missing robot description given with --urdf', async () => {
    await expect(
      runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, urdfPath: '/nowhere/robot.urdf' }),
    ).rejects.toThrow(/\/nowhere\/robot\.urdf/);
  });
});
