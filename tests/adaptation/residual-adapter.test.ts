/**
 * The residual adapter on a synthetic servo plant: q(t+1) = c(t) − s_R(q(t)) + noise, with a
 * regime-dependent offset s_R (nominal, "payload", "weak"). Independent of the adapter's code:
 * the plant and the ideal command (c = c_pol + s_R − s_nom) are written here.
 */
import { describe, expect, it } from 'vitest';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import type { AdaptationConfigInput } from '../../src/adaptation/config.js';
import { DT, Plant2, nominal2 } from '../helpers/adaptation-plants.js';

const JOINTS = ['a', 'b', 'c'];
const LIMITS = { a: [-2, 2], b: [-2, 2] } as const;
/** The synthetic plant has no servo lag, so the deadbeat loop gain (1) is stable here; the sim needs the default 0.1. */
const CFG: AdaptationConfigInput = { groups: [{ joints: ['a', 'b'], features: ['a'] }], correctionGain: 1 };
type Regime = (q: Float64Array, j: number) => number;
const nominal: Regime = nominal2;
const payload: Regime = (q, j) => 0.12 + 0.1 * Math.sin(q[0]!) * (j + 1);
const weak: Regime = (q, j) => -0.08 + 0.06 * Math.cos(q[0]!) * (j + 1);
/** The synthetic plant: q(t+1) = c(t) − s_R(q(t)) + noise (tests/helpers/adaptation-plants.ts). */
const Plant = Plant2;
type Plant = Plant2;

/** Runs `ticks` ticks; returns the RMS error of q vs what the nominal plant would reach (c_pol − s_nom). */
function run(ad: ResidualAdapter | null, p: Plant, ticks: number, skip = 0): number {
  let sq = 0;
  let n = 0;
  for (let k = 0; k < ticks; k++) {
    const pol = p.policyTarget();
    const ideal = [0, 1].map((j) => pol[j]! - nominal(p.q, j));
    if (ad) ad.step(p.q, p.qd, pol, p.out, p.t);
    else p.out.set(pol);
    p.apply(p.out);
    if (k >= skip) {
      for (let j = 0; j < 2; j++) sq += (p.q[j]! - ideal[j]!) ** 2;
      n += 2;
    }
  }
  return Math.sqrt(sq / n);
}

