import { describe, expect, it } from 'vitest';
import { createObservationInputs, ObservationAssembler } from '../../src/policy/observation.js';
import { ObservationSpecSchema, type ObservationSpecInput } from '../../src/policy/observation-spec.js';
import { projectedGravityXyzw } from '../../src/policy/orientation.js';

const DEFAULT = Float64Array.of(0.1, -0.2);

function assembler(spec: ObservationSpecInput): ObservationAssembler {
  return new ObservationAssembler(ObservationSpecSchema.parse(spec), DEFAULT);
}

/** Two recorded frames of a 2-joint robot. */
function recordedFrames() {
  const f1 = createObservationInputs(2);
  f1.baseAngVel.set([1, 2, 3]);
  f1.jointPos.set([0.6, -0.2]);
  const f2 = createObservationInputs(2);
  f2.baseAngVel.set([-1, 0, 4]);
  f2.jointPos.set([0.1, 1.5]);
  f2.lastActionRaw.set([0.5, -0.5]);
  return [f1, f2] as const;
}

type Terms = ObservationSpecInput['terms'];
const HISTORY_TERMS: Terms = [
  { name: 'ang', source: 'base_ang_vel', scale: 0.5, history: 2 },
  { name: 'jp', source: 'joint_pos_rel', clip: [-1, 1], history: 2 },
  { name: 'act', source: 'last_action', history: 2 },
];

// Hand-computed frames: ang = 0.5·gyro; jp = clip(q − default, ±1); act = raw last action.
const ANG1 = [0.5, 1, 1.5], ANG2 = [-0.5, 0, 2];
const JP1 = [0.5, 0], JP2 = [0, 1]; // 1.5 − (−0.2) = 1.7 → clipped to 1
const ACT1 = [0, 0], ACT2 = [0.5, -0.5];

function expectVector(got: Float32Array, want: number[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i], `element ${i}`).toBeCloseTo(w, 5));
}

