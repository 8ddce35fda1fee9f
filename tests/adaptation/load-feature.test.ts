/**
 * The adapter's load feature (groups' `loadLink`), the post-switch scale prior (`resetVarianceScale`) and
 * the anchor's prior (`anchorVariance`). Oracles in tests/helpers/adaptation-plants.ts, independent of the
 * adapter: the load torque by finite differences of the G1's forward kinematics (the potential-energy
 * derivative, and the load point's velocity along a rate); a G1 right-arm plant that satisfies the servo
 * identity with a payload's physics; the 2-joint plant q(t+1) = c(t) − s_R(q(t)) + noise of residual-adapter.test.ts.
 * The figures quoted as "measured" print with: npx vite-node tests/helpers/print-adaptation-figures.ts
 */
import { describe, expect, it } from 'vitest';
import { AdaptationConfigSchema, type AdaptationConfigInput } from '../../src/adaptation/config.js';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import { Rng } from '../../src/training/rng.js';
import {
  AB, AB_LIMITS, ARM_IDX, ArmPlant, DT, FEATURES, G, HAND, JOINTS, LIMITS, MODEL, POLICY, Plant2, RIGHT_ARM, RIGHT_GROUP,
  handAlong, nominal2, rms, run2, runArm, unit, type Regime,
} from '../helpers/adaptation-plants.js';

describe('load feature: configuration', () => {
  it('every group names a loadLink or none (zod error at groups); a loadLink needs the robot model; an unknown link is refused', () => {
    const left = { joints: RIGHT_ARM.map((j) => j.replace('right_', 'left_')), features: FEATURES.map((j) => j.replace('right_', 'left_')) };
    const mixed = AdaptationConfigSchema.safeParse({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }, left] });
    expect(mixed.success).toBe(false);
    const issue = mixed.error!.issues.find((i) => /loadLink/.test(i.message));
    expect(issue?.path).toEqual(['groups']);
    expect(AdaptationConfigSchema.safeParse({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }, { ...left, loadLink: 'left_rubber_hand' }] }).success).toBe(true);
    expect(AdaptationConfigSchema.safeParse({ groups: [RIGHT_GROUP, left] }).success).toBe(true);
    expect(AdaptationConfigSchema.safeParse({ groups: [{ ...RIGHT_GROUP, loadLink: '' }] }).success).toBe(false);

    expect(() => new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }] }, POLICY, LIMITS)).toThrow(/groups name a loadLink, which needs the robot model/);
    expect(() => new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }] }, POLICY, LIMITS, MODEL)).not.toThrow();
    expect(() => new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: 'right_hand' }] }, POLICY, LIMITS, MODEL)).toThrow(/no link 'right_hand'/);
    expect(() => new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: 'left_rubber_hand' }] }, POLICY, LIMITS, MODEL)).toThrow(/not moved by joint 'right_shoulder_pitch_joint'/);
    // no loadLink: the model is not needed
    expect(() => new ResidualAdapter({ groups: [RIGHT_GROUP] }, POLICY, LIMITS)).not.toThrow();
  });

  it('one more feature column and a fingerprint naming the load link; a library saved without it (or with it) does not load into the other', () => {
    const withLoad = new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }], anchorTicks: 1 }, POLICY, LIMITS, MODEL);
    const without = new ResidualAdapter({ groups: [RIGHT_GROUP], anchorTicks: 1 }, POLICY, LIMITS);
    expect(without.features).toBe(2 + 2 * FEATURES.length);
    expect(withLoad.features).toBe(without.features + 1);
    expect(withLoad.fingerprint).toContain(`+load(${HAND})`);
    expect(without.fingerprint).not.toContain('+load(');
    const q = new Float64Array(POLICY.length);
    const out = new Float64Array(POLICY.length);
    for (const ad of [withLoad, without]) for (let k = 0; k < 3; k++) {
      q[ARM_IDX[3]!] = 0.5 + 0.01 * k;
      ad.step(q, new Float64Array(POLICY.length), q, out, k * DT);
    }
    const fileWith = JSON.parse(JSON.stringify(withLoad.snapshot()));
    const fileWithout = JSON.parse(JSON.stringify(without.snapshot()));
    expect(fileWith.entries[0].params).toHaveLength(7 * withLoad.features);
    expect(() => withLoad.loadMemory(fileWithout)).toThrow(/does not fit this adapter[\s\S]*fingerprint/);
    expect(() => without.loadMemory(fileWith)).toThrow(/does not fit this adapter[\s\S]*fingerprint/);
    // the same file with the fingerprint forged: the shape still refuses it
    expect(() => withLoad.loadMemory({ ...fileWithout, fingerprint: withLoad.fingerprint })).toThrow(/does not fit this adapter/);
    // and its own kind loads
    expect(() => new ResidualAdapter({ groups: [{ ...RIGHT_GROUP, loadLink: HAND }], anchorTicks: 1 }, POLICY, LIMITS, MODEL).loadMemory(fileWith)).not.toThrow();
  });
});

