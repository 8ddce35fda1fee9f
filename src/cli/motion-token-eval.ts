/**
 * The shipped motion-token models (the ONNX graphs and contract in models/,
 * run through onnxruntime exactly as the motion demo runs them) against
 * kinematic retargeting on the held-out clips of their training split
 * (cmu_14_37 entirely + the last 20 % of every other clip; see
 * ./train-motion-tokens.ts), per clip and in total:
 *   - token path (human chunk → human encoder → RVQ → decoder) vs the
 *     retargeted robot chunk: joint RMSE (rad), wrist error (robot FK of both,
 *     mean / p95, cm);
 *   - robot path (robot chunk → robot encoder → RVQ → decoder): joint RMSE;
 *   - same-run baselines: the default pose held (joint RMSE, wrist error)
 *     and the chunk's own mean pose held (what a "static" decoder would score);
 *   - codebook usage: perplexity of each RVQ stage over the held-out chunks
 *     (of the codebook size), and the share of codes ever used.
 * No training happens here (seconds, not minutes).
 *
 *   node dist/cli/motion-token-eval.js [--contract models/motion_tokens.contract.json] [--json]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHumanMotion } from '../io/bvh-file.js';
import { loadRetargetMap } from '../io/motion-files.js';
import { loadTokenCodec } from '../io/motion-token-files.js';
import { CMU_CLIP_FILES, cmuClipDir } from '../io/shared-clips.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { CHUNK_FRAMES, HUMAN_FRAME_WIDTH } from '../motion/chunks.js';
import { Retargeter } from '../motion/retarget.js';
import { perplexity } from '../motion/tokens.js';
import { TRANSFORM_SIZE } from '../robot/math.js';
import { chunksOf, clipSequences, type ChunkSet } from '../training/motion-token-data.js';
import { HELD_OUT_CLIP, HELD_OUT_TAIL } from './train-motion-tokens.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Row {
  chunks: number;
  tokenJointRmseRad: number;
  robotPathJointRmseRad: number;
  tokenWristMeanCm: number;
  tokenWristP95Cm: number;
  defaultPoseJointRmseRad: number;
  defaultPoseWristMeanCm: number;
  meanPoseJointRmseRad: number;
  perplexity: number[];
  codesUsedShare: number[];
}

function wristOf(r: Retargeter, q: Float64Array, chunk: ArrayLike<number>, o: number, out: Float64Array): void {
  const n = r.upperBodyIndex.length;
  for (let j = 0; j < n; j++) q[r.upperBodyIndex[j]!] = chunk[o + j]!;
  r.tree.forward(q);
  const T = r.tree.transforms;
  for (let s = 0; s < 2; s++) { const wo = r.armLinks[s]!.wrist * TRANSFORM_SIZE; out[s * 3] = T[wo + 3]!; out[s * 3 + 1] = T[wo + 7]!; out[s * 3 + 2] = T[wo + 11]!; }
}

async function evaluate(set: ChunkSet, codec: Awaited<ReturnType<typeof loadTokenCodec>>, r: Retargeter): Promise<Row> {
  const n = set.joints, R = CHUNK_FRAMES * n, H = CHUNK_FRAMES * HUMAN_FRAME_WIDTH;
  const S = codec.cb.stages, K = codec.cb.size;
  const codes = new Int32Array(S), counts = Array.from({ length: S }, () => new Float64Array(K));
  const q = Float64Array.from(r.defaultQ), home = Float64Array.from(r.upperBodyIndex, (i) => r.defaultQ[i]!);
  const a = new Float64Array(6), b = new Float64Array(6), mean = new Float64Array(n);
  let tok = 0, rob = 0, def = 0, mp = 0;
  const wrist: number[] = [], defWrist: number[] = [];
  for (let c = 0; c < set.count; c++) {
    const truth = set.robot.subarray(c * R, (c + 1) * R);
    await codec.encodeHuman(set.human.subarray(c * H, (c + 1) * H), codes);
    for (let s = 0; s < S; s++) counts[s]![codes[s]!]!++;
    await codec.decode(codes);
    mean.fill(0);
    for (let f = 0; f < CHUNK_FRAMES; f++) for (let j = 0; j < n; j++) mean[j] = mean[j]! + truth[f * n + j]! / CHUNK_FRAMES;
    for (let f = 0; f < CHUNK_FRAMES; f++) {
      for (let j = 0; j < n; j++) {
        const t = truth[f * n + j]!;
        tok += (codec.joints[f * n + j]! - t) ** 2;
        def += (home[j]! - t) ** 2;
        mp += (mean[j]! - t) ** 2;
      }
      wristOf(r, q, truth, f * n, b);
      wristOf(r, q, codec.joints, f * n, a);
      for (let s = 0; s < 2; s++) wrist.push(Math.hypot(a[s * 3]! - b[s * 3]!, a[s * 3 + 1]! - b[s * 3 + 1]!, a[s * 3 + 2]! - b[s * 3 + 2]!));
      wristOf(r, q, home, 0, a);
      for (let s = 0; s < 2; s++) defWrist.push(Math.hypot(a[s * 3]! - b[s * 3]!, a[s * 3 + 1]! - b[s * 3 + 1]!, a[s * 3 + 2]! - b[s * 3 + 2]!));
    }
    await codec.encodeRobot(truth, codes);
    await codec.decode(codes);
    for (let i = 0; i < R; i++) rob += (codec.joints[i]! - truth[i]!) ** 2;
  }
  const N = set.count * R;
  const avg = (v: number[]): number => v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
  wrist.sort((x, y) => x - y);
  return {
    chunks: set.count,
    tokenJointRmseRad: Math.sqrt(tok / N), robotPathJointRmseRad: Math.sqrt(rob / N),
    tokenWristMeanCm: 100 * avg(wrist), tokenWristP95Cm: 100 * (wrist[Math.min(wrist.length - 1, Math.ceil(0.95 * wrist.length) - 1)] ?? NaN),
    defaultPoseJointRmseRad: Math.sqrt(def / N), defaultPoseWristMeanCm: 100 * avg(defWrist), meanPoseJointRmseRad: Math.sqrt(mp / N),
    perplexity: counts.map((cnt) => perplexity(cnt)), codesUsedShare: counts.map((cnt) => cnt.filter((x) => x > 0).length / K),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { contract: { type: 'string', default: join(ROOT, 'models', 'motion_tokens.contract.json') }, json: { type: 'boolean', default: false } } });
  const found = cmuClipDir(ROOT);
  if ('missing' in found) { process.stdout.write(`skipped: ${found.missing}\n`); return; }
  const r = new Retargeter(loadUrdfFile(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf')), loadRetargetMap(join(ROOT, 'config', 'motion', 'g1_retarget.yaml')));
  const names = Array.from(r.upperBodyIndex, (i) => r.jointNames[i]!);
  const codec = await loadTokenCodec(resolve(values.contract), names);
  const rows: Record<string, Row> = {};
  const held: Parameters<typeof chunksOf>[0][number][] = [];
  for (const f of CMU_CLIP_FILES) {
    const seq = clipSequences(f, loadHumanMotion(join(found.dir, f)), r);
    const dur = (seq.frames - 1) * seq.dtS;
    const part = { seq, fromS: f === HELD_OUT_CLIP ? 0 : dur * (1 - HELD_OUT_TAIL), toS: dur };
    held.push(part);
    rows[`${f}${f === HELD_OUT_CLIP ? ' (whole clip)' : ` (last ${HELD_OUT_TAIL * 100} %)`}`] = await evaluate(chunksOf([part], names, [1], false), codec, r);
  }
  rows['all held-out chunks'] = await evaluate(chunksOf(held, names, [1], false), codec, r);
  if (values.json) { process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`); return; }
  const K = codec.cb.size;
  process.stdout.write(`token path (human chunk → ONNX encoder → RVQ ${codec.cb.stages}×${K} → ONNX decoder) vs kinematic retargeting, held-out chunks (16 frames, 50 Hz)\n`);
  process.stdout.write('clip                                      chunks  token RMSE rad  wrist mean/p95 cm  robot-path RMSE  | baselines: default pose RMSE, wrist cm; chunk-mean pose RMSE | perplexity per stage (codes used)\n');
  const f = (x: number, d = 3): string => x.toFixed(d);
  for (const [name, v] of Object.entries(rows)) {
    process.stdout.write(`${name.padEnd(41)} ${String(v.chunks).padStart(6)}  ${f(v.tokenJointRmseRad).padStart(14)}  ${`${f(v.tokenWristMeanCm, 1)} / ${f(v.tokenWristP95Cm, 1)}`.padStart(17)}  ${f(v.robotPathJointRmseRad).padStart(15)}  | ${f(v.defaultPoseJointRmseRad)} rad, ${f(v.defaultPoseWristMeanCm, 1)} cm; ${f(v.meanPoseJointRmseRad)} rad | ${v.perplexity.map((p, s) => `${f(p, 1)} (${Math.round(v.codesUsedShare[s]! * K)})`).join(' / ')} of ${K}\n`);
  }
}

await main();
