/**
 * Diagnosis variants (pure): each undoes one known convention mistake of a
 * policy config, in a copy (the given config is never changed).
 */
import { describe, expect, it } from 'vitest';
import { conventionVariants, mirrorName } from '../../src/admission/index.js';
import { PolicyConfigSchema, type PolicyConfig } from '../../src/policy/policy-config.js';

const joints = ['left_hip_joint', 'right_hip_joint', 'waist_joint', 'left_knee_joint', 'right_knee_joint'];
const config = (): PolicyConfig => PolicyConfigSchema.parse({
  modelPath: 'm.onnx',
  joints,
  defaultJointPos: [0, 0, 0, 0.3, 0.3],
  observation: {
    terms: [
      { name: 'gyro', source: 'base_ang_vel', history: 5 },
      { name: 'act', source: 'last_action', history: 5 },
    ],
  },
  action: { scale: 0.25 },
});

describe('convention variants', () => {
  it('one variant per known mistake, each changing only its field', () => {
    const c = config();
    const before = JSON.stringify(c);
    const vs = conventionVariants(c, { urdfOrder: [...joints].reverse(), motorOrder: joints });
    expect(vs.map((v) => v.id)).toEqual([
      'history_layout=frame_major',
      'term_order=alphabetical',
      'last_action=processed',
      'rateHz=25',
      'rateHz=100',
      'joints=URDF_order',
      'swap=left_hip_joint,right_hip_joint',
      'swap=left_knee_joint,right_knee_joint',
    ]);
    const byId = Object.fromEntries(vs.map((v) => [v.id, v.apply(c)]));
    expect(byId['history_layout=frame_major']!.observation.historyLayout).toBe('frame_major');
    expect(byId['term_order=alphabetical']!.observation.termOrder).toBe('alphabetical');
    const act = byId['last_action=processed']!.observation.terms[1]!;
    expect(act.source === 'last_action' && act.mode).toBe('processed');
    expect(byId['rateHz=25']!.rateHz).toBe(25);
    expect(byId['joints=URDF_order']!.joints).toEqual([...joints].reverse());
    expect(byId['joints=URDF_order']!.defaultJointPos).toEqual([0, 0, 0, 0.3, 0.3]);
    expect(byId['swap=left_knee_joint,right_knee_joint']!.joints).toEqual(['left_hip_joint', 'right_hip_joint', 'waist_joint', 'right_knee_joint', 'left_knee_joint']);
    // every variant is a valid config, and the original is untouched
    for (const v of Object.values(byId)) expect(PolicyConfigSchema.safeParse(v).success).toBe(true);
    expect(JSON.stringify(c)).toBe(before);
  });

  it('with an action clip, raw and clipped are separate variants; frame-major needs one history length', () => {
    const c = config();
    c.action.clip = 5;
    c.observation.terms[0]!.history = 3;
    const ids = conventionVariants(c, { urdfOrder: joints, motorOrder: joints }).map((v) => v.id);
    expect(ids).toContain('last_action=clipped');
    expect(ids).toContain('last_action=processed');
    expect(ids.some((i) => i.startsWith('history_layout'))).toBe(false);
    expect(ids.some((i) => i.startsWith('joints='))).toBe(false);
  });

  it('mirror names', () => {
    expect(mirrorName('left_knee_joint')).toBe('right_knee_joint');
    expect(mirrorName('arm_right')).toBe('arm_left');
    expect(mirrorName('waist_yaw_joint')).toBeNull();
    expect(mirrorName('leftover_joint')).toBeNull();
  });
});
