/**
 * Closed loop in the embedded sim with deliberately bad candidate sources in
 * place of the policy: random large (and sometimes NaN) targets, and a source
 * that drives the hands into each other and through a wall in front of the
 * robot. The shield is the only path to the actuators; the checks here are
 * independent of it:
 * - every published command against the URDF limits (command monitor);
 * - real contacts in MuJoCo (robot self-collision on) between an arm's distal
 *   links (elbow, wrist, hand) and any body outside that arm;
 * - the hands' measured world positions (MuJoCo body poses) against the wall.
 * (The fixed-base G1's hands cannot reach the floor, so the workspace boundary
 * tested is a wall; the floor plane is the same barrier on another axis.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jointLimitArrays, actuatedJoints, type RobotModel } from '../../src/robot/model.js';
import { runEmbedded } from '../../src/runtime/embedded-run.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KinematicTree } from '../../src/robot/kinematics.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import type { MujocoSim } from '../../src/sim/simulation.js';
import { makeJointTrajectory, setTimeSeconds } from '../../src/transport/messages.js';
import type { TransportNode } from '../../src/transport/port.js';
import { prng } from '../safety/adversary.js';

const root = join(import.meta.dirname, '..', '..');
const config = join(root, 'tests', 'fixtures', 'embedded-adversary.yaml');
const WALL_X = 0.3; // m, tests/fixtures/shield-wall.yaml
const mujoco = mujocoAvailability();
if (!mujoco.available) console.warn(`[skipped] adversary closed loop: ${mujoco.reason}`);

/** A candidate source publishing `target(t, out)` at 50 Hz on the policy's topic. */
function source(fill: (t: number, out: Float64Array, limits: ReturnType<typeof jointLimitArrays>) => void) {
  return (node: TransportNode, robot: RobotModel) => {
    const names = actuatedJoints(robot).map((j) => j.name);
    const limits = jointLimitArrays(robot, names);
    const msg = makeJointTrajectory(names);
    const pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', { preset: 'reliable' });
    const timer = node.createTimer(20_000_000n, () => {
      const t = node.nowSeconds();
      fill(t, msg.points[0]!.positions, limits);
      setTimeSeconds(msg.header.stamp, t);
      pub.publish(msg);
    });
    return { destroy: () => timer.cancel() };
  };
}

const ARM_LINK = /^(left|right)_(shoulder_(pitch|roll|yaw)_link|elbow_link|wrist_(roll|pitch|yaw)_link|rubber_hand)$/;
const DISTAL = /^(left|right)_(elbow_link|wrist_(roll|pitch|yaw)_link|rubber_hand)$/;

/** Independent probes on the MuJoCo state after each physics step. */
function probes() {
  const g1 = new Int32Array(256);
  const g2 = new Int32Array(256);
  const dist = new Float64Array(256);
  const pose = new Float64Array(7);
  const out = { armContacts: 0, contactPairs: new Set<string>(), maxHandX: -Infinity, maxCommandedHandX: -Infinity, steps: 0 };
  let handIds: number[] | null = null;
  // The commanded pose (the actuators' position targets) through forward kinematics: where the shield sent the hands.
  let fk: { tree: KinematicTree; ctrl: Float64Array; q: Float64Array; qOfCtrl: Int32Array; hands: number[] } | null = null;
  const p3 = new Float64Array(3);
  const linkOf = (sim: MujocoSim, geom: number): string => (sim.mj.id2name('geom', geom) ?? '').replace(/_col\d+$/, '');
  const onStep = (sim: MujocoSim): void => {
    out.steps++;
    handIds ??= ['left_rubber_hand', 'right_rubber_hand'].map((b) => sim.mj.name2id('body', b));
    for (const id of handIds) {
      if (id < 0) continue;
      sim.mj.readBodyPose(id, pose);
      out.maxHandX = Math.max(out.maxHandX, pose[0]!);
    }
    fk ??= (() => {
      const tree = new KinematicTree(loadUrdfFile(join(root, 'urdf', 'g1_29dof_fixed.urdf')));
      const nu = sim.mj.nu;
      const qOfCtrl = Int32Array.from({ length: nu }, (_, a) => tree.jointNames.indexOf(sim.mj.id2name('joint', sim.mj.actuatorJointId(a)) ?? ''));
      return { tree, ctrl: new Float64Array(nu), q: new Float64Array(tree.dof), qOfCtrl, hands: ['left_rubber_hand', 'right_rubber_hand'].map((l) => tree.linkIndex(l)) };
    })();
    sim.mj.readCtrl(fk.ctrl);
    for (let a = 0; a < fk.ctrl.length; a++) fk.q[fk.qOfCtrl[a]!] = fk.ctrl[a]!;
    fk.tree.forward(fk.q);
    for (const h of fk.hands) {
      fk.tree.linkPosition(h, p3);
      out.maxCommandedHandX = Math.max(out.maxCommandedHandX, p3[0]!);
    }
    const n = sim.mj.contacts(g1, g2, dist);
    for (let i = 0; i < n; i++) {
      const a = linkOf(sim, g1[i]!);
      const b = linkOf(sim, g2[i]!);
      if (a === 'floor' || b === 'floor') continue;
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const side = x.split('_')[0];
        const sameArm = ARM_LINK.test(y) && y.startsWith(`${side}_`);
        if (DISTAL.test(x) && !sameArm) {
          out.armContacts++;
          out.contactPairs.add(`${x}|${y}`);
        }
      }
    }
  };
  return { out, onStep };
}

