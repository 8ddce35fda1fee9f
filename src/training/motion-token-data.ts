/**
 * Paired chunks for the motion-token models, from human clips and the
 * kinematic retargeter (the paired-data source): for each chunk, the human
 * features, the retargeted robot joints and the robot's visual features
 * (./../motion/chunks.ts). Chunks start every 8 frames (0.16 s) at 50 Hz.
 *
 * Augmentation (training chunks only): time scaling (the clip replayed at
 * 0.8× and 1.25× speed as well as 1×) and mirroring (every chunk also
 * left↔right mirrored). Input noise is added by the trainer per step.
 */
import {
  CHUNK_FRAMES, CHUNK_RATE_HZ, HUMAN_FRAME_WIDTH, VISUAL_FRAME_WIDTH, humanArmLength, humanFrameFeatures,
  jointMirror, mirrorHuman, mirrorJoints, mirrorVisual, robotVisualFrame, sampleAt,
} from '../motion/chunks.js';
import { KEYPOINTS, type HumanMotion } from '../motion/human.js';
import type { Retargeter } from '../motion/retarget.js';

export interface ChunkSet {
  count: number;
  /** count × CHUNK_FRAMES × HUMAN_FRAME_WIDTH */
  human: Float64Array;
  /** count × CHUNK_FRAMES × joints */
  robot: Float64Array;
  /** count × CHUNK_FRAMES × VISUAL_FRAME_WIDTH */
  visual: Float64Array;
  joints: number;
}

/** Per-frame sequences of one clip at its native rate. */
export interface ClipSequences {
  name: string;
  frames: number;
  dtS: number;
  human: Float64Array;
  robot: Float64Array;
  visual: Float64Array;
}

/** Retargets a clip and extracts per-frame features. */
export function clipSequences(name: string, h: HumanMotion, r: Retargeter): ClipSequences {
  const n = r.upperBodyIndex.length;
  const K3 = KEYPOINTS.length * 3;
  const arm = humanArmLength(h);
  const out: ClipSequences = {
    name, frames: h.frameCount, dtS: h.frameTimeS,
    human: new Float64Array(h.frameCount * HUMAN_FRAME_WIDTH),
    robot: new Float64Array(h.frameCount * n),
    visual: new Float64Array(h.frameCount * VISUAL_FRAME_WIDTH),
  };
  r.reset();
  for (let f = 0; f < h.frameCount; f++) {
    r.step(h.positions, f * K3, h.frameTimeS);
    humanFrameFeatures(h.positions, f * K3, arm, out.human, f * HUMAN_FRAME_WIDTH);
    for (let j = 0; j < n; j++) out.robot[f * n + j] = r.q[r.upperBodyIndex[j]!]!;
    robotVisualFrame(r, out.visual, f * VISUAL_FRAME_WIDTH);
  }
  return out;
}

/**
 * Chunks of frames [fromS, toS) of a clip at the given speed factors;
 * `mirror` adds a mirrored copy of each (joint names give the mirror map).
 */
export function chunksOf(seqs: readonly { seq: ClipSequences; fromS: number; toS: number }[], jointNames: readonly string[], speeds: readonly number[], mirror: boolean): ChunkSet {
  const n = jointNames.length;
  const dtC = 1 / CHUNK_RATE_HZ;
  const stride = 8 * dtC;
  const starts: { seq: ClipSequences; t0: number; speed: number }[] = [];
  for (const { seq, fromS, toS } of seqs) {
    for (const speed of speeds) {
      const span = (CHUNK_FRAMES - 1) * dtC * speed;
      for (let t0 = fromS; t0 + span < toS; t0 += stride * speed) starts.push({ seq, t0, speed });
    }
  }
  const copies = mirror ? 2 : 1;
  const count = starts.length * copies;
  const set: ChunkSet = {
    count, joints: n,
    human: new Float64Array(count * CHUNK_FRAMES * HUMAN_FRAME_WIDTH),
    robot: new Float64Array(count * CHUNK_FRAMES * n),
    visual: new Float64Array(count * CHUNK_FRAMES * VISUAL_FRAME_WIDTH),
  };
  const jm = mirror ? jointMirror(jointNames) : undefined;
  starts.forEach(({ seq, t0, speed }, c) => {
    for (let k = 0; k < CHUNK_FRAMES; k++) {
      const t = t0 + k * dtC * speed;
      sampleAt(seq.human, HUMAN_FRAME_WIDTH, seq.frames, seq.dtS, t, set.human, (c * CHUNK_FRAMES + k) * HUMAN_FRAME_WIDTH);
      sampleAt(seq.robot, n, seq.frames, seq.dtS, t, set.robot, (c * CHUNK_FRAMES + k) * n);
      sampleAt(seq.visual, VISUAL_FRAME_WIDTH, seq.frames, seq.dtS, t, set.visual, (c * CHUNK_FRAMES + k) * VISUAL_FRAME_WIDTH);
    }
    if (jm) {
      const m = starts.length + c;
      const hw = CHUNK_FRAMES * HUMAN_FRAME_WIDTH, rw = CHUNK_FRAMES * n, vw = CHUNK_FRAMES * VISUAL_FRAME_WIDTH;
      set.human.copyWithin(m * hw, c * hw, (c + 1) * hw);
      set.robot.copyWithin(m * rw, c * rw, (c + 1) * rw);
      set.visual.copyWithin(m * vw, c * vw, (c + 1) * vw);
      mirrorHuman(set.human.subarray(m * hw, (m + 1) * hw), CHUNK_FRAMES);
      mirrorJoints(set.robot.subarray(m * rw, (m + 1) * rw), CHUNK_FRAMES, jm);
      mirrorVisual(set.visual.subarray(m * vw, (m + 1) * vw), CHUNK_FRAMES);
    }
  });
  return set;
}
