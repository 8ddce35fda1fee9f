/**
 * Property tests of the shield over random robots, random plant states and
 * adversarial command streams. Tolerances: positions 1e-12 rad; velocity and
 * acceleration 1e-9 relative plus the rounding of finite differences
 * (16·ε·(1 + |p|)/dt and /dt²); effort 1e-9 relative + 1e-9 N·m.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ShieldCoreConfigSchema, ShieldLimitsConfigSchema } from '../../src/safety/config.js';
import { InputVerdict, type NamedCandidate, type NamedJointState } from '../../src/safety/inputs.js';
import { shieldLimitsOrThrow } from '../../src/safety/limits.js';
import { Shield } from '../../src/safety/shield.js';
import { Constraint } from '../../src/safety/band.js';
import { ShieldState } from '../../src/safety/status.js';
import { Plant, hardInterval, prng, randomRobot, uniform } from './adversary.js';

let simulatedTicks = 0;

const runArb = fc.record({
  seed: fc.integer(),
  n: fc.integer({ min: 1, max: 6 }),
  rateHz: fc.constantFrom(500, 1000),
  margin: fc.double({ min: 0, max: 0.05, noNaN: true }),
  velocityScale: fc.double({ min: 0.1, max: 1, noNaN: true }),
  effortScale: fc.double({ min: 0.1, max: 1, noNaN: true }),
  accel: fc.double({ min: 10, max: 3000, noNaN: true }),
  decelFraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
  jerk: fc.option(fc.double({ min: 1e3, max: 1e6, noNaN: true }), { nil: null }),
  kp: fc.double({ min: 5, max: 300, noNaN: true }),
  kd: fc.double({ min: 0, max: 10, noNaN: true }),
  interpolation: fc.constantFrom('linear' as const, 'none' as const),
  onMeasuredFault: fc.constantFrom('hold' as const, 'estop' as const),
  candidateEvery: fc.integer({ min: 1, max: 25 }),
  badRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  eventRate: fc.double({ min: 0, max: 0.003, noNaN: true }),
});
type RunParams = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function setup(p: RunParams) {
  const r = prng(p.seed);
  const urdf = randomRobot(r, p.n);
  const limitsCfg = ShieldLimitsConfigSchema.parse({
    positionMarginRad: p.margin, velocityScale: p.velocityScale, effortScale: p.effortScale,
    accelerationRadPerS2: p.accel, decelerationRadPerS2: p.accel * p.decelFraction, jerkRadPerS3: p.jerk,
    kpNmPerRad: p.kp, kdNmSPerRad: p.kd,
  });
  const core = ShieldCoreConfigSchema.parse({
    rateHz: p.rateHz, interpolation: { mode: p.interpolation }, watchdog: { onMeasuredFault: p.onMeasuredFault },
    inputs: { maxConsecutiveRejections: 5 },
  });
  const sh = new Shield(shieldLimitsOrThrow(urdf, limitsCfg), core);
  // The oracle's own limits, from the spec.
  const lo = urdf.lower.map((x) => x + p.margin);
  const hi = urdf.upper.map((x) => x - p.margin);
  const vmax = urdf.velocity.map((x) => x * p.velocityScale);
  const emax = urdf.effort.map((x) => x * p.effortScale);
  return { r, urdf, sh, lo, hi, vmax, emax, dt: 1 / p.rateHz, decel: p.accel * p.decelFraction };
}

/** Adversarial closed loop; checks every output against the spec. Returns counts for reporting. */
function adversarialRun(p: RunParams, ticks: number): { effortChecked: number } {
  const { r, urdf, sh, lo, hi, vmax, emax, dt, decel } = setup(p);
  const n = p.n;
  const plant = new Plant(r, urdf, p.kp, p.kd);
  const names = urdf.names;
  const wrongNames = ['nope', ...names.slice(1)];
  const js: NamedJointState = { stampS: 0, names, position: new Float64Array(n), velocity: new Float64Array(n) };
  const cand: NamedCandidate = { stampS: 0, names, positions: new Float64Array(n), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
  const prev = new Float64Array(n);
  const prev2 = new Float64Array(n);
  const mq = new Float64Array(n);
  const mqd = new Float64Array(n);
  let history = 0; // consecutive outputs known to the oracle
  let measStamp = -Infinity;
  let nowS = 0;
  let lastNow = -Infinity;
  let measDropUntil = -1;
  let candDropUntil = -1;
  let held: Float64Array | null = null;
  let prevState: number = sh.status.state;
  let effortChecked = 0;
  const fail = (what: string, k: number, i: number, detail: number) => {
    throw new Error(`${what} at tick ${k}, joint ${i}: ${detail} (state ${sh.status.state})`);
  };
  for (let k = 0; k < ticks; k++) {
    nowS += dt;
    // Events: clock reset, sensor and policy dropouts.
    if (r() < p.eventRate * 0.2) {
      nowS = uniform(r, 0, nowS * 0.9);
      history = 0;
      measStamp = -Infinity;
      held = held ? null : held;
    }
    if (r() < p.eventRate) measDropUntil = k + Math.floor(uniform(r, 1, 100));
    if (r() < p.eventRate) candDropUntil = k + Math.floor(uniform(r, 1, 200));
    // Measured state, sometimes malformed.
    if (k > measDropUntil) {
      js.names = names;
      js.stampS = nowS;
      js.position.set(plant.q);
      js.velocity.set(plant.qd);
      const bad = r() < p.badRate ? Math.floor(r() * 5) : -1;
      if (bad === 0) js.position[Math.floor(r() * n)] = NaN;
      else if (bad === 1) js.stampS = nowS - 1;
      else if (bad === 2) js.stampS = nowS + 1;
      else if (bad === 3) js.names = wrongNames;
      else if (bad === 4) js.position[0] = js.position[0]! + uniform(r, -2, 2); // a glitch that passes the checks
      if (sh.offerMeasured(nowS, js) === InputVerdict.Accepted) {
        measStamp = js.stampS;
        for (let i = 0; i < n; i++) { mq[i] = js.position[i]!; mqd[i] = js.velocity[i]!; }
      }
    }
    // Candidates: random targets, big jumps, NaN, stale stamps, wrong names.
    if (k > candDropUntil && k % p.candidateEvery === 0) {
      cand.names = names;
      cand.stampS = nowS;
      cand.horizonS = r() < 0.5 ? 0 : uniform(r, 0, 0.05);
      for (let i = 0; i < n; i++) {
        const a = Number.isFinite(lo[i]!) ? lo[i]! - 0.5 : -10;
        const b = Number.isFinite(hi[i]!) ? hi[i]! + 0.5 : 10;
        cand.positions[i] = r() < 0.05 ? uniform(r, -1e3, 1e3) : uniform(r, a, b);
      }
      const bad = r() < p.badRate ? Math.floor(r() * 4) : -1;
      if (bad === 0) cand.positions[Math.floor(r() * n)] = r() < 0.5 ? NaN : Infinity;
      else if (bad === 1) cand.stampS = nowS - 1;
      else if (bad === 2) cand.names = wrongNames;
      else if (bad === 3) cand.stampS = nowS + 1;
      sh.offerCandidate(nowS, cand);
    }
    // Operator requests.
    const estop = r() < p.eventRate * 0.3;
    if (estop) sh.requestEstop(nowS);
    if (r() < p.eventRate * 2) sh.requestReset(nowS);
    if (r() < p.eventRate * 2) sh.activate(nowS);
    if (r() < p.eventRate * 0.3) sh.requestHold(nowS);
    const wasEstop = sh.status.state === ShieldState.Estop;

    const outcome = sh.tick(nowS);
    simulatedTicks++;
    if (nowS < lastNow) history = 0;
    lastNow = nowS;
    const st = sh.status.state;
    if (outcome === 'no_output') {
      if (sh.hasOutput) fail('no output although one exists', k, 0, 0);
      history = 0;
    } else {
      const out = sh.output;
      const freezeStart = st === ShieldState.Estop && prevState !== ShieldState.Estop;
      for (let i = 0; i < n; i++) {
        const x = out[i]!;
        if (!Number.isFinite(x)) fail('non-finite output', k, i, x);
        // Position: inside the shield limits, or (only right after activation) not further out than before.
        const loI = history > 0 ? Math.min(lo[i]!, prev[i]!) : urdf.lower[i]!;
        const hiI = history > 0 ? Math.max(hi[i]!, prev[i]!) : urdf.upper[i]!;
        if (x < loI - 1e-12 || x > hiI + 1e-12) fail('position limit', k, i, x);
        if (history > 0) {
          const tolV = 1e-9 * vmax[i]! + (16 * Number.EPSILON * (1 + Math.abs(x))) / dt;
          const v = (x - prev[i]!) / dt;
          if (Math.abs(v) > vmax[i]! + tolV) fail('velocity limit', k, i, v);
          const v0 = history > 1 ? (prev[i]! - prev2[i]!) / dt : 0;
          const tolA = 1e-9 * p.accel + (16 * Number.EPSILON * (1 + Math.abs(x))) / (dt * dt);
          if (!freezeStart && Math.abs(v - v0) / dt > p.accel + tolA) fail('acceleration limit', k, i, (v - v0) / dt);
          // Effort, whenever the spec's hard interval admits it.
          const fresh = nowS - measStamp <= sh.config.watchdog.measuredTimeoutS;
          if (fresh && (st === ShieldState.Active || st === ShieldState.Hold)) {
            const [L, U] = hardInterval(prev[i]!, v0, lo[i]!, hi[i]!, vmax[i]!, p.accel, decel, dt);
            const centre = mq[i]! + (p.kd * mqd[i]!) / p.kp;
            const half = emax[i]! / p.kp;
            if (Math.max(L, centre - half) <= Math.min(U, centre + half) - 1e-9) {
              effortChecked++;
              const tau = p.kp * (x - mq[i]!) - p.kd * mqd[i]!;
              if (Math.abs(tau) > emax[i]! * (1 + 1e-9) + 1e-9) fail('effort limit', k, i, tau);
            }
          }
        }
      }
      // E-stop: a hold within one tick, until reset.
      if (wasEstop && st === ShieldState.Estop) {
        if (held === null) held = Float64Array.from(history > 0 && estop ? prev : out);
        for (let i = 0; i < n; i++) if (!Object.is(out[i], held[i])) fail('e-stop output moved', k, i, out[i]!);
      } else held = null;
      prev2.set(prev);
      prev.set(out);
      history++;
    }
    prevState = st;
    plant.step(sh.hasOutput ? sh.output : null, dt, 0.002);
  }
  expect(sh.status.relaxations[Constraint.Velocity]).toBe(0);
  expect(sh.status.relaxations[Constraint.Acceleration]).toBe(0);
  return { effortChecked };
}

/** Smooth in-limit trajectories on a tracking plant: every output must equal the candidate bit for bit. */
function safeRun(p: RunParams, ticks: number): void {
  const { r, urdf, sh, lo, hi, vmax, emax, dt, decel } = setup({ ...p, interpolation: 'none' });
  const n = p.n;
  const centre = new Float64Array(n);
  const amp = new Float64Array(n);
  const omega = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const range = Number.isFinite(hi[i]! - lo[i]!) ? hi[i]! - lo[i]! : 2;
    centre[i] = Number.isFinite(hi[i]! - lo[i]!) ? (lo[i]! + hi[i]!) / 2 : uniform(r, -5, 5);
    amp[i] = uniform(r, 0.05, 0.3) * range;
    const vTraj = Math.min(0.4 * vmax[i]!, (0.4 * emax[i]!) / (p.kp * dt + p.kd));
    const a = amp[i]!;
    omega[i] = Math.min(
      vTraj / (3 * a), Math.sqrt((0.4 * p.accel) / (9 * a)), p.jerk ? Math.cbrt((0.4 * p.jerk) / (27 * a)) : Infinity,
      Math.sqrt(0.2 * decel * range) / (3 * a),
    );
  }
  const names = urdf.names;
  const js: NamedJointState = { stampS: 0, names, position: Float64Array.from(centre), velocity: new Float64Array(n) };
  const cand: NamedCandidate = { stampS: 0, names, positions: new Float64Array(n), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
  const prev = Float64Array.from(centre);
  for (let k = 0; k < ticks; k++) {
    const t = k * dt;
    for (let i = 0; i < n; i++) cand.positions[i] = centre[i]! + amp[i]! * Math.sin(omega[i]! * t) ** 3;
    js.stampS = t;
    cand.stampS = t;
    sh.tick(t, js, cand);
    simulatedTicks++;
    for (let i = 0; i < n; i++) {
      if (!Object.is(sh.output[i], cand.positions[i])) {
        throw new Error(`tick ${k} joint ${i}: output ${sh.output[i]} ≠ safe candidate ${cand.positions[i]}`);
      }
    }
    // tracking plant: it is where it was commanded
    for (let i = 0; i < n; i++) {
      js.velocity[i] = (sh.output[i]! - prev[i]!) / dt;
      js.position[i] = sh.output[i]!;
    }
    prev.set(sh.output);
  }
  expect(sh.status.interventionTicks).toBe(0);
}

describe('shield properties', () => {
  afterAll(() => {
    expect(simulatedTicks).toBeGreaterThanOrEqual(1_000_000);
  });

  it('no output violates position, velocity, acceleration or (when attainable) effort limits; e-stop holds within one tick until reset', () => {
    let effortChecked = 0;
    fc.assert(fc.property(runArb, (p) => { effortChecked += adversarialRun(p, 4000).effortChecked; }), { numRuns: 220, seed: 20240611 });
    expect(effortChecked).toBeGreaterThan(100_000);
  });

  it('safe commands pass through bit for bit', () => {
    fc.assert(fc.property(runArb, (p) => safeRun(p, 1500)), { numRuns: 80, seed: 7 });
  });
});
