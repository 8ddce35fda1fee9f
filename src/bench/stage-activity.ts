/**
 * Which shield stages did something on each tick, for the shield bench: a
 * stage is *active* on a tick when it changed the command on at least one
 * joint (the shield's per-constraint intervention counter grew) or could not
 * be met and was relaxed (its relaxation counter grew). A tick *has barrier
 * rows* when the self-collision/workspace model put at least one row into the
 * barrier set (the projection with barriers then runs, active or not).
 *
 * Pure: reads the counters the shield already keeps (`ShieldStatus`) and
 * wraps the barrier source; allocates nothing per tick.
 */
import { CONSTRAINT_COUNT, CONSTRAINT_NAMES } from '../safety/band.js';
import type { BarrierSet } from '../safety/barrier.js';
import type { BarrierSource } from '../safety/barrier-stage.js';

/** The cumulative counters a shield keeps (`ShieldStatus.interventions` / `.relaxations`, index = Constraint). */
export interface StageCounters {
  readonly interventions: Uint32Array;
  readonly relaxations: Uint32Array;
}

export class StageActivity {
  /** Ticks observed. */
  ticks = 0;
  /** Ticks on which constraint c changed the command on ≥ 1 joint or was relaxed (index = Constraint). */
  readonly activeTicks = new Uint32Array(CONSTRAINT_COUNT);
  private readonly lastInt = new Uint32Array(CONSTRAINT_COUNT);
  private readonly lastRel = new Uint32Array(CONSTRAINT_COUNT);

  /** Starts counting from the counters as they are now (earlier ticks are not counted). */
  constructor(counters: StageCounters) {
    this.lastInt.set(counters.interventions);
    this.lastRel.set(counters.relaxations);
  }

  /** Call once after each tick with the same counters. */
  record(counters: StageCounters): void {
    this.ticks++;
    const ints = counters.interventions;
    const rels = counters.relaxations;
    for (let c = 0; c < CONSTRAINT_COUNT; c++) {
      const i = ints[c]!;
      const r = rels[c]!;
      if (i !== this.lastInt[c] || r !== this.lastRel[c]) this.activeTicks[c]!++;
      this.lastInt[c] = i;
      this.lastRel[c] = r;
    }
  }

  /** Share of observed ticks (0..1) on which the named constraint was active; NaN before any tick. */
  share(name: (typeof CONSTRAINT_NAMES)[number]): number {
    const c = CONSTRAINT_NAMES.indexOf(name);
    return this.ticks === 0 ? Number.NaN : this.activeTicks[c]! / this.ticks;
  }
}

/** A barrier source that counts the evaluations that produced rows; otherwise the wrapped source itself. */
export class RowCountingSource implements BarrierSource {
  /** Evaluations (one per shield tick that reaches the barrier stage). */
  evaluations = 0;
  /** Evaluations that left ≥ 1 row in the set. */
  withRows = 0;
  /** Rows summed over all evaluations. */
  rows = 0;
  /** Most rows in one evaluation. */
  maxRows = 0;

  constructor(private readonly inner: BarrierSource) {}

  evaluate(p: Float64Array, set: BarrierSet, lo: Float64Array, hi: Float64Array): void {
    this.inner.evaluate(p, set, lo, hi);
    const m = set.m;
    this.evaluations++;
    if (m > 0) this.withRows++;
    this.rows += m;
    if (m > this.maxRows) this.maxRows = m;
  }

  values(p: Float64Array, set: BarrierSet, out: Float64Array): void {
    this.inner.values(p, set, out);
  }

  /** Zeroes the counters (e.g. after a warm-up). */
  clear(): void {
    this.evaluations = 0;
    this.withRows = 0;
    this.rows = 0;
    this.maxRows = 0;
  }
}