describe('load feature: where it is evaluated (a frozen model whose only weight is the load weight)', () => {
  // φ per joint without sin/cos features: [1, velocity, load]
  const WLOAD = [0.011, -0.007, 0.004, 0.009, -0.003, 0.006, 0.002];
  const cfg = (correctAt: 'state' | 'target'): AdaptationConfigInput => ({
    groups: [{ joints: RIGHT_ARM, features: [], loadLink: HAND }], compensate: 'servo', correctAt, correctionGain: 1, forgetting: 1, anchorTicks: 1,
    detector: { threshold: 1e12 }, trustRegion: { maxStepRad: 10, maxCorrectionRad: 10 },
  });
  const frozen = (correctAt: 'state' | 'target'): ResidualAdapter => {
    const warm = new ResidualAdapter(cfg(correctAt), POLICY, LIMITS, MODEL);
    const q = new Float64Array(POLICY.length);
    const out = new Float64Array(POLICY.length);
    for (let k = 0; k < 3; k++) {
      q[ARM_IDX[3]!] = 0.5 + 0.01 * k;
      warm.step(q, new Float64Array(POLICY.length), q, out, k * DT);
    }
    const file = JSON.parse(JSON.stringify(warm.snapshot()));
    file.entries[0].params = WLOAD.flatMap((w) => [0, 0, w]);
    file.entries[0].covariance = new Array(7 * 9).fill(0);
    const ad = new ResidualAdapter(cfg(correctAt), POLICY, LIMITS, MODEL);
    ad.loadMemory(file);
    return ad;
  };
  /** Oracle: τ_k at pose q2 moving with rate v2 (per arm joint), after pose q1 with rate v1 one tick earlier. */
  const loadTorque = (q1: Float64Array, v1: number[], q2: Float64Array, v2: number[]): number[] => {
    const dir = (v: number[]): Float64Array => {
      const d = new Float64Array(POLICY.length);
      ARM_IDX.forEach((i, k) => (d[i] = v[k]!));
      return d;
    };
    const p1 = handAlong(q1, dir(v1));
    const p2 = handAlong(q2, dir(v2));
    const a = [0, 1, 2].map((i) => (p2[i]! - p1[i]!) / DT);
    return ARM_IDX.map((i) => {
      const J = handAlong(q2, unit(i));
      return J[0] * a[0]! + J[1] * a[1]! + J[2] * (a[2]! + G);
    });
  };

  it("'state': at the measured pose and velocity (acceleration from the measured velocity's change); 'target': at the policy target and its rate", () => {
    const rng = new Rng(17);
    const pose = (): Float64Array => Float64Array.from(JOINTS, (j) => {
      const m = 0.25 * (j.limit!.upper - j.limit!.lower);
      return rng.uniform(j.limit!.lower + m, j.limit!.upper - m); // inside the limits' middle half: no near-limit cost
    });
    const Q = [pose(), pose(), pose()];
    for (let k = 1; k < 3; k++) for (let i = 0; i < POLICY.length; i++) Q[k]![i] = Q[0]![i]! + 0.04 * k * rng.uniform(-1, 1); // a short path
    const QD = Q.map(() => Float64Array.from(POLICY, () => rng.uniform(-1.5, 1.5)));
    const T = Q.map((q) => Float64Array.from(q, (v) => v + rng.uniform(-0.1, 0.1))); // every joint's target differs from the pose, waist included
    for (const mode of ['state', 'target'] as const) {
      const ad = frozen(mode);
      const out = new Float64Array(POLICY.length);
      for (let k = 0; k < 3; k++) ad.step(Q[k]!, QD[k]!, T[k]!, out, 1 + k * DT);
      const arm = (v: Float64Array): number[] => ARM_IDX.map((i) => v[i]!);
      const rate = (k: number): number[] => ARM_IDX.map((i) => (T[k]![i]! - T[k - 1]![i]!) / DT);
      const tau = mode === 'state' ? loadTorque(Q[1]!, arm(QD[1]!), Q[2]!, arm(QD[2]!)) : loadTorque(T[1]!, rate(1), T[2]!, rate(2));
      RIGHT_ARM.forEach((j, k) => expect(out[ARM_IDX[k]!]! - T[2]![ARM_IDX[k]!]!, `${mode} ${j}`).toBeCloseTo(WLOAD[k]! * tau[k]!, 8));
      for (let i = 0; i < POLICY.length; i++) if (!ARM_IDX.includes(i)) expect(out[i]).toBe(T[2]![i]); // not adapted
    }
  });

  it('no acceleration spans a restart() or a bad-input tick: the next tick\'s load feature is the static one', () => {
    const rng = new Rng(29);
    const pose = (): Float64Array => Float64Array.from(JOINTS, (j) => {
      const m = 0.25 * (j.limit!.upper - j.limit!.lower);
      return rng.uniform(j.limit!.lower + m, j.limit!.upper - m);
    });
    const Q = [pose(), pose(), pose()];
    const QD = Q.map(() => Float64Array.from(POLICY, () => rng.uniform(-1.5, 1.5)));
    const staticTau = (q: Float64Array): number[] => ARM_IDX.map((i) => G * handAlong(q, unit(i))[2]);
    for (const mode of ['state', 'target'] as const) {
      for (const gap of ['restart', 'bad input'] as const) {
        const ad = frozen(mode);
        const out = new Float64Array(POLICY.length);
        ad.step(Q[0]!, QD[0]!, Q[0]!, out, 1);
        ad.step(Q[1]!, QD[1]!, Q[1]!, out, 1 + DT);
        if (gap === 'restart') ad.restart();
        else {
          const bad = Float64Array.from(Q[1]!);
          bad[ARM_IDX[0]!] = NaN;
          expect(ad.step(bad, QD[1]!, Q[1]!, out, 1 + 1.5 * DT)).toBe('bad_input');
        }
        // 0.02 s later, another pose and velocity: without the reset the load point's acceleration would count
        ad.step(Q[2]!, QD[2]!, Q[2]!, out, 1 + 2 * DT);
        const tau = staticTau(Q[2]!);
        RIGHT_ARM.forEach((j, k) => expect(out[ARM_IDX[k]!]! - Q[2]![ARM_IDX[k]!]!, `${mode}, ${gap}: ${j}`).toBeCloseTo(WLOAD[k]! * tau[k]!, 8));
      }
    }
  });
});

