/**
 * The adaptation module (RMA-style student): a learned map from a short window of
 * recent states and commands to the dynamics context z, run on its own slower
 * timer beside the policy. Pure core: the contract (what the window holds, what
 * the output means and may be), the window (a ring, filled once per policy
 * tick, allocation-free) and the runner's checks; the ONNX session comes in
 * through the {@link ContextNet} port (src/inference/onnx-context-module.ts).
 *
 * Window signals, per tick and per joint of `joints` (rad, rad/s; the order of
 * the contract's `signals`):
 *   lead            the previous command − the measured position (what the servo was asked to close)
 *   position        the measured position − the policy's default position
 *   velocity        the measured velocity
 *   velocity_change the measured velocity − the previous tick's
 * oldest tick first; each value times its `scale` (so the network sees O(1) inputs).
 *
 * The output is the context, in the order of the contract's `output.names`
 * (for the G1 arms: per arm (compliance change a, payload m kg, added damping b),
 * the residual adapter's context, src/adaptation/context-estimator.ts). An
 * output that is not finite or outside `output.bounds` is not used: the
 * runner counts it and keeps the last good estimate (the consolidated policy's
 * context, all zeros, before the first).
 */
import { z } from 'zod';

export const CONTEXT_MODULE_FORMAT = 'aegis-context-module/1';
export const WINDOW_SIGNALS = ['lead', 'position', 'velocity', 'velocity_change'] as const;
export type WindowSignal = (typeof WINDOW_SIGNALS)[number];

const finite = z.number().finite();

export const ContextModuleContractSchema = z
  .object({
    format: z.literal(CONTEXT_MODULE_FORMAT),
    name: z.string().min(1),
    /** The ONNX file, relative to the contract. */
    model: z.string().min(1),
    description: z.string().default(''),
    /** How often the module runs, Hz (the policy reads the latest output in between). */
    rateHz: finite.positive().max(100).default(10),
    /** The policy ticks the window spans (the newest last). */
    windowTicks: z.number().int().min(1).max(200),
    /** Joints whose signals fill the window (policy joint names), in this order. */
    joints: z.array(z.string().min(1)).min(1),
    /** Per-joint signals per tick, in this order, each with its scale (value × scale is fed). */
    signals: z.array(z.object({ signal: z.enum(WINDOW_SIGNALS), scale: finite.positive() }).strict()).min(1),
    input: z
      .object({
        name: z.string().min(1),
        width: z.number().int().positive(),
        /** The largest |value| (after scaling) a plausible window holds: a window beyond it is absurd and not run (counted). */
        maxAbs: finite.positive().default(100),
      })
      .strict(),
    output: z
      .object({
        name: z.string().min(1),
        /** The meaning of each output entry (its width is their count). */
        names: z.array(z.string().min(1)).min(1),
        /** [low, high] per output entry: an estimate outside is refused (counted), the last good one kept. */
        bounds: z.array(z.tuple([finite, finite])).min(1),
      })
      .strict(),
    /** How the module was trained (documentation: the randomised ranges, the data, the held-out error). */
    training: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const want = c.windowTicks * c.joints.length * c.signals.length;
    if (c.input.width !== want) ctx.addIssue({ code: 'custom', path: ['input', 'width'], message: `must be windowTicks × joints × signals = ${want} (got ${c.input.width})` });
    if (c.output.bounds.length !== c.output.names.length) ctx.addIssue({ code: 'custom', path: ['output', 'bounds'], message: `one [low, high] per output name (${c.output.names.length}), got ${c.output.bounds.length}` });
    c.output.bounds.forEach(([lo, hi], i) => {
      if (!(lo < hi)) ctx.addIssue({ code: 'custom', path: ['output', 'bounds', i], message: `low must be below high (got [${lo}, ${hi}])` });
    });
  });
export type ContextModuleContract = z.infer<typeof ContextModuleContractSchema>;

/** The module's network: one window in, the context out (the ONNX session behind a port). */
export interface ContextNet {
  run(window: Float32Array): Float32Array | Promise<Float32Array>;
}

/**
 * The window: one row per policy tick, `push`ed with the measured state and the command
 * published at that tick; `assemble` writes the network's input, oldest tick first.
 */
