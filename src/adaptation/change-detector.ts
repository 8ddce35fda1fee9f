/**
 * Page–Hinkley change-point detector for an increase in the mean of a scalar
 * stream (here: the normalised one-step prediction error of the active
 * regime's servo model, ≈ 1 while the model fits).
 *
 *   m_t = Σ_{i ≤ t} (x_i − x̄_i − δ),   M_t = min_{i ≤ t} m_i,   alarm when m_t − M_t > h
 *
 * with x̄ the in-control mean: known (`reference`, default 1) or the running
 * mean since the last reset (`reference: 'running'`). `δ` is the tolerated drift
 * (in the stream's units) and `h` the threshold: larger h → fewer false
 * alarms, longer delay (for a mean step of size Δ ≫ δ the delay is ≈ h / (Δ − δ)
 * samples after the warm-up, at least 2 for a step above the clip). Inputs
 * are clipped to `clip` so one absurd sample cannot raise an alarm alone; non-finite samples are ignored and
 * counted.
 *
 * Stalled stream: a sample whose time does not advance, or `repeatLimit`
 * bit-identical values in a row (a frozen sensor), is not used and the
 * detector reports `stalled` until a fresh sample arrives; so does a stream
 * with no sample for `stallTimeoutS` (see {@link PageHinkley.stalledAt}).
 * The caller falls back to the consolidated policy while stalled.
 */
import { z } from 'zod';

export const PageHinkleyConfigSchema = z
  .object({
    /**
     * The in-control mean x̄: a number (the stream's known level under a fitting model; the adapter's
     * normalised error is ≈ 1 by construction), or 'running' (the running mean since the last reset:
     * classic Page–Hinkley, which cannot see a stream that is already high when it starts).
     */
    reference: z.union([z.number(), z.literal('running')]).default(1),
    /** Tolerated drift δ of the mean, stream units (normalised error: 1 = the noise level). */
    delta: z.number().nonnegative().default(0.5),
    /** Alarm threshold h, stream units × samples. Default 6: at δ 0.5 on unit-mean χ²-like noise, no alarm in 10⁴ samples in the tests; a 10× mean step alarms in 1–2 samples. */
    threshold: z.number().positive().default(6),
    /** Samples after a reset before an alarm can be raised (the running mean settles). */
    warmup: z.number().int().nonnegative().default(3),
    /** Samples are clipped to this, stream units: with clip − x̄ − δ < h (defaults: 6 − 1 − 0.5 < 6) one outlier alone cannot raise an alarm; a large step alarms on its 2nd sample. */
    clip: z.number().positive().default(6),
    /** No fresh sample for this long → stalled, s. */
    stallTimeoutS: z.number().positive().default(0.2),
    /** This many bit-identical samples in a row → stalled (frozen input). */
    repeatLimit: z.number().int().min(2).default(10),
  })
  .strict();
export type PageHinkleyConfig = z.infer<typeof PageHinkleyConfigSchema>;

export type DetectorVerdict = 'ok' | 'alarm' | 'ignored' | 'stalled';

export interface DetectorStats {
  samples: number;
  alarms: number;
  /** Non-finite samples (ignored). */
  nonFinite: number;
  /** Samples whose time did not advance or that repeated bit-identically (ignored). */
  stalledSamples: number;
}

export class PageHinkley {
  readonly config: PageHinkleyConfig;
  readonly stats: DetectorStats = { samples: 0, alarms: 0, nonFinite: 0, stalledSamples: 0 };
  private n = 0;
  private mean = 0;
  private cum = 0;
  private minCum = 0;
  /** Sample index (since reset) where the cumulative sum was lowest: the change estimate. */
  private minAt = 0;
  private lastT = -Infinity;
  private lastX = NaN;
  private repeats = 0;
  private frozen = false;

  constructor(config: z.input<typeof PageHinkleyConfigSchema> = {}) {
    this.config = PageHinkleyConfigSchema.parse(config);
  }

  /** Starts over (after an alarm or an announced switch); the stall state is kept. */
  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.cum = 0;
    this.minCum = 0;
    this.minAt = 0;
  }

  /** The statistic m_t − M_t (0 right after a reset). */
  get statistic(): number {
    return this.cum - this.minCum;
  }

  /** Samples since the estimated change (the lowest point of the cumulative sum), at least 1. */
  get samplesSinceChange(): number {
    return Math.max(1, this.n - this.minAt);
  }

  /**
   * Scalar slots of {@link PageHinkley.updateSlot}: [0] the sample x, [1] its time tS (s). Typed slots, so
   * no float crosses a call boundary (a boxed heap number per argument when the call is not inlined).
   */
  readonly io = new Float64Array(2);

  /** Feeds one sample x taken at time tS; says whether it raised an alarm (the detector then resets). */
  update(x: number, tS: number): DetectorVerdict {
    this.io[0] = x;
    this.io[1] = tS;
    return this.updateSlot();
  }

  /** {@link PageHinkley.update} with x and tS read from `io` (the allocation-free form). */
  updateSlot(): DetectorVerdict {
    const x = this.io[0]!;
    const tS = this.io[1]!;
    const c = this.config;
    if (!Number.isFinite(x) || !Number.isFinite(tS)) {
      this.stats.nonFinite++;
      return 'ignored';
    }
    if (tS <= this.lastT) {
      this.stats.stalledSamples++;
      return 'stalled';
    }
    this.lastT = tS;
    if (x === this.lastX) {
      if (++this.repeats >= c.repeatLimit - 1) {
        this.frozen = true;
        this.stats.stalledSamples++;
        return 'stalled';
      }
    } else {
      this.repeats = 0;
      this.frozen = false;
    }
    this.lastX = x;
    this.stats.samples++;
    const v = Math.min(x, c.clip);
    this.n++;
    this.mean += (v - this.mean) / this.n;
    this.cum += v - (c.reference === 'running' ? this.mean : c.reference) - c.delta;
    if (this.cum < this.minCum) {
      this.minCum = this.cum;
      this.minAt = this.n;
    }
    if (this.n > c.warmup && this.cum - this.minCum > c.threshold) {
      this.stats.alarms++;
      return 'alarm';
    }
    return 'ok';
  }

  /** True when the stream is frozen or has had no fresh sample for `stallTimeoutS` at time nowS. */
  stalledAt(nowS: number): boolean {
    return this.frozen || (this.lastT > -Infinity && nowS - this.lastT > this.config.stallTimeoutS);
  }

  /** {@link PageHinkley.stalledAt} at the time in clock[0] (s): no float argument to box. */
  stalledAtClock(clock: Float64Array): boolean {
    return this.frozen || (this.lastT > -Infinity && clock[0]! - this.lastT > this.config.stallTimeoutS);
  }
}