describe('ResidualAdapter on a synthetic servo plant', () => {
  it('detects shifts, adapts within 1 s, creates and recalls regimes; far better than no adaptation', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300); // nominal: anchor learnt after 150 ticks
    expect(ad.hasAnchor).toBe(true);
    expect(ad.stats.detectedSwitches).toBe(0); // no false alarm in nominal
    p.regime = payload;
    const early = run(ad, p, 50); // the first second
    const late = run(ad, p, 450);
    expect(ad.stats.detectedSwitches).toBeGreaterThanOrEqual(1);
    expect(ad.stats.created).toBe(1);
    const none = run(null, Object.assign(new Plant(), { regime: payload }), 450);
    expect(late).toBeLessThan(0.2 * none);
    expect(late).toBeLessThan(0.01);
    expect(early).toBeLessThan(0.5 * none);
    p.regime = nominal;
    run(ad, p, 300);
    expect(ad.activeRegime).toBe('anchor');
    p.regime = weak;
    run(ad, p, 400);
    expect(ad.stats.created).toBe(2);
    p.regime = payload;
    const recalled = run(ad, p, 15); // recall within 0.3 s
    expect(ad.activeRegime).toBe('regime-1');
    expect(ad.stats.created).toBe(2); // recalled, not re-learnt
    expect(ad.stats.recalls).toBeGreaterThanOrEqual(2);
    const after = run(ad, p, 50);
    expect(after).toBeLessThan(0.02);
    expect(recalled).toBeLessThan(none);
  });

  it('without memory it re-learns from the anchor every time (no recall)', () => {
    const p = new Plant();
    const ad = new ResidualAdapter({ ...CFG, memory: false }, JOINTS, LIMITS);
    run(ad, p, 300);
    for (const r of [payload, nominal, payload]) {
      p.regime = r;
      run(ad, p, 300);
    }
    expect(ad.stats.recalls).toBe(0);
    expect(ad.stats.created).toBe(0);
    expect(ad.stats.detectedSwitches).toBeGreaterThanOrEqual(3);
    expect(ad.memory.size).toBe(1); // only the anchor
  });

  it('an announced switch with a known label recalls that regime at once', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    ad.announceSwitch('payload');
    run(ad, p, 300);
    expect(ad.memory.entries.map((e) => e.label)).toEqual(['anchor', 'payload']);
    p.regime = nominal;
    ad.announceSwitch('anchor');
    expect(ad.activeRegime).toBe('anchor');
    run(ad, p, 200);
    p.regime = payload;
    ad.announceSwitch('payload');
    expect(ad.activeRegime).toBe('payload');
    const first = run(ad, p, 10);
    expect(first).toBeLessThan(0.03); // no re-learning transient beyond the trust region's ramp
  });

  it('switched off, the next command is the policy target exactly; on again, it resumes', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    run(ad, p, 200);
    const pol = p.policyTarget();
    ad.step(p.q, p.qd, pol, p.out, p.t);
    expect(Math.abs(p.out[0]! - pol[0]!)).toBeGreaterThan(0.05); // corrected
    p.apply(p.out);
    ad.setEnabled(false);
    const pol2 = Float64Array.from(p.policyTarget());
    expect(ad.step(p.q, p.qd, pol2, p.out, p.t)).toBe('disabled');
    expect(Array.from(p.out)).toEqual(Array.from(pol2));
    ad.setEnabled(true);
    p.apply(p.out);
    run(ad, p, 30);
    const pol3 = p.policyTarget();
    ad.step(p.q, p.qd, pol3, p.out, p.t);
    expect(Math.abs(p.out[0]! - pol3[0]!)).toBeGreaterThan(0.05);
  });

  it('moves the correction by at most the trust region per tick and never beyond its bound', () => {
    const p = new Plant();
    const ad = new ResidualAdapter({ ...CFG, trustRegion: { maxStepRad: 0.01, maxCorrectionRad: 0.1 } }, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    let prev = Float64Array.from(ad.correction);
    let maxStep = 0;
    let maxAbs = 0;
    for (let k = 0; k < 200; k++) {
      run(ad, p, 1);
      for (let i = 0; i < 2; i++) {
        maxStep = Math.max(maxStep, Math.abs(ad.correction[i]! - prev[i]!));
        maxAbs = Math.max(maxAbs, Math.abs(ad.correction[i]!));
      }
      prev = Float64Array.from(ad.correction);
    }
    expect(maxStep).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(maxAbs).toBeLessThanOrEqual(0.1 + 1e-12);
    expect(maxAbs).toBeGreaterThan(0.09); // it did want more (payload offset ≈ 0.1–0.3 rad)
    expect(ad.stats.trustLimitedTicks).toBeGreaterThan(0);
  });

  it('rejects a correction that raises the predicted near-limit cost', () => {
    const p = new Plant();
    // limits tight above: the payload correction (positive) pushes joint a toward its upper limit
    const ad = new ResidualAdapter(CFG, JOINTS, { a: [-2, 0.75], b: [-2, 2] });
    run(ad, p, 300);
    p.regime = payload;
    let closest = Infinity;
    for (let k = 0; k < 400; k++) {
      const pol = p.policyTarget();
      ad.step(p.q, p.qd, pol, p.out, p.t);
      if (pol[0]! > 0.5) closest = Math.min(closest, 0.75 - p.out[0]!); // a commanded target near the limit
      expect(p.out[0]!).toBeLessThanOrEqual(Math.max(pol[0]!, 0.75 - 0.1) + 1e-9); // never pushed into the margin beyond the policy's own target
      p.apply(p.out);
    }
    expect(ad.stats.rejectedUpdates).toBeGreaterThan(0);
    expect(closest).toBeGreaterThan(0);
  });

  it('cost over budget: λ shrinks the correction and the command blends toward the hold pose (state fallback)', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    run(ad, p, 200);
    expect(ad.state).toBe('tracking');
    const states = new Set<string>();
    let hold: number[] | null = null;
    for (let k = 0; k < 60; k++) {
      ad.externalCost = 1; // e.g. the shield intervening every tick
      const pol = p.policyTarget();
      states.add(ad.step(p.q, p.qd, pol, p.out, p.t));
      if (ad.beta === 1) hold ??= Array.from(p.out);
      p.apply(p.out);
    }
    expect(states.has('fallback')).toBe(true);
    expect(ad.lagrangian.lambda).toBeGreaterThan(1);
    expect(ad.stats.fallbackTicks).toBeGreaterThan(0);
    expect(hold).not.toBeNull();
    // at β = 1 the command is the latched hold pose, whatever the policy asks
    ad.externalCost = 1;
    const pol = p.policyTarget();
    ad.step(p.q, p.qd, pol, p.out, p.t);
    expect(Array.from(p.out)).toEqual(hold);
    expect(ad.events.some((e) => e.kind === 'fallback_on')).toBe(true);
    // back under budget: it leaves the fallback
    for (let k = 0; k < 400; k++) run(ad, p, 1);
    expect(ad.state).not.toBe('fallback');
  });

  it('NaN or absurd input → the policy target unchanged, counted; a frozen state stream → stalled, policy target', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    run(ad, p, 200);
    const pol = Float64Array.from(p.policyTarget());
    for (const bad of [[NaN, 0, 0], [50, 0, 0]]) {
      expect(ad.step(Float64Array.from(bad), p.qd, pol, p.out, p.t)).toBe('bad_input');
      expect(Array.from(p.out)).toEqual(Array.from(pol));
    }
    expect(ad.step(p.q, Float64Array.from([0, 1e6, 0]), pol, p.out, p.t)).toBe('bad_input');
    expect(ad.stats.badInputTicks).toBe(3);
    // frozen: the same state for 0.3 s of node time
    const q = Float64Array.from(p.q);
    const qd = Float64Array.from(p.qd);
    const states: string[] = [];
    for (let k = 0; k < 15; k++) states.push(ad.step(q, qd, pol, p.out, p.t + k * DT));
    expect(states.at(-1)).toBe('stalled');
    expect(Array.from(p.out)).toEqual(Array.from(pol));
    expect(states.slice(0, 5).every((s) => s !== 'stalled')).toBe(true); // not before the timeout (0.2 s)
    expect(ad.stats.stalledTicks).toBeGreaterThan(0);
  });

  it('with the default loop gain (0.1) the correction approaches the model value first-order: ≈ 1 − 0.9^k of it after k ticks', () => {
    const p = new Plant();
    const ad = new ResidualAdapter({ ...CFG, correctionGain: 0.1 }, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    ad.announceSwitch('payload');
    run(ad, p, 300);
    p.regime = nominal;
    ad.announceSwitch('anchor');
    run(ad, p, 100);
    expect(Math.abs(ad.correction[0]!)).toBeLessThan(0.01);
    p.regime = payload;
    ad.announceSwitch('payload');
    const seq: number[] = [];
    for (let k = 0; k < 30; k++) {
      run(ad, p, 1);
      seq.push(ad.correction[0]!);
    }
    const final = seq.at(-1)!;
    expect(Math.abs(final)).toBeGreaterThan(0.05);
    expect(Math.abs(seq[0]!)).toBeLessThan(0.15 * Math.abs(final) + 0.005); // first tick: ≈ 10 % of the way
    expect(Math.abs(seq[9]!)).toBeGreaterThan(0.5 * Math.abs(final)); // after 10 ticks ≈ 65 %
  });

  it('refuses adapted or feature joints the policy does not have, and joints without limits', () => {
    expect(() => new ResidualAdapter({ groups: [{ joints: ['x'], features: [] }] }, JOINTS, LIMITS)).toThrow(/adapted joint 'x' is not a policy joint/);
    expect(() => new ResidualAdapter({ groups: [{ joints: ['a'], features: ['y'] }] }, JOINTS, LIMITS)).toThrow(/feature joint 'y'/);
    expect(() => new ResidualAdapter({ groups: [{ joints: ['c'], features: [] }] }, JOINTS, LIMITS)).toThrow(/no valid position limits for adapted joint 'c'/);
    expect(() => new ResidualAdapter({ groups: [{ joints: ['a'] }, { joints: ['a'] }] }, JOINTS, LIMITS)).toThrow(/adapted twice/);
  });

  it('persists its library and starts from it (anchor adopted, regime recalled without re-learning)', () => {
    const p = new Plant();
    const ad = new ResidualAdapter(CFG, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload;
    run(ad, p, 300);
    const file = JSON.parse(JSON.stringify(ad.snapshot()));
    const ad2 = new ResidualAdapter(CFG, JOINTS, LIMITS);
    ad2.loadMemory(file);
    expect(ad2.hasAnchor).toBe(true);
    const p2 = new Plant();
    p2.regime = payload;
    run(ad2, p2, 100);
    expect(ad2.stats.created).toBe(0);
    expect(ad2.stats.recalls).toBe(1);
    expect(() => new ResidualAdapter({ groups: [{ joints: ['a'], features: ['a'] }] }, JOINTS, LIMITS).loadMemory(file)).toThrow(/does not fit this adapter/);
  });
});

