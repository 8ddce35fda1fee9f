/**
 * Property tests of the shield over random robots, random plant states and
 * adversarial command streams (≥ 10⁶ ticks in all). Strict limits, with only
 * these numeric tolerances: positions 1e-12 rad; velocity and acceleration
 * 1e-9 relative plus the rounding of finite differences (16·ε·(1 + |p|)/dt
 * and /dt²); effort 1e-9 relative + 1e-9 N·m. Documented exceptions (the
 * spec's, not the oracle's): the acceleration on the tick an e-stop freezes a
 * moving command; the first output after activation may lie between the
 * shield and URDF limits (the measured pose), and then only moves back in.
 * Holds are compared bit for bit (Object.is).
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
  autoActivate: fc.boolean(),
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
  });
  const core = ShieldCoreConfigSchema.parse({
    rateHz: p.rateHz, autoActivate: p.autoActivate, interpolation: { mode: p.interpolation }, watchdog: { onMeasuredFault: p.onMeasuredFault },
    inputs: { maxConsecutiveRejections: 5 },
  });
  // The robot's servo gains reach the shield as the embedded run hands over sim.gains.
  const gains = Object.fromEntries(urdf.names.map((name) => [name, { kp: p.kp, kd: p.kd }]));
  const sh = new Shield(shieldLimitsOrThrow(urdf, limitsCfg, { gains }), core);
  // The oracle's own limits, from the spec.
  const lo = urdf.lower.map((x) => x + p.margin);
  const hi = urdf.upper.map((x) => x - p.margin);
  const vmax = urdf.velocity.map((x) => x * p.velocityScale);
  const emax = urdf.effort.map((x) => x * p.effortScale);
  return { r, urdf, sh, lo, hi, vmax, emax, dt: 1 / p.rateHz, decel: p.accel * p.decelFraction };
}

/** Values an adversary sends: out of range, subnormal, signed zeros, huge jumps. */
const NASTY = [1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 2.2250738585072014e-308, 0, -0, 1e5, -1e5, 9999.999];

/** What the run covered (the test asserts each kind happened). */
interface Coverage {
  effortChecked: number;
  /** Clock jumps backwards / forwards seen in each state (index = ShieldState). */
  jumpsBack: number[];
  jumpsForward: number[];
  /** Ticks after an accepted reset and before an activate (must not move). */
  heldAfterReset: number;
  /** Accepted activations after a reset. */
  activatedAfterReset: number;
  /** Inputs rejected as out of range. */
  outOfRange: number;
  /** Ticks in ESTOP compared with the held value. */
  estopTicks: number;
}

function coverage(): Coverage {
  return { effortChecked: 0, jumpsBack: [0, 0, 0, 0], jumpsForward: [0, 0, 0, 0], heldAfterReset: 0, activatedAfterReset: 0, outOfRange: 0, estopTicks: 0 };
}

/** Every number the shield keeps must be finite (limits and "none yet" stamps/ages aside). */
function checkInternalState(sh: Shield, k: number): void {
  const x = sh as unknown as {
    acc: Float64Array; next: Float64Array; lastPassTarget: Float64Array;
    inputs: { q: Float64Array; qd: Float64Array; goal: Float64Array; goalEffort: Float64Array; segStart: Float64Array; seg: { t0S: number; horizonS: number } };
  };
  const arrays: Array<[string, Float64Array]> = [
    ['output', sh.output], ['outputVelocity', sh.outputVelocity], ['outputEffort', sh.outputEffort], ['target', sh.target],
    ['acc', x.acc], ['next', x.next], ['lastPassTarget', x.lastPassTarget], ['q', x.inputs.q], ['qd', x.inputs.qd], ['goal', x.inputs.goal],
    ['goalEffort', x.inputs.goalEffort], ['segStart', x.inputs.segStart], ['timeInStateS', sh.status.timeInStateS],
  ];
  for (const [name, a] of arrays) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new Error(`internal state ${name}[${i}] = ${a[i]} at tick ${k}`);
  }
  const st = sh.status;
  const scalars: Array<[string, number]> = [
    ['maxInterventionRad', st.maxInterventionRad], ['l2Rad', st.lastIntervention.l2Rad], ['linfRad', st.lastIntervention.linfRad],
    ['seg.horizonS', x.inputs.seg.horizonS],
  ];
  if (sh.status.state === ShieldState.Active) scalars.push(['seg.t0S', x.inputs.seg.t0S]);
  for (const [name, v] of scalars) if (!Number.isFinite(v)) throw new Error(`internal state ${name} = ${v} at tick ${k}`);
  // ages are +∞ before any input, never NaN
  if (Number.isNaN(st.measuredAgeS) || Number.isNaN(st.candidateAgeS)) throw new Error(`NaN input age at tick ${k}`);
}

/**
 * Adversarial closed loop; checks every output against the spec (strict limits,
 * tolerance in the file header), the hold semantics and the internal state.
 */
