/**
 * Golden observations of a mimic / BeyondMimic-style tracking policy fed from
 * a reference motion file, the expected vectors built here from the published
 * conventions (issue 9) with independent math:
 * - CSV rows: root position xyz, root quaternion xyzw, joint angles in motor
 *   order, at the file's fps, played from startS to endS (held after), sampled
 *   at the policy rate by linear interpolation (pure-yaw root quaternions here,
 *   so slerp is a linear interpolation of the yaw angle);
 * - joint velocities by forward difference at the file's rate;
 * - motion_command = [reference joint positions, velocities] in the policy's joint order;
 * - motion_anchor_ori_b = first two columns (row-major) of R(robot torso)ᵀ·R(reference torso),
 *   torso by forward kinematics, the reference yaw-aligned to the robot at the start
 *   (robot pelvis yaw − reference root yaw at step 0).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/io/config-file.js';
import { loadReferenceMotion } from '../../src/io/reference-motion-file.js';
import { PolicyController } from '../../src/policy/controller.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfigInput } from '../../src/policy/policy-config.js';
import { parseReferenceCsv } from '../../src/policy/reference.js';
import { expectVector, firstTwoColumns, humanoid, JOINTS, MOTOR_ORDER, mul, quatOf, rotX, rotY, rotZ, torsoOf, transpose, yawOf, type M3 } from './conventions-fixtures.js';

const FPS = 10;
const DT = 0.02;
const START = 0.05;
const END = 0.25;
/** File frame i (motor order waist, left knee, right knee). */
const yawF = (i: number): number => 0.1 + 0.2 * i;
const waistF = (i: number): number => 0.05 * i * i;
const leftF = (i: number): number => 0.3 - 0.1 * i;
const rightF = (i: number): number => 0.2 * i;
const FRAMES = 4;
const CSV = [
  '# root x,y,z, root qx,qy,qz,qw, waist, left knee, right knee',
  ...Array.from({ length: FRAMES }, (_, i) => [0.1 * i, 0, 0.75, 0, 0, Math.sin(yawF(i) / 2), Math.cos(yawF(i) / 2), waistF(i), leftF(i), rightF(i)].join(',')),
].join('\n');

function config(reference: PolicyConfigInput['reference']): PolicyConfigInput {
  return {
    name: 'mimic_like',
    modelPath: 'unused.onnx',
    rateHz: 50,
    joints: JOINTS,
    defaultJointPos: [0.1, 0.2, 0.3],
    reference,
    observation: {
      terms: [
        { name: 'motion_command', source: 'motion_command' },
        { name: 'motion_anchor_ori_b', source: 'reference_anchor_ori6d' },
        { name: 'base_ang_vel', source: 'base_ang_vel' },
        { name: 'joint_pos', source: 'joint_pos_rel' },
        { name: 'joint_vel', source: 'joint_vel' },
        { name: 'actions', source: 'last_action' },
      ],
    },
    action: { scale: 0.25 },
  };
}

/** The reference at file time t, from the conventions (independent of the sampler). */
function referenceAt(t: number): { q: number[]; v: number[]; yaw: number } {
  const x = Math.min(Math.max(t, 0), END) * FPS;
  const i = Math.min(Math.floor(x), FRAMES - 1);
  const i1 = Math.min(i + 1, FRAMES - 1);
  const a = x - i;
  const lerp = (f: (k: number) => number): number => f(i) * (1 - a) + f(i1) * a;
  const vel = (f: (k: number) => number) => (k: number): number => (k < FRAMES - 1 ? f(k + 1) - f(k) : f(k) - f(k - 1)) * FPS;
  // policy order: left knee, right knee, waist
  return {
    q: [lerp(leftF), lerp(rightF), lerp(waistF)],
    v: [lerp(vel(leftF)), lerp(vel(rightF)), lerp(vel(waistF))],
    yaw: lerp(yawF),
  };
}

const pelvisAt = (k: number): M3 => mul(rotZ(-0.4 + 0.03 * k), rotX(0.1));
const robotJointsAt = (k: number): number[] => [0.25, 0.15 + 0.01 * k, -0.1 + 0.02 * k];