/** Mean |q(t+1) − policy target(t)| over `ticks` ticks (what `compensate: servo` aims at), rad. */
function followError(ad: ResidualAdapter, p: Plant, ticks: number): number {
  let s = 0;
  for (let k = 0; k < ticks; k++) {
    const pol = Float64Array.from(p.policyTarget());
    ad.step(p.q, p.qd, pol, p.out, p.t);
    p.apply(p.out);
    s += Math.abs(p.q[0]! - pol[0]!) + Math.abs(p.q[1]! - pol[1]!);
  }
  return s / (2 * ticks);
}

describe('ResidualAdapter: servo compensation and the command-lead bound', () => {
  it("compensate 'servo' reaches the policy target in every regime, nominal included; 'shift' keeps the nominal offset", () => {
    const servo = new ResidualAdapter({ ...CFG, compensate: 'servo' }, JOINTS, LIMITS);
    const shift = new ResidualAdapter(CFG, JOINTS, LIMITS);
    const ps = new Plant();
    const pf = new Plant();
    run(servo, ps, 300);
    run(shift, pf, 300);
    // nominal: the plant's own offset s_nom is 0.02 + 0.03·sin(q_a)·(j + 1), mean |·| ≈ 0.03
    expect(followError(servo, ps, 200)).toBeLessThan(0.006);
    expect(followError(shift, pf, 200)).toBeGreaterThan(0.02);
    ps.regime = payload;
    pf.regime = payload;
    run(servo, ps, 300);
    run(shift, pf, 300);
    expect(followError(servo, ps, 200)).toBeLessThan(0.006);
    expect(followError(shift, pf, 200)).toBeGreaterThan(0.02);
    // the anchor entry holds the nominal model whichever way it is used: recalled, nominal is reached again
    ps.regime = nominal;
    {
      run(servo, ps, 150);
      expect(servo.activeRegime).toBe('anchor');
      expect(followError(servo, ps, 100)).toBeLessThan(0.006);
    }
  });

  it('never asks a lead |command − q| beyond maxLeadRad (unless the policy itself does), and does not learn from clamped commands', () => {
    const L = 0.08;
    // a "shield" downstream clamps the command to q ± L; the payload needs a lead of up to ≈ 0.32 rad
    class Clamped extends Plant {
      override apply(c: ArrayLike<number>): void {
        const cc = Float64Array.from(c);
        for (let j = 0; j < 2; j++) cc[j] = Math.min(this.q[j]! + L, Math.max(this.q[j]! - L, cc[j]!));
        super.apply(cc);
      }
    }
    const p = new Clamped();
    const ad = new ResidualAdapter({ ...CFG, compensate: 'servo', correctionGain: 0.3, trustRegion: { maxLeadRad: L } }, JOINTS, LIMITS);
    run(ad, p, 300);
    const corrNominal = Math.max(Math.abs(ad.correction[0]!), Math.abs(ad.correction[1]!));
    p.regime = payload;
    for (let k = 0; k < 300; k++) {
      const pol = Float64Array.from(p.policyTarget());
      ad.step(p.q, p.qd, pol, p.out, p.t);
      for (let j = 0; j < 2; j++) expect(Math.abs(p.out[j]! - p.q[j]!)).toBeLessThanOrEqual(Math.max(L, Math.abs(pol[j]! - p.q[j]!)) + 1e-12);
      p.apply(p.out);
    }
    expect(ad.stats.leadLimited).toBeGreaterThan(0);
    // back to nominal (announced: the same anchor model): the correction is the nominal one again, not a wound-up payload fit
    p.regime = nominal;
    ad.announceSwitch('anchor');
    run(ad, p, 100);
    expect(Math.max(Math.abs(ad.correction[0]!), Math.abs(ad.correction[1]!))).toBeLessThan(corrNominal + 0.03);
  });

  it('a policy target far beyond the lead bound (clamped downstream) teaches the servo model nothing', () => {
    const L = 0.08;
    class Clamped extends Plant {
      override apply(c: ArrayLike<number>): void {
        const cc = Float64Array.from(c);
        for (let j = 0; j < 2; j++) cc[j] = Math.min(this.q[j]! + L, Math.max(this.q[j]! - L, cc[j]!));
        super.apply(cc);
      }
    }
    const p = new Clamped();
    // detection off: only the servo model's own fit is looked at
    const ad = new ResidualAdapter({ ...CFG, compensate: 'servo', detector: { threshold: 1e12 }, trustRegion: { maxLeadRad: L } }, JOINTS, LIMITS);
    run(ad, p, 300);
    // in servo mode the right correction is the plant's own nominal offset s_nom(q)
    for (let j = 0; j < 2; j++) expect(Math.abs(ad.correction[j]! - nominal(p.q, j))).toBeLessThan(0.01);
    // 40 ticks of a policy asking 0.4 rad away from the measured pose (alternating sides): every command is clamped to q ± L
    for (let k = 0; k < 40; k++) {
      const pol = Float64Array.from(p.policyTarget());
      pol[0] = p.q[0]! + (k % 2 === 0 ? 0.4 : -0.4);
      pol[1] = p.q[1]! + (k % 2 === 0 ? 0.4 : -0.4);
      ad.step(p.q, p.qd, pol, p.out, p.t);
      p.apply(p.out);
    }
    run(ad, p, 50); // back on the policy's path (its first commands after the excursion are clamped too)
    for (let j = 0; j < 2; j++) expect(Math.abs(ad.correction[j]! - nominal(p.q, j))).toBeLessThan(0.01);
  });

  it('maxLeadRad per joint group (anchored regex → rad, like the shield\'s limits.groups): each joint keeps its own bound; an adapted joint no entry matches is a config error', () => {
    const L = { a: 0.05, b: 0.2 } as const;
    class Clamped extends Plant {
      override apply(c: ArrayLike<number>): void {
        const cc = Float64Array.from(c);
        for (const [j, l] of [L.a, L.b].entries()) cc[j] = Math.min(this.q[j]! + l, Math.max(this.q[j]! - l, cc[j]!));
        super.apply(cc);
      }
    }
    const p = new Clamped();
    const ad = new ResidualAdapter({ ...CFG, compensate: 'servo', correctionGain: 0.3, trustRegion: { maxLeadRad: { a: L.a, 'b|c': L.b } } }, JOINTS, LIMITS);
    run(ad, p, 300);
    p.regime = payload; // needs a lead of up to ≈ 0.22 (a) / 0.32 (b) rad
    let bLead = 0;
    for (let k = 0; k < 300; k++) {
      const pol = Float64Array.from(p.policyTarget());
      ad.step(p.q, p.qd, pol, p.out, p.t);
      expect(Math.abs(p.out[0]! - p.q[0]!)).toBeLessThanOrEqual(Math.max(L.a, Math.abs(pol[0]! - p.q[0]!)) + 1e-12);
      expect(Math.abs(p.out[1]! - p.q[1]!)).toBeLessThanOrEqual(Math.max(L.b, Math.abs(pol[1]! - p.q[1]!)) + 1e-12);
      const lead = Math.abs(p.out[1]! - p.q[1]!);
      if (lead > Math.abs(pol[1]! - p.q[1]!) + 1e-9) bLead = Math.max(bLead, lead); // a lead the correction asked for
      p.apply(p.out);
    }
    expect(bLead).toBeGreaterThan(L.a + 0.05); // b's correction was not held to a's bound
    expect(() => new ResidualAdapter({ ...CFG, trustRegion: { maxLeadRad: { a: 0.1 } } }, JOINTS, LIMITS)).toThrow(/no entry matches adapted joint 'b'/);
    expect(() => new ResidualAdapter({ ...CFG, trustRegion: { maxLeadRad: { '(': 0.1 } } }, JOINTS, LIMITS)).toThrow(/not a regular expression/);
  });
});

