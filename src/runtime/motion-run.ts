/**
 * The motion demo: the embedded run (sim, shield, policy node in MOTION mode)
 * plus the motion node, which plays token-decoded primitives and retargeted
 * real clips on request at scripted times. Composition root: loads the
 * retargeting map, the token models, the primitive library and the clips,
 * decodes and checks everything, then runs. Reports, per request, the
 * tracking RMSE of the measured upper-body joints against the published
 * reference, and the run summary (limit monitor, shield interventions).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { loadHumanMotion } from '../io/bvh-file.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadPrimitiveLibrary, loadRetargetMap } from '../io/motion-files.js';
import { loadTokenCodec } from '../io/motion-token-files.js';
import { cmuClipDir } from '../io/shared-clips.js';
import { CHUNK_RATE_HZ } from '../motion/chunks.js';
import { KEYPOINTS } from '../motion/human.js';
import { decodePrimitive, limitTrajectory, timeScale, type ComposeLimits } from '../motion/primitives.js';
import { ReferencePlayer } from '../motion/reference-player.js';
import { Retargeter } from '../motion/retarget.js';
import { MotionNode } from '../nodes/motion-node.js';
import { jointLimitArrays } from '../robot/model.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { runEmbedded, type EmbeddedRunOptions, type RunSummary } from './embedded-run.js';
import { loadShieldConfig, resolveRunSetup } from './run-setup.js';
import { CollisionModel } from '../safety/collision-model.js';

const finite = z.number().finite();
export const MotionDemoSchema = z.object({
  /** Embedded run config (sim, shield, policy in MOTION mode). */
  run: z.string().min(1),
  retargetMap: z.string().min(1),
  tokens: z.string().min(1),
  primitives: z.string().min(1),
  /** Real clips retargeted kinematically and offered as primitives under `name` (skipped when the shared clips are absent). */
  clips: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), file: z.string().min(1), fromS: finite.nonnegative(), toS: finite.positive() }).strict()).default([]),
  /** Requests (motion node grammar) at sim times, s. */
  requests: z.array(z.object({ atS: finite.nonnegative(), command: z.string().min(1) }).strict()).min(1),
  /** Stay this far inside the URDF limits, rad. */
  limitMarginRad: finite.nonnegative().default(0.05),
  holdS: finite.positive().default(0.5),
  blendS: finite.positive().default(0.4),
  durationS: finite.positive().optional(),
  /** Refuse reference frames whose self-collision clearance (the shield's capsule model and settings) is below the shield's minimum distance. */
  collisionCheck: z.boolean().default(true),
}).strict();
export type MotionDemo = z.infer<typeof MotionDemoSchema>;

export interface MotionDemoSummary {
  run: RunSummary;
  /** Per request: the command, whether it was accepted, tracking RMSE (rad) over the joints the player drives while it ran. */
  requests: { atS: number; command: string; outcome: string; trackingRmseRad: number; samples: number; /** Reference frames refused while it ran (limits, speed, collision): each cut it short (hold, glide home). */ checkFailures: number }[];
  player: ReferencePlayer['stats'];
  published: number;
  skippedClips: string[];
}

