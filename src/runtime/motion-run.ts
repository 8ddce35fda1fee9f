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
import { decodePrimitive, limitTrajectory, type ComposeLimits } from '../motion/primitives.js';
import { ReferencePlayer } from '../motion/reference-player.js';
import { Retargeter } from '../motion/retarget.js';
import { retargetClip } from '../motion/retarget-eval.js';
import { MotionNode } from '../nodes/motion-node.js';
import { jointLimitArrays } from '../robot/model.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { runEmbedded, type EmbeddedRunOptions, type RunSummary } from './embedded-run.js';
import { loadShieldConfig, resolveRunSetup } from './run-setup.js';
import { CollisionModel } from '../safety/collision-model.js';
import { CONSTRAINT_NAMES } from '../safety/band.js';
import type { ShieldStatus } from '../safety/status.js';
import { TeleopInput, TeleopSettingsSchema } from '../motion/teleop.js';
import { KEYPOINTS } from '../motion/human.js';
import { setTimeNs, type PoseArray } from '../transport/messages.js';
import { parseYamlStrict } from '../io/config-file.js';
import { readFileSync } from 'node:fs';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
export const MotionDemoSchema = z.object({
  /** Embedded run config (sim, shield, policy in MOTION mode). */
  run: z.string().min(1),
  retargetMap: z.string().min(1),
  tokens: z.string().min(1),
  primitives: z.string().min(1),
  /** Real clips retargeted kinematically and offered as primitives under `name` (skipped when the shared clips are absent). */
  clips: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), file: z.string().min(1), fromS: finite.nonnegative(), toS: finite.positive() }).strict()).default([]),
  /**
   * Live teleop from a recorded clip: from `atS` the clip's keypoints [fromS, toS) are published as
   * geometry_msgs/PoseArray on `/motion/teleop/keypoints` at `rateHz`, then the stream stops (the
   * watchdog's case). Add a `teleop` request at or before `atS`. Skipped when the clips are absent.
   */
  teleopStreams: z.array(z.object({ atS: finite.nonnegative(), file: z.string().min(1), fromS: finite.nonnegative(), toS: finite.positive(), rateHz: finite.positive().max(500) }).strict()).default([]),
  /** Requests (motion node grammar) at sim times, s. */
  requests: z.array(z.object({ atS: finite.nonnegative(), command: z.string().min(1) }).strict()).min(1),
  /** Stay this far inside the URDF limits, rad. */
  limitMarginRad: finite.nonnegative().default(0.05),
  /**
   * Joint speed of the published reference, rad/s (and the URDF limit): how fast primitives and clips
   * are played back. Separate from the retargeter's `ik.maxVelocityRadS`, which bounds how far the
   * kinematic solution may move per frame (its fidelity); a slower playback is easier to track.
   */
  playbackMaxVelocityRadS: finite.positive().default(4),
  holdS: finite.positive().default(0.5),
  blendS: finite.positive().default(0.4),
  durationS: finite.positive().optional(),
  /** Refuse reference frames whose self-collision clearance (the shield's capsule model and settings) is below the shield's minimum distance. */
  collisionCheck: z.boolean().default(true),
  /** Live teleop input on `/motion/teleop/keypoints` (geometry_msgs/PoseArray; src/motion/teleop.ts). */
  teleop: TeleopSettingsSchema.prefault({}),
}).strict();

/** Whether a YAML file is a motion scenario (this schema's `run` + `requests`) rather than a run config; `npm start -- --config` accepts both. */
export function isMotionScenarioFile(path: string): boolean {
  let doc: unknown;
  try { doc = parseYamlStrict(readFileSync(path, 'utf8'), path); } catch { return false; } // the run config loader reports a missing or broken file
  return typeof doc === 'object' && doc !== null && 'requests' in doc && 'run' in doc;
}

/** Trajectory points with any position outside [lower, upper] or not finite (positions in the limits' joint order; a point with the wrong length counts). */
export function pointsOutsideLimits(points: readonly { positions: ArrayLike<number> }[], limits: { lower: ArrayLike<number>; upper: ArrayLike<number> }): number {
  let bad = 0;
  for (const p of points) {
    let ok = p.positions.length === limits.lower.length;
    for (let j = 0; j < p.positions.length && ok; j++) ok = p.positions[j]! >= limits.lower[j]! && p.positions[j]! <= limits.upper[j]!;
    if (!ok) bad++;
  }
  return bad;
}

