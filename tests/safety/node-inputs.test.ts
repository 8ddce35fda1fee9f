import { describe, expect, it } from 'vitest';
import { InputVerdict } from '../../src/safety/inputs.js';
import { ImuMonitor, ShieldIntake } from '../../src/safety/node-inputs.js';
import { ShieldCoreConfigSchema, ShieldLimitsConfigSchema } from '../../src/safety/config.js';
import { shieldLimitsOrThrow } from '../../src/safety/limits.js';
import { Shield } from '../../src/safety/shield.js';
import { makeImu, makeJointState, makeJointTrajectory, setTimeSeconds } from '../../src/transport/messages.js';

const NAMES = ['a', 'b'];
function shield(): Shield {
  const urdf = { names: NAMES, lower: Float64Array.of(-1, -1), upper: Float64Array.of(1, 1), velocity: Float64Array.of(5, 5), effort: Float64Array.of(10, 10) };
  return new Shield(shieldLimitsOrThrow(urdf, ShieldLimitsConfigSchema.parse({}), { gains: { a: { kp: 50, kd: 1 }, b: { kp: 50, kd: 1 } } }), ShieldCoreConfigSchema.parse({ autoActivate: true }), null);
}

describe('ShieldIntake: messages into the shield', () => {
  it('a trajectory with two points is refused as multi_point and never reaches the shield as a candidate', () => {
    const sh = shield();
    const intake = new ShieldIntake(sh, [0], 0.1, 0.1);
    const m = makeJointTrajectory(NAMES);
    m.points.push({ ...m.points[0]!, positions: Float64Array.of(0.5, 0.5) });
    expect(intake.candidate(0, m, 0)).toBe(InputVerdict.MultiPoint);
    expect(sh.status.candidate.rejected[InputVerdict.MultiPoint]).toBe(1);
    expect(sh.status.candidate.accepted).toBe(0);
    m.points.length = 0;
    expect(intake.candidate(0, m, 0)).toBe(InputVerdict.Malformed);
  });

  it('a one-point trajectory is offered; an accepted one puts its topic in charge of lower ones', () => {
    const sh = shield();
    const intake = new ShieldIntake(sh, [0, 5], 0.1, 0.1);
    const js = makeJointState(NAMES);
    intake.jointState(js, 0);
    expect(sh.status.measured.accepted).toBe(1);
    const m = makeJointTrajectory(NAMES);
    expect(intake.candidate(1, m, 0)).toBe(InputVerdict.Accepted);
    expect(intake.candidate(0, m, 0.05)).toBeNull();
    expect(intake.arbiter.preempted).toBe(1);
    expect(intake.candidateLead.count).toBe(1);
    expect(intake.measuredLead.count).toBe(1);
  });
});

describe('ImuMonitor', () => {
  it('accepts finite, fresh messages and rejects non-finite or stale ones', () => {
    const imu = new ImuMonitor(0.1);
    const m = makeImu('imu');
    setTimeSeconds(m.header.stamp, 1);
    expect(imu.offer(m, 1.05)).toBe(true);
    expect(imu.offer(m, 1.2)).toBe(false); // 0.2 s old
    m.angular_velocity.y = Number.NaN;
    expect(imu.offer(m, 1.0)).toBe(false);
    expect([imu.accepted, imu.rejected, imu.stampS]).toEqual([1, 2, 1]);
  });
});
