/**
 * The adapter's measured safety cost from outside: the shield's limit interventions read from its
 * `/diagnostics` (ShieldCostMeter → ResidualAdapter.chargeUntil, wired by attachAdaptation) and the
 * base tilt's margin (the policy controller). Removing either feed fails a test here.
 */
import { describe, expect, it } from 'vitest';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import { tiltMarginCostInto, TILT_COST_START } from '../../src/adaptation/safety-gate.js';
import { CHARGED_CONSTRAINTS, SHIELD_COST_HOLD_S, ShieldCostMeter, ShieldCosts, SHAPING_CONSTRAINTS } from '../../src/adaptation/shield-cost.js';
import { attachAdaptation } from '../../src/nodes/adaptation-wiring.js';
import { StatusBuilder } from '../../src/nodes/diagnostics.js';
import { PolicyController } from '../../src/policy/controller.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { CONSTRAINT_NAMES } from '../../src/safety/band.js';
import { G1_JOINTS, jointLimits } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { DiagnosticLevel, type KeyValue } from '../../src/transport/messages.js';
import { shippedConfig } from '../policy/helpers.js';

/** A shield status's counters as its /diagnostics carry them (every constraint; unlisted ones 0). */
function counters(ticks: number, byTicks: Partial<Record<(typeof CONSTRAINT_NAMES)[number], number>>): KeyValue[] {
  const kv: KeyValue[] = [{ key: 'state', value: 'ACTIVE' }, { key: 'ticks', value: String(ticks) }];
  for (const c of CONSTRAINT_NAMES.slice(1)) {
    kv.push({ key: `interventions.${c}`, value: String(7 * (byTicks[c] ?? 0)) }); // joint-ticks: not what is charged
    kv.push({ key: `intervention_ticks.${c}`, value: String(byTicks[c] ?? 0) });
  }
  return kv;
}

describe('ShieldCostMeter', () => {
  it('charges the fraction of shield ticks with a limit intervention since the previous report', () => {
    const m = new ShieldCostMeter();
    expect(m.update(counters(1000, { position: 3 }), 1)).toBe(true);
    expect(m.rate).toBe(0); // the first report is the baseline
    expect(m.update(counters(1500, { position: 13, collision: 5 }), 2)).toBe(true);
    expect(m.rate).toBeCloseTo(15 / 500, 12);
    expect(m.lastReportS).toBe(2);
    expect(m.reports).toBe(2);
  });

  it('does not charge the shaping constraints (acceleration, jerk, effort, following)', () => {
    const m = new ShieldCostMeter();
    m.update(counters(0, {}), 0);
    const shaping = Object.fromEntries(SHAPING_CONSTRAINTS.map((c) => [c, 400] as const));
    m.update(counters(500, shaping), 1);
    expect(m.rate).toBe(0);
    for (const c of CHARGED_CONSTRAINTS) {
      const k = new ShieldCostMeter();
      k.update(counters(0, {}), 0);
      k.update(counters(500, { [c]: 50 }), 1);
      expect(k.rate, c).toBeCloseTo(0.1, 12);
    }
  });

  it('caps the rate at 1 (two constraints on the same ticks) and re-baselines after a shield restart', () => {
    const m = new ShieldCostMeter();
    m.update(counters(0, {}), 0);
    m.update(counters(100, { position: 100, velocity: 100 }), 1);
    expect(m.rate).toBe(1);
    m.update(counters(20, { position: 2 }), 2); // counters went down: the shield restarted
    expect(m.restarts).toBe(1);
    expect(m.rate).toBe(0);
    m.update(counters(120, { position: 12 }), 3);
    expect(m.rate).toBeCloseTo(0.1, 12);
  });

  it('refuses a report with a counter missing or not a count, and keeps the last good state', () => {
    const m = new ShieldCostMeter();
    m.update(counters(0, {}), 0);
    m.update(counters(100, { position: 10 }), 1);
    const missing = counters(200, { position: 90 }).filter((kv) => kv.key !== 'intervention_ticks.collision');
    const garbage = counters(200, { position: 90 }).map((kv) => (kv.key === 'ticks' ? { key: 'ticks', value: 'many' } : kv));
    const negative = counters(200, { position: 90 }).map((kv) => (kv.key === 'intervention_ticks.velocity' ? { key: kv.key, value: '-1' } : kv));
    for (const bad of [missing, garbage, negative]) expect(m.update(bad, 2)).toBe(false);
    expect(m.malformed).toBe(3);
    expect(m.rate).toBeCloseTo(0.1, 12);
    expect(m.lastReportS).toBe(1); // goes stale: the adapter stops charging it after the hold time
  });
});