/** Per-request figures of a motion run. */
export interface MotionRequestFigures {
  atS: number;
  /** Sim time the figures run to (the next request, or the run's end), s. */
  toS: number;
  command: string;
  outcome: string;
  /** RMSE of the measured player joints against the reference, rad (NaN when no sample). */
  trackingRmseRad: number;
  samples: number;
  /** Reference frames refused while it ran (limits, speed, collision): each cut it short (hold, glide home). */
  checkFailures: number;
  /** Shield ticks in the request's span and the ticks on which the shield changed the command. */
  shieldTicks: number;
  shieldInterventionTicks: number;
  /** Joint-ticks changed per shield stage (stages that acted only). */
  shieldInterventions: Record<string, number>;
  /** /motion/reference messages and points in the span, and points outside the URDF limits (independent check). */
  references: number;
  referencePoints: number;
  referenceLimitViolations: number;
}
export type MotionDemo = z.infer<typeof MotionDemoSchema>;

export interface MotionDemoSummary {
  run: RunSummary;
  /** Per request: the command, whether it was accepted, tracking, shield interventions and reference limit checks over its span. */
  requests: MotionRequestFigures[];
  player: ReferencePlayer['stats'];
  teleop: TeleopInput['stats'];
  /** Every published reference point outside the URDF limits, whole run (should be 0). */
  referenceLimitViolations: number;
  published: number;
  skippedClips: string[];
}

/**
 * Everything a motion run plays, loaded and checked before anything starts:
 * the robot, the retargeter, the primitives decoded from their tokens, the
 * clips retargeted (native rate → 50 Hz) and the player with its checks.
 */
export async function prepareMotionDemo(configPath: string, root: string) {
  const opts = { configPath, root };
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
  for (const c of demo.clips) {
    if ('missing' in clipDir) { skippedClips.push(`${c.name}: ${clipDir.missing}`); continue; }
    const h = loadHumanMotion(join(clipDir.dir, c.file));
    const first = Math.max(0, Math.floor(c.fromS / h.frameTimeS)), last = Math.min(h.frameCount, Math.ceil(c.toS / h.frameTimeS));
    decoded.set(c.name, retargetClip(retargeter, h, first, last, dt)); // native rate → 50 Hz
  }
  const all = jointLimitArrays(model, retargeter.jointNames);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(retargeter.upperBodyIndex, (i) => a[i]!);
  const limits: ComposeLimits = { names, lower: pick(all.lower), upper: pick(all.upper), velocity: pick(all.velocity).map((v) => Math.min(v, demo.playbackMaxVelocityRadS)), marginRad: demo.limitMarginRad };
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
  const streams = demo.teleopStreams.flatMap((t) => {
    if ('missing' in clipDir) { skippedClips.push(`teleop stream ${t.file}: ${clipDir.missing}`); return []; }
    return [{ ...t, human: loadHumanMotion(join(clipDir.dir, t.file)) }];
  });
  return { demo, runPath, model, retargeter, names, n, player, skippedClips, streams };
}