describe('mimic-style tracking from a reference motion file', () => {
  it('assembles motion_command and motion_anchor_ori_b as the conventions define them, from a CSV file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-mimic-'));
    writeFileSync(join(dir, 'dance.csv'), CSV);
    const parsed = PolicyConfigSchema.parse(config({ source: 'file', path: 'dance.csv', fps: FPS, startS: START, endS: END, anchorBody: 'torso_link', startYaw: 'root' }));
    const cfg = resolvePolicyConfig(parsed);
    const motion = loadReferenceMotion(parsed, dir, MOTOR_ORDER);
    expect(motion?.frames).toBe(FRAMES);
    const input = new Float32Array(cfg.observationWidth);
    expect(input.length).toBe(24);
    const c = new PolicyController(cfg, input, { robot: humanoid(), referenceMotion: motion! });
    const actions: number[][] = [];
    const steps = 13; // past END: the last pose is held
    const ref0 = referenceAt(START);
    const align = yawOf(pelvisAt(0)) - ref0.yaw;
    for (let k = 0; k < steps; k++) {
      c.clock[0] = k * DT;
      c.intake.acceptJointState(Float64Array.from(robotJointsAt(k)), Float64Array.from([0.3, -0.3, 0.05 * k]));
      const [x, y, z, w] = quatOf(pelvisAt(k));
      c.intake.acceptImu({ x, y, z, w }, { x: 0.1, y: 0.02 * k, z: 0 });
      expect(c.tick()).toBe('infer');
      const ref = referenceAt(START + k * DT);
      const robotTorso = torsoOf(pelvisAt(k), robotJointsAt(k)[2]!);
      const refTorso = mul(rotZ(align), rotZ(ref.yaw), rotY(0.1), rotZ(ref.q[2]!));
      const want = [
        ...ref.q, ...ref.v,
        ...firstTwoColumns(mul(transpose(robotTorso), refTorso)),
        0.1, 0.02 * k, 0,
        ...robotJointsAt(k).map((q, j) => q - [0.1, 0.2, 0.3][j]!),
        0.3, -0.3, 0.05 * k,
        ...(k === 0 ? [0, 0, 0] : actions[k - 1]!),
      ];
      expectVector(input, want, 5, `step ${k}`);
      const out = Float32Array.from([0.1 * k, -0.2, 0.05]);
      actions.push(Array.from(out));
      expect(c.finishInference(out)).toBe('publish');
    }
  });

  it('the parser reorders motor-order columns into policy order and takes forward differences at the file rate', () => {
    const m = parseReferenceCsv(CSV, FPS, MOTOR_ORDER, JOINTS);
    expect(Array.from(m.jointPos.subarray(3, 6))).toEqual([leftF(1), rightF(1), waistF(1)]);
    expect(m.jointVel[3 * 3 + 2]).toBeCloseTo((waistF(3) - waistF(2)) * FPS, 12); // last frame repeats the one before
  });

  it('a bad file is refused naming the file and the line; a policy joint missing from the columns is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-mimic-'));
    writeFileSync(join(dir, 'bad.csv'), `${CSV}\n1,2,3\n`);
    const parsed = PolicyConfigSchema.parse(config({ source: 'file', path: 'bad.csv', fps: FPS, anchorBody: 'torso_link' }));
    const err = (() => { try { loadReferenceMotion(parsed, dir, MOTOR_ORDER); return null; } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toContain(join(dir, 'bad.csv'));
    expect(String(err)).toMatch(/line 6: 3 values, expected 10/);
    expect(() => parseReferenceCsv(CSV, FPS, ['waist_yaw_joint', 'left_knee_joint', 'other'], JOINTS)).toThrow(/policy joint 'right_knee_joint' is not among the file's joint columns/);
  });

  it('an anchor term without a robot model, or without a motion, is refused at start naming what is missing', () => {
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(config({ source: 'file', path: 'x.csv', fps: FPS, anchorBody: 'torso_link' })));
    const motion = parseReferenceCsv(CSV, FPS, MOTOR_ORDER, JOINTS);
    expect(() => new PolicyController(cfg, new Float32Array(24), { referenceMotion: motion })).toThrow(/anchorBody 'torso_link' needs the robot model/);
    expect(() => new PolicyController(cfg, new Float32Array(24), { robot: humanoid() })).toThrow(/reference.source is file but no reference motion was loaded/);
    const noAnchor = resolvePolicyConfig(PolicyConfigSchema.parse(config(undefined)));
    expect(() => new PolicyController(noAnchor, new Float32Array(24), { robot: humanoid() })).toThrow(/'motion_anchor_ori_b' \(reference_anchor_ori6d\) needs/);
    const badBody = resolvePolicyConfig(PolicyConfigSchema.parse(config({ source: 'file', path: 'x.csv', fps: FPS, anchorBody: 'torso' })));
    expect(() => new PolicyController(badBody, new Float32Array(24), { robot: humanoid(), referenceMotion: motion })).toThrow(/anchor body 'torso' is not a link/);
  });
});
