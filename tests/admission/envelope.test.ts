/**
 * The observation/action envelope (pure): bounds derived from the robot's
 * limits and the config's scales only, laid out like the observation vector
 * (term-major or frame-major history), and the per-term share of ticks
 * outside, naming the worst element. Expected values are computed by hand
 * from the limits below.
 */
import { describe, expect, it } from 'vitest';
import { buildEnvelope, EnvelopeMonitor, type EnvelopeContext } from '../../src/admission/index.js';
import { ObservationTermSchema, type ObservationTerm } from '../../src/policy/observation-spec.js';

const term = (t: Record<string, unknown>): ObservationTerm => ObservationTermSchema.parse(t);
const limits = { maxBaseAngVelRadps: 4, maxTiltRad: 0.6, jointMarginRad: 0.05, targetMarginRad: 0.5 };

function ctx(over: Partial<EnvelopeContext> = {}): EnvelopeContext {
  return {
    terms: [
      term({ name: 'ang', source: 'base_ang_vel', scale: 0.25, history: 2 }),
      term({ name: 'grav', source: 'projected_gravity' }),
      term({ name: 'q', source: 'joint_pos_rel' }),
      term({ name: 'dq', source: 'joint_vel', scale: 0.05, history: 2 }),
      term({ name: 'act', source: 'last_action' }),
    ],
    historyLayout: 'term_major',
    joints: ['j0', 'j1'],
    lower: [-1, -2],
    upper: [1, 0.5],
    velocity: [10, 20],
    defaultJointPos: [0.2, -0.5],
    action: { scale: [0.5, 0.25], offset: [0.2, -0.5] },
    limits,
    ...over,
  };
}

/** Equal up to the float32 slack the envelope adds (1e-5 relative). */
const near = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b)) + 1e-12);

describe('admission envelope', () => {
  it('bounds from limits × scale, term-major layout (each term\'s history together)', () => {
    const e = buildEnvelope(ctx());
    // widths: ang 3×2, grav 3, q 2, dq 2×2, act 2 → 17
    expect(e.lo.length).toBe(17);
    // ang: ±4 rad/s × 0.25
    for (let i = 0; i < 6; i++) near(e.hi[i]!, 1);
    near(e.lo[0]!, -1);
    // grav: x, y ∈ ±sin 0.6; z ∈ [−1, −cos 0.6]
    near(e.hi[6]!, Math.sin(0.6));
    near(e.lo[8]!, -1);
    near(e.hi[8]!, -Math.cos(0.6));
    // q: [lower − 0.05 − default, upper + 0.05 − default]
    near(e.lo[9]!, -1.25);
    near(e.hi[9]!, 0.85);
    near(e.lo[10]!, -1.55);
    near(e.hi[10]!, 1.05);
    // dq: ±velocity × 0.05, frame 0 then frame 1
    near(e.hi[11]!, 0.5);
    near(e.hi[12]!, 1);
    near(e.hi[13]!, 0.5);
    expect(e.label[13]).toBe('dq[j0] (history frame 1)');
    // act (raw): targets a·scale + offset within the limits ± 0.5 → a ∈ [(−1.5 − 0.2)/0.5, (1.5 − 0.2)/0.5]
    near(e.lo[15]!, -3.4);
    near(e.hi[15]!, 2.6);
    near(e.lo[16]!, (-2.5 + 0.5) / 0.25);
    near(e.hi[16]!, (1 + 0.5) / 0.25);
    near(e.actionLo[0]!, -3.4);
    expect(e.termOf[16]).toBe(4);
  });

  it('frame-major layout interleaves the terms frame by frame', () => {
    const c = ctx({ terms: [term({ name: 'ang', source: 'base_ang_vel', history: 2 }), term({ name: 'dq', source: 'joint_vel', history: 2 })], historyLayout: 'frame_major' });
    const e = buildEnvelope(c);
    expect(Array.from(e.termOf)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
    expect(e.label[8]).toBe('dq[j0] (history frame 1)');
  });

  it('a processed last action is bounded as a joint target; a negative scale keeps lo ≤ hi', () => {
    const e = buildEnvelope(ctx({ terms: [term({ name: 'act', source: 'last_action', mode: 'processed', scale: -2 })] }));
    // target ∈ [−1.5, 1.5] for j0, × −2 → [−3, 3]
    near(e.lo[0]!, -3);
    near(e.hi[0]!, 3);
    // j1 target ∈ [−2.5, 1] × −2 → [−2, 5]
    near(e.lo[1]!, -2);
    near(e.hi[1]!, 5);
  });

  it('the monitor counts, per term, the ticks with any element outside, and names the worst element', () => {
    const c = ctx({ terms: [term({ name: 'dq', source: 'joint_vel', scale: 0.05 })] });
    const m = new EnvelopeMonitor(buildEnvelope(c));
    const inside = [0.1, -0.2];
    for (let k = 0; k < 6; k++) m.sample(inside, [0, 0]);
    m.sample([0.6, 0], [0, 0]); // j0 at 12 rad/s (limit 10)
    m.sample([0, -1.5], [0, 0]); // j1 at 30 rad/s (limit 20): the worse one
    m.sample([0.3, 0], [9, 0]); // an action beyond the joint range
    m.sample(inside, [0, 0]);
    const [dq, action] = m.report(c.joints);
    expect(dq!.term).toBe('dq');
    expect(dq!.ticks).toBe(10);
    expect(dq!.outTicks).toBe(2);
    expect(dq!.worst!.label).toBe('dq[j1]');
    expect(dq!.worst!.value).toBe(-1.5);
    expect(action!.term).toBe('action');
    expect(action!.outTicks).toBe(1);
    expect(action!.worst!.label).toBe('action[j0]');
  });

  it('non-finite values are outside; a value on a bound (float32 rounding) is inside', () => {
    const c = ctx({ terms: [term({ name: 'dq', source: 'joint_vel', scale: 0.05 })] });
    const m = new EnvelopeMonitor(buildEnvelope(c));
    m.sample(Float32Array.of(0.5, 1), [0, 0]);
    m.sample([NaN, 0], [0, 0]);
    expect(m.report(c.joints)[0]!.outTicks).toBe(1);
  });
});
