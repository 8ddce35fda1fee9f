/**
 * The admission verdict (pure): a trial passes only when every criterion
 * does; each failed criterion is named with what failed and where; the
 * admission is refused by any failed or skipped trial.
 */
import { describe, expect, it } from 'vitest';
import { AdmissionOptionsSchema, admissionVerdict, changedFiles, CRITERIA, formatVerdict, judgeTrial, type TrialMetrics } from '../../src/admission/index.js';

const opts = AdmissionOptionsSchema.parse({});

function good(over: Partial<TrialMetrics> = {}): TrialMetrics {
  return {
    scenario: 'forward',
    seed: 2,
    conditions: { poseNoiseRad: {}, friction: 1, addedMass: { link: 'torso_link', kg: 1 }, motorStrength: 1, latencyS: 0, push: null },
    command: { atS: 1, vx: 0.9, vy: 0, wz: 0 },
    durationS: 8,
    simTimeS: 8,
    wallS: 1.2,
    timedOut: false,
    error: null,
    fell: false,
    fellAtS: null,
    motion: { windowS: 5.5, vx: 0.85, vy: 0.01, wz: -0.01 },
    policy: { ticks: 400, inferenceErrors: 0, missedDeadlines: 0, lateResults: 0, nonFiniteObservations: 0, nonFiniteActions: 0, faults: [] },
    shield: { ticks: 4000, safetyInterventionTicks: 200, interventions: { acceleration: 40000, position: 250 }, estopS: 0, activated: true, notActivatedReason: null },
    envelope: [
      { term: 'joint_vel', outTicks: 0, ticks: 400, worst: null },
      { term: 'action', outTicks: 0, ticks: 400, worst: null },
    ],
    ...over,
  };
}

const failedOf = (m: TrialMetrics): string[] => judgeTrial(m, opts).criteria.filter((c) => !c.pass).map((c) => c.criterion);
const detailOf = (m: TrialMetrics, c: string): string => judgeTrial(m, opts).criteria.find((x) => x.criterion === c)!.detail;

