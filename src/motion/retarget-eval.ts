/**
 * Whole-clip retargeting figures: run a Retargeter over every frame of a
 * human clip and summarise accuracy, reachability and limit compliance
 * (violations counted against the robot's own URDF limits, independently of
 * the saturation that should prevent them).
 */
import type { JointLimitArrays } from '../robot/model.js';
import { KEYPOINTS, type HumanMotion } from './human.js';
import { REACH_BEYOND, REACH_NEAR_LIMIT, type Retargeter } from './retarget.js';
import { timeScale } from './primitives.js';

export interface ClipRetargetFigures {
  frames: number;
  /** Wrist position error over all frames and both arms, m. */
  wristMeanM: number;
  wristP99M: number;
  wristMaxM: number;
  /**
   * Wrist error by how reachable the target is, over (frame, arm) samples (docs/motion.md):
   * `withinReach`: the target is within 97 % of the robot arm's length (geometry only);
   * `awayFromLimits`: also no arm joint of the solution within half a saturation band of a limit;
   * `reachable`: also the speed cap did not bind (the human did not move faster than the robot may).
   * Share of samples, p99 and max error (m) in each tier.
   */
  withinReachShare: number;
  withinReachP99M: number;
  withinReachMaxM: number;
  awayFromLimitsShare: number;
  awayFromLimitsP99M: number;
  awayFromLimitsMaxM: number;
  reachableShare: number;
  reachableP99M: number;
  reachableMaxM: number;
  elbowMeanM: number;
  handMeanRad: number;
  torsoMeanRad: number;
  /** Output joint values outside [lower, upper] of the URDF (should be 0). */
  limitViolations: number;
  /** Joint-frames whose change exceeded speedCap·dt (should be 0). */
  speedViolations: number;
  /** Joint-frames where the speed cap bound. */
  speedCapped: number;
  /** Frames the retargeter held for bad input. */
  heldFrames: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Retargets `human` from a reset state; `onFrame` sees each output (e.g. to record it). */
export function evaluateClip(r: Retargeter, human: HumanMotion, limits: JointLimitArrays, onFrame?: (f: number, q: Float64Array) => void): ClipRetargetFigures {
  r.reset();
  const K3 = KEYPOINTS.length * 3;
  const all: number[] = [], reach: number[] = [], within: number[] = [], away: number[] = [];
  let elbow = 0, hand = 0, torso = 0, lim = 0, speed = 0, capped = 0, held = 0;
  const prev = Float64Array.from(r.q);
  for (let f = 0; f < human.frameCount; f++) {
    if (r.step(human.positions, f * K3, human.frameTimeS) !== 'ok') held++;
    const rep = r.report;
    for (let s = 0; s < 2; s++) {
      all.push(rep.wristErrM[s]!);
      const fl = rep.reachFlags[s]!, e = rep.wristErrM[s]!;
      if (!(fl & REACH_BEYOND)) within.push(e);
      if (!(fl & (REACH_BEYOND | REACH_NEAR_LIMIT))) away.push(e);
      if (rep.reachable[s]) reach.push(e);
      elbow += rep.elbowErrM[s]!;
      hand += rep.handErrRad[s]!;
    }
    torso += rep.torsoErrRad;
    capped += rep.velocityCapped;
    for (let j = 0; j < r.q.length; j++) {
      const q = r.q[j]!;
      if (!(q >= limits.lower[j]! && q <= limits.upper[j]!)) lim++;
      if (f > 0 && Math.abs(q - prev[j]!) > r.speedCap[j]! * human.frameTimeS + 1e-12) speed++;
    }
    prev.set(r.q);
    onFrame?.(f, r.q);
  }
  const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const wristMeanM = mean(all);
  all.sort((a, b) => a - b);
  reach.sort((a, b) => a - b);
  within.sort((a, b) => a - b);
  away.sort((a, b) => a - b);
  const n = human.frameCount;
  return {
    frames: n,
    wristMeanM, wristP99M: quantile(all, 0.99), wristMaxM: all[all.length - 1] ?? NaN,
    withinReachShare: within.length / Math.max(1, 2 * n), withinReachP99M: quantile(within, 0.99), withinReachMaxM: within[within.length - 1] ?? NaN,
    awayFromLimitsShare: away.length / Math.max(1, 2 * n), awayFromLimitsP99M: quantile(away, 0.99), awayFromLimitsMaxM: away[away.length - 1] ?? NaN,
    reachableShare: reach.length / Math.max(1, 2 * n),
    reachableP99M: quantile(reach, 0.99), reachableMaxM: reach[reach.length - 1] ?? NaN,
    elbowMeanM: elbow / (2 * n), handMeanRad: hand / (2 * n), torsoMeanRad: torso / n,
    limitViolations: lim, speedViolations: speed, speedCapped: capped, heldFrames: held,
  };
}

/**
 * Retargets frames [first, last) of `human` from a reset state and resamples
 * the driven joints (the map's order, `r.upperBodyIndex`) to frames `dtS`
 * apart: the clip as the motion node plays it.
 */
export function retargetClip(r: Retargeter, human: HumanMotion, first: number, last: number, dtS: number): Float64Array {
  const n = r.upperBodyIndex.length, K3 = KEYPOINTS.length * 3;
  const native = new Float64Array(Math.max(0, last - first) * n);
  r.reset();
  for (let f = first; f < last; f++) {
    r.step(human.positions, f * K3, human.frameTimeS);
    for (let j = 0; j < n; j++) native[(f - first) * n + j] = r.q[r.upperBodyIndex[j]!]!;
  }
  return timeScale(native, n, human.frameTimeS / dtS);
}
