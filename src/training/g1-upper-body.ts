/**
 * The shipped upper-body policy's task, in one place: the G1 29-DoF joint
 * order (the policy's order, equal to the URDF's), default pose, joint
 * limits (from urdf/g1_29dof_fixed.urdf), observation and action specs, and
 * the scripted expert it is cloned from.
 *
 * Reference motion (φ = 2π·t / 4 s, q_ref(0) = default pose): both arms
 * reach forward alternately with a shoulder-roll and elbow wave (the elbow
 * flexes, i.e. its G1 angle decreases, as the arm reaches), wrists roll,
 * the waist sways in yaw (±0.25 rad); legs and waist roll/pitch hold the
 * default. Expert target: q* = clamp(q_ref + k_fb·(q_ref − q), limits − margin),
 * expert action a* = (q* − default) / action_scale — a closed-loop map of
 * (phase, q).
 */
import type { ActionSpec } from '../policy/action.js';
import type { ObservationSpec } from '../policy/observation-spec.js';

const SIDES = ['left', 'right'] as const;
const LEG = ['hip_pitch', 'hip_roll', 'hip_yaw', 'knee', 'ankle_pitch', 'ankle_roll'];
const ARM = ['shoulder_pitch', 'shoulder_roll', 'shoulder_yaw', 'elbow', 'wrist_roll', 'wrist_pitch', 'wrist_yaw'];

export const G1_JOINTS: readonly string[] = [
  ...SIDES.flatMap((s) => LEG.map((j) => `${s}_${j}_joint`)),
  'waist_yaw_joint',
  'waist_roll_joint',
  'waist_pitch_joint',
  ...SIDES.flatMap((s) => ARM.map((j) => `${s}_${j}_joint`)),
];

/**
 * Default pose, rad, by joint (others 0): the Unitree G1 standing pose of
 * unitree_rl_lab's G1-29 velocity policy (deploy.yaml `default_joint_pos`) on
 * the vendor kinematics of urdf/g1_29dof*.urdf: knees 0.3 with hip/ankle pitch
 * levelling the soles, upper arms slightly back and out, elbows 0.97 (the
 * G1's elbow zero is a right angle with the forearm forward; positive extends).
 */
export const G1_DEFAULT_POSE: Readonly<Record<string, number>> = {
  left_hip_pitch_joint: -0.1,
  right_hip_pitch_joint: -0.1,
  left_knee_joint: 0.3,
  right_knee_joint: 0.3,
  left_ankle_pitch_joint: -0.2,
  right_ankle_pitch_joint: -0.2,
  left_shoulder_pitch_joint: 0.3,
  right_shoulder_pitch_joint: 0.3,
  left_shoulder_roll_joint: 0.25,
  right_shoulder_roll_joint: -0.25,
  left_elbow_joint: 0.97,
  right_elbow_joint: 0.97,
  left_wrist_roll_joint: 0.15,
  right_wrist_roll_joint: -0.15,
};

/** Position limits [lower, upper], rad, from urdf/g1_29dof_fixed.urdf (checked by a test). */
export const G1_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  hip_pitch: [-2.5307, 2.8798],
  left_hip_roll: [-0.5236, 2.9671],
  right_hip_roll: [-2.9671, 0.5236],
  hip_yaw: [-2.7576, 2.7576],
  knee: [-0.087267, 2.8798],
  ankle_pitch: [-0.87267, 0.5236],
  ankle_roll: [-0.2618, 0.2618],
  waist_yaw: [-2.618, 2.618],
  waist_roll: [-0.52, 0.52],
  waist_pitch: [-0.52, 0.52],
  shoulder_pitch: [-3.0892, 2.6704],
  left_shoulder_roll: [-1.5882, 2.2515],
  right_shoulder_roll: [-2.2515, 1.5882],
  shoulder_yaw: [-2.618, 2.618],
  elbow: [-1.0472, 2.0944],
  wrist_roll: [-1.972222054, 1.972222054],
  wrist_pitch: [-1.614429558, 1.614429558],
  wrist_yaw: [-1.614429558, 1.614429558],
};

export const UPPER_BODY = {
  name: 'g1_upper_body',
  policyRateHz: 50,
  /** Motion period, s. */
  periodS: 4,
  actionScale: 0.25,
  actionClip: 10,
  /** Feedback gain of the expert toward the reference. */
  feedbackGain: 0.3,
  /** Expert targets stay this far inside the limits, rad. */
  limitMarginRad: 0.05,
  /** Training PD gains (N·m/rad, N·m·s/rad) by joint group, informational for the sim. */
  stiffness: { hip: 100, knee: 150, ankle: 40, waist: 200, shoulder: 40, elbow: 40, wrist: 20 },
  damping: { hip: 2, knee: 4, ankle: 2, waist: 5, shoulder: 1, elbow: 1, wrist: 0.5 },
} as const;

