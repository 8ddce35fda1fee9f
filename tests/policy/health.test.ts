import { describe, expect, it } from 'vitest';
import { assessHealth, NO_COUNTS, type HealthCounters } from '../../src/policy/health.js';
import type { Transition } from '../../src/policy/modes.js';

const fault: Transition = { from: 'POLICY', to: 'DAMP', reason: 'fault:tilt', timeS: 12.5 };
const requested: Transition = { from: 'POLICY', to: 'DAMP', reason: 'request:joy', timeS: 3 };
const counts = (patch: Partial<HealthCounters>): HealthCounters => ({ ...NO_COUNTS, ...patch });

describe('policy health for /diagnostics', () => {
  it('is STALE before joint state and IMU arrive', () => {
    expect(assessHealth({ mode: 'PASSIVE', ready: false, lastTransition: undefined, now: NO_COUNTS, before: NO_COUNTS }).level).toBe('STALE');
  });

  it('is ERROR while a fault holds the robot in DAMP, naming the fault; a requested DAMP is OK', () => {
    expect(assessHealth({ mode: 'DAMP', ready: true, lastTransition: fault, now: NO_COUNTS, before: NO_COUNTS })).toEqual({
      level: 'ERROR',
      message: 'DAMP after fault:tilt at 12.500 s',
    });
    expect(assessHealth({ mode: 'DAMP', ready: true, lastTransition: requested, now: NO_COUNTS, before: NO_COUNTS }).level).toBe('OK');
  });

  it('is WARN when misses, failures, rejections or a cmd_vel timeout happened since the last report, OK when none did', () => {
    const before = counts({ missedDeadlines: 4, rejectedImu: 2 });
    expect(assessHealth({ mode: 'POLICY', ready: true, lastTransition: undefined, now: before, before })).toEqual({ level: 'OK', message: 'mode POLICY' });
    const now = counts({ missedDeadlines: 5, lateResults: 1, rejectedImu: 3, rejectedReferences: 1, cmdVelTimeouts: 1 });
    expect(assessHealth({ mode: 'POLICY', ready: true, lastTransition: undefined, now, before })).toEqual({
      level: 'WARN',
      message: 'mode POLICY: 2 missed deadlines or late results, 2 rejected inputs, velocity command timed out (zeroed) since the last report',
    });
  });
});