describe('ShieldCosts (every shield status in a /diagnostics message)', () => {
  const status = (name: string, ticks: number, position: number): { name: string; values: KeyValue[] } => ({ name, values: counters(ticks, { position }) });

  it('keeps one baseline per shield and charges the largest rate; ignores other statuses', () => {
    const c = new ShieldCosts();
    expect(c.read([status('a: safety shield', 0, 0), status('b: safety shield', 1000, 50), status('policy: policy', 0, 0)], 0)).toBe(true);
    expect(c.read([status('a: safety shield', 500, 50), status('b: safety shield', 1500, 55)], 1)).toBe(true);
    expect(c.rate).toBeCloseTo(0.1, 12); // a: 50/500; b: 5/500
    expect(c.meters.get('b: safety shield')!.restarts).toBe(0);
    expect(c.read([status('policy: policy', 9, 9)], 2)).toBe(false);
  });

  it('holds a report for three report intervals, at least 3 s: a shield reporting at 0.2 Hz is charged over its whole period', () => {
    const c = new ShieldCosts();
    c.read([status('s: safety shield', 0, 0)], 0);
    expect(c.holdS).toBe(SHIELD_COST_HOLD_S);
    c.read([status('s: safety shield', 2500, 250)], 5);
    expect(c.holdS).toBe(15);
    expect(c.rate).toBeCloseTo(0.1, 12);
  });

  it('says when the budget does not see the shield: silent for longer than the hold, or only malformed reports', () => {
    const c = new ShieldCosts();
    expect(c.silence(100)).toBeNull(); // nothing yet: start-up
    c.read([{ name: 's: safety shield', values: [{ key: 'ticks', value: 'x' }] }], 1);
    expect(c.silence(2)).toMatch(/1 malformed shield reports, none used/);
    c.read([status('s: safety shield', 0, 0)], 3);
    expect(c.silence(5)).toBeNull();
    expect(c.silence(6.5)).toMatch(/no shield report for 3\.5 s/);
  });
});

const ARM = ['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_shoulder_yaw_joint', 'right_elbow_joint'];
const LIMITS = Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const));
const newAdapter = (): ResidualAdapter => new ResidualAdapter({ groups: [{ joints: ARM, features: ['right_shoulder_pitch_joint'] }] }, G1_JOINTS, LIMITS);

/** One adapter tick at time t, at a mid-range pose (no near-limit cost), the policy target = the pose. */
function stepAt(a: ResidualAdapter, t: number, k: number): void {
  const q = Float64Array.from(G1_JOINTS, (j) => (jointLimits(j)[0] + jointLimits(j)[1]) / 2 + 1e-3 * Math.sin(k + j.length));
  a.clock[0] = t;
  a.stepAtClock(q, new Float64Array(q.length), q, new Float64Array(q.length));
}

describe('ResidualAdapter.chargeUntil', () => {
  it('charges the rate on every tick up to the given time, then nothing', () => {
    const a = newAdapter();
    stepAt(a, 0, 0);
    expect(a.lastCost).toBe(0);
    a.chargeUntil(0.2, 1);
    for (let k = 1; k <= 50; k++) {
      stepAt(a, 0.02 * k, k);
      expect(a.lastCost).toBeCloseTo(0.2, 12);
    }
    expect(a.lagrangian.overBudget).toBe(true); // 0.2 per tick against the 0.05 budget
    expect(a.lagrangian.lambda).toBeGreaterThan(0);
    stepAt(a, 1.02, 51);
    expect(a.lastCost).toBe(0);
  });

  it('a one-tick external cost (the tilt margin) does not pile up over ticks the adapter skips (bad input)', () => {
    const a = newAdapter();
    stepAt(a, 0, 0);
    a.externalCost += 0.3;
    const q = new Float64Array(G1_JOINTS.length).fill(NaN);
    a.clock[0] = 0.02;
    expect(a.stepAtClock(q, q, q, new Float64Array(q.length))).toBe('bad_input');
    expect(a.externalCost).toBe(0);
  });

  it('a non-finite rate charges 1 per tick', () => {
    const a = newAdapter();
    a.chargeUntil(NaN, 10);
    stepAt(a, 0, 0);
    expect(a.lastCost).toBe(1);
  });
});

