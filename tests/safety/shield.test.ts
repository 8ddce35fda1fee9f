import { describe, expect, it } from 'vitest';
import { Constraint } from '../../src/safety/band.js';
import { InputVerdict } from '../../src/safety/inputs.js';
import { notActivatedReason } from '../../src/safety/report.js';
import { Reason, ShieldState } from '../../src/safety/status.js';
import { DT, NAMES, at, command, makeShield, state } from './fixtures.js';
import type { Shield } from '../../src/safety/shield.js';

/** Ticks k0..k1 with the plant at the last command and a candidate every tick. */
function run(sh: Shield, k0: number, k1: number, target: number[] | null, out: number[][] = []): number[][] {
  for (let k = k0; k <= k1; k++) {
    const pos = sh.hasOutput ? Array.from(sh.output) : [0, 0, 0];
    sh.tick(at(k), state(at(k), pos), target ? command(at(k), target) : null);
    if (sh.hasOutput) out.push(Array.from(sh.output));
  }
  return out;
}

describe('shield states', () => {
  it('outputs nothing before the first fresh measured state', () => {
    const sh = makeShield();
    expect(sh.tick(at(0))).toBe('no_output');
    expect(sh.tick(at(1), null, command(at(1), [0, 0, 0]))).toBe('no_output');
    // the start: the measured position, through every stage on the activation tick itself
    expect(sh.tick(at(2), state(at(1), [0, 0, 0]))).toBe('passed');
    expect(Array.from(sh.output)).toEqual([0, 0, 0]);
    expect(sh.tick(at(3))).toBe('passed');
    expect(sh.status.state).toBe(ShieldState.Active);
  });

  it('activates by itself on fresh state within limits, starting from the measured position at rest', () => {
    const sh = makeShield();
    sh.tick(at(0), state(at(0), [0.3, -1, 7]), command(at(0), [0.3, -1, 7]));
    expect(sh.status.state).toBe(ShieldState.Active);
    expect(sh.status.reason).toBe(Reason.AutoActivated);
    expect(Array.from(sh.output)).toEqual([0.3, -1, 7]);
  });

  it('does not activate while the robot is outside its URDF limits', () => {
    const sh = makeShield();
    sh.tick(at(0), state(at(0), [1.2, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Inactive);
    expect(sh.hasOutput).toBe(false);
    expect(sh.activate(at(0))).toBe('out_of_limits');
  });

  it('without autoActivate, waits for an explicit activation', () => {
    const sh = makeShield({}, { autoActivate: false });
    run(sh, 0, 10, [0, 0, 0]);
    expect(sh.status.state).toBe(ShieldState.Inactive);
    expect(sh.hasOutput).toBe(false);
    expect(sh.status.activations).toBe(0);
    expect(notActivatedReason(sh.status, NAMES, false)).toMatch(/no activate request came/);
    expect(sh.activate(at(10))).toBe('activated');
    expect(sh.tick(at(11), state(at(11), [0, 0, 0]), command(at(11), [0, 0, 0]))).toBe('passed');
    expect(sh.tick(at(12), state(at(12), [0, 0, 0]), command(at(12), [0, 0, 0]))).toBe('passed');
    expect(notActivatedReason(sh.status, NAMES, false)).toBeNull();
  });

  it('runs every stage on the first tick after activation (a measured speed beyond the effort bound is braked at once)', () => {
    // joint b moving at 3.9 rad/s (within its 4 rad/s limit): the effort stage wants the command
    // ahead of q by kd·q̇/kp; the acceleration stage (from rest) allows at most A·dt² — so the
    // first output differs from the measured position by exactly the acceleration step.
    const sh = makeShield({}, { autoActivate: false });
    sh.tick(at(0), state(at(0), [0, -1, 0], [0, 3.9, 0]));
    expect(sh.activate(at(0))).toBe('activated');
    sh.tick(at(1), state(at(1), [0, -1, 0], [0, 3.9, 0]), command(at(1), [0, 0.4, 0]));
    expect(sh.output[1]).toBeCloseTo(-1 + 100 * DT * DT, 15);
    expect(sh.output[0]).toBe(0);
  });

  it('says why it never activated: stale or absent state, a joint outside its range, a latched e-stop', () => {
    const sh = makeShield();
    sh.tick(at(0));
    expect(notActivatedReason(sh.status, NAMES, true)).toMatch(/no measured joint state was ever accepted/);
    sh.tick(at(1), state(at(1), [1.5, 0, 0]));
    expect(notActivatedReason(sh.status, NAMES, true)).toBe("measured joint 'a' outside its URDF range or speed limit");
    sh.requestEstop(at(3));
    expect(sh.activate(at(3))).toBe('estop_latched');
    expect(notActivatedReason(sh.status, NAMES, true)).toBe('e-stop latched (reset, then activate)');
    const overflow = makeShield();
    overflow.tick(at(0), state(at(0), [0, 0, 1e300]));
    expect(notActivatedReason(overflow.status, NAMES, true)).toBe('no measured joint state was ever accepted (rejected: 1 out_of_range)');
  });

  it('goes to HOLD when candidates stop, decelerates within the deceleration, holds, and resumes on a fresh candidate', () => {
    const sh = makeShield();
    run(sh, 0, 200, [0.9, 0, 0]); // joint a heads up at its velocity limit
    const out = run(sh, 201, 320, null);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.CandidateTimeout);
    for (let k = 2; k < out.length; k++) {
      const acc = (out[k]![0]! - 2 * out[k - 1]![0]! + out[k - 2]![0]!) / DT ** 2;
      expect(Math.abs(acc)).toBeLessThanOrEqual(100 + 1e-6);
    }
    expect(out.at(-1)![0]).toBe(out.at(-2)![0]);
    run(sh, 321, 330, [0, 0, 0]);
    expect(sh.status.state).toBe(ShieldState.Active);
    expect(sh.status.reason).toBe(Reason.CandidateResumed);
  });

  it('treats stale measured state as a fault: HOLD, no automatic resume, activation once fresh', () => {
    const sh = makeShield();
    run(sh, 0, 10, [0, 0, 0]);
    for (let k = 11; k <= 50; k++) sh.tick(at(k), null, command(at(k), [0, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.MeasuredStale);
    run(sh, 51, 60, [0, 0, 0]);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.activate(at(60))).toBe('activated');
  });

  it('treats stale measured state as an e-stop when configured so', () => {
    const sh = makeShield({}, { watchdog: { onMeasuredFault: 'estop' } });
    run(sh, 0, 10, [0, 0, 0]);
    for (let k = 11; k <= 50; k++) sh.tick(at(k), null, command(at(k), [0, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Estop);
    expect(sh.status.reason).toBe(Reason.MeasuredStale);
  });
});

describe('e-stop', () => {
  it('holds the last command from the next tick on, whatever arrives, until an accepted reset', () => {
    const sh = makeShield();
    run(sh, 0, 50, [0.9, -1.5, 3]);
    sh.requestEstop(at(50));
    const held = run(sh, 51, 300, [-0.9, 0.4, -3]);
    for (const o of held) expect(o).toEqual(held[0]);
    expect(sh.activate(at(300))).toBe('estop_latched');
    expect(sh.status.state).toBe(ShieldState.Estop);
  });

  it('refuses a reset on stale state; a reset only clears the latch: it holds bit for bit until an activate', () => {
    const sh = makeShield();
    run(sh, 0, 50, [0.9, -1.5, 3]);
    sh.requestEstop(at(50));
    const held = Array.from(sh.output);
    for (let k = 51; k < 200; k++) sh.tick(at(k));
    expect(Array.from(sh.output)).toEqual(held);
    expect(sh.requestReset(at(200))).toBe('state_not_fresh');
    sh.tick(at(201), state(at(201), held));
    expect(sh.requestReset(at(201))).toBe('reset');
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.Reset);
    // fresh candidates elsewhere and fresh state: nothing moves, for as long as nobody activates
    for (const o of run(sh, 202, 700, [-0.9, 0.4, -3])) expect(o).toEqual(held);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.activate(at(700))).toBe('activated');
    const after = run(sh, 701, 702, [-0.9, 0.4, -3]);
    expect(sh.status.state).toBe(ShieldState.Active);
    expect(after[0]).not.toEqual(held);
    for (let i = 0; i < 3; i++) expect(Math.abs(after[0]![i]! - held[i]!)).toBeLessThanOrEqual(100 * DT * DT + 1e-15);
  });

  it('automatic activation happens at the first start only, never after an e-stop and reset', () => {
    const sh = makeShield();
    run(sh, 0, 10, [0, 0, 0]);
    expect(sh.status.reason).toBe(Reason.AutoActivated);
    sh.requestEstop(at(10));
    run(sh, 11, 20, [0.5, 0, 0]);
    expect(sh.requestReset(at(20))).toBe('reset');
    run(sh, 21, 500, [0.5, 0, 0]);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.output[0]).toBe(0);
  });

  it('refuses a reset while the robot is outside its limits', () => {
    const sh = makeShield();
    run(sh, 0, 5, [0, 0, 0]);
    sh.requestEstop(at(5));
    sh.tick(at(6), state(at(6), [0, 0.7, 0]));
    expect(sh.requestReset(at(6))).toBe('out_of_limits');
  });
});

describe('input checks', () => {
  it('rejects and counts each kind of bad message, and never uses it', () => {
    const sh = makeShield();
    run(sh, 0, 5, [0, 0, 0]);
    const good = () => command(at(6), [0.001, 0, 0]);
    const bad = [
      [command(at(6), [NaN, 0, 0]), InputVerdict.NonFinite],
      [command(at(6), [0, 0]), InputVerdict.WrongLength],
      [command(at(6), [0, 0, 0], ['a', 'b', 'x']), InputVerdict.UnknownJoint],
      [command(at(6), [0, 0], ['a', 'b']), InputVerdict.MissingJoint],
      [command(at(6), [0, 0, 0], ['a', 'a', 'b']), InputVerdict.DuplicateJoint],
      [command(at(6) - 1, [0, 0, 0]), InputVerdict.Stale],
      [command(at(6) + 1, [0, 0, 0]), InputVerdict.Future],
      [{ ...good(), horizonS: -1 }, InputVerdict.Malformed],
      [command(at(6), [1e308, 0, 0]), InputVerdict.OutOfRange],
      [command(at(6), [0, -1e308, 0]), InputVerdict.OutOfRange],
      [command(at(6), [0, 0, 1e4 + 1e-9]), InputVerdict.OutOfRange],
      [{ ...good(), horizonS: 1e300 }, InputVerdict.OutOfRange],
      [{ ...good(), effort: Float64Array.of(0, 1e308, 0) }, InputVerdict.OutOfRange],
    ] as const;
    for (const [msg, verdict] of bad) expect(sh.offerCandidate(at(6), msg)).toBe(verdict);
    expect(sh.offerMeasured(at(6), state(at(6), [0, Infinity, 0]))).toBe(InputVerdict.NonFinite);
    expect(sh.offerMeasured(at(6), state(at(6), [0, 0, 0], [0]))).toBe(InputVerdict.WrongLength);
    for (const [, verdict] of bad) expect(sh.status.candidate.rejected[verdict]).toBe(bad.filter(([, v]) => v === verdict).length);
    expect(sh.status.measured.rejected[InputVerdict.NonFinite]).toBe(1);
    expect(sh.offerMeasured(at(6), state(at(6), [0, 0, 0], [0, 1e308, 0]))).toBe(InputVerdict.OutOfRange);
    expect(sh.offerMeasured(at(6), state(at(6), [-1e308, 0, 0]))).toBe(InputVerdict.OutOfRange);
    expect(sh.status.measured.rejected[InputVerdict.OutOfRange]).toBe(2);
    expect(sh.offerCandidate(at(6), good())).toBe(InputVerdict.Accepted);
    expect(sh.status.candidate.consecutive).toBe(0);
  });

  it('maps joints by name in any order', () => {
    const sh = makeShield({}, { interpolation: { mode: 'none' } });
    run(sh, 0, 5, [0, 0, 0]);
    sh.tick(at(6), state(at(6), [0, 0, 0]), command(at(6), [0.0003, -0.0002, 0.0001], ['c', 'b', 'a']));
    expect(Array.from(sh.output)).toEqual([0.0001, -0.0002, 0.0003]);
  });

  it('repeated candidate rejections are a fault: HOLD that does not resume by itself', () => {
    const sh = makeShield({}, { inputs: { maxConsecutiveRejections: 3 } });
    run(sh, 0, 5, [0, 0, 0]);
    for (let k = 6; k < 9; k++) sh.tick(at(k), state(at(k), [0, 0, 0]), command(at(k), [NaN, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.CandidateRejected);
    run(sh, 9, 20, [0, 0, 0]);
    expect(sh.status.state).toBe(ShieldState.Hold);
  });

  it('repeated measured-state rejections are a fault', () => {
    const sh = makeShield({}, { inputs: { maxConsecutiveRejections: 3 } });
    run(sh, 0, 5, [0, 0, 0]);
    for (let k = 6; k < 9; k++) sh.tick(at(k), state(at(k), [0, NaN, 0]), command(at(k), [0, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.MeasuredRejected);
  });

  it('accepts partial candidates when allowed; unnamed joints keep the command they had at activation', () => {
    const sh = makeShield({}, { inputs: { allowPartialCandidates: true }, interpolation: { mode: 'none' } });
    sh.tick(at(0), state(at(0), [0.1, -0.2, 0.3]), command(at(0), [0.1], ['a']));
    run(sh, 1, 300, null);
    for (let k = 301; k < 600; k++) sh.tick(at(k), state(at(k), Array.from(sh.output)), command(at(k), [0.5], ['a']));
    expect(Array.from(sh.output)).toEqual([0.5, -0.2, 0.3]);
  });
});

describe('clock and interpolation', () => {
  it('a clock jump backwards (sim reset) while moving brakes to a HOLD that needs an activate, never a jump', () => {
    const sh = makeShield();
    run(sh, 1000, 1100, [0.5, 0, 0]);
    const before = sh.output[0]!;
    const v = sh.outputVelocity[0]!;
    sh.tick(at(0), state(at(0), [-0.5, -1, 0]), command(at(0), [-0.5, -1, 0]));
    expect(sh.status.clockResets).toBe(1);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(sh.status.reason).toBe(Reason.ClockReset);
    // continues from the command it had (braking at most D·dt² off the free path), no re-seed
    expect(Math.abs(sh.output[0]! - (before + v * DT))).toBeLessThanOrEqual(50 * DT * DT + 1e-12);
    const out = run(sh, 1, 400, [-0.5, -1, 0]);
    expect(sh.status.state).toBe(ShieldState.Hold);
    expect(out.at(-1)).toEqual(out.at(-2));
    expect(sh.activate(at(400))).toBe('activated');
  });

  it('a clock jump either way keeps a latched e-stop latched and its output bit for bit', () => {
    const sh = makeShield();
    run(sh, 1000, 1010, [0.3, 0, 0]);
    sh.requestEstop(at(1010));
    sh.tick(at(1011));
    const held = Array.from(sh.output);
    sh.tick(at(0), state(at(0), [0.2, 0, 0]));
    expect(sh.status.state).toBe(ShieldState.Estop);
    expect(Array.from(sh.output)).toEqual(held);
    sh.tick(1e9, state(1e9, [0.2, 0, 0]), command(1e9, [0.9, 0, 0]));
    sh.tick(NaN, state(NaN, [0.2, 0, 0]));
    expect(sh.offerMeasured(NaN, state(0, [0.2, 0, 0]))).toBe(InputVerdict.Malformed);
    expect(sh.offerCandidate(Infinity, command(0, [0.9, 0, 0]))).toBe(InputVerdict.Malformed);
    sh.tick(-1e300);
    expect(sh.status.state).toBe(ShieldState.Estop);
    expect(Array.from(sh.output)).toEqual(held);
  });

  it('a JointTrajectory point is due at header.stamp + time_from_start, stamp 0 meaning now; time_from_start 0 is a step target', () => {
    const sh = makeShield({ accelerationRadPerS2: 1e6, decelerationRadPerS2: 1e5 });
    run(sh, 0, 5, [0, 0, 0]);
    // stamped 4 ticks ago, due 10 ticks after its stamp: reached 6 ticks after arrival
    sh.tick(at(6), state(at(6), [0, 0, 0]), command(at(2), [0.012, 0, 0], undefined, 10 * DT));
    for (let k = 7; k <= 12; k++) sh.tick(at(k), state(at(k), Array.from(sh.output)));
    expect(sh.output[0]).toBe(0.012);
    // stamp 0 = now, with time_from_start 4 ticks
    sh.tick(at(13), state(at(13), Array.from(sh.output)), command(0, [0.016, 0, 0], undefined, 4 * DT));
    expect(sh.output[0]).toBe(0.012);
    for (let k = 14; k <= 17; k++) sh.tick(at(k), state(at(k), Array.from(sh.output)));
    expect(sh.output[0]).toBe(0.016);
    // a step target is taken on its arrival tick (not delayed by a candidate period)
    sh.tick(at(18), state(at(18), Array.from(sh.output)), command(at(18), [0.017, 0, 0]));
    expect(sh.output[0]).toBe(0.017);
  });

  it('ramps linearly from the current target to a new candidate over its time_from_start', () => {
    const sh = makeShield({ accelerationRadPerS2: 1e6, decelerationRadPerS2: 1e5 });
    sh.tick(at(0), state(at(0), [0, 0, 0]), command(at(0), [0, 0, 0]));
    sh.tick(at(1), state(at(1), [0, 0, 0]), command(at(1), [0.02, 0, 0], undefined, 10 * DT));
    const seen = [sh.output[0]];
    for (let k = 2; k <= 12; k++) {
      sh.tick(at(k), state(at(k), Array.from(sh.output)));
      seen.push(sh.output[0]);
    }
    expect(seen[0]).toBe(0);
    expect(seen[5]).toBeCloseTo(0.01, 15);
    expect(seen.slice(10)).toEqual([0.02, 0.02]);
    expect(sh.status.interventions[Constraint.Velocity]).toBe(0);
  });

  it('counts intervention ticks per constraint once per tick, however many joints it changed', () => {
    const sh = makeShield();
    run(sh, 0, 200, [1.5, 0.9, 0]); // two joints asked beyond their upper limits (1, 0.5), every tick
    const st = sh.status;
    expect(st.interventionTicksBy[Constraint.Position]).toBeGreaterThan(100);
    let joints = 0;
    let ticks = 0;
    for (let c = 0; c < st.interventions.length; c++) {
      expect(st.interventionTicksBy[c]).toBeLessThanOrEqual(Math.min(st.interventions[c]!, st.interventionTicks));
      joints += st.interventions[c]!;
      ticks += st.interventionTicksBy[c]!;
    }
    expect(joints).toBeGreaterThan(ticks); // some tick changed both joints under one constraint: counted once there
    const calm = makeShield();
    run(calm, 0, 200, [0, 0, 0]);
    expect(calm.status.interventionTicksBy.every((n) => n === 0)).toBe(true);
  });

  it('accumulates time in each state and records each transition with its reason', () => {
    const sh = makeShield();
    run(sh, 0, 100, [0, 0, 0]);
    sh.requestEstop(at(100));
    run(sh, 101, 150, null);
    expect(sh.status.timeInStateS[ShieldState.Active]).toBeCloseTo(100 * DT, 12);
    expect(sh.status.timeInStateS[ShieldState.Estop]).toBeCloseTo(50 * DT, 12);
    expect(sh.status.last).toEqual({ from: ShieldState.Active, to: ShieldState.Estop, reason: Reason.EstopRequested, atS: at(100) });
  });
});

describe('feed-forward effort', () => {
  it('is passed on saturated to the effort limit and counted in the effort stage', () => {
    const sh = makeShield({}, { feedForwardEffort: true, interpolation: { mode: 'none' } });
    const c = command(at(0), [0, 0, 0]);
    c.effort = Float64Array.of(100, -1, 0);
    sh.tick(at(0), state(at(0), [0, 0, 0]), c);
    c.stampS = at(1);
    sh.tick(at(1), state(at(1), [0, 0, 0]), c);
    expect(Array.from(sh.outputEffort)).toEqual([10, -1, 0]);
  });
});
