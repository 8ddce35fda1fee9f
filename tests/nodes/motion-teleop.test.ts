/**
 * Live teleoperation at topic level on the embedded bus: geometry_msgs/PoseArray
 * keypoints on /motion/teleop/keypoints → the motion node (G1 retargeting) →
 * /motion/reference, with the stale-input watchdog and the refusals of
 * src/motion/teleop.ts. Limits and speed are checked against the URDF's own
 * numbers read here, not through the player's check.
 */
import { describe, expect, it } from 'vitest';
import { loadRetargetMap } from '../../src/io/motion-files.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { KEYPOINTS, KP } from '../../src/motion/human.js';
import { ReferencePlayer } from '../../src/motion/reference-player.js';
import { Retargeter } from '../../src/motion/retarget.js';
import { TeleopInput, TeleopSettingsSchema, TELEOP_KEYPOINT_ORDER } from '../../src/motion/teleop.js';
import { MotionNode } from '../../src/nodes/motion-node.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { JointTrajectory, PoseArray } from '../../src/transport/messages.js';
import { humanFrame } from '../motion/retarget-fixtures.js';

const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
const map = loadRetargetMap('config/motion/g1_retarget.yaml');
const SPEED_CAP = 4; // rad/s, the map's maxVelocityRadS (also the player's limit below)
const DT = 0.02;

function toPoseArray(frame: Float64Array): PoseArray {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'teleop' },
    poses: Array.from({ length: KEYPOINTS.length }, (_, k) => ({
      position: { x: frame[k * 3]!, y: frame[k * 3 + 1]!, z: frame[k * 3 + 2]! },
      orientation: { x: 0, y: 0, z: 0, w: 1 },
    })),
  };
}

/** A right-arm wave: upper arm out to the side and up, forearm swinging (the human frame builder faces +x). */
const wave = (t: number): Float64Array => humanFrame({
  right: [[0, -1, 0.3], [0.3 * Math.sin(2 * Math.PI * t), -0.4, 1]],
});

function rig(validateMessages = true) {
  const bus = new EmbeddedBus({ validateMessages });
  const retargeter = new Retargeter(model, map);
  const names = Array.from(retargeter.upperBodyIndex, (i) => retargeter.jointNames[i]!);
  const all = jointLimitArrays(model, retargeter.jointNames);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(retargeter.upperBodyIndex, (i) => a[i]!);
  const player = new ReferencePlayer(
    { names, lower: pick(all.lower), upper: pick(all.upper), velocity: pick(all.velocity).map((v) => Math.min(v, SPEED_CAP)), marginRad: 0.05 },
    pick(retargeter.defaultQ), new Map(), { dtS: DT, holdS: 0.5, blendS: 0.4 },
  );
  const teleop = new TeleopInput(new Retargeter(model, map), TeleopSettingsSchema.parse({ staleAfterS: 0.25 }));
  const node = new MotionNode({ node: bus.createNode('motion'), player, jointNames: retargeter.jointNames, playerIndex: retargeter.upperBodyIndex, restPose: retargeter.defaultQ, teleop });
  const refs: { t: number; msg: JointTrajectory }[] = [];
  const status: string[] = [];
  const obs = bus.createNode('obs');
  obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/motion/reference', (m) => { refs.push({ t: obs.nowSeconds(), msg: structuredClone(m) }); });
  obs.createSubscription('std_msgs/msg/String', '/motion/status', (m) => { status.push(m.data); });
  const req = obs.createPublisher('std_msgs/msg/String', '/motion/request');
  const keypoints = obs.createPublisher('geometry_msgs/msg/PoseArray', '/motion/teleop/keypoints');
  let ms = 0;
  const advance = (s: number): void => { for (const end = ms + Math.round(s * 1000); ms < end;) bus.advanceTo(BigInt(++ms) * 1_000_000n); };
  /** Streams frame(t) every `periodMs` for `s` seconds. */
  const stream = (s: number, frame: (t: number) => Float64Array, periodMs = 20): void => {
    for (let k = 0; k < Math.round((s * 1000) / periodMs); k++) { keypoints.publish(toPoseArray(frame(ms / 1000))); advance(periodMs / 1000); }
  };
  return { bus, node, player, teleop, refs, status, req, keypoints, advance, stream, limits: jointLimitArrays(model, retargeter.jointNames), retargeter, now: () => ms / 1000 };
}

