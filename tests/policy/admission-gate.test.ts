/** The admission gate's pure decisions (src/policy/admission-gate.ts). */
import { describe, expect, it } from 'vitest';
import type { AdmissionCheck } from '../../src/admission/record.js';
import { PolicyConfigSchema } from '../../src/policy/policy-config.js';
import { shippedConfig } from './helpers.js';
import { AdmissionGateConfigSchema, decideGate, gatedStartMode, gateVeto, voidingOverrides } from '../../src/policy/admission-gate.js';

const refused: AdmissionCheck = { admitted: false, reason: 'no usable admission record: no admission record at /x' };
const admitted = { admitted: true, recordPath: '/x', record: {} } as unknown as AdmissionCheck;
const cfg = (over: object = {}) => AdmissionGateConfigSchema.parse(over);

describe('admission gate decisions', () => {
  it('defaults: not required, no override, record beside the config, no trial', () => {
    expect(cfg()).toEqual({ required: false, override: false, record: '', runConfig: '' });
    // strict inside the policy config: a misspelt key is an error naming its path, never a silently open gate
    const r = PolicyConfigSchema.safeParse({ ...shippedConfig(), admission: { requird: true } });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path.join('.'))).toContain('admission');
    if (!r.success) expect(JSON.stringify(r.error.issues)).toContain('requird');
  });

  it('required: closed without a passing record or a record source; override turns closed into override', () => {
    expect(decideGate(cfg({ required: true }), refused)).toMatchObject({ state: 'closed', reason: refused.reason });
    expect(decideGate(cfg({ required: true }), null)).toMatchObject({ state: 'closed', reason: expect.stringContaining('no admission record source') });
    expect(decideGate(cfg({ required: true, override: true }), refused)).toMatchObject({ state: 'override', reason: refused.reason });
    expect(decideGate(cfg({ required: true }), admitted)).toMatchObject({ state: 'open', why: 'admitted' });
    expect(decideGate(cfg({ required: true }), admitted, ['action.scale'])).toMatchObject({ state: 'closed', reason: expect.stringContaining('action.scale') });
    expect(decideGate(cfg(), refused)).toMatchObject({ state: 'open', why: 'not required' });
  });

  it('vetoes only POLICY and MOTION, only while closed; a gated start mode becomes PASSIVE', () => {
    const closed = decideGate(cfg({ required: true }), refused);
    expect(gateVeto('POLICY', closed)).toContain('POLICY refused: no passing admission');
    expect(gateVeto('MOTION', closed)).toContain('MOTION refused');
    for (const m of ['STAND', 'DAMP', 'PASSIVE'] as const) expect(gateVeto(m, closed)).toBeNull();
    expect(gateVeto('POLICY', decideGate(cfg({ required: true, override: true }), refused))).toBeNull();
    expect(gatedStartMode('POLICY', closed)).toBe('PASSIVE');
    expect(gatedStartMode('STAND', closed)).toBe('STAND');
    expect(gatedStartMode('MOTION', decideGate(cfg({ required: true }), admitted))).toBe('MOTION');
  });

  it('voidingOverrides names changed fields by path (array items too), except the neutral ones', () => {
    const file = { name: 'p', modelPath: 'm.onnx', action: { scale: [0.25, 0.25] }, modes: { initial: 'POLICY', standDurationS: 2 }, admission: { required: false }, topics: { imu: '/imu' }, diagnosticsRateHz: 1 };
    const same = structuredClone(file);
    same.modes.initial = 'PASSIVE';
    same.admission.required = true;
    same.topics.imu = '/robot/imu';
    same.diagnosticsRateHz = 2;
    same.name = 'q';
    expect(voidingOverrides(file, same)).toEqual([]);
    const changed = structuredClone(file);
    changed.action.scale[1] = 0.3;
    changed.modes.standDurationS = 3;
    changed.modelPath = 'other.onnx';
    expect(voidingOverrides(file, changed).sort()).toEqual(['action.scale.1', 'modelPath', 'modes.standDurationS']);
    expect(voidingOverrides({ a: 1 }, { a: 1, b: 2 })).toEqual(['b']);
  });
});