describe("ResidualAdapter: correctAt 'target' and the acceleration feature", () => {
  const DTT = 0.02;
  const BASE: AdaptationConfigInput = {
    groups: [{ joints: ['a', 'b'], features: ['a'] }], compensate: 'servo', acceleration: true, correctionGain: 1, forgetting: 1, anchorTicks: 1,
    detector: { threshold: 1e12 }, trustRegion: { maxStepRad: 10, maxCorrectionRad: 10 },
  };
  // weights per adapted joint over φ = [1, sin q_a, cos q_a, velocity, acceleration]
  const W = [[0.01, 0.02, -0.03, 0.05, 0.002], [-0.02, 0.01, 0.04, 0.03, 0.001]];
  /** An adapter whose anchor model is W, frozen (zero covariance: nothing is learnt). */
  const frozen = (correctAt: 'state' | 'target', dampingS = 0): ResidualAdapter => {
    const cfg = { ...BASE, correctAt, dampingS };
    const warm = new ResidualAdapter(cfg, JOINTS, LIMITS);
    const q = Float64Array.from([0.1, -0.1, 0]);
    const out = new Float64Array(3);
    for (let k = 0; k < 3; k++) {
      q[0] = 0.1 + 0.01 * k;
      warm.step(q, new Float64Array(3), q, out, k * DTT);
    }
    const file = JSON.parse(JSON.stringify(warm.snapshot()));
    file.entries[0].params = W.flat();
    file.entries[0].covariance = new Array(2 * 25).fill(0);
    const ad = new ResidualAdapter(cfg, JOINTS, LIMITS);
    ad.loadMemory(file);
    return ad;
  };
  const dot = (w: number[], phi: number[]): number => w.reduce((s, x, i) => s + x * phi[i]!, 0);

  it("'target' evaluates the correction at the policy target, its rate and acceleration; 'state' at the measured pose, velocity and acceleration", () => {
    const T = [[0.3, -0.2, 0], [0.32, -0.17, 0], [0.36, -0.15, 0]];
    const Q = [[0.5, 0.4, 0], [0.51, 0.38, 0], [0.53, 0.37, 0]];
    const QD = [[0.2, -0.1, 0], [0.6, -0.3, 0], [0.9, -0.2, 0]];
    for (const mode of ['target', 'state'] as const) {
      const ad = frozen(mode);
      const out = new Float64Array(3);
      for (let k = 0; k < 3; k++) ad.step(Float64Array.from(Q[k]!), Float64Array.from(QD[k]!), Float64Array.from(T[k]!), out, 1 + k * DTT);
      for (let j = 0; j < 2; j++) {
        const rate = (k: number): number => (T[k]![j]! - T[k - 1]![j]!) / DTT;
        const phi = mode === 'target'
          ? [1, Math.sin(T[2]![0]!), Math.cos(T[2]![0]!), rate(2), (rate(2) - rate(1)) / DTT]
          : [1, Math.sin(Q[2]![0]!), Math.cos(Q[2]![0]!), QD[2]![j]!, (QD[2]![j]! - QD[1]![j]!) / DTT];
        expect(out[j]! - T[2]![j]!, `${mode} joint ${j}`).toBeCloseTo(dot(W[j]!, phi), 9);
      }
      expect(out[2]).toBe(T[2]![2]); // not adapted
    }
    // dampingS γ (target only): − γ·(q̇ − target rate) added to the correction
    const g = 0.05;
    const damped = frozen('target', g);
    const plain = frozen('target');
    const o1 = new Float64Array(3);
    const o2 = new Float64Array(3);
    for (let k = 0; k < 3; k++) {
      damped.step(Float64Array.from(Q[k]!), Float64Array.from(QD[k]!), Float64Array.from(T[k]!), o1, 1 + k * DTT);
      plain.step(Float64Array.from(Q[k]!), Float64Array.from(QD[k]!), Float64Array.from(T[k]!), o2, 1 + k * DTT);
    }
    expect(() => new ResidualAdapter({ ...BASE, correctAt: 'state', dampingS: 0.05 }, JOINTS, LIMITS)).toThrow(/needs correctAt: 'target'/);
    for (let j = 0; j < 2; j++) expect(o1[j]! - o2[j]!, `damping joint ${j}`).toBeCloseTo(-g * (QD[2]![j]! - (T[2]![j]! - T[1]![j]!) / DTT), 9);
  });

  it('learns the acceleration term of the servo offset c(t−1) − q(t) = α·q̈(t) + β from the measured velocity', () => {
    const alpha = [0.004, -0.002];
    const beta = [0.03, -0.01];
    const ad = new ResidualAdapter({ ...BASE, correctAt: 'target', forgetting: 1 }, JOINTS, LIMITS);
    const q = Float64Array.from([0, 0, 0]);
    const qd = new Float64Array(3);
    const prevQd = new Float64Array(3);
    const out = new Float64Array(3);
    const pol = new Float64Array(3);
    let t = 0;
    for (let k = 0; k < 600; k++) {
      const w = (2 * Math.PI) / 2;
      pol[0] = 1.2 * Math.sin(w * t);
      pol[1] = 0.8 * Math.cos(1.3 * w * t);
      ad.step(q, qd, pol, out, t);
      // the plant: a velocity profile (two tones), and the pose the offset identity gives
      t += DTT;
      prevQd.set(qd);
      qd[0] = 1.2 * w * Math.cos(w * t) + 0.3 * Math.sin(3.1 * w * t);
      qd[1] = -0.8 * 1.3 * w * Math.sin(1.3 * w * t) + 0.2 * Math.cos(2.3 * w * t);
      for (let j = 0; j < 2; j++) q[j] = out[j]! - alpha[j]! * ((qd[j]! - prevQd[j]!) / DTT) - beta[j]!;
      q[2] = out[2]!;
    }
    const a = ad.snapshot().entries[0]!;
    for (let j = 0; j < 2; j++) {
      expect(a.params[j * 5 + 4]!, `α of joint ${j}`).toBeCloseTo(alpha[j]!, 5);
      // the predicted offset at a new state matches the identity
      const phi = [1, Math.sin(0.7), Math.cos(0.7), 0.4, 3];
      expect(dot(Array.from(a.params.slice(j * 5, j * 5 + 5)), phi), `prediction of joint ${j}`).toBeCloseTo(alpha[j]! * 3 + beta[j]!, 4);
    }
  });
});

