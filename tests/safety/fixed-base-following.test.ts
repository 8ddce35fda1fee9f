/**
 * The fixed-base profile's following-error bounds (config/shield.yaml) against the payload they must
 * hold. The shield file's rule: keep the bound above the servo error under load (gravity torque / kp)
 * or a limb sags. Here, independently of the shield's code, the worst static gravity torque about each
 * gravity-loaded arm joint is bounded by Σ mᵢ·g·(path length from the joint to link i's centre of
 * mass along the URDF chain) — no pose can give a longer lever — with a 2 kg payload at the hand's
 * centre of mass (the adaptation issue's range: 0–2 kg per hand). The resolved bound must be at least
 * that torque / kp (the robot's servo gains, config/embedded.yaml's sim.gains) and at most
 * effort/kp (beyond it the bound no longer means anything: the effort stage binds first; `null` =
 * off fails here too).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/io/config-file.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { jointLimitArrays, type RobotModel } from '../../src/robot/model.js';
import { RunConfigSchema } from '../../src/runtime/run-config.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';
import { buildShieldLimits } from '../../src/safety/limits.js';
import { gainsFor } from '../../src/sim/config.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PAYLOAD_KG = 2;
const G = 9.81;

/** Links below `joint` with their path length from the joint (m) to their centre of mass. */
function leverBound(model: RobotModel, joint: string, payloadLink: string): number {
  const norm = (v: readonly number[]): number => Math.hypot(v[0]!, v[1]!, v[2]!);
  const j0 = model.joints.find((j) => j.name === joint)!;
  let torque = 0;
  const walk = (link: string, path: number): void => {
    const l = model.links.find((x) => x.name === link)!;
    const mass = (l.inertial?.mass ?? 0) + (link === payloadLink ? PAYLOAD_KG : 0);
    torque += mass * G * (path + norm(l.inertial?.origin.xyz ?? [0, 0, 0]));
    for (const c of model.joints.filter((j) => j.parent === link)) walk(c.child, path + norm(c.origin.xyz));
  };
  walk(j0.child, 0);
  return torque;
}

describe('config/shield.yaml following-error bounds hold a 2 kg payload per hand (fixed base)', () => {
  const run = loadConfigFile(RunConfigSchema, join(ROOT, 'config', 'embedded.yaml'));
  const model = loadUrdfFile(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf'));
  const cfg = loadConfigFile(ShieldNodeConfigSchema, join(ROOT, 'config', 'shield.yaml'));
  const names = model.joints.filter((j) => j.type !== 'fixed').map((j) => j.name);
  const gains = Object.fromEntries(names.map((n) => [n, gainsFor(run.sim, n)]));
  const r = buildShieldLimits(jointLimitArrays(model, names), cfg.limits, { gains, gainsSource: 'sim.gains', base: 'fixed' });
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  const lim = r.data;

  it.each(['left', 'right'])('%s arm: static gravity lead ≤ bound ≤ effort/kp', (side) => {
    const rows: string[] = [];
    for (const jn of ['shoulder_pitch', 'shoulder_roll', 'elbow', 'wrist_pitch']) {
      const name = `${side}_${jn}_joint`;
      const i = names.indexOf(name);
      const kp = gains[name]!.kp;
      const need = leverBound(model, name, `${side}_rubber_hand`) / kp;
      const bound = lim.followingError[i]!;
      const cap = lim.effort[i]! / kp;
      rows.push(`${name}: need ${need.toFixed(3)} ≤ bound ${bound} ≤ effort/kp ${cap.toFixed(3)}`);
      expect(bound, rows.at(-1)).toBeGreaterThanOrEqual(need);
      expect(bound, rows.at(-1)).toBeLessThanOrEqual(cap);
    }
    // the unloaded arm at the shoulder needs more than the old single 0.15 rad bound allowed (6 N·m at kp 40)
    expect(leverBound(model, `${side}_shoulder_pitch_joint`, 'none') / gains[`${side}_shoulder_pitch_joint`]!.kp).toBeGreaterThan(0.15);
  });

  it('every other joint keeps the file-wide bound (0.15 rad): only the arms were sized for the payload', () => {
    for (const [i, n] of names.entries()) {
      if (/_(shoulder_(pitch|roll|yaw)|elbow|wrist_(pitch|yaw))_joint$/.test(n)) continue;
      expect(lim.followingError[i], n).toBe(0.15);
    }
  });
});
