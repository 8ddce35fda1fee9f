import { describe, expect, it } from 'vitest';
import { PidLagrangian } from '../../src/adaptation/pid-lagrangian.js';

describe('PID-Lagrangian multiplier', () => {
  it('stays 0 while the cost is under budget', () => {
    const p = new PidLagrangian({ budget: 0.1 });
    for (let t = 0; t < 200; t++) expect(p.update(0.05)).toBe(0);
    expect(p.overBudget).toBe(false);
  });

  it('follows the PID law step by step (EMA cost, clamped integral, rising-only derivative)', () => {
    const cfg = { budget: 0.1, kp: 2, ki: 0.5, kd: 3, lambdaMax: 100, costWindowTicks: 2 };
    const p = new PidLagrangian(cfg);
    let J = 0;
    let I = 0;
    for (const c of [0.5, 0.5, 0.3, 0, 0, 0, 0]) {
      const prev = J;
      J += (c - J) / 2;
      I = Math.max(0, I + cfg.ki * (J - cfg.budget));
      const want = Math.min(100, Math.max(0, cfg.kp * (J - cfg.budget) + I + cfg.kd * Math.max(0, J - prev)));
      expect(p.update(c)).toBeCloseTo(want, 12);
      expect(p.cost).toBeCloseTo(J, 12);
    }
  });

  it('grows while over budget (integral) and relaxes back to 0 once under', () => {
    const p = new PidLagrangian({ budget: 0.1, kd: 0 });
    const seq: number[] = [];
    for (let t = 0; t < 50; t++) seq.push(p.update(0.5));
    expect(p.overBudget).toBe(true);
    for (let t = 20; t < 50; t++) expect(seq[t]!).toBeGreaterThan(seq[t - 1]!); // integral keeps growing
    let t = 0;
    while (p.update(0) > 0 && t < 10_000) t++;
    expect(t).toBeLessThan(10_000);
    expect(p.lambda).toBe(0);
  });

  it('bounds λ and treats a non-finite cost as over budget', () => {
    const p = new PidLagrangian({ budget: 0.01, lambdaMax: 3 });
    for (let t = 0; t < 100; t++) p.update(NaN);
    expect(p.lambda).toBe(3);
    expect(p.overBudget).toBe(true);
  });
});