export class ContextWindow {
  readonly width: number;
  /** Rows pushed since the last restart (the window is ready once it holds `windowTicks`). */
  count = 0;
  private readonly idx: Int32Array;
  private readonly signal: Int32Array;
  private readonly scale: Float64Array;
  private readonly rows: Float64Array;
  private readonly rowWidth: number;
  private head = 0;
  private readonly lastCommand: Float64Array;
  private readonly lastVelocity: Float64Array;
  private haveLast = false;

  constructor(private readonly contract: ContextModuleContract, policyJoints: readonly string[], private readonly defaultPos: ArrayLike<number>) {
    this.idx = Int32Array.from(contract.joints, (j) => {
      const i = policyJoints.indexOf(j);
      if (i < 0) throw new Error(`adaptation module '${contract.name}': joint '${j}' is not a policy joint`);
      return i;
    });
    this.signal = Int32Array.from(contract.signals, (s) => WINDOW_SIGNALS.indexOf(s.signal));
    this.scale = Float64Array.from(contract.signals, (s) => s.scale);
    this.rowWidth = contract.joints.length * contract.signals.length;
    this.width = contract.windowTicks * this.rowWidth;
    this.rows = new Float64Array(this.width);
    this.lastCommand = new Float64Array(this.idx.length);
    this.lastVelocity = new Float64Array(this.idx.length);
  }

  get ready(): boolean {
    return this.count >= this.contract.windowTicks;
  }

  /**
   * One policy tick: the measured state `q`, `qd` and the command `command` just published (policy order).
   * A non-finite value restarts the window (no row spans it); the first tick after a restart only
   * remembers the command and velocity. Returns false when the tick was refused.
   */
  push(q: ArrayLike<number>, qd: ArrayLike<number>, command: ArrayLike<number>): boolean {
    const n = this.idx.length;
    for (let k = 0; k < n; k++) {
      const j = this.idx[k]!;
      if (!Number.isFinite(q[j]!) || !Number.isFinite(qd[j]!) || !Number.isFinite(command[j]!)) {
        this.restart();
        return false;
      }
    }
    if (this.haveLast) {
      const o = this.head * this.rowWidth;
      const ns = this.signal.length;
      for (let k = 0; k < n; k++) {
        const j = this.idx[k]!;
        for (let s = 0; s < ns; s++) {
          let v = 0;
          switch (this.signal[s]) {
            case 0: v = this.lastCommand[k]! - q[j]!; break;
            case 1: v = q[j]! - this.defaultPos[j]!; break;
            case 2: v = qd[j]!; break;
            default: v = qd[j]! - this.lastVelocity[k]!;
          }
          this.rows[o + k * ns + s] = v * this.scale[s]!;
        }
      }
      this.head = (this.head + 1) % this.contract.windowTicks;
      this.count++;
    }
    for (let k = 0; k < n; k++) {
      this.lastCommand[k] = command[this.idx[k]!]!;
      this.lastVelocity[k] = qd[this.idx[k]!]!;
    }
    this.haveLast = true;
    return true;
  }

  /** The window, oldest tick first, into `out` (length `width`). */
  assemble(out: Float32Array): void {
    const W = this.contract.windowTicks;
    const rw = this.rowWidth;
    for (let t = 0; t < W; t++) {
      const src = ((this.head + t) % W) * rw;
      for (let i = 0; i < rw; i++) out[t * rw + i] = this.rows[src + i]!;
    }
  }

  restart(): void {
    this.count = 0;
    this.head = 0;
    this.haveLast = false;
  }
}

/** Why the latest output was not used (or, `absurd_window`, the module not run). */
export type ContextRefusal = 'not_finite' | 'out_of_bounds' | 'absurd_window';

/**
 * Runs the module at its rate: `due(now)` says when, `input` holds the assembled window, `accept`
 * checks the network's output and keeps it as `z` (or counts why not).
 */
export class ContextModuleRunner {
  readonly window: ContextWindow;
  /** The network's input buffer (assembled by {@link ContextModuleRunner.prepare}). */
  readonly input: Float32Array;
  /** The latest accepted context (zeros before the first: the nominal context). */
  readonly z: Float64Array;
  readonly periodS: number;
  runs = 0;
  accepted = 0;
  refused: Record<ContextRefusal, number> = { not_finite: 0, out_of_bounds: 0, absurd_window: 0 };
  /** Time of the latest accepted output, s (NaN before the first). */
  acceptedAtS = NaN;
  /** Times the context went stale (no accepted output for `staleAfterS`) and was set back to the nominal (zeros). */
  staleResets = 0;
  /** No accepted output for this long: the context is no longer trusted, s (10 module periods). */
  readonly staleAfterS: number;
  private nextS = -Infinity;
  /** `window.count` at the last run: a run needs fresh rows (a window that stopped filling is not re-run). */
  private countAtRun = -1;
  private lastRunS = -Infinity;