export async function runMotionDemo(opts: {
  configPath: string; root: string; durationS?: number; onProgress?: (t: number, d: number) => void;
  /** The run report's collector, when the run is over (as runEmbedded's). */
  onReport?: EmbeddedRunOptions['onReport'];
}): Promise<MotionDemoSummary> {
  const demo = loadConfigFile(MotionDemoSchema, opts.configPath);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(opts.configPath), p));
  const runPath = at(demo.run);
  const setup = resolveRunSetup(runPath);
  const model = setup.profile ? setup.profile.model : loadUrdfFile(setup.urdfPath, { packageDirs: setup.packageDirs });
  const retargeter = new Retargeter(model, loadRetargetMap(at(demo.retargetMap)));
  const names = Array.from(retargeter.upperBodyIndex, (i) => retargeter.jointNames[i]!);
  const codec = await loadTokenCodec(at(demo.tokens), names);
  const lib = loadPrimitiveLibrary(at(demo.primitives));
  const n = names.length;
  const dt = 1 / CHUNK_RATE_HZ;
  const decoded = new Map<string, Float64Array>();
  for (const name of Object.keys(lib.primitives)) {
    decoded.set(name, await decodePrimitive(lib, name, async (codes) => { await codec.decode(codes); return Float64Array.from(codec.joints); }, n, codec.contract.chunkFrames));
  }
  const skippedClips: string[] = [];
  const clipDir = cmuClipDir(opts.root);
  const upperOf = (q: Float64Array): Float64Array => Float64Array.from(retargeter.upperBodyIndex, (i) => q[i]!);
  for (const c of demo.clips) {
    if ('missing' in clipDir) { skippedClips.push(`${c.name}: ${clipDir.missing}`); continue; }
    const h = loadHumanMotion(join(clipDir.dir, c.file));
    const first = Math.max(0, Math.floor(c.fromS / h.frameTimeS)), last = Math.min(h.frameCount, Math.ceil(c.toS / h.frameTimeS));
    const native = new Float64Array((last - first) * n);
    retargeter.reset();
    for (let f = first; f < last; f++) {
      retargeter.step(h.positions, f * KEYPOINTS.length * 3, h.frameTimeS);
      native.set(upperOf(retargeter.q), (f - first) * n);
    }
    decoded.set(c.name, timeScale(native, n, h.frameTimeS / dt)); // native rate → 50 Hz
  }
  const all = jointLimitArrays(model, retargeter.jointNames);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(retargeter.upperBodyIndex, (i) => a[i]!);
  const limits: ComposeLimits = { names, lower: pick(all.lower), upper: pick(all.upper), velocity: pick(all.velocity).map((v) => Math.min(v, retargeter.map.ik.maxVelocityRadS)), marginRad: demo.limitMarginRad };
  const home = pick(retargeter.defaultQ);
  for (const t of decoded.values()) limitTrajectory(t, n, t.subarray(0, n), dt, limits); // each primitive inside the limits on its own
  let extraCheck: ((pose: Float64Array) => string | undefined) | undefined;
  if (demo.collisionCheck) {
    const sc = loadShieldConfig(setup.shieldPath);
    const cm = new CollisionModel(model, retargeter.jointNames, sc.collision, sc.workspace);
    const full = Float64Array.from(retargeter.defaultQ);
    extraCheck = (pose) => {
      for (let j = 0; j < n; j++) full[retargeter.upperBodyIndex[j]!] = pose[j]!;
      cm.measure(full);
      return cm.minCollisionClearanceM < 0 ? `self-collision: capsule clearance ${(cm.minCollisionClearanceM * 1000).toFixed(1)} mm below the shield's minimum distance` : undefined;
    };
  }
  const player = new ReferencePlayer(limits, home, decoded, { dtS: dt, holdS: demo.holdS, blendS: demo.blendS, ...(extraCheck ? { extraCheck } : {}) });
  const requests = demo.requests.map((r) => ({ ...r, outcome: 'not reached', sq: 0, samples: 0, failuresAtStart: 0, checkFailures: 0 }));
  let motion: MotionNode | null = null;
  const ref = new Float64Array(n);
  const run = await runEmbedded({
    configPath: runPath, root: opts.root,
    ...(opts.durationS ?? demo.durationS ? { durationS: opts.durationS ?? demo.durationS } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onReport ? { onReport: opts.onReport } : {}),
    extraNodes: (createNode) => {
      const node = createNode('motion');
      motion = new MotionNode({ node, player, jointNames: retargeter.jointNames, playerIndex: retargeter.upperBodyIndex, restPose: retargeter.defaultQ });
      const m = motion;
      const script = createNode('motion_script');
      let next = 0;
      script.createTimer(20_000_000n, () => {
        while (next < requests.length && script.nowSeconds() >= requests[next]!.atS) {
          if (next > 0) requests[next - 1]!.checkFailures = player.stats.checkFailures - requests[next - 1]!.failuresAtStart;
          const r = requests[next++]!;
          r.failuresAtStart = player.stats.checkFailures;
          r.outcome = m.onRequest(r.command) ?? 'ok';
        }
      });
      const stateIndex: number[] = [];
      script.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (js) => {
        if (stateIndex.length === 0) for (const nm of names) stateIndex.push(js.name.indexOf(nm));
        const cur = next - 1;
        if (cur < 0 || requests[cur]!.outcome !== 'ok') return;
        player.poseAt(script.nowSeconds(), ref);
        const r = requests[cur]!;
        for (let j = 0; j < n; j++) { const e = js.position[stateIndex[j]!]! - ref[j]!; r.sq += e * e; }
        r.samples++;
      }, { preset: 'sensor_data' });
      return { destroy: () => m.destroy() };
    },
  });
  const published = (motion as MotionNode | null)?.publishedCount ?? 0;
  const lastReached = requests.filter((r) => r.outcome !== 'not reached').pop();
  if (lastReached) lastReached.checkFailures = player.stats.checkFailures - lastReached.failuresAtStart;
  return {
    run,
    requests: requests.map((r) => ({ atS: r.atS, command: r.command, outcome: r.outcome, trackingRmseRad: Math.sqrt(r.sq / Math.max(1, r.samples * n)), samples: r.samples, checkFailures: r.checkFailures })),
    player: { ...player.stats },
    published,
    skippedClips,
  };
}
