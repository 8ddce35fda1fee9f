/**
 * Zero limit violations in every reference the motion node publishes, for
 * every shared CMU clip (each .bvh file in the shared folder, whole length,
 * retargeted kinematically) and every shipped primitive (plain and mirrored):
 * the demo's own preparation (src/runtime/motion-run.ts prepareMotionDemo:
 * token decoding, retargeting, per-primitive limiting, the player's checks)
 * and the motion node on the embedded bus, no sim. Each point of each
 * published /motion/reference is checked against the joint limits read here
 * straight from the URDF XML (fast-xml-parser, not the project's URDF
 * loader, not the retargeter's saturation or the player's check); so is the
 * step between consecutive points against the URDF velocity limit.
 *
 * The collision check is off here so that every clip plays to its end (with
 * it on, a frame below the shield's capsule clearance cuts a clip short: hold,
 * glide home; the embedded run reports those).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MotionNode } from '../../src/nodes/motion-node.js';
import { prepareMotionDemo } from '../../src/runtime/motion-run.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { JointTrajectory } from '../../src/transport/messages.js';
import { sharedData, sharedDataMissing } from '../helpers/shared-data.js';
import { urdfLimits } from '../helpers/urdf-limits.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PRIMITIVES = ['arms_overhead', 'bow', 'drink', 'reach_up', 'wave_both', 'wave_right', 'wipe'];

const missing = sharedDataMissing('cmu_mocap/README.md');
describe.skipIf(missing)('every published motion reference is inside the URDF limits', () => {
  it('all shared clips (whole length) and all primitives, plain and mirrored', async () => {
    const clips = readdirSync(sharedData('cmu_mocap')).filter((f) => f.endsWith('.bvh')).sort();
    expect(clips.length).toBeGreaterThanOrEqual(6);
    const dir = mkdtempSync(join(tmpdir(), 'motion-limits-'));
    const file = join(dir, 'demo.yaml');
    const c = (p: string): string => JSON.stringify(join(ROOT, p));
    const clipName = (f: string): string => `clip_${f.replace(/\.bvh$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    writeFileSync(file, [
      `run: ${c('config/embedded_motion.yaml')}`, `retargetMap: ${c('config/motion/g1_retarget.yaml')}`,
      `tokens: ${c('models/motion_tokens.contract.json')}`, `primitives: ${c('config/motion/primitives.yaml')}`,
      'collisionCheck: false',
      'clips:', ...clips.map((f) => `  - { name: ${clipName(f)}, file: ${f}, fromS: 0, toS: 10000 }`),
      'requests:', '  - { atS: 0, command: stop }',
    ].join('\n'));
    const prep = await prepareMotionDemo(file, ROOT);
    expect(prep.skippedClips).toEqual([]);
    const limits = urdfLimits(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf'));
    const bus = new EmbeddedBus({ validateMessages: false });
    const node = new MotionNode({ node: bus.createNode('motion'), player: prep.player, jointNames: prep.retargeter.jointNames, playerIndex: prep.retargeter.upperBodyIndex, restPose: prep.retargeter.defaultQ });
    const names = prep.retargeter.jointNames;
    const lo = names.map((n) => limits.get(n)![0]), hi = names.map((n) => limits.get(n)![1]), vel = names.map((n) => limits.get(n)![2]);
    const problems: string[] = [];
    let points = 0, messages = 0, current = '';
    const seen = new Set<string>();
    let prevFirst: Float64Array | null = null;
    const obs = bus.createNode('obs');
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/motion/reference', (m: JointTrajectory) => {
      messages++;
      if (m.joint_names.join() !== names.join()) problems.push(`${current}: joint names differ`);
      for (const [k, p] of m.points.entries()) {
        points++;
        const before = k > 0 ? m.points[k - 1]!.positions : prevFirst;
        for (let j = 0; j < names.length; j++) {
          const q = p.positions[j]!;
          if (!(q >= lo[j]! && q <= hi[j]!)) problems.push(`${current} t=${obs.nowSeconds().toFixed(2)} point ${k}: ${names[j]} = ${q} outside [${lo[j]}, ${hi[j]}]`);
          if (before && Math.abs(q - before[j]!) > vel[j]! * 0.02 + 1e-9) problems.push(`${current} point ${k}: ${names[j]} steps ${(q - before[j]!).toFixed(4)} rad in 20 ms (URDF velocity ${vel[j]} rad/s)`);
        }
      }
      prevFirst = Float64Array.from(m.points[0]!.positions);
      if (current) seen.add(current);
    });
    let ms = 0;
    const advance = (s: number): void => { for (const end = ms + Math.round(s * 1000); ms < end;) { ms += 20; bus.advanceTo(BigInt(ms) * 1_000_000n); } };
    const requests = [...clips.map(clipName), ...PRIMITIVES, ...PRIMITIVES.map((p) => `${p} mirror`)];
    for (const r of requests) {
      current = r;
      expect(node.onRequest(`play ${r}`), r).toBeUndefined();
      let guard = 0; // play until the glide home is over (the timeline's length is the player's own)
      do { advance(1); guard++; } while (guard < 400 && !atHome());
    }
    function atHome(): boolean {
      const pose = prep.player.poseAt(ms / 1000 + 0.5, new Float64Array(prep.n));
      const home = prep.player.home;
      return pose.every((v, j) => Math.abs(v - home[j]!) < 1e-9) && prep.player.poseAt(ms / 1000, new Float64Array(prep.n)).every((v, j) => Math.abs(v - home[j]!) < 1e-9);
    }
    node.destroy();
    expect(problems.slice(0, 10)).toEqual([]);
    expect([...seen].sort()).toEqual([...requests].sort());
    expect(prep.player.stats.checkFailures).toBe(0);
    // the clips played to their end: ≈ their length at 50 Hz in messages, 16 points each
    expect(messages).toBeGreaterThan(50 * 100);
    expect(points).toBe(16 * messages);
  }, 600_000);
});