describe('ResidualAdapter: per-group detection and the offset prior after a switch', () => {
  const TWO: AdaptationConfigInput = { groups: [{ joints: ['a'], features: ['a'] }, { joints: ['b'], features: ['a'] }], correctionGain: 1 };
  /** A shift of joint b only (a keeps its nominal offset). */
  const bOnly: Regime = (q, j) => nominal(q, j) + (j === 1 ? 0.006 : 0);

  it('detectPerGroup: a shift of one group alone is detected sooner than on the mean over all groups; no false alarm on the stationary stream', () => {
    const delay = (perGroup: boolean): number => {
      const p = new Plant();
      const ad = new ResidualAdapter({ ...TWO, detectPerGroup: perGroup }, JOINTS, LIMITS);
      run(ad, p, 1500);
      expect(ad.stats.detectedSwitches, `stationary, perGroup ${perGroup}`).toBe(0);
      p.regime = bOnly;
      for (let k = 1; k <= 300; k++) {
        run(ad, p, 1);
        if (ad.stats.detectedSwitches > 0) return k;
      }
      return Infinity;
    };
    const pooled = delay(false);
    const grouped = delay(true);
    expect(grouped).toBeLessThan(pooled);
    expect(grouped).toBeLessThanOrEqual(10);
  });

  it('resetVarianceOffset: after a switch the offset weight re-fits within a few ticks', () => {
    const offsetOnly: Regime = (q, j) => nominal(q, j) + 0.1;
    const after = (offsetVar: number | null): number => {
      const p = new Plant();
      const ad = new ResidualAdapter({ ...CFG, compensate: 'servo', resetVarianceOffset: offsetVar, resetVariance: 0.01, detector: { threshold: 1e12 } }, JOINTS, LIMITS);
      run(ad, p, 400);
      p.regime = offsetOnly;
      ad.announceSwitch('new-regime');
      run(ad, p, 3);
      return followError(ad, p, 5);
    };
    const slow = after(null);
    const fast = after(100);
    expect(fast).toBeLessThan(0.03);
    expect(fast).toBeLessThan(slow / 3);
  });
});

