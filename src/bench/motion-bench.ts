/**
 * Kinematic retargeting cost for the G1 (human keypoints → 29 joint
 * positions, one frame: waist + both arms DLS, 12 iterations each, speed cap,
 * error report), over every frame of the shared CMU clips after one warm-up
 * pass. Figures: p50/p99/max wall µs per frame, p50/p99 CPU µs per frame
 * (process CPU time: on a shared, oversubscribed machine the wall p99 mostly
 * measures time spent descheduled), frames per second, heap bytes per frame. No same-run peer exists in this repository; the reference is
 * GMR's published 35–70 frames/s in Python, i.e. ≥ 14 ms per frame, beside
 * which the ≤ 1 ms target is ≥ 20×. Skipped (no figures) when the clips are absent.
 *
 * Token path: one 16-frame human chunk → human encoder (ONNX) → RVQ → decoder
 * (ONNX) → de-standardised robot chunk, p50/p99 µs per chunk (needs only the
 * shipped models), beside the same-run kinematic retargeting of 16 frames.
 *
 * Teleop message path: one geometry_msgs/PoseArray of 16 keypoints (frames of
 * a shared clip, 30 Hz) through TeleopInput.onMessage — zod validation, reach
 * and jump checks, one retargeting frame, the player's speed-limited glide —
 * p50/p99 wall and CPU µs per message: the compute part of the teleop
 * latency budget (the rest is at most one 20 ms publish period).
 *
 * The 1-minute load average at the start and end of the suite is printed too:
 * on a shared machine a wall p99 above the CPU p99 is time spent descheduled.
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadHumanMotion } from '../io/bvh-file.js';
import { loadRetargetMap } from '../io/motion-files.js';
import { CMU_CLIP_FILES, cmuClipDir } from '../io/shared-clips.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { KEYPOINTS } from '../motion/human.js';
import { Retargeter } from '../motion/retarget.js';
import { loadTokenCodec } from '../io/motion-token-files.js';
import { CHUNK_FRAMES, HUMAN_FRAME_WIDTH } from '../motion/chunks.js';
import { heapBytesPerCall } from './heap.js';
import { ReferencePlayer } from '../motion/reference-player.js';
import { TeleopInput } from '../motion/teleop.js';
import { jointLimitArrays, type RobotModel } from '../robot/model.js';
import type { HumanMotion } from '../motion/human.js';
import type { RetargetMap } from '../motion/retarget-config.js';
import type { PoseArray } from '../transport/messages.js';
import { percentile } from './stats.js';

/** GMR's published upper rate on a desktop CPU, frames/s (issue 10), for the ratio figure. */
const GMR_PUBLISHED_FPS = 70;

async function benchTokens(repoRoot: string): Promise<Record<string, number>> {
  const codec = await loadTokenCodec(join(repoRoot, 'models', 'motion_tokens.contract.json'));
  const x = new Float64Array(CHUNK_FRAMES * HUMAN_FRAME_WIDTH);
  const codes = new Int32Array(codec.cb.stages);
  const samples: number[] = [], cpu: number[] = [];
  for (let i = 0; i < 2200; i++) {
    for (let k = 0; k < x.length; k++) x[k] = Math.sin(0.01 * i + k);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await codec.encodeHuman(x, codes);
    await codec.decode(codes);
    const wall = (performance.now() - t0) * 1000;
    const c = process.cpuUsage(c0);
    if (i >= 200) { samples.push(wall); cpu.push(c.user + c.system); }
  }
  return {
    motion_token_encode_decode_p50_us: percentile(samples, 0.5),
    motion_token_encode_decode_p99_us: percentile(samples, 0.99),
    motion_token_encode_decode_cpu_p99_us: percentile(cpu, 0.99),
  };
}

