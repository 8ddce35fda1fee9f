/**
 * Shield interventions split by scenario phase: a phase starts at t = 0 and
 * at every scripted dynamics change or operator action, so the summary can
 * say which stage acted when (e.g. the effort stage after a payload is added)
 * rather than one share for the whole run. Snapshots are taken only at phase
 * boundaries (a few per run), never per tick.
 */
import { CONSTRAINT_NAMES } from '../safety/band.js';
import { ShieldState, type ShieldStatus } from '../safety/status.js';

export interface PhaseEvent {
  atS: number;
  /** e.g. `add_payload left_rubber_hand`, `estop`. */
  label: string;
}

export interface InterventionPhase {
  fromS: number;
  toS: number;
  /** What starts the phase (`start` for the first). */
  events: string[];
  /** Shield ticks in the phase. */
  ticks: number;
  /** Time the shield spent ACTIVE in the phase, s. */
  activeS: number;
  /** Ticks whose output differed from the target. */
  interventionTicks: number;
  /** Joint-ticks changed per stage (stages that acted only). */
  interventions: Record<string, number>;
}

interface Snapshot {
  atS: number;
  ticks: number;
  activeS: number;
  interventionTicks: number;
  interventions: Uint32Array;
}

export class InterventionPhases {
  private readonly boundaries: { atS: number; events: string[] }[] = [];
  private readonly snapshots: Snapshot[] = [];
  private next = 0;

  /** `events` within (0, durationS) open phases; several at one time open one phase. */
  constructor(events: readonly PhaseEvent[], private readonly durationS: number, private readonly status: ShieldStatus) {
    const sorted = [...events].filter((e) => e.atS > 0 && e.atS < durationS).sort((a, b) => a.atS - b.atS);
    for (const e of sorted) {
      const last = this.boundaries[this.boundaries.length - 1];
      if (last && Math.abs(last.atS - e.atS) < 1e-9) last.events.push(e.label);
      else this.boundaries.push({ atS: e.atS, events: [e.label] });
    }
    this.snapshots.push(this.snapshot(0));
  }

  /** Call before each physics step with the sim time; snapshots when a boundary is reached. */
  sample(simTimeS: number): void {
    while (this.next < this.boundaries.length && this.boundaries[this.next]!.atS <= simTimeS + 1e-9) {
      this.snapshots.push(this.snapshot(this.boundaries[this.next]!.atS));
      this.next++;
    }
  }

  /** The phases from t = 0 to the end of the run (call once, after the run). */
  finish(endS: number): InterventionPhase[] {
    const snaps = [...this.snapshots, this.snapshot(Math.min(endS, this.durationS))];
    const phases: InterventionPhase[] = [];
    for (let i = 0; i + 1 < snaps.length; i++) {
      const a = snaps[i]!;
      const b = snaps[i + 1]!;
      const interventions: Record<string, number> = {};
      CONSTRAINT_NAMES.forEach((name, c) => {
        const n = b.interventions[c]! - a.interventions[c]!;
        if (c > 0 && n > 0) interventions[name] = n;
      });
      phases.push({
        fromS: a.atS,
        toS: b.atS,
        events: i === 0 ? ['start'] : this.boundaries[i - 1]!.events,
        ticks: b.ticks - a.ticks,
        activeS: Number((b.activeS - a.activeS).toFixed(3)),
        interventionTicks: b.interventionTicks - a.interventionTicks,
        interventions,
      });
    }
    return phases;
  }

  private snapshot(atS: number): Snapshot {
    const st = this.status;
    return {
      atS,
      ticks: st.ticks,
      activeS: st.timeInStateS[ShieldState.Active]!,
      interventionTicks: st.interventionTicks,
      interventions: Uint32Array.from(st.interventions),
    };
  }
}