describe('load feature: a 1.5 kg payload in the G1 right hand (a plant with the payload\'s physics)', () => {
  const ARM_CFG: AdaptationConfigInput = { groups: [RIGHT_GROUP], compensate: 'servo', correctAt: 'target', correctionGain: 1 };
  const withHand = (cfg: AdaptationConfigInput): AdaptationConfigInput => ({ ...cfg, groups: [{ ...RIGHT_GROUP, loadLink: HAND }] });
  /** The load weight (last column) of every arm joint in the active model. */
  const loadWeights = (ad: ResidualAdapter): number[] => {
    const e = ad.snapshot().entries.find((x) => x.label === ad.activeRegime)!;
    return RIGHT_ARM.map((_, k) => e.params[(k + 1) * ad.features - 1]!);
  };

  it('the first second after the (detected) switch is tracked better with the load feature than without, and from 0.3 s on far better', () => {
    // resetVarianceLoad 1: with the default 0.01 the load weight takes a few % of each post-switch innovation (the RLS's
    // covariance is relative to a unit label variance) and the first second is about the same with or without it
    const cfg: AdaptationConfigInput = { ...ARM_CFG, resetVarianceLoad: 1 };
    const firstSecond = (ad: ResidualAdapter): number[] => {
      const p = new ArmPlant();
      runArm(ad, p, 300);
      expect(ad.hasAnchor).toBe(true);
      expect(ad.stats.detectedSwitches).toBe(0);
      expect(rms(runArm(ad, p, 50))).toBeLessThan(0.002); // nominal: in the features' span, tracked
      p.payloadKg = 1.5;
      const e = runArm(ad, p, 50);
      expect(ad.stats.detectedSwitches).toBeGreaterThanOrEqual(1);
      return e;
    };
    const withLoad = firstSecond(new ResidualAdapter(withHand(cfg), POLICY, LIMITS, MODEL));
    const without = firstSecond(new ResidualAdapter(cfg, POLICY, LIMITS, MODEL));
    // measured: 0.0151 vs 0.0200 rad (the first 0.3 s are the loaded arm's own transient, the same for both);
    // ticks 15..50: 0.0068 vs 0.0161 rad
    expect(rms(withLoad)).toBeLessThan(0.85 * rms(without));
    expect(rms(withLoad.slice(15))).toBeLessThan(0.6 * rms(without.slice(15)));
  });

  it('resetVarianceLoad is the load weight\'s prior after a switch; given room, the learnt weight is the payload over kp (m/kp = 0.0375)', () => {
    const learnt = (resetVarianceLoad: number): { before: number[]; after: number[] } => {
      const ad = new ResidualAdapter(withHand({ ...ARM_CFG, resetVarianceLoad }), POLICY, LIMITS, MODEL);
      const p = new ArmPlant();
      runArm(ad, p, 300);
      const before = loadWeights(ad);
      p.payloadKg = 1.5;
      ad.announceSwitch('payload');
      runArm(ad, p, 25);
      return { before, after: loadWeights(ad) };
    };
    const free = learnt(10);
    const held = learnt(1e-6);
    // the nominal regime has no payload: the anchor's load weights are small
    for (const w of free.before) expect(Math.abs(w)).toBeLessThan(0.01);
    // the shoulder and elbow joints (large levers): within 10 % of m/kp after 0.5 s (measured 0.0369–0.0386)
    for (const k of [0, 1, 2, 3]) expect(free.after[k]!, RIGHT_ARM[k]).toBeCloseTo(1.5 / 40, 2);
    for (const k of [0, 1, 2, 3]) expect(Math.abs(free.after[k]! - 1.5 / 40), RIGHT_ARM[k]).toBeLessThan(0.1 * (1.5 / 40));
    // a tiny prior: the load weight does not move
    held.after.forEach((w, k) => expect(Math.abs(w - held.before[k]!), RIGHT_ARM[k]).toBeLessThan(1e-4));
  });
});