describe.skipIf(!mujoco.available)('closed loop with adversarial candidate sources', () => {
  it('random large targets with NaN bursts never reach the actuators outside the limits or into a collision', async () => {
    const r = prng(7);
    const p = probes();
    const s = await runEmbedded({
      configPath: config,
      root,
      onStep: p.onStep,
      candidateSource: source((_t, out, lim) => {
        const nan = r() < 0.05;
        for (let i = 0; i < out.length; i++) {
          const span = lim.upper[i]! - lim.lower[i]!;
          out[i] = nan && i % 3 === 0 ? NaN : lim.lower[i]! - 0.5 + r() * (span + 1); // up to 0.5 rad beyond each limit
        }
      }),
    });
    expect(p.out.steps).toBe(6000);
    expect(s.monitor.commands).toBeGreaterThan(2900);
    expect(s.monitor.violations).toBe(0);
    expect(s.shield.rejectedCandidates).toBeGreaterThan(0); // the NaN messages
    expect(s.shield.interventionTicks).toBeGreaterThan(1000); // it really had to act

    expect([...p.out.contactPairs]).toEqual([]);
    expect(p.out.maxCommandedHandX).toBeLessThanOrEqual(WALL_X);
    expect(p.out.maxHandX).toBeLessThanOrEqual(WALL_X);
    expect(s.bus.callbackErrors).toBe(0);
  });

  it('a source driving the hands into each other and through the wall is stopped short of both', async () => {
    const p = probes();
    const s = await runEmbedded({
      configPath: config,
      root,
      onStep: p.onStep,
      candidateSource: source((t, out, lim) => {
        out.fill(0);
        const set = (name: string, v: number): void => {
          out[lim.names.indexOf(name)] = v;
        };
        if (Math.floor(t / 2) % 2 === 0) {
          // hug: arms forward and across the chest, elbows bent 1.2 rad (G1 elbow: 0 = right angle, π/2 = straight) — hands collide in front of the torso
          set('left_shoulder_pitch_joint', -1.0);
          set('right_shoulder_pitch_joint', -1.0);
          set('left_shoulder_roll_joint', -1.2);
          set('right_shoulder_roll_joint', 1.2);
          set('left_elbow_joint', Math.PI / 2 - 1.2);
          set('right_elbow_joint', Math.PI / 2 - 1.2);
        } else {
          // reach: both arms straight (elbows π/2) forward, hands 0.5 m in front — through the wall at 0.3 m
          set('left_shoulder_pitch_joint', -1.57);
          set('right_shoulder_pitch_joint', -1.57);
          set('left_elbow_joint', Math.PI / 2);
          set('right_elbow_joint', Math.PI / 2);
        }
      }),
    });
    expect(s.monitor.violations).toBe(0);
    expect(s.shield.interventions['collision']).toBeGreaterThan(0);
    expect(s.shield.interventions['workspace']).toBeGreaterThan(0);

    expect([...p.out.contactPairs]).toEqual([]);
    expect(p.out.maxCommandedHandX).toBeLessThanOrEqual(WALL_X); // the commands kept the hands behind the wall
    expect(p.out.maxHandX).toBeLessThanOrEqual(WALL_X); // and so did the robot
    expect(p.out.maxHandX).toBeGreaterThan(WALL_X - 0.1); // it did reach toward the wall
    process.stderr.write(`hands vs wall at ${WALL_X} m: commanded ${p.out.maxCommandedHandX.toFixed(4)} m, measured ${p.out.maxHandX.toFixed(4)} m\n`);
  });
});
