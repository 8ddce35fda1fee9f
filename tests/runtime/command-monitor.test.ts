import { describe, expect, it } from 'vitest';
import { CommandMonitor } from '../../src/runtime/command-monitor.js';
import type { JointLimitArrays } from '../../src/robot/model.js';

const limits: JointLimitArrays = {
  names: ['a', 'b'],
  lower: Float64Array.of(-1, 0),
  upper: Float64Array.of(1, 2),
  velocity: Float64Array.of(10, 1),
  effort: Float64Array.of(5, 5),
};

describe('command monitor', () => {
  it('counts nothing for commands within position and velocity limits', () => {
    const m = new CommandMonitor(limits);
    m.checkCommand(0, [0, 1]);
    m.checkCommand(0.01, [0.05, 1.005]);
    expect(m.violations).toBe(0);
    expect(m.report.commands).toBe(2);
    expect(m.report.worstVelocityRatio).toBeCloseTo(0.5, 9);
  });

  it('counts a position beyond a limit and its excess', () => {
    const m = new CommandMonitor(limits);
    m.checkCommand(0, [1.25, 1]);
    expect(m.report.positionViolations).toBe(1);
    expect(m.report.worstPositionExcessRad).toBeCloseTo(0.25, 12);
  });

  it('counts a step faster than the velocity limit', () => {
    const m = new CommandMonitor(limits);
    m.checkCommand(0, [0, 1]);
    m.checkCommand(0.002, [0, 1.01]); // 5 rad/s on a 1 rad/s joint
    expect(m.report.velocityViolations).toBe(1);
    expect(m.report.worstVelocityRatio).toBeCloseTo(5, 6);
  });

  it('counts NaN and wrong-length commands as malformed', () => {
    const m = new CommandMonitor(limits);
    m.checkCommand(0, [NaN, 1]);
    m.checkCommand(0.1, [0]);
    expect(m.report.malformed).toBe(2);
  });

  it('tracks the largest gap between command and measurement', () => {
    const m = new CommandMonitor(limits);
    m.checkTracking([5, 5]); // before any command: ignored
    m.checkCommand(0, [0, 1]);
    m.checkTracking([0.1, 0.7]);
    expect(m.report.maxTrackingErrorRad).toBeCloseTo(0.3, 12);
    expect(m.report.maxTrackingErrorJoint).toBe('b');
  });
});