describe('ResidualAdapter: matching a switch to the library (match.seedTicks; match.provisional: tests/adaptation/context-estimator.test.ts)', () => {
  const TWO: AdaptationConfigInput = {
    groups: [{ joints: ['a'], features: ['a'] }, { joints: ['b'], features: ['a'] }],
    compensate: 'servo', correctionGain: 1, resetVarianceOffset: 100, detectPerGroup: true, detector: { threshold: 4 },
  };
  /** Joint b carries a load (joint a nominal); joint a weak (b nominal). */
  const bLoaded: Regime = (q, j) => nominal(q, j) + (j === 1 ? 0.1 + 0.05 * Math.sin(q[0]!) : 0);
  const aWeak: Regime = (q, j) => nominal(q, j) + (j === 0 ? -0.08 + 0.04 * Math.cos(q[0]!) : 0);

  /** Learns nominal, bLoaded, nominal, aWeak (library: anchor, regime-1, regime-2); then switches to `next`. */
  function seen(cfg: AdaptationConfigInput): { ad: ResidualAdapter; p: Plant } {
    const p = new Plant();
    const ad = new ResidualAdapter(cfg, JOINTS, LIMITS);
    for (const r of [nominal, bLoaded, nominal, aWeak]) {
      p.regime = r;
      followError(ad, p, 400);
    }
    expect(ad.memory.entries.map((e) => e.label)).toEqual(['anchor', 'regime-1', 'regime-2']);
    expect(ad.activeRegime).toBe('regime-2');
    return { ad, p };
  }

  it('seedTicks: the window opens at the detector\'s change estimate, so the recall comes sooner after the switch', () => {
    const ticksToRecall = (seedTicks: number): number => {
      const { ad, p } = seen({ ...TWO, match: { windowTicks: 5, seedTicks } });
      p.regime = bLoaded;
      const before = ad.stats.recalls;
      for (let k = 1; k <= 50; k++) {
        followError(ad, p, 1);
        if (ad.stats.recalls > before) return k;
      }
      return Infinity;
    };
    const unseeded = ticksToRecall(0);
    const seeded = ticksToRecall(3);
    expect(unseeded).toBeLessThan(20);
    expect(seeded).toBeLessThan(unseeded);
  });
});