function adversarialRun(p: RunParams, ticks: number, cov: Coverage): void {
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
  let measDropUntil = -1;
  let candDropUntil = -1;
  /** The command held since an e-stop, until an accepted activate (through resets, clock jumps, anything). */
  let latched: Float64Array | null = null;
  let resetSinceEstop = false;
  /** The command of a HOLD that has come to rest. */
  let rest: Float64Array | null = null;
  let prevState: number = sh.status.state;
  const fail = (what: string, k: number, i: number, detail: number) => {
    throw new Error(`${what} at tick ${k}, joint ${i}: ${detail} (state ${sh.status.state}, reason ${sh.status.reason})`);
  };
  const nasty = () => NASTY[Math.floor(r() * NASTY.length)]!;
  for (let k = 0; k < ticks; k++) {
    nowS += dt;
    // Events: clock jumps both ways (in whatever state the shield is), sensor and policy dropouts.
    // (INACTIVE lasts only until the first activation: jumps there are made likelier.)
    const jumpRate = sh.status.state === ShieldState.Inactive ? 0.005 : p.eventRate * 0.5;
    if (r() < jumpRate) {
      cov.jumpsBack[sh.status.state]!++;
      nowS = r() < 0.2 ? -uniform(r, 0, 1e6) : uniform(r, 0, nowS * 0.9);
      measStamp = -Infinity;
    } else if (r() < jumpRate) {
      cov.jumpsForward[sh.status.state]!++;
      nowS += r() < 0.5 ? uniform(r, 0.01, 1) : uniform(r, 1, 1e6);
    }
    if (r() < p.eventRate) measDropUntil = k + Math.floor(uniform(r, 1, 100));
    if (r() < p.eventRate) candDropUntil = k + Math.floor(uniform(r, 1, 200));
    // Measured state, sometimes malformed or absurd.
    if (k > measDropUntil) {
      js.names = names;
      js.stampS = nowS;
      js.position.set(plant.q);
      js.velocity.set(plant.qd);
      const bad = r() < p.badRate ? Math.floor(r() * 7) : -1;
      if (bad === 0) js.position[Math.floor(r() * n)] = NaN;
      else if (bad === 1) js.stampS = nowS - 1;
      else if (bad === 2) js.stampS = nowS + 1;
      else if (bad === 3) js.names = wrongNames;
      else if (bad === 4) js.position[0] = js.position[0]! + uniform(r, -2, 2); // a glitch that passes the checks
      else if (bad === 5) js.position[Math.floor(r() * n)] = nasty();
      else if (bad === 6) js.velocity[Math.floor(r() * n)] = nasty();
      const verdict = sh.offerMeasured(nowS, js);
      if (verdict === InputVerdict.OutOfRange) cov.outOfRange++;
      if (verdict === InputVerdict.Accepted) {
        measStamp = js.stampS;
        for (let i = 0; i < n; i++) { mq[i] = js.position[i]!; mqd[i] = js.velocity[i]!; }
      }
    }
    // Candidates: random targets, big jumps, absurd magnitudes, NaN, stale stamps, wrong names.
    if (k > candDropUntil && k % p.candidateEvery === 0) {
      cand.names = names;
      cand.stampS = r() < 0.1 ? 0 : nowS;
      cand.horizonS = r() < 0.5 ? 0 : r() < 0.98 ? uniform(r, 0, 0.05) : nasty() * Math.sign(r() - 0.02);
      for (let i = 0; i < n; i++) {
        const a = Number.isFinite(lo[i]!) ? lo[i]! - 0.5 : -10;
        const b = Number.isFinite(hi[i]!) ? hi[i]! + 0.5 : 10;
        const u = r();
        cand.positions[i] = u < 0.03 ? uniform(r, -1e3, 1e3) : u < 0.06 ? nasty() : uniform(r, a, b);
      }
      const bad = r() < p.badRate ? Math.floor(r() * 4) : -1;
      if (bad === 0) cand.positions[Math.floor(r() * n)] = r() < 0.5 ? NaN : Infinity;
      else if (bad === 1) cand.stampS = nowS - 1;
      else if (bad === 2) cand.names = wrongNames;
      else if (bad === 3) cand.stampS = nowS + 1;
      if (sh.offerCandidate(nowS, cand) === InputVerdict.OutOfRange) cov.outOfRange++;
    }
    // Operator requests.
    const estop = r() < p.eventRate * 0.3;
    if (estop) sh.requestEstop(nowS);
    if (r() < p.eventRate * 3 && sh.requestReset(nowS) === 'reset') resetSinceEstop = true;
    const activated = r() < p.eventRate * (resetSinceEstop ? 0.5 : 2) && sh.activate(nowS) === 'activated';
    if (activated) {
      if (resetSinceEstop) cov.activatedAfterReset++;
      latched = null;
      resetSinceEstop = false;
    }
    if (r() < p.eventRate * 0.3) sh.requestHold(nowS);

    const outcome = sh.tick(nowS);
    simulatedTicks++;
    checkInternalState(sh, k);
    const st = sh.status.state;
    if (outcome === 'no_output') {
      if (sh.hasOutput) fail('no output although one exists', k, 0, 0);
      history = 0;
    } else {
      const out = sh.output;
      // The e-stop tick (requested before it, or a watchdog e-stop inside it) freezes the command.
      const freezeStart = st === ShieldState.Estop && prevState !== ShieldState.Estop;
      // An activation without a previous command starts from the measured position at rest:
      // its first output is one ordinary step from there.
      if (history === 0 && st === ShieldState.Active) {
        prev.set(mq);
        prev2.set(mq);
        history = 2;
      }
      // The value held at the e-stop tick: the previous output (or, with none yet, the first one).
      if (st === ShieldState.Estop && latched === null) latched = Float64Array.from(history > 0 ? prev : out);
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
          // Effort (ACTIVE), whenever the spec's hard interval admits it.
          const fresh = nowS - measStamp <= sh.config.watchdog.measuredTimeoutS;
          if (fresh && st === ShieldState.Active) {
            const [L, U] = hardInterval(prev[i]!, v0, lo[i]!, hi[i]!, vmax[i]!, p.accel, decel, dt);
            const centre = mq[i]! + (p.kd * mqd[i]!) / p.kp;
            const half = emax[i]! / p.kp;
            if (Math.max(L, centre - half) <= Math.min(U, centre + half) - 1e-9) {
              cov.effortChecked++;
              const tau = p.kp * (x - mq[i]!) - p.kd * mqd[i]!;
              if (Math.abs(tau) > emax[i]! * (1 + 1e-9) + 1e-9) fail('effort limit', k, i, tau);
            }
          }
        }
      }
      // E-stop → reset → (no motion) → activate: every output equals the value held at the e-stop tick.
      if (latched !== null) {
        if (st === ShieldState.Active) fail('motion without an activate after an e-stop', k, 0, st);
        for (let i = 0; i < n; i++) if (!Object.is(out[i], latched[i])) fail('held output moved', k, i, out[i]! - latched[i]!);
        if (st === ShieldState.Estop) cov.estopTicks++;
        else cov.heldAfterReset++;
      }
      // A HOLD at rest stays bit for bit until it is left.
      if (st === ShieldState.Hold && rest !== null) {
        for (let i = 0; i < n; i++) if (!Object.is(out[i], rest[i])) fail('HOLD at rest moved', k, i, out[i]! - rest[i]!);
      }
      rest = st === ShieldState.Hold && prevState === ShieldState.Hold && history > 2 && equal(out, prev) && equal(prev, prev2) ? Float64Array.from(out) : st === ShieldState.Hold ? rest : null;
      prev2.set(prev);
      prev.set(out);
      history++;
    }
    prevState = st;
    plant.step(sh.hasOutput ? sh.output : null, dt, 0.002);
  }
  expect(sh.status.relaxations[Constraint.Velocity]).toBe(0);
  expect(sh.status.relaxations[Constraint.Acceleration]).toBe(0);
}

