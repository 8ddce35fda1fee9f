import { describe, expect, it } from 'vitest';
import { PolicyController } from '../../src/policy/controller.js';
import { TargetLowPass } from '../../src/policy/low-pass.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { shippedConfig } from './helpers.js';

describe('first-order target low-pass', () => {
  it('reaches 1 − e⁻¹ of a step after τ whatever the tick, and passes through with τ = 0', () => {
    for (const tickS of [0.002, 0.02]) {
      const f = new TargetLowPass(0.1, tickS);
      const y = new Float64Array(2);
      const x = Float64Array.of(1, -2);
      for (let t = 0; t < Math.round(0.1 / tickS); t++) f.step(x, y);
      expect(y[0]).toBeCloseTo(1 - Math.exp(-1), 12);
      expect(y[1]).toBeCloseTo(-2 * (1 - Math.exp(-1)), 12);
    }
    const off = new TargetLowPass(0, 0.02);
    const y = new Float64Array(1);
    off.step([0.7], y);
    expect(off.alpha).toBe(1);
    expect(y[0]).toBe(0.7);
  });

  it('refuses a negative time constant or a non-positive tick', () => {
    expect(() => new TargetLowPass(-0.1, 0.02)).toThrow(/time constant must be >= 0/);
    expect(() => new TargetLowPass(0.1, 0)).toThrow(/tick must be > 0/);
  });
});

/** A controller on the shipped config (50 Hz) with the given modes, state at the default pose, at t = 0. */
function controller(modes: Record<string, unknown>): PolicyController {
  const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), modes: { initial: 'PASSIVE', ...modes } }));
  const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth));
  c.intake.acceptJointState(Float64Array.from(cfg.defaultJointPos), new Float64Array(cfg.joints.length));
  c.intake.acceptImu({ x: 0, y: 0, z: 0, w: 1 }, { x: 0, y: 0, z: 0 });
  return c;
}

describe('STAND and DAMP target low-pass in the controller', () => {
  it('DAMP: the target follows the measured pose as a first-order lag (τ = dampLowPassS)', () => {
    const c = controller({ dampLowPassS: 0.1 });
    const pos = Float64Array.from(c.inputs.jointPos);
    expect(c.request('DAMP', 'test').kind).toBe('accepted');
    const start = c.target[0]!;
    pos[0] = start + 0.2; // the arm is pushed 0.2 rad
    const alpha = 1 - Math.exp(-0.02 / 0.1);
    for (let k = 1; k <= 5; k++) {
      c.clock[0] = 0.02 * k;
      c.intake.acceptJointState(pos, new Float64Array(pos.length));
      expect(c.tick()).toBe('publish');
      expect(c.target[0]).toBeCloseTo(start + 0.2 * (1 - (1 - alpha) ** k), 12);
    }
  });

  it('DAMP without a low-pass commands the measured pose at once', () => {
    const c = controller({});
    const pos = Float64Array.from(c.inputs.jointPos);
    c.request('DAMP', 'test');
    pos[0] = pos[0]! + 0.2;
    c.clock[0] = 0.02;
    c.intake.acceptJointState(pos, new Float64Array(pos.length));
    c.tick();
    expect(c.target[0]).toBe(pos[0]);
  });

  it('STAND: the low-passed interpolation starts at the pose at entry and lags the unfiltered one', () => {
    const plain = controller({ standDurationS: 1 });
    const filtered = controller({ standDurationS: 1, standLowPassS: 0.05 });
    const away = new Float64Array(plain.inputs.jointPos.length); // all joints at 0 rad
    for (const c of [plain, filtered]) {
      c.intake.acceptJointState(away, new Float64Array(away.length));
      c.request('STAND', 'test');
      expect(Array.from(c.target)).toEqual(Array.from(away));
    }
    const elbow = shippedConfig().joints.indexOf('left_elbow_joint');
    for (let k = 1; k <= 10; k++) {
      for (const c of [plain, filtered]) {
        c.clock[0] = 0.02 * k;
        c.intake.acceptJointState(away, new Float64Array(away.length));
        c.tick();
      }
      expect(filtered.target[elbow]!).toBeLessThan(plain.target[elbow]!);
      expect(filtered.target[elbow]!).toBeGreaterThan(0);
    }
  });
});