  constructor(readonly contract: ContextModuleContract, policyJoints: readonly string[], defaultPos: ArrayLike<number>) {
    this.window = new ContextWindow(contract, policyJoints, defaultPos);
    this.input = new Float32Array(this.window.width);
    this.z = new Float64Array(contract.output.names.length);
    this.periodS = 1 / contract.rateHz;
    this.staleAfterS = 10 * this.periodS;
  }

  /**
   * True once, when the latest accepted output is older than `staleAfterS` at `nowS` (the window not
   * filling, absurd windows or refused outputs), or when the clock went back: `z` is set back to the
   * nominal context (zeros) and counted, so its readers stop holding an old estimate (the adapter's
   * context term then adds nothing; its per-joint corrections stay).
   */
  expire(nowS: number): boolean {
    if (nowS < this.lastRunS) {
      // the clock went back (a sim reset): a new run of the robot, whose context is not known yet
      this.nextS = -Infinity;
      this.lastRunS = -Infinity;
      this.window.restart();
      this.acceptedAtS = -Infinity; // expires below
    }
    if (!(nowS - this.acceptedAtS > this.staleAfterS)) return false;
    this.z.fill(0);
    this.acceptedAtS = NaN; // stale until the next accepted output
    this.staleResets++;
    return true;
  }

  /**
   * True when a run is due at `nowS` and the window is full and plausible; then the input is assembled and
   * the next run scheduled. A window with a value beyond `input.maxAbs` is not run (counted as
   * `absurd_window`): the last good context stands.
   */
  prepare(nowS: number): boolean {
    if (!this.window.ready || nowS < this.nextS || this.window.count === this.countAtRun) return false;
    this.window.assemble(this.input);
    this.nextS = nowS + this.periodS - 1e-9;
    this.countAtRun = this.window.count;
    this.lastRunS = nowS;
    const max = this.contract.input.maxAbs;
    for (let i = 0; i < this.input.length; i++) {
      if (!(Math.abs(this.input[i]!) <= max)) {
        this.refused.absurd_window++;
        return false;
      }
    }
    return true;
  }

  /** Checks the network's output; keeps it as `z` when every entry is finite and within its bounds. */
  accept(out: ArrayLike<number>, nowS: number): ContextRefusal | null {
    this.runs++;
    const b = this.contract.output.bounds;
    let refusal: ContextRefusal | null = null;
    for (let i = 0; i < this.z.length; i++) {
      const v = out[i]!;
      if (!Number.isFinite(v)) {
        refusal = 'not_finite';
        break;
      }
      if (v < b[i]![0] || v > b[i]![1]) refusal = 'out_of_bounds';
    }
    if (refusal) {
      this.refused[refusal]++;
      return refusal;
    }
    for (let i = 0; i < this.z.length; i++) this.z[i] = out[i]!;
    this.accepted++;
    this.acceptedAtS = nowS;
    return null;
  }
}

/**
 * What reads the module's output, and whether the widths agree: the adapter's context (`context.source:
 * module`; its width, or null when the adapter identifies its own) and the policy's `context_latent` term
 * (its width, 0 when the observation has none). A module that nothing reads is a problem too.
 */
export function contextModuleReaders(contract: ContextModuleContract, readers: { adapterContextWidth: number | null; policyLatentWidth: number }): string[] {
  const width = contract.output.names.length;
  const problems: string[] = [];
  if (readers.adapterContextWidth !== null && readers.adapterContextWidth !== width) {
    problems.push(`its output has ${width} values, the adapter's context ${readers.adapterContextWidth} (3 per joint group)`);
  }
  if (readers.policyLatentWidth > 0 && readers.policyLatentWidth !== width) {
    problems.push(`its output has ${width} values, the policy's context_latent term reads ${readers.policyLatentWidth}`);
  }
  if (readers.adapterContextWidth === null && readers.policyLatentWidth === 0) {
    problems.push("nothing reads its output: set adapter.context.source to 'module', or use a policy whose observation has a context_latent term");
  }
  return problems;
}