describe('resetVarianceScale: after a switch the previous model scaled as a whole is one direction of the re-fit', () => {
  it('a servo at half gain (every offset doubled): ticks 5..50 after the switch are tracked far better with the scale direction', () => {
    const half: Regime = (q, j) => 2 * nominal2(q, j);
    const after = (resetVarianceScale: number): number[] => {
      // resetVariance 0.01: the generic re-fit is slow, so the scale direction is what makes the difference.
      // The scale's prior is relative to the RLS's unit label variance: σ² = 1e4 puts (σ·w·φ)² ≈ (100 × 0.05 rad)² on the
      // prediction; the shipped σ² = 1 adds ≈ 0.0025 rad², measurably nothing here (the same errors to 4 digits as 0)
      const ad = new ResidualAdapter({ groups: [{ joints: ['a', 'b'], features: ['a'] }], correctionGain: 1, resetVariance: 0.01, resetVarianceScale }, AB, AB_LIMITS);
      const p = new Plant2();
      run2(ad, p, 300);
      expect(ad.stats.detectedSwitches).toBe(0);
      p.regime = half;
      const e = run2(ad, p, 50);
      expect(ad.stats.detectedSwitches).toBe(1);
      return e.slice(5);
    };
    const scaled = rms(after(1e4));
    const plain = rms(after(0));
    // measured: 0.0023 vs 0.0080 rad
    expect(scaled).toBeLessThan(0.5 * plain);
    expect(scaled).toBeLessThan(0.004);
  });
});

describe('anchorVariance: the prior the anchor (nominal) model is learnt with', () => {
  const CFG2: AdaptationConfigInput = { groups: [{ joints: ['a', 'b'], features: ['a'] }], compensate: 'servo', correctionGain: 1, detector: { threshold: 1e12 } };
  /** After the anchor's 150 ticks and 50 more: the anchor's weights, and the servo correction vs the plant's own offset s_nom(q). */
  const anchorAfter = (cfg: Partial<AdaptationConfigInput>): { w: number[]; corrErr: number; corr: number } => {
    const ad = new ResidualAdapter({ ...CFG2, ...cfg }, AB, AB_LIMITS);
    const p = new Plant2();
    run2(ad, p, 200);
    expect(ad.hasAnchor).toBe(true);
    const w = Array.from(ad.snapshot().entries.find((e) => e.pinned)!.params);
    let corrErr = 0;
    let corr = 0;
    for (let k = 0; k < 50; k++) {
      run2(ad, p, 1);
      for (let j = 0; j < 2; j++) {
        corrErr = Math.max(corrErr, Math.abs(ad.correction[j]! - nominal2(p.q, j)));
        corr = Math.max(corr, Math.abs(ad.correction[j]!));
      }
    }
    return { w, corrErr, corr };
  };

  it('tiny: the anchor stays near zero and the nominal correction is ≈ 0 (whatever resetVariance is); default: the anchor fits the nominal offset (whatever resetVariance is)', () => {
    const tiny = anchorAfter({ anchorVariance: 1e-9 });
    for (const x of tiny.w) expect(Math.abs(x)).toBeLessThan(1e-4);
    expect(tiny.corr).toBeLessThan(0.002);
    const fit = anchorAfter({ resetVariance: 1e-9 });
    // the plant's nominal offset reaches 0.02 + 0.06·|sin q_a| ≈ 0.05 rad; the correction follows it within 5 mrad
    expect(fit.corr).toBeGreaterThan(0.03);
    expect(fit.corrErr).toBeLessThan(0.005);
  });
});