describe('the shield cost on the bus (attachAdaptation)', () => {
  it('reads the shield status from /diagnostics, charges it for the hold time, and reports it', () => {
    const bus = new EmbeddedBus();
    const node = bus.createNode('policy');
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(shippedConfig()));
    const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth));
    const a = newAdapter();
    const w = attachAdaptation(node, c, a);
    const shield = bus.createNode('shield').createPublisher('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics');
    const send = (name: string, kv: KeyValue[]): void =>
      shield.publish({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, status: [{ level: DiagnosticLevel.OK, name, message: '', hardware_id: 'aegis', values: kv }] });
    send('shield: safety shield', counters(0, {}));
    bus.advanceTo(1_000_000_000n);
    send('policy: policy', counters(500, { position: 500 })); // another node's status: not read
    send('shield: safety shield', counters(500, { position: 100 }));
    bus.advanceTo(2_000_000_000n);
    const t = node.nowSeconds();
    stepAt(a, t, 0);
    expect(a.lastCost).toBeCloseTo(0.2, 12);
    stepAt(a, t + SHIELD_COST_HOLD_S + 0.02, 1); // no fresh report: stale, not charged
    expect(a.lastCost).toBe(0);
    const b = new StatusBuilder('policy: policy', 'aegis');
    w.report(b);
    const value = (k: string): string | undefined => b.status.values.find((kv) => kv.key === k)?.value;
    expect(value('adaptation_shield_reports')).toBe('2');
    expect(Number(value('adaptation_shield_cost'))).toBeCloseTo(0.2, 6);
    w.destroy();
  });
});

describe('tilt margin cost', () => {
  const quat = (tilt: number): number[] => [Math.sin(tilt / 2), 0, 0, Math.cos(tilt / 2)]; // about x
  const cost = (q: ArrayLike<number>, max = 1): number => {
    const out = new Float64Array(1);
    tiltMarginCostInto(q, max, out, 0);
    return out[0]!;
  };

  it('is 0 below the start of the band, 1 at the fault tilt, quadratic in between; 1 for a degenerate quaternion', () => {
    expect(cost(quat(0))).toBe(0);
    expect(cost(quat(TILT_COST_START - 0.01))).toBe(0);
    expect(cost(quat(1))).toBeCloseTo(1, 9);
    expect(cost(quat(0.75))).toBeCloseTo(0.25, 9); // halfway through [0.5, 1]
    expect(cost(quat(0.75).map((v) => 3 * v))).toBeCloseTo(0.25, 9); // not normalised
    expect(cost([0, 0, 0, 0])).toBe(1);
    expect(cost([NaN, 0, 0, 1])).toBe(1);
  });

  it('the policy controller charges it to the adapter while tilted short of the fault', () => {
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), modes: { ...shippedConfig().modes, initial: 'POLICY' } }));
    const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth));
    const a = newAdapter();
    c.adapter = a;
    const maxTilt = cfg.config.modes.faults.maxTiltRad;
    const q = Float64Array.from(cfg.defaultJointPos);
    const out = new Float32Array(cfg.joints.length);
    const tick = (k: number, tilt: number): void => {
      c.clock[0] = 0.02 * k;
      c.intake.acceptJointState(q.map((v, j) => v + 1e-4 * Math.sin(k + j)), new Float64Array(q.length));
      const [x, y, z, w] = quat(tilt);
      c.intake.acceptImu({ x: x!, y: y!, z: z!, w: w! }, { x: 0, y: 0, z: 0 });
      expect(c.tick()).toBe('infer');
      c.finishInference(out);
    };
    tick(0, 0);
    tick(1, 0);
    expect(a.lastCost).toBe(0);
    tick(2, 0.9 * maxTilt);
    expect(c.mode).toBe('POLICY');
    expect(a.lastCost).toBeCloseTo(0.64, 6); // ((0.9 − 0.5)/0.5)²
  });
});