/** Every point of every published reference inside the URDF limits; no step between consecutive points or consecutive messages' first points above SPEED_CAP·dt. */
function expectSafe(refs: { msg: JointTrajectory }[], lim: ReturnType<typeof jointLimitArrays>): void {
  let prev: Float64Array | null = null;
  for (const [i, { msg }] of refs.entries()) {
    for (const [k, p] of msg.points.entries()) {
      for (let j = 0; j < p.positions.length; j++) {
        const q = p.positions[j]!;
        if (!(q >= lim.lower[j]! && q <= lim.upper[j]!)) throw new Error(`reference ${i} point ${k}: ${msg.joint_names[j]} = ${q} outside the URDF limits`);
        const before = k > 0 ? msg.points[k - 1]!.positions[j]! : prev?.[j];
        if (before !== undefined && Math.abs(q - before) > SPEED_CAP * DT + 1e-9) throw new Error(`reference ${i} point ${k}: ${msg.joint_names[j]} steps ${q - before}`);
      }
    }
    prev = msg.points[0]!.positions;
  }
}

const jointOf = (name: string): number => model.joints.filter((j) => j.type !== 'fixed').findIndex((j) => j.name === name);

describe('teleop stream → motion reference (embedded bus)', () => {
  it('documents a 16-keypoint order', () => {
    expect(TELEOP_KEYPOINT_ORDER).toHaveLength(16);
    expect(TELEOP_KEYPOINT_ORDER.slice(0, 4)).toEqual(['pelvis', 'head', 'leftShoulder', 'rightShoulder']);
  });

  it('ignores the stream until `teleop`, then follows it within one publish period, inside the limits and the speed limit', () => {
    const { refs, req, stream, advance, teleop, keypoints, limits, retargeter, status, now } = rig();
    advance(0.1);
    stream(0.2, wave);
    expect(teleop.stats.ignored).toBe(10);
    expect(refs.at(-1)!.msg.points[0]!.positions).toEqual(refs[0]!.msg.points[0]!.positions); // still at rest
    req.publish({ data: 'teleop' });
    advance(0.005);
    expect(status.at(-1)).toBe("ok 'teleop'");
    const before = refs.length, t0 = now();
    const raised = wave(0);
    keypoints.publish(toPoseArray(raised));
    advance(0.021);
    // latency: the first reference published after the message already heads for the streamed pose
    const first = refs.slice(before).find((r) => r.t >= t0)!;
    expect(first.t - t0).toBeLessThanOrEqual(0.02 + 1e-9);
    const rsp = retargeter.jointNames.indexOf('right_shoulder_roll_joint');
    expect(first.msg.points[15]!.positions[rsp]!).toBeLessThan(refs[before - 1]!.msg.points[15]!.positions[rsp]! - 0.1);
    stream(3, wave);
    expect(teleop.stats.accepted).toBeGreaterThan(140);
    expect(teleop.stats.refused).toBe(0);
    // after settling, the reference follows the retargeted human arm: shoulder roll out to the side (G1 right roll < 0)
    expect(refs.at(-1)!.msg.points[0]!.positions[rsp]!).toBeLessThan(-0.8);
    // the arm swings with the forearm over the last second (some right-arm joint moves ≥ 0.2 rad); the left arm stays still
    const range = (name: string): number => {
      const j = retargeter.jointNames.indexOf(name), v = refs.slice(-50).map((r) => r.msg.points[0]!.positions[j]!);
      return Math.max(...v) - Math.min(...v);
    };
    const arm = (s: string): number => Math.max(...['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll'].map((x) => range(`${s}_${x}_joint`)));
    expect(arm('right')).toBeGreaterThan(0.2);
    expect(arm('left')).toBeLessThan(0.02);
    // legs untouched
    expect(refs.at(-1)!.msg.points[0]!.positions[jointOf('left_knee_joint')]).toBeCloseTo(0.3, 9);
    expectSafe(refs, limits);
  });

  it('watchdog: a stream that stops → hold, then glide home, counted; following ends until the next `teleop`', () => {
    const { refs, req, stream, advance, teleop, player, limits, status, retargeter } = rig();
    advance(0.1);
    req.publish({ data: 'teleop' });
    stream(2, wave);
    advance(0.2); // under staleAfterS: still following, holding the last pose
    expect(teleop.stats.staleEvents).toBe(0);
    expect(player.following).toBe(true);
    advance(0.08);
    expect(teleop.stats.staleEvents).toBe(1);
    expect(player.following).toBe(false);
    expect(status.at(-1)).toMatch(/teleop stream stale/);
    // the watchdog fired on the last publish tick: from there the reference holds for holdS (0.5 s) …
    const n1 = refs.length - 1;
    const held = Array.from(refs[n1]!.msg.points[0]!.positions);
    advance(0.45);
    for (const r of refs.slice(n1)) expect(Array.from(r.msg.points[0]!.positions)).toEqual(held);
    expect(held[retargeter.jointNames.indexOf('right_shoulder_roll_joint')]!).toBeLessThan(-0.8); // held where the arm was, not at home
    advance(3);
    // … then glides home (the default pose), never a step above the speed limit
    for (let j = 0; j < retargeter.defaultQ.length; j++) expect(refs.at(-1)!.msg.points[0]!.positions[j]!).toBeCloseTo(retargeter.defaultQ[j]!, 6);
    const accepted = teleop.stats.accepted;
    stream(0.2, wave);
    expect(teleop.stats.accepted).toBe(accepted); // ignored: needs a new `teleop`
    expectSafe(refs, limits);
  });

  it('a jump or a malformed message is refused and counted (the reference never jumps); refusals that persist end in the watchdog', () => {
    const { refs, req, stream, advance, teleop, keypoints, limits } = rig(false);
    advance(0.1);
    req.publish({ data: 'teleop' });
    stream(1, wave);
    const accepted = teleop.stats.accepted;
    const jumped = wave(1);
    for (const k of [KP.rightWrist, KP.rightHandTip]) jumped[k * 3 + 2] = jumped[k * 3 + 2]! + 0.6;
    keypoints.publish(toPoseArray(jumped));
    const short = toPoseArray(wave(1)); short.poses.pop();
    keypoints.publish(short);
    const nan = toPoseArray(wave(1)); nan.poses[KP.leftElbow]!.position.y = NaN;
    keypoints.publish(nan);
    const extra = { ...toPoseArray(wave(1)), twist: 1 };
    keypoints.publish(extra as unknown as PoseArray);
    const far = wave(1); far[KP.head * 3 + 2] = 50;
    keypoints.publish(toPoseArray(far));
    advance(0.02);
    expect(teleop.stats.accepted).toBe(accepted);
    expect(teleop.stats.refused).toBe(5);
    expect(teleop.stats.lastRefusal).toMatch(/head is .* m from the pelvis/);
    const reasons: string[] = [];
    for (const m of [toPoseArray(jumped), short, nan, extra]) reasons.push(teleop.onMessage(m, 0, { following: true } as never) ?? '');
    expect(reasons[0]).toMatch(/rightWrist jumped 0\.[56]\d m since the previous message/);
    expect(reasons[1]).toMatch(/poses: 16 poses expected, one per keypoint in the order pelvis, head/);
    expect(reasons[2]).toMatch(/poses\.4\.position\.y/);
    expect(reasons[3]).toMatch(/Unrecognized key: "twist"/);
    // only jumps from now on: nothing accepted, so the watchdog fires and the reference glides home
    for (let i = 0; i < 20; i++) { keypoints.publish(toPoseArray(jumped)); advance(0.02); }
    expect(teleop.stats.staleEvents).toBe(1);
    expectSafe(refs, limits);
  });
});
