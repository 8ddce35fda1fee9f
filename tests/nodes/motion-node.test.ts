import { describe, expect, it } from 'vitest';
import { MotionNode } from '../../src/nodes/motion-node.js';
import { ReferencePlayer } from '../../src/motion/reference-player.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { JointTrajectory } from '../../src/transport/messages.js';

/** Two player joints inside a three-joint robot (the middle joint is not driven). */
function rig() {
  const bus = new EmbeddedBus({ validateMessages: true });
  const names = ['left_elbow_joint', 'right_elbow_joint'];
  const traj = new Float64Array(100 * 2);
  for (let f = 0; f < 100; f++) { traj[f * 2] = 0.5 + 0.3 * Math.sin(f / 10); traj[f * 2 + 1] = 0.5 - 0.3 * Math.sin(f / 10); }
  const player = new ReferencePlayer(
    { names, lower: Float64Array.of(-1, -1), upper: Float64Array.of(2, 2), velocity: Float64Array.of(3, 3), marginRad: 0.02 },
    Float64Array.of(0.3, 0.3), new Map([['wave', traj]]), { dtS: 0.02, holdS: 0.2, blendS: 0.2 },
  );
  const node = new MotionNode({
    node: bus.createNode('motion'), player, jointNames: ['left_elbow_joint', 'waist_yaw_joint', 'right_elbow_joint'],
    playerIndex: Int32Array.of(0, 2), restPose: Float64Array.of(0.3, 0.1, 0.3),
  });
  const refs: JointTrajectory[] = [];
  const status: string[] = [];
  const obs = bus.createNode('obs');
  obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/motion/reference', (m) => { refs.push(structuredClone(m)); });
  obs.createSubscription('std_msgs/msg/String', '/motion/status', (m) => { status.push(m.data); });
  const req = obs.createPublisher('std_msgs/msg/String', '/motion/request');
  let ms = 0;
  const advance = (s: number): void => { for (const end = ms + s * 1000; ms < end;) bus.advanceTo(BigInt(++ms) * 1_000_000n); };
  return { node, refs, status, req, advance };
}

describe('motion node', () => {
  it('publishes 16-point reference chunks of every joint with time_from_start, and plays a requested primitive', () => {
    const { refs, req, status, advance } = rig();
    advance(0.1);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    const first = refs[refs.length - 1]!;
    expect(first.joint_names).toEqual(['left_elbow_joint', 'waist_yaw_joint', 'right_elbow_joint']);
    expect(first.points).toHaveLength(16);
    expect(first.points[15]!.time_from_start).toEqual({ sec: 0, nanosec: 300_000_000 });
    expect(Array.from(first.points[0]!.positions)).toEqual([0.3, 0.1, 0.3]);
    req.publish({ data: 'play wave' });
    advance(1);
    expect(status).toEqual(["ok 'play wave'"]);
    const moving = refs[refs.length - 1]!.points[0]!.positions;
    expect(moving[0]).not.toBeCloseTo(0.3, 2);
    expect(moving[1]).toBe(0.1); // undriven joint stays at its rest pose
  });

  it('refuses an unknown primitive and a malformed command on /motion/status, leaving the reference unchanged', () => {
    const { refs, req, status, advance, node } = rig();
    advance(0.1);
    req.publish({ data: 'play moonwalk' });
    req.publish({ data: 'jump' });
    advance(0.1);
    expect(status[0]).toMatch(/refused 'play moonwalk': unknown primitive 'moonwalk'/);
    expect(status[1]).toMatch(/refused 'jump': unknown command 'jump'/);
    expect(Array.from(refs[refs.length - 1]!.points[0]!.positions)).toEqual([0.3, 0.1, 0.3]);
    expect(node.lastRequest.outcome).toMatch(/unknown command/);
  });
});
