import { describe, expect, it } from 'vitest';
import { createObservationInputs } from '../../src/policy/observation.js';
import { SensorIntake } from '../../src/policy/sensor-intake.js';

function intake(velocityCommandTimeoutS = 0.5): { s: SensorIntake; clock: Float64Array } {
  const clock = new Float64Array(1);
  return { s: new SensorIntake(createObservationInputs(2), clock, { staleStateS: 0.2, velocityCommandTimeoutS }), clock };
}

describe('sensor intake', () => {
  it('zeroes a velocity command older than the timeout, once, and counts it', () => {
    const { s, clock } = intake();
    s.acceptCmdVel({ x: 0.5, y: -0.1, z: 0 }, { x: 0, y: 0, z: 0.3 });
    expect(Array.from(s.inputs.velocityCommand)).toEqual([0.5, -0.1, 0.3]);
    clock[0] = 0.5;
    s.expireCmdVel();
    expect(Array.from(s.inputs.velocityCommand)).toEqual([0.5, -0.1, 0.3]); // not older than 0.5 s yet
    clock[0] = 0.51;
    s.expireCmdVel();
    s.expireCmdVel();
    expect(Array.from(s.inputs.velocityCommand)).toEqual([0, 0, 0]);
    expect(s.stats.cmdVelTimeouts).toBe(1);
    s.acceptCmdVel({ x: 0.2, y: 0, z: 0 }, { x: 0, y: 0, z: 0 }); // a fresh command is taken again
    expect(s.inputs.velocityCommand[0]).toBe(0.2);
  });

  it('keeps the last velocity command with an infinite timeout', () => {
    const { s, clock } = intake(Infinity);
    s.acceptCmdVel({ x: 0.5, y: 0, z: 0 }, { x: 0, y: 0, z: 0 });
    clock[0] = 1e6;
    s.expireCmdVel();
    expect(s.inputs.velocityCommand[0]).toBe(0.5);
  });

  it('rejects and counts a reference with a non-finite position or velocity, keeping the previous one', () => {
    const { s } = intake();
    expect(s.acceptReference(Float64Array.of(0.1, 0.2), Float64Array.of(1, 2))).toBe(true);
    expect(s.acceptReference(Float64Array.of(0.3, 0.4), Float64Array.of(NaN, 2))).toBe(false);
    expect(s.acceptReference(Float64Array.of(Infinity, 0.4), null)).toBe(false);
    expect(s.stats.rejectedReferences).toBe(2);
    expect(Array.from(s.inputs.referenceJointPos)).toEqual([0.1, 0.2]);
    expect(Array.from(s.inputs.referenceJointVel)).toEqual([1, 2]);
  });

  it('is stale when joint state or IMU is older than staleStateS', () => {
    const { s, clock } = intake();
    s.acceptJointState(Float64Array.of(0, 0), Float64Array.of(0, 0));
    s.acceptImu({ x: 0, y: 0, z: 0, w: 1 }, { x: 0, y: 0, z: 0 });
    expect(s.ready).toBe(true);
    clock[0] = 0.2;
    expect(s.stale()).toBe(false);
    clock[0] = 0.21;
    expect(s.stale()).toBe(true);
    expect(s.acceptImu({ x: 0, y: 0, z: 0, w: 0.5 }, { x: 0, y: 0, z: 0 })).toBe(false); // |q| far from 1
    expect(s.stats.rejectedImu).toBe(1);
    expect(s.stale()).toBe(true);
  });
});
