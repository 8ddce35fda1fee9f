/** The run outcome from base poses: distance, velocity vs command, yaw drift, falls; and the verdict that sets the exit code. */
import { describe, expect, it } from 'vitest';
import { OutcomeTracker, referenceRootHeightAt, runVerdict, type RunOutcome } from '../../src/runtime/outcome.js';

/** [x, y, z, qw, qx, qy, qz] with heading yaw. */
const pose = (x: number, y: number, z: number, yaw = 0) => [x, y, z, Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)];

describe('OutcomeTracker', () => {
  it('walking: distance, mean velocity against the command over the commanded time, yaw drift net of the commanded turn', () => {
    const tr = new OutcomeTracker({ fallHeightM: 0.4 });
    const dt = 0.01;
    for (let k = 0; k <= 2100; k++) {
      const t = k * dt;
      const walking = t > 1;
      const x = walking ? 0.45 * (t - 1) : 0;
      // the previous sample's command is the one in force over the step just ended
      const cmd = t > 1 + 1e-9 ? { vx: 0.5, vy: 0, yawRate: 0.1 } : { vx: 0, vy: 0, yawRate: 0 };
      const yaw = walking ? 0.1 * (t - 1) + 0.05 : 0; // turned 0.05 rad more than commanded
      tr.step(t, pose(x, 0.02 * Math.min(t, 1), 0.78, yaw), cmd);
    }
    const o = tr.result();
    expect(o.durationS).toBeCloseTo(21, 9);
    expect(o.distanceM).toBeCloseTo(Math.hypot(9, 0.02), 3);
    expect(o.commandedS).toBeCloseTo(20, 1);
    expect(o.meanVelocityMps).toBeCloseTo(0.45, 2);
    expect(o.meanCommandMps).toBeCloseTo(0.5, 9);
    expect(o.idleDriftM).toBeCloseTo(0.02, 3);
    expect(o.yawDriftDeg).toBeCloseTo((0.05 * 180) / Math.PI, 0);
    expect(o.fell).toBe(false);
    expect(o.minBaseHeightM).toBe(0.78);
  });

  it('a floating base below the fall height is a fall, at the first such time', () => {
    const tr = new OutcomeTracker({ fallHeightM: 0.4 });
    [0.78, 0.6, 0.39, 0.2, 0.15].forEach((z, k) => tr.step(k * 0.1, pose(0, 0, z), { vx: 0, vy: 0, yawRate: 0 }));
    const o = tr.result();
    expect(o.fell).toBe(true);
    expect(o.fellAtS).toBeCloseTo(0.2, 12);
    expect(o.fallReason).toMatch(/0.390 m below the fall height 0.4 m at t = 0.20 s/);
    expect(o.minBaseHeightM).toBe(0.15);
  });

  it('tracking a reference: a squat with the reference is no fall; well below the reference is one', () => {
    const squat = new OutcomeTracker({ fallHeightM: 0.05, referenceMarginM: 0.25 });
    [[0.78, 0.78], [0.5, 0.45], [0.41, 0.42], [0.7, 0.75]].forEach(([z, ref], k) => squat.step(k * 0.1, pose(0, 0, z!), { vx: 0, vy: 0, yawRate: 0 }, ref));
    expect(squat.result().fell).toBe(false);
    // the fixed fall height does not apply while tracking: a squat to 0.35 m with the reference at 0.4 m is no fall
    const deep = new OutcomeTracker({ fallHeightM: 0.4, referenceMarginM: 0.25 });
    [[0.78, 0.78], [0.35, 0.4], [0.7, 0.72]].forEach(([z, ref], k) => deep.step(k * 0.1, pose(0, 0, z!), { vx: 0, vy: 0, yawRate: 0 }, ref));
    expect(deep.result().fell).toBe(false);
    const fall = new OutcomeTracker({ fallHeightM: 0.05, referenceMarginM: 0.25 });
    [[0.78, 0.78], [0.5, 0.78], [0.3, 0.76]].forEach(([z, ref], k) => fall.step(k * 0.1, pose(0, 0, z!), { vx: 0, vy: 0, yawRate: 0 }, ref));
    expect(fall.result().fell).toBe(true);
    expect(fall.result().fallReason).toMatch(/more than 0.25 m below the reference's 0.780 m at t = 0.10 s/);
  });
});

describe('referenceRootHeightAt', () => {
  it('interpolates the file root height at startS + t, held at the end', () => {
    const m = { fps: 10, frames: 3, rootPos: Float64Array.from([0, 0, 0.8, 0, 0, 0.6, 0, 0, 0.4]) };
    expect(referenceRootHeightAt(m, 0, undefined, 0)).toBeCloseTo(0.8, 12);
    expect(referenceRootHeightAt(m, 0, undefined, 0.05)).toBeCloseTo(0.7, 12);
    expect(referenceRootHeightAt(m, 0.1, undefined, 0.05)).toBeCloseTo(0.5, 12);
    expect(referenceRootHeightAt(m, 0, undefined, 5)).toBeCloseTo(0.4, 12);
    expect(referenceRootHeightAt(m, 0, 0.1, 5)).toBeCloseTo(0.6, 12);
  });
});

describe('runVerdict', () => {
  const ok = { fell: false, fallReason: null } as unknown as RunOutcome;
  it('passes a run that neither fell, faulted nor kept the shield inactive', () => {
    expect(runVerdict({ outcome: ok, policyTransitions: [{ to: 'POLICY', reason: 'request:start', timeS: 0 }], shieldActiveS: 20, shieldFinalState: 'ACTIVE' })).toEqual([]);
  });
  it('names each reason: a fall, a fault that ended driving, a shield that never activated', () => {
    const fell = { fell: true, fallReason: 'base height 0.1 m below the fall height 0.4 m at t = 2.00 s' } as unknown as RunOutcome;
    const r = runVerdict({ outcome: fell, policyTransitions: [{ to: 'DAMP', reason: 'fault:tilt', timeS: 2.1 }], shieldActiveS: 0, shieldFinalState: 'INACTIVE', shieldReason: 'measured state out of limits' });
    expect(r).toHaveLength(3);
    expect(r[0]).toMatch(/^the robot fell: base height 0.1 m/);
    expect(r[1]).toBe('policy fault tilt at t = 2.10 s ended driving (mode DAMP)');
    expect(r[2]).toMatch(/shield never activated \(final state INACTIVE: measured state out of limits\)/);
  });
});
