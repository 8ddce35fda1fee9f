import { describe, expect, it } from 'vitest';
import { transitionSeverity } from '../../src/safety/report.js';
import { Reason, ShieldState, type Transition } from '../../src/safety/status.js';

const t = (to: ShieldState, reason: Reason): Transition => ({ from: ShieldState.Active, to, reason, atS: 1 });

describe('shield transition log levels', () => {
  it('logs what was asked for at info', () => {
    expect(transitionSeverity(t(ShieldState.Hold, Reason.HoldRequested), true)).toBe('info');
    expect(transitionSeverity(t(ShieldState.Estop, Reason.EstopRequested), true)).toBe('info');
    expect(transitionSeverity(t(ShieldState.Inactive, Reason.Reset), true)).toBe('info');
    expect(transitionSeverity(t(ShieldState.Active, Reason.AutoActivated), false)).toBe('info');
    expect(transitionSeverity(t(ShieldState.Active, Reason.CandidateResumed), true)).toBe('info');
  });

  it('logs the start-up wait for the first candidate at info, a later candidate timeout at warn', () => {
    expect(transitionSeverity(t(ShieldState.Hold, Reason.CandidateTimeout), false)).toBe('info');
    expect(transitionSeverity(t(ShieldState.Hold, Reason.CandidateTimeout), true)).toBe('warn');
  });

  it('logs unrequested holds at warn and unrequested e-stops at error', () => {
    for (const r of [Reason.MeasuredStale, Reason.MeasuredRejected, Reason.CandidateRejected, Reason.ExternalFault]) {
      expect(transitionSeverity(t(ShieldState.Hold, r), true)).toBe('warn');
      expect(transitionSeverity(t(ShieldState.Estop, r), true)).toBe('error');
    }
  });
});