export function jointLimits(name: string): readonly [number, number] {
  const base = name.replace(/_joint$/, '');
  const generic = base.replace(/^(left|right)_/, '');
  const lim = G1_LIMITS[base] ?? G1_LIMITS[generic];
  if (!lim) throw new Error(`no limits for joint '${name}'`);
  return lim;
}

export function defaultPoseArray(): Float64Array {
  return Float64Array.from(G1_JOINTS.map((j) => G1_DEFAULT_POSE[j] ?? 0));
}

function gainsFor(table: Readonly<Record<string, number>>): number[] {
  return G1_JOINTS.map((j) => {
    const key = Object.keys(table).find((k) => j.includes(k));
    return key ? (table[key] ?? 0) : 0;
  });
}
export const upperBodyStiffness = (): number[] => gainsFor(UPPER_BODY.stiffness);
export const upperBodyDamping = (): number[] => gainsFor(UPPER_BODY.damping);

export const UPPER_BODY_OBSERVATION: ObservationSpec = {
  termOrder: 'as_listed',
  historyLayout: 'term_major',
  historyOrder: 'oldest_first',
  historyInit: 'repeat_first',
  clipOrder: 'clip_then_scale',
  terms: [
    { name: 'base_ang_vel', source: 'base_ang_vel', scale: 0.25, history: 1 },
    { name: 'projected_gravity', source: 'projected_gravity', scale: 1, history: 1 },
    { name: 'joint_pos', source: 'joint_pos_rel', scale: 1, history: 1 },
    { name: 'joint_vel', source: 'joint_vel', scale: 0.05, history: 1 },
    { name: 'last_action', source: 'last_action', mode: 'raw', scale: 1, history: 1 },
    { name: 'phase', source: 'phase', periodS: 4, feet: 1, offsetS: 0, scale: 1, history: 1 },
  ],
};

export const UPPER_BODY_ACTION: ActionSpec = {
  scale: UPPER_BODY.actionScale,
  clip: UPPER_BODY.actionClip,
  offset: 'default_joint_pos',
  lowPassAlpha: 1,
};

/** Joint index helpers. */
const idx = (name: string): number => G1_JOINTS.indexOf(name);

/**
 * Reference pose and velocity at time t (s) into q (rad) and qd (rad/s),
 * policy joint order. q_ref(0) is the default pose.
 */
export function referenceMotion(t: number, q: Float64Array, qd: Float64Array): void {
  const w = (2 * Math.PI) / UPPER_BODY.periodS;
  const phi = w * t;
  const s = Math.sin(phi);
  const c = Math.cos(phi);
  const def = DEFAULT;
  q.set(def);
  qd.fill(0);
  // value = d + a·sin φ + b·(1 − cos φ); derivative = w·(a·cos φ + b·sin φ)
  const put = (name: string, a: number, b: number): void => {
    const i = idx(name);
    q[i] = def[i]! + a * s + b * (1 - c);
    qd[i] = w * (a * c + b * s);
  };
  put('waist_yaw_joint', 0.25, 0);
  for (const [side, sign] of [['left', 1], ['right', -1]] as const) {
    put(`${side}_shoulder_pitch_joint`, -0.35 * sign, -0.2);
    put(`${side}_shoulder_roll_joint`, 0, 0.15 * sign);
    put(`${side}_shoulder_yaw_joint`, 0.15 * sign, 0);
    put(`${side}_elbow_joint`, -0.15 * sign, -0.25);
    put(`${side}_wrist_roll_joint`, 0.2 * sign, 0);
    put(`${side}_wrist_pitch_joint`, 0.15, 0);
  }
}

const DEFAULT = defaultPoseArray();
const LOWER = Float64Array.from(G1_JOINTS.map((j) => jointLimits(j)[0] + UPPER_BODY.limitMarginRad));
const UPPER = Float64Array.from(G1_JOINTS.map((j) => jointLimits(j)[1] - UPPER_BODY.limitMarginRad));

/**
 * The expert: raw action a* (policy order) for reference qRef and measured q,
 * a* = (clamp(q_ref + k·(q_ref − q)) − default) / scale.
 */
export function expertAction(qRef: Float64Array, q: ArrayLike<number>, out: Float64Array): void {
  const k = UPPER_BODY.feedbackGain;
  for (let j = 0; j < out.length; j++) {
    let target = qRef[j]! + k * (qRef[j]! - q[j]!);
    target = Math.min(UPPER[j]!, Math.max(LOWER[j]!, target));
    out[j] = (target - DEFAULT[j]!) / UPPER_BODY.actionScale;
  }
}