describe('admission verdict', () => {
  it('a good trial passes every criterion', () => {
    const r = judgeTrial(good(), opts);
    expect(r.pass).toBe(true);
    expect(r.criteria.map((c) => c.criterion)).toEqual(CRITERIA);
  });

  it('each criterion fails on its own figure, naming what and where', () => {
    expect(failedOf(good({ fell: true, fellAtS: 0.42, simTimeS: 0.62 }))).toEqual(['no_fall', 'command_tracking']);
    expect(detailOf(good({ fell: true, fellAtS: 0.42 }), 'no_fall')).toBe('fell at 0.42 s');
    expect(failedOf(good({ timedOut: true, simTimeS: 3 }))).toEqual(['finished']);
    expect(detailOf(good({ timedOut: true, simTimeS: 3 }), 'finished')).toContain('did not finish within the 60 s time limit (stopped at 3.00 s of 8.00 s)');
    expect(failedOf(good({ error: 'boom' }))).toEqual(['finished']);
    // tracking: 0.9 commanded, allowed max(0.15, 0.65 × 0.9) = 0.585
    expect(failedOf(good({ motion: { windowS: 5.5, vx: 0.32, vy: 0, wz: 0 } }))).toEqual([]);
    expect(failedOf(good({ motion: { windowS: 5.5, vx: 0.3, vy: 0, wz: 0 } }))).toEqual(['command_tracking']);
    expect(detailOf(good({ motion: { windowS: 5.5, vx: 0.1, vy: 0.3, wz: 0 } }), 'command_tracking'))
      .toBe('vx 0.100 m/s against the command 0.900 m/s (allowed ±0.585); vy 0.300 m/s against the command 0.000 m/s (allowed ±0.150) over 5.5 s from 2.5 s');
    expect(failedOf(good({ shield: { ...good().shield, safetyInterventionTicks: 601 } }))).toEqual(['shield_interventions']);
    expect(detailOf(good({ shield: { ...good().shield, safetyInterventionTicks: 601 } }), 'shield_interventions')).toContain('15 % of 4000 shield ticks (allowed 15 %); joint-ticks: position 250');
    expect(failedOf(good({ shield: { ...good().shield, estopS: 0.5 } }))).toEqual(['no_estop']);
    expect(failedOf(good({ shield: { ...good().shield, activated: false, notActivatedReason: 'out of limits' } }))).toEqual(['shield_activated']);
    expect(failedOf(good({ policy: { ...good().policy, missedDeadlines: 3 } }))).toEqual(['inference']);
    expect(failedOf(good({ policy: { ...good().policy, faults: ['fault:tilt at 0.48 s'] } }))).toEqual(['inference']);
  });

  it('the envelope names the term and its share of ticks ("term `joint_vel` out of range 38 % of ticks")', () => {
    const m = good({ envelope: [
      { term: 'joint_vel', outTicks: 152, ticks: 400, worst: { label: 'joint_vel[left_knee_joint]', value: 1.6, lo: -1, hi: 1 } },
      { term: 'action', outTicks: 8, ticks: 400, worst: null },
    ] });
    expect(failedOf(m)).toEqual(['observation_envelope']); // the action at 2 % is allowed
    expect(detailOf(m, 'observation_envelope')).toBe('term `joint_vel` out of range 38 % of ticks (worst joint_vel[left_knee_joint] = 1.600, range [-1.000, 1.000])');
    const a = good({ envelope: [{ term: 'joint_vel', outTicks: 0, ticks: 400, worst: null }, { term: 'action', outTicks: 9, ticks: 400, worst: null }] });
    expect(failedOf(a)).toEqual(['action_envelope']);
    expect(failedOf(good({ envelope: [] }))).toEqual(['observation_envelope']);
  });

  it('the admission: every trial must pass and none be skipped; failed criteria list the trials', () => {
    const pass = judgeTrial(good(), opts);
    const fell = judgeTrial(good({ scenario: 'stand', seed: 1, fell: true, fellAtS: 1.24, command: { atS: 1, vx: 0, vy: 0, wz: 0 } }), opts);
    expect(admissionVerdict([pass]).admitted).toBe(true);
    expect(admissionVerdict([]).admitted).toBe(false);
    expect(admissionVerdict([pass], ['left#1']).admitted).toBe(false);
    const v = admissionVerdict([fell, pass]);
    expect(v.admitted).toBe(false);
    expect(v.failed.map((f) => [f.criterion, f.trials, f.detail])).toEqual([
      ['no_fall', ['stand#1'], 'stand#1: fell at 1.24 s'],
      ['command_tracking', ['stand#1'], 'stand#1: not measured: the robot fell'],
    ]);
    const text = formatVerdict(v);
    expect(text).toContain('verdict: REFUSED');
    expect(text).toContain('failed no_fall in 1 trial(s) [stand#1]: stand#1: fell at 1.24 s');
  });

  it('files hashed before and after the trials: any change (or a file gone or new) is named, so no record is written', () => {
    const f = (role: string, sha: string) => ({ role, path: `/x/${role}`, sha256: sha.repeat(64) });
    const before = [f('model', 'a'), f('policy_config', 'b'), f('urdf', 'c')];
    expect(changedFiles(before, [f('model', 'a'), f('policy_config', 'b'), f('urdf', 'c')])).toEqual([]);
    expect(changedFiles(before, [f('model', 'd'), f('policy_config', 'b'), f('urdf', 'c')])).toEqual(['/x/model']);
    expect(changedFiles(before, [f('model', 'a'), f('policy_config', 'b')])).toEqual(['/x/urdf']);
    expect(changedFiles(before, [...before, f('contract', 'e')])).toEqual(['/x/contract']);
  });
});
