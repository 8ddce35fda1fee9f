/**
 * Figures of trained motion-token models on a chunk set (held-out clips):
 * the token path (human chunk → human encoder → RVQ → decoder) against the
 * kinematic retargeting it was trained from — joint RMSE and wrist error
 * (robot FK of both chunks) — the robot path's reconstruction RMSE, the
 * visual-feature RMSE, and code usage (perplexity per stage).
 */
import { mlpForward } from './mlp.js';
import type { ChunkSet } from './motion-token-data.js';
import type { TokenModels } from './train-motion-tokens.js';
import { perplexity, rvqQuantize } from '../motion/tokens.js';
import type { Retargeter } from '../motion/retarget.js';
import { TRANSFORM_SIZE } from '../robot/math.js';

export interface TokenFigures {
  chunks: number;
  tokenJointRmseRad: number;
  robotJointRmseRad: number;
  tokenWristErrMeanM: number;
  tokenWristErrP95M: number;
  visualRmse: number;
  perplexity: number[];
}

export function evaluateTokens(m: TokenModels, set: ChunkSet, r: Retargeter): TokenFigures {
  const F = set.human.length / set.count, R = set.robot.length / set.count, V = set.visual.length / set.count;
  const D = m.codebooks.dim, S = m.codebooks.stages;
  const n = set.joints, frames = R / n;
  const xh = new Float64Array(F), xr = new Float64Array(R), z = new Float64Array(D), zq = new Float64Array(D);
  const codes = new Int32Array(S), y = new Float64Array(R + V);
  const counts = Array.from({ length: S }, () => new Float64Array(m.codebooks.size));
  const q = Float64Array.from(r.defaultQ);
  let tokSq = 0, robSq = 0, visSq = 0;
  const wrist: number[] = [];
  const wristPos = (chunk: ArrayLike<number>, o: number, f: number, out: Float64Array): void => {
    for (let j = 0; j < n; j++) q[r.upperBodyIndex[j]!] = chunk[o + f * n + j]!;
    r.tree.forward(q);
    const T = r.tree.transforms;
    for (let s = 0; s < 2; s++) { const wo = r.armLinks[s]!.wrist * TRANSFORM_SIZE; out[s * 3] = T[wo + 3]!; out[s * 3 + 1] = T[wo + 7]!; out[s * 3 + 2] = T[wo + 11]!; }
  };
  const a = new Float64Array(6), b = new Float64Array(6);
  for (let c = 0; c < set.count; c++) {
    for (let i = 0; i < F; i++) xh[i] = (set.human[c * F + i]! - m.humanStats.mean[i]!) / m.humanStats.std[i]!;
    for (let i = 0; i < R; i++) xr[i] = (set.robot[c * R + i]! - m.robotStats.mean[i]!) / m.robotStats.std[i]!;
    mlpForward(m.human, xh, z);
    rvqQuantize(m.codebooks, z, 0, codes, 0, zq, 0);
    for (let s = 0; s < S; s++) counts[s]![codes[s]!] = counts[s]![codes[s]!]! + 1;
    mlpForward(m.decoder, zq, y);
    const dec = new Float64Array(R);
    for (let i = 0; i < R; i++) { dec[i] = y[i]! * m.robotStats.std[i]! + m.robotStats.mean[i]!; const e = dec[i]! - set.robot[c * R + i]!; tokSq += e * e; }
    for (let i = 0; i < V; i++) { const e = y[R + i]! * m.visualStats.std[i]! + m.visualStats.mean[i]! - set.visual[c * V + i]!; visSq += e * e; }
    for (let f = 0; f < frames; f++) {
      wristPos(dec, 0, f, a);
      wristPos(set.robot, c * R, f, b);
      for (let s = 0; s < 2; s++) wrist.push(Math.hypot(a[s * 3]! - b[s * 3]!, a[s * 3 + 1]! - b[s * 3 + 1]!, a[s * 3 + 2]! - b[s * 3 + 2]!));
    }
    mlpForward(m.robot, xr, z);
    rvqQuantize(m.codebooks, z, 0, codes, 0, zq, 0);
    mlpForward(m.decoder, zq, y);
    for (let i = 0; i < R; i++) { const e = y[i]! * m.robotStats.std[i]! + m.robotStats.mean[i]! - set.robot[c * R + i]!; robSq += e * e; }
  }
  wrist.sort((x, w) => x - w);
  return {
    chunks: set.count,
    tokenJointRmseRad: Math.sqrt(tokSq / (set.count * R)),
    robotJointRmseRad: Math.sqrt(robSq / (set.count * R)),
    tokenWristErrMeanM: wrist.reduce((x, w) => x + w, 0) / Math.max(1, wrist.length),
    tokenWristErrP95M: wrist[Math.floor(0.95 * (wrist.length - 1))] ?? NaN,
    visualRmse: Math.sqrt(visSq / (set.count * V)),
    perplexity: counts.map((c) => perplexity(c)),
  };
}