describe('ResidualAdapter with the shipped scenario settings on the synthetic plant', () => {
  it('servo compensation along the target with acceleration, per-group detection: adapts, creates, recalls; far closer to the policy target than no adaptation', () => {
    const SHIPPED: AdaptationConfigInput = {
      groups: [{ joints: ['a'], features: ['a'] }, { joints: ['b'], features: ['a'] }],
      compensate: 'servo', correctAt: 'target', acceleration: true, correctionGain: 1, resetVarianceOffset: 100, detectPerGroup: true, detector: { threshold: 4 },
    };
    const p = new Plant();
    const ad = new ResidualAdapter(SHIPPED, JOINTS, LIMITS);
    followError(ad, p, 300);
    expect(ad.hasAnchor).toBe(true);
    expect(ad.stats.detectedSwitches).toBe(0);
    const nominalErr = followError(ad, p, 200);
    const none = (r: Regime): number => {
      const q = Object.assign(new Plant(), { regime: r });
      let s = 0;
      for (let k = 0; k < 200; k++) {
        const pol = Float64Array.from(q.policyTarget());
        q.apply(pol);
        s += Math.abs(q.q[0]! - pol[0]!) + Math.abs(q.q[1]! - pol[1]!);
      }
      return s / 400;
    };
    p.regime = payload;
    const early = followError(ad, p, 50);
    const late = followError(ad, p, 300);
    expect(ad.stats.created).toBe(1);
    expect(late).toBeLessThan(Math.max(0.01, 1.5 * nominalErr));
    expect(late).toBeLessThan(0.1 * none(payload));
    expect(early).toBeLessThan(0.5 * none(payload));
    p.regime = nominal;
    followError(ad, p, 300);
    expect(ad.activeRegime).toBe('anchor');
    p.regime = payload;
    followError(ad, p, 15);
    expect(ad.activeRegime).toBe('regime-1');
    expect(ad.stats.created).toBe(1); // recalled, not re-learnt
    expect(followError(ad, p, 50)).toBeLessThan(Math.max(0.01, 1.5 * nominalErr));
  });
});