function equal(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Smooth in-limit trajectories on a tracking plant: every output must equal the candidate bit for bit. */
function safeRun(p: RunParams, ticks: number): void {
  const { r, urdf, sh, lo, hi, vmax, emax, dt, decel } = setup({ ...p, interpolation: 'none', autoActivate: true });
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

  it('no output violates position, velocity, acceleration or (when attainable) effort limits; holds hold; nothing goes non-finite', { timeout: 400_000 }, () => {
    const cov = coverage();
    fc.assert(fc.property(runArb, (p) => adversarialRun(p, 4000, cov)), { numRuns: 220, seed: 20240611 });
    expect(cov.effortChecked).toBeGreaterThan(100_000);
    // the run covered what it claims: e-stop → reset → held → activate, clock jumps both ways in every state, overflow inputs
    expect(cov.estopTicks).toBeGreaterThan(10_000);
    expect(cov.heldAfterReset).toBeGreaterThan(10_000);
    expect(cov.activatedAfterReset).toBeGreaterThan(20);
    for (let s = 0; s < 4; s++) {
      expect(cov.jumpsBack[s], `backward jumps in state ${s}`).toBeGreaterThan(5);
      expect(cov.jumpsForward[s], `forward jumps in state ${s}`).toBeGreaterThan(5);
    }
    expect(cov.outOfRange).toBeGreaterThan(1000);
    process.stderr.write(`shield property coverage: ${JSON.stringify(cov)}\n`);
  });

  it('safe commands pass through bit for bit', () => {
    fc.assert(fc.property(runArb, (p) => safeRun(p, 1500)), { numRuns: 80, seed: 7 });
  });
});