function benchTeleop(model: RobotModel, map: RetargetMap, h: HumanMotion): Record<string, number> {
  const r = new Retargeter(model, map);
  const names = Array.from(r.upperBodyIndex, (i) => r.jointNames[i]!);
  const all = jointLimitArrays(model, r.jointNames);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(r.upperBodyIndex, (i) => a[i]!);
  const player = new ReferencePlayer({ names, lower: pick(all.lower), upper: pick(all.upper), velocity: pick(all.velocity).map((v) => Math.min(v, 4)), marginRad: 0.05 }, pick(r.defaultQ), new Map(), { dtS: 0.02, holdS: 0.5, blendS: 0.4 });
  const teleop = new TeleopInput(new Retargeter(model, map));
  const K = KEYPOINTS.length;
  const msg: PoseArray = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'teleop' }, poses: Array.from({ length: K }, () => ({ position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } })) };
  const samples: number[] = [], cpu: number[] = [];
  const step = Math.max(1, Math.round(1 / 30 / h.frameTimeS));
  player.request({ kind: 'teleop' }, 0);
  let t = 0;
  for (let f = 0; f < h.frameCount; f += step) {
    t += step * h.frameTimeS;
    const o = f * K * 3;
    for (let k = 0; k < K; k++) { const p = msg.poses[k]!.position; p.x = h.positions[o + k * 3]!; p.y = h.positions[o + k * 3 + 1]!; p.z = h.positions[o + k * 3 + 2]!; }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const why = teleop.onMessage(msg, t, player);
    const wall = (performance.now() - t0) * 1000;
    const c = process.cpuUsage(c0);
    if (why !== undefined) throw new Error(`teleop bench: message refused: ${why}`);
    if (f >= 10 * step) { samples.push(wall); cpu.push(c.user + c.system); }
  }
  return {
    motion_teleop_message_p50_us: percentile(samples, 0.5),
    motion_teleop_message_p99_us: percentile(samples, 0.99),
    motion_teleop_message_cpu_p99_us: percentile(cpu, 0.99),
  };
}

export async function benchMotion(opts: { repoRoot: string }): Promise<Record<string, number>> {
  const loadStart = loadavg()[0]!;
  const tokens = { motion_load_avg_1min_start: loadStart, ...(await benchTokens(opts.repoRoot)) };
  const found = cmuClipDir(opts.repoRoot);
  if ('missing' in found) {
    process.stderr.write(`motion bench: retargeting skipped: ${found.missing}\n`);
    return { ...tokens, motion_load_avg_1min_end: loadavg()[0]! };
  }
  const model = loadUrdfFile(join(opts.repoRoot, 'urdf', 'g1_29dof_fixed.urdf'));
  const r = new Retargeter(model, loadRetargetMap(join(opts.repoRoot, 'config', 'motion', 'g1_retarget.yaml')));
  const clips = CMU_CLIP_FILES.map((f) => loadHumanMotion(join(found.dir, f)));
  const teleop = benchTeleop(model, r.map, clips[4]!);
  const K3 = KEYPOINTS.length * 3;
  for (const h of clips) { r.reset(); for (let f = 0; f < h.frameCount; f++) r.step(h.positions, f * K3, h.frameTimeS); }
  const samples: number[] = [], cpu: number[] = [];
  for (const h of clips) {
    r.reset();
    for (let f = 0; f < h.frameCount; f++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      r.step(h.positions, f * K3, h.frameTimeS);
      const wall = (performance.now() - t0) * 1000;
      const c = process.cpuUsage(c0);
      samples.push(wall);
      cpu.push(c.user + c.system);
    }
  }
  const h0 = clips[1]!;
  let f = 0;
  const step = (): void => { r.step(h0.positions, f * K3, h0.frameTimeS); f = (f + 1) % h0.frameCount; };
  const heap = await heapBytesPerCall(step, 500);
  const p50 = percentile(samples, 0.5);
  const fps = 1e6 / (samples.reduce((a, b) => a + b, 0) / samples.length);
  // same-run baseline for the token path: kinematic retargeting of one 16-frame chunk
  const chunkSamples: number[] = [], chunkCpu: number[] = [];
  for (let c = 0; c + CHUNK_FRAMES <= h0.frameCount && chunkSamples.length < 2000; c += CHUNK_FRAMES) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let f = c; f < c + CHUNK_FRAMES; f++) r.step(h0.positions, f * K3, h0.frameTimeS);
    chunkSamples.push((performance.now() - t0) * 1000);
    const cu = process.cpuUsage(c0);
    chunkCpu.push(cu.user + cu.system);
  }
  return {
    ...tokens,
    ...teleop,
    motion_retarget_16_frames_p50_us: percentile(chunkSamples, 0.5),
    motion_retarget_16_frames_p99_us: percentile(chunkSamples, 0.99),
    motion_retarget_16_frames_cpu_p50_us: percentile(chunkCpu, 0.5),
    motion_retarget_16_frames_cpu_p99_us: percentile(chunkCpu, 0.99),
    motion_retarget_frames: samples.length,
    motion_retarget_p50_us: p50,
    motion_retarget_p99_us: percentile(samples, 0.99),
    motion_retarget_max_us: Math.max(...samples),
    motion_retarget_cpu_p50_us: percentile(cpu, 0.5),
    motion_retarget_cpu_p99_us: percentile(cpu, 0.99),
    motion_retarget_frames_per_s: fps,
    motion_retarget_x_gmr_published: fps / GMR_PUBLISHED_FPS,
    motion_retarget_heap_bytes_per_frame: heap,
    motion_load_avg_1min_end: loadavg()[0]!,
  };
}