export async function runMotionDemo(opts: {
  configPath: string; root: string; durationS?: number; onProgress?: (t: number, d: number) => void;
  /** Passed to the embedded run (report, recording, live view, real time). */
  embedded?: Pick<EmbeddedRunOptions, 'onReport' | 'recordPath' | 'livePort' | 'liveMaxRateHz' | 'realtime' | 'validateMessages'>;
}): Promise<MotionDemoSummary> {
  const { demo, runPath, model, retargeter, names, n, player, skippedClips, streams } = await prepareMotionDemo(opts.configPath, opts.root);
  const teleop = new TeleopInput(new Retargeter(model, retargeter.map), demo.teleop);
  const fullLimits = jointLimitArrays(model, retargeter.jointNames);
  /** Shield counters at a request boundary (taken in the script's timer: a few copies per run). */
  type Snap = { ticks: number; interventionTicks: number; interventions: Uint32Array; failures: number; refs: number; points: number; violations: number };
  const refCount = { refs: 0, points: 0, violations: 0 };
  let status: ShieldStatus | null = null;
  const snap = (): Snap => ({
    ticks: status?.ticks ?? 0, interventionTicks: status?.interventionTicks ?? 0, interventions: Uint32Array.from(status?.interventions ?? []),
    failures: player.stats.checkFailures, ...refCount,
  });
  const requests = demo.requests.map((r) => ({ ...r, outcome: 'not reached', sq: 0, samples: 0, start: null as Snap | null, end: null as Snap | null, toS: NaN }));
  let motion: MotionNode | null = null;
  const ref = new Float64Array(n);
  let lastSimS = 0;
  const run = await runEmbedded({
    ...opts.embedded,
    configPath: runPath, root: opts.root,
    ...(opts.durationS ?? demo.durationS ? { durationS: opts.durationS ?? demo.durationS } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    onNodes: ({ shield }) => { status = shield.shield.status; },
    extraNodes: (createNode) => {
      const node = createNode('motion');
      motion = new MotionNode({ node, player, jointNames: retargeter.jointNames, playerIndex: retargeter.upperBodyIndex, restPose: retargeter.defaultQ, teleop });
      const m = motion;
      const script = createNode('motion_script');
      // scripted teleop sources: a recorded clip streamed as keypoints, then silence
      const K = KEYPOINTS.length;
      for (const t of streams) {
        const pub = script.createPublisher('geometry_msgs/msg/PoseArray', '/motion/teleop/keypoints', { preset: 'sensor_data' });
        const msg: PoseArray = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'teleop' }, poses: Array.from({ length: K }, () => ({ position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } })) };
        script.createTimer(BigInt(Math.round(1e9 / t.rateHz)), () => {
          const clipS = t.fromS + script.nowSeconds() - t.atS;
          if (script.nowSeconds() < t.atS || clipS >= t.toS) return;
          const f = Math.min(t.human.frameCount - 1, Math.round(clipS / t.human.frameTimeS)), o = f * K * 3;
          for (let k = 0; k < K; k++) { const p = msg.poses[k]!.position; p.x = t.human.positions[o + k * 3]!; p.y = t.human.positions[o + k * 3 + 1]!; p.z = t.human.positions[o + k * 3 + 2]!; }
          setTimeNs(msg.header.stamp, script.nowNs());
          pub.publish(msg);
        });
      }
      let next = 0;
      script.createTimer(20_000_000n, () => {
        lastSimS = script.nowSeconds();
        while (next < requests.length && script.nowSeconds() >= requests[next]!.atS) {
          const s = snap();
          if (next > 0) { requests[next - 1]!.end = s; requests[next - 1]!.toS = script.nowSeconds(); }
          const r = requests[next++]!;
          r.start = s;
          r.outcome = m.onRequest(r.command) ?? 'ok';
        }
      });
      // every published reference point against the URDF limits (independent of the player's check)
      script.createSubscription('trajectory_msgs/msg/JointTrajectory', '/motion/reference', (msg) => {
        refCount.refs++;
        refCount.points += msg.points.length;
        refCount.violations += pointsOutsideLimits(msg.points, fullLimits);
      }, { preset: 'reliable' });
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
      return { destroy: () => { const last = requests.filter((r) => r.start !== null).pop(); if (last) { last.end = snap(); last.toS = lastSimS; } m.destroy(); } };
    },
  });
  const published = (motion as MotionNode | null)?.publishedCount ?? 0;
  const figures = (r: (typeof requests)[number]): MotionRequestFigures => {
    const a = r.start, b = r.end;
    const interventions: Record<string, number> = {};
    if (a && b) CONSTRAINT_NAMES.forEach((name, c) => { const d = b.interventions[c]! - a.interventions[c]!; if (c > 0 && d > 0) interventions[name] = d; });
    const d = (k: keyof Omit<Snap, 'interventions'>): number => (a && b ? b[k] - a[k] : 0);
    return {
      atS: r.atS, toS: r.toS, command: r.command, outcome: r.outcome,
      trackingRmseRad: r.samples > 0 ? Math.sqrt(r.sq / (r.samples * n)) : NaN, samples: r.samples,
      checkFailures: d('failures'), shieldTicks: d('ticks'), shieldInterventionTicks: d('interventionTicks'), shieldInterventions: interventions,
      references: d('refs'), referencePoints: d('points'), referenceLimitViolations: d('violations'),
    };
  };
  return {
    run,
    requests: requests.map(figures),
    player: { ...player.stats },
    teleop: { ...teleop.stats },
    referenceLimitViolations: refCount.violations,
    published,
    skippedClips,
  };
}