describe('observation assembly (golden fixtures)', () => {
  it('term_major history (Isaac Lab): each term lists its own frames oldest first', () => {
    const a = assembler({ historyLayout: 'term_major', terms: [...HISTORY_TERMS] });
    const [f1, f2] = recordedFrames();
    expect(a.assemble(f1)).toBe('ok');
    // the first frame fills the whole history
    expectVector(a.out, [...ANG1, ...ANG1, ...JP1, ...JP1, ...ACT1, ...ACT1]);
    a.assemble(f2);
    expectVector(a.out, [...ANG1, ...ANG2, ...JP1, ...JP2, ...ACT1, ...ACT2]);
  });

  it('frame_major history: whole frames stacked oldest first', () => {
    const a = assembler({ historyLayout: 'frame_major', terms: [...HISTORY_TERMS] });
    const [f1, f2] = recordedFrames();
    a.assemble(f1);
    a.assemble(f2);
    expectVector(a.out, [...ANG1, ...JP1, ...ACT1, ...ANG2, ...JP2, ...ACT2]);
  });

  it('a third frame drops the oldest; newest_first reverses the frames; zeros init leaves the past empty', () => {
    const [f1, f2] = recordedFrames();
    const a = assembler({ historyOrder: 'newest_first', terms: [{ name: 'ang', source: 'base_ang_vel', scale: 0.5, history: 2 }] });
    a.assemble(f1);
    a.assemble(f2);
    expectVector(a.out, [...ANG2, ...ANG1]);
    a.assemble(f1);
    expectVector(a.out, [...ANG1, ...ANG2]);
    const z = assembler({ historyInit: 'zeros', terms: [{ name: 'ang', source: 'base_ang_vel', scale: 0.5, history: 3 }] });
    z.assemble(f1);
    expectVector(z.out, [0, 0, 0, 0, 0, 0, ...ANG1]);
  });

  it('alphabetical term order sorts by term name; as_listed keeps the listed order', () => {
    const terms: Terms = [
      { name: 'vel', source: 'joint_vel', scale: 0.05 },
      { name: 'gravity', source: 'projected_gravity' },
      { name: 'cmd', source: 'velocity_command', scale: [2, 2, 0.25], ranges: [[-1, 1], [-0.5, 0.5], [-1, 1]] },
    ];
    const s = createObservationInputs(2);
    s.jointVel.set([0.4, -2]);
    s.baseQuatXyzw.set([0, Math.sin(0.1), 0, Math.cos(0.1)]); // pitched nose-down by 0.2 rad
    s.velocityCommand.set([1.5, -0.3, 0.8]);
    // cmd: clamp (1.5 → 1) then ×[2, 2, 0.25]; gravity: [sin 0.2, 0, −cos 0.2]; vel: ×0.05
    const CMD = [2, -0.6, 0.2], GRAV = [0.198669, 0, -0.980067], VEL = [0.02, -0.1];
    const alpha = assembler({ termOrder: 'alphabetical', terms: [...terms] });
    alpha.assemble(s);
    expectVector(alpha.out, [...CMD, ...GRAV, ...VEL]);
    expect(alpha.layout.map((t) => t.name)).toEqual(['cmd', 'gravity', 'vel']);
    const listed = assembler({ terms: [...terms] });
    listed.assemble(s);
    expectVector(listed.out, [...VEL, ...GRAV, ...CMD]);
  });

  it('phase is [sin, cos] of 2π·t/period (two feet: right offset by half a period); time_step counts ticks', () => {
    const a = assembler({
      terms: [
        { name: 'phase', source: 'phase', periodS: 4 },
        { name: 'phase2', source: 'phase', periodS: 4, feet: 2 },
        { name: 'ts', source: 'time_step' },
      ],
    });
    const s = createObservationInputs(2);
    s.timeS = 1;
    s.step = 50;
    a.assemble(s);
    expectVector(a.out, [1, 0, 1, 0, -1, 0, 50]);
  });

  it('last_action mode picks raw, clipped or processed (the joint target)', () => {
    const s = createObservationInputs(2);
    s.lastActionRaw.set([12, 1]);
    s.lastActionClipped.set([10, 1]);
    s.lastActionProcessed.set([2.6, 0.05]);
    for (const [mode, want] of [['raw', [12, 1]], ['clipped', [10, 1]], ['processed', [2.6, 0.05]]] as const) {
      const a = assembler({ terms: [{ name: 'a', source: 'last_action', mode }] });
      a.assemble(s);
      expectVector(a.out, [...want]);
    }
  });

  it('clip_then_scale (Isaac Lab) and scale_then_clip differ as documented', () => {
    const s = createObservationInputs(2);
    s.jointVel.set([30, -1]);
    const term: Terms[number] = { name: 'v', source: 'joint_vel', scale: 0.05, clip: [-10, 10] };
    const a = assembler({ terms: [term] });
    a.assemble(s);
    expectVector(a.out, [0.5, -0.05]); // clip(30) = 10, ×0.05
    const b = assembler({ clipOrder: 'scale_then_clip', terms: [term] });
    b.assemble(s);
    expectVector(b.out, [1.5, -0.05]);
  });

  it('reports a non-finite value and names the term', () => {
    const a = assembler({ terms: [{ name: 'ang', source: 'base_ang_vel' }, { name: 'jp', source: 'joint_pos_rel' }] });
    const s = createObservationInputs(2);
    s.jointPos[1] = NaN;
    expect(a.assemble(s)).toBe('non_finite');
    expect(a.lastNonFiniteTerm).toBe('jp');
  });

  it('rejects specs that cannot be assembled, naming the field', () => {
    const bad = ObservationSpecSchema.safeParse({
      historyLayout: 'frame_major',
      terms: [
        { name: 'a', source: 'joint_vel', history: 2 },
        { name: 'a', source: 'joint_pos_rel', history: 3 },
        { name: 'x', source: 'no_such_source' },
      ],
    });
    expect(bad.success).toBe(false);
    const msgs = bad.success ? [] : bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs.join('\n')).toMatch(/terms\.2\.source/);
    const dup = ObservationSpecSchema.safeParse({ historyLayout: 'frame_major', terms: [{ name: 'a', source: 'joint_vel', history: 2 }, { name: 'a', source: 'joint_pos_rel', history: 3 }] });
    const dupMsgs = dup.success ? '' : dup.error.issues.map((i) => i.message).join('\n');
    expect(dupMsgs).toMatch(/duplicate term name 'a'/);
    expect(dupMsgs).toMatch(/one history length/);
    expect(() => assembler({ terms: [{ name: 'v', source: 'joint_vel', scale: [1, 2, 3] }] })).toThrow(/term 'v' has width 2 but 3 scale values/);
  });
});

describe('projected gravity', () => {
  it('is [0, 0, −1] upright, tips toward +x when pitched nose-down and toward −y when rolled about +x', () => {
    const g = new Float64Array(3);
    projectedGravityXyzw([0, 0, 0, 1], g);
    expect(Array.from(g, (v) => v + 0)).toEqual([0, 0, -1]);
    const th = 0.3;
    projectedGravityXyzw([0, Math.sin(th / 2), 0, Math.cos(th / 2)], g);
    expect(g[0]).toBeCloseTo(Math.sin(th), 12);
    expect(g[2]).toBeCloseTo(-Math.cos(th), 12);
    // roll by +θ about x: gravity in the body frame is [0, −sin θ, −cos θ]
    projectedGravityXyzw([Math.sin(th / 2), 0, 0, Math.cos(th / 2)], g);
    expect(g[1]).toBeCloseTo(-Math.sin(th), 12);
    expect(g[2]).toBeCloseTo(-Math.cos(th), 12);
    // a non-unit quaternion is normalised
    projectedGravityXyzw([0, 2 * Math.sin(th / 2), 0, 2 * Math.cos(th / 2)], g);
    expect(g[0]).toBeCloseTo(Math.sin(th), 12);
  });
});
