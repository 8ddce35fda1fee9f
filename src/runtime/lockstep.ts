/**
 * The lockstep runner: one physics step, then the bus clock advanced to the
 * new sim time (firing every due node timer), then any inference those
 * timers started is awaited before the next step. Sim time is the only
 * clock, so a run is deterministic and can go as fast as the CPU allows or
 * be paced to the wall clock on absolute deadlines (no drift).
 *
 * Order within one step k (sim time t_k = k·dt):
 *   1. `beforeStep(t_{k-1})`  — scripted operator actions due now
 *   2. sim.advance()          — scenario dynamics due now, physics step, sensor publications
 *   3. bus.advanceTo(t_k)     — policy / shield / diagnostics timers
 *   4. await bus.settle()     — only when a callback returned a promise
 *   5. realtime: sleep until start + k·dt
 * A shield command published in step k is applied by the sim in step k+1:
 * one physics step of actuation latency, as on hardware.
 */
import { DeadlineSchedule, monotonicNs } from '../timing/index.js';
import type { EmbeddedBus } from '../transport/bus/index.js';

/** What the runner needs of the simulation node. */
export interface SteppedSim {
  /** One physics step (with its publications). */
  advance(): void;
  /** Publishes the initial state at t = 0. */
  publishState(): void;
  readonly sim: { readonly time: number; readonly timestepS: number };
}

export interface LockstepOptions {
  bus: EmbeddedBus;
  sim: SteppedSim;
  durationS: number;
  /** Pace to the wall clock (real time) instead of running as fast as possible. */
  realtime: boolean;
  /**
   * Called once at t = 0 after the initial state is published and the t = 0
   * timers ran, before the first physics step (e.g. the policy's first tick
   * at t = 0); may be async (an inference).
   */
  atStart?: () => void | Promise<void>;
  /** Called before each physics step with the current sim time (s); may be async (service calls). */
  beforeStep?: (simTimeS: number) => void | Promise<void>;
  /**
   * Gives the event loop a turn about every this much sim time, s (omit: never beyond the bus's own
   * awaits). The live view and the recorder do their I/O in event-loop turns; with synchronous
   * inference a run may otherwise never yield, and a live client would see nothing.
   */
  yieldEveryS?: number;
  /** Called about every `progressEveryS` of sim time. */
  onProgress?: (simTimeS: number) => void;
  progressEveryS?: number;
  /** Checked after every step: true ends the run there (`steps` then counts the steps run). */
  shouldStop?: (simTimeS: number) => boolean;
}

export interface LockstepResult {
  steps: number;
  simTimeS: number;
  wallTimeS: number;
  /** Sim time / wall time. */
  realTimeFactor: number;
  /** Steps whose inference had to be awaited. */
  awaitedSteps: number;
  /** Realtime mode: steps that started after their deadline, and the worst lateness. */
  overruns: number;
  maxLatenessUs: number;
  /** Realtime mode: lateness of the wake-ups at each step's deadline, µs (NaN when not realtime). */
  latenessP50Us: number;
  latenessP99Us: number;
  latenessP999Us: number;
}

/** Resolves after the event loop has run its pending I/O callbacks once. */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lateness samples kept for the percentiles (the first this many steps of a realtime run). */
const MAX_LATENESS_SAMPLES = 1 << 20;

/** The q-quantile (nearest rank) of the first `n` values of `xs` (sorted in place). */
function quantile(xs: Float64Array, n: number, q: number): number {
  if (n === 0) return NaN;
  return xs[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

export async function runLockstep(opts: LockstepOptions): Promise<LockstepResult> {
  const { bus, sim } = opts;
  const dt = sim.sim.timestepS;
  const stepNs = BigInt(Math.round(dt * 1e9));
  if (!(opts.durationS > 0)) throw new Error(`duration must be positive, got ${opts.durationS} s`);
  const steps = Math.round(opts.durationS / dt);
  const progressEvery = Math.max(1, Math.round((opts.progressEveryS ?? 0.1) / dt));
  const yieldEvery = opts.yieldEveryS !== undefined ? Math.max(1, Math.round(opts.yieldEveryS / dt)) : 0;
  const schedule = opts.realtime ? new DeadlineSchedule(stepNs) : undefined;
  const lateness = new Float64Array(schedule ? Math.min(steps, MAX_LATENESS_SAMPLES) : 0);
  let latenessCount = 0;
  const t0 = monotonicNs();
  let awaited = 0;
  let nowNs = 0n;
  let ran = 0;

  sim.publishState();
  bus.advanceTo(0n);
  if (bus.busy) await bus.settle();
  if (opts.atStart) {
    const r = opts.atStart();
    if (r) await r;
    if (bus.busy) await bus.settle();
  }

  for (let k = 1; k <= steps; k++) {
    if (opts.beforeStep) {
      const r = opts.beforeStep(sim.sim.time);
      if (r) await r;
    }
    sim.advance();
    nowNs += stepNs;
    bus.advanceTo(nowNs);
    if (bus.busy) {
      awaited++;
      await bus.settle();
    }
    if (schedule) {
      const lateNs = schedule.wait();
      if (latenessCount < lateness.length) lateness[latenessCount++] = Number(lateNs) / 1e3;
    }
    ran = k;
    if (yieldEvery > 0 && k % yieldEvery === 0) await eventLoopTurn();
    if (opts.shouldStop?.(sim.sim.time)) break;
    if (opts.onProgress && k % progressEvery === 0 && k < steps) opts.onProgress(sim.sim.time);
  }
  opts.onProgress?.(opts.durationS);
  const wallTimeS = Number(monotonicNs() - t0) * 1e-9;
  const simTimeS = sim.sim.time;
  const late = lateness.subarray(0, latenessCount).sort();
  return {
    steps: ran,
    simTimeS,
    wallTimeS,
    realTimeFactor: simTimeS / wallTimeS,
    awaitedSteps: awaited,
    overruns: schedule?.overruns ?? 0,
    maxLatenessUs: schedule ? Number(schedule.maxLatenessNs) / 1e3 : 0,
    latenessP50Us: quantile(late, latenessCount, 0.5),
    latenessP99Us: quantile(late, latenessCount, 0.99),
    latenessP999Us: quantile(late, latenessCount, 0.999),
  };
}
