/**
 * Synthetic BVH documents for tests: a small humanoid whose joint names come
 * from one of the three families in the shared CMU clips, in a chosen unit,
 * up axis and rotation channel order, optionally with a T-pose frame 0.
 */
export type Family = 'hahne' | 'daz' | 'iclone';

const NAMES: Record<Family, Record<string, string>> = {
  hahne: { root: 'Hips', spine: 'Spine', neck: 'Neck', head: 'Head', lclav: 'LeftShoulder', lsh: 'LeftArm', lel: 'LeftForeArm', lwr: 'LeftHand', ltip: 'LeftFingerBase', rclav: 'RightShoulder', rsh: 'RightArm', rel: 'RightForeArm', rwr: 'RightHand', rtip: 'RightFingerBase', lhip: 'LeftUpLeg', lkn: 'LeftLeg', lft: 'LeftFoot', rhip: 'RightUpLeg', rkn: 'RightLeg', rft: 'RightFoot' },
  daz: { root: 'hip', spine: 'chest', neck: 'neck', head: 'head', lclav: 'lCollar', lsh: 'lShldr', lel: 'lForeArm', lwr: 'lHand', ltip: 'lMid1', rclav: 'rCollar', rsh: 'rShldr', rel: 'rForeArm', rwr: 'rHand', rtip: 'rMid1', lhip: 'lThigh', lkn: 'lShin', lft: 'lFoot', rhip: 'rThigh', rkn: 'rShin', rft: 'rFoot' },
  iclone: { root: 'CC_Base_Hip', spine: 'CC_Base_Spine02', neck: 'CC_Base_NeckTwist01', head: 'CC_Base_Head', lclav: 'CC_Base_L_Clavicle', lsh: 'CC_Base_L_Upperarm', lel: 'CC_Base_L_Forearm', lwr: 'CC_Base_L_Hand', ltip: 'CC_Base_L_Mid1', rclav: 'CC_Base_R_Clavicle', rsh: 'CC_Base_R_Upperarm', rel: 'CC_Base_R_Forearm', rwr: 'CC_Base_R_Hand', rtip: 'CC_Base_R_Mid1', lhip: 'CC_Base_L_Thigh', lkn: 'CC_Base_L_Calf', lft: 'CC_Base_L_Foot', rhip: 'CC_Base_R_Thigh', rkn: 'CC_Base_R_Calf', rft: 'CC_Base_R_Foot' },
};

/** Offsets in metres, Y-up (x: the figure's left, z: forward): a 1.7 m adult in a T-pose. */
const TREE: [key: string, parent: string | null, offset: [number, number, number]][] = [
  ['root', null, [0, 0, 0]],
  ['spine', 'root', [0, 0.25, 0]],
  ['neck', 'spine', [0, 0.25, 0]],
  ['head', 'neck', [0, 0.1, 0]],
  ['lclav', 'spine', [0.02, 0.2, 0]],
  ['lsh', 'lclav', [0.16, 0, 0]],
  ['lel', 'lsh', [0.28, 0, 0]],
  ['lwr', 'lel', [0.25, 0, 0]],
  ['ltip', 'lwr', [0.08, 0, 0]],
  ['rclav', 'spine', [-0.02, 0.2, 0]],
  ['rsh', 'rclav', [-0.16, 0, 0]],
  ['rel', 'rsh', [-0.28, 0, 0]],
  ['rwr', 'rel', [-0.25, 0, 0]],
  ['rtip', 'rwr', [-0.08, 0, 0]],
  ['lhip', 'root', [0.09, -0.05, 0]],
  ['lkn', 'lhip', [0, -0.45, 0]],
  ['lft', 'lkn', [0, -0.45, 0]],
  ['rhip', 'root', [-0.09, -0.05, 0]],
  ['rkn', 'rhip', [0, -0.45, 0]],
  ['rft', 'rkn', [0, -0.45, 0]],
];

export interface SyntheticOptions {
  family?: Family;
  /** File units per metre (100 for cm, 1/0.056444 for CMU units). */
  unitsPerMetre?: number;
  up?: 'y' | 'z';
  /** Rotation channel order of non-root joints, e.g. 'ZXY'. */
  order?: string;
  /** Prepend an all-zero T-pose frame with a zero root rotation. */
  tposeFrame0?: boolean;
  frames?: number;
  frameTime?: number;
  /** Leave the arms out (a skeleton without arms). */
  noArms?: boolean;
  /** Rotation (deg) about file y of the left shoulder per frame (lifts the arm forward/back). */
  leftShoulderDeg?: (f: number) => number;
}

/** Returns a BVH document. The root has 6 channels (positions then ZYX rotations); others 3 in `order`. */
export function syntheticBvh(o: SyntheticOptions = {}): string {
  const names = NAMES[o.family ?? 'hahne'];
  const k = o.unitsPerMetre ?? 1;
  const up = o.up ?? 'y';
  const order = o.order ?? 'ZXY';
  // Y-up offsets → Z-up file: (x, y, z) → (z? ) keep right-handed: file = (x, -z, y)
  const conv = (v: [number, number, number]): [number, number, number] =>
    up === 'y' ? [v[0] * k, v[1] * k, v[2] * k] : [v[0] * k, -v[2] * k, v[1] * k];
  const tree = TREE.filter(([key, parent]) => !o.noArms || !/^(l|r)(clav|sh|el|wr|tip)$/.test(key) || parent === null);
  const children = (key: string) => tree.filter((t) => t[1] === key);
  const lines: string[] = ['HIERARCHY'];
  const channelKeys: string[] = [];
  const emit = (key: string, depth: number): void => {
    const pad = '  '.repeat(depth);
    const node = tree.find((t) => t[0] === key)!;
    const off = conv(node[2]);
    lines.push(`${pad}${node[1] === null ? 'ROOT' : 'JOINT'} ${names[key]}`, `${pad}{`, `${pad}  OFFSET ${off.join(' ')}`);
    if (node[1] === null) lines.push(`${pad}  CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation`);
    else lines.push(`${pad}  CHANNELS 3 ${order.split('').map((a) => `${a}rotation`).join(' ')}`);
    channelKeys.push(key);
    const kids = children(key);
    if (kids.length === 0) lines.push(`${pad}  End Site`, `${pad}  {`, `${pad}    OFFSET 0 ${0.05 * k} 0`, `${pad}  }`);
    for (const c of kids) emit(c[0], depth + 1);
    lines.push(`${pad}}`);
  };
  emit('root', 0);
  const frames = o.frames ?? 10;
  const rows: string[] = [];
  const pelvisH = 0.95 * k;
  const rootPos = up === 'y' ? [0, pelvisH, 0] : [0, 0, pelvisH];
  if (o.tposeFrame0) rows.push([...rootPos, ...new Array(channelKeys.length * 3).fill(0)].join(' '));
  for (let f = 0; f < frames; f++) {
    const row: number[] = [rootPos[0]! + 0.001 * f * k, rootPos[1]!, rootPos[2]!, 1 + 0.1 * f, 0.5, 0.2];
    for (const key of channelKeys.slice(1)) {
      const v: Record<string, number> = { X: 0, Y: 0, Z: 0 };
      if (key === 'lsh' && o.leftShoulderDeg) v.Y = o.leftShoulderDeg(f);
      else v.Z = 0.3 * Math.sin(f / 3);
      row.push(...order.split('').map((a) => v[a]!));
    }
    rows.push(row.join(' '));
  }
  lines.push('MOTION', `Frames: ${rows.length}`, `Frame Time: ${o.frameTime ?? 0.0083333}`, ...rows);
  return lines.join('\n') + '\n';
}
