/**
 * Bounded, decimating sample buffers for the run report. Memory is fixed at
 * construction; `push` allocates nothing. When a trace is full it keeps every
 * second sample and from then on accepts every second offered sample (the
 * stride doubles), so a run of any length fits and stays evenly sampled.
 */

export class Trace {
  /** Sample times, s. */
  readonly t: Float64Array;
  /** Samples, row-major: `width` values per sample. */
  readonly v: Float32Array;
  length = 0;
  /** Accept one offered sample in `stride`. */
  stride = 1;
  private offered = 0;

  constructor(
    readonly width: number,
    readonly capacity = 2048,
  ) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error(`trace capacity must be an even number ≥ 2, got ${capacity}`);
    this.t = new Float64Array(capacity);
    this.v = new Float32Array(capacity * width);
  }

  /** Offers one sample (`values[from .. from + width)`); returns the row written, or -1 when decimated away. */
  push(timeS: number, values: ArrayLike<number>, from = 0): number {
    if (this.offered++ % this.stride !== 0) return -1;
    if (this.length === this.capacity) this.halve();
    const row = this.length++;
    this.t[row] = timeS;
    const w = this.width;
    const base = row * w;
    for (let k = 0; k < w; k++) this.v[base + k] = values[from + k]!;
    return row;
  }

  /** Offers a one-value sample. */
  push1(timeS: number, value: number): number {
    if (this.offered++ % this.stride !== 0) return -1;
    if (this.length === this.capacity) this.halve();
    const row = this.length++;
    this.t[row] = timeS;
    this.v[row * this.width] = value;
    return row;
  }

  /** Channel `k` as a plain array (for rendering; allocates). */
  channel(k: number): number[] {
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.v[i * this.width + k]!;
    return out;
  }

  times(): number[] {
    return Array.from(this.t.subarray(0, this.length));
  }

  private halve(): void {
    const w = this.width;
    for (let i = 0; i < this.capacity / 2; i++) {
      this.t[i] = this.t[2 * i]!;
      for (let k = 0; k < w; k++) this.v[i * w + k] = this.v[2 * i * w + k]!;
    }
    this.length = this.capacity / 2;
    this.stride *= 2;
    this.offered = 1; // the sample being pushed now is accepted; the next `stride − 1` are not
  }
}

/**
 * A bounded event list (time, integer code, integer detail). Events are rare
 * and meaningful, so none is decimated: past capacity they are counted as
 * dropped and the report says so.
 */
export class EventLog {
  readonly t: Float64Array;
  readonly code: Int32Array;
  readonly detail: Int32Array;
  length = 0;
  dropped = 0;

  constructor(readonly capacity = 4096) {
    this.t = new Float64Array(capacity);
    this.code = new Int32Array(capacity);
    this.detail = new Int32Array(capacity);
  }

  push(timeS: number, code: number, detail = 0): void {
    if (this.length === this.capacity) {
      this.dropped++;
      return;
    }
    const i = this.length++;
    this.t[i] = timeS;
    this.code[i] = code;
    this.detail[i] = detail;
  }
}

/** A fixed-bin histogram (values past the last bin land in it). */
export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  max = 0;
  sum = 0;

  constructor(
    readonly binWidth: number,
    bins: number,
  ) {
    this.counts = new Uint32Array(bins);
  }

  add(x: number): void {
    if (!(x >= 0)) return;
    const b = Math.min(this.counts.length - 1, Math.floor(x / this.binWidth));
    this.counts[b]!++;
    this.count++;
    this.sum += x;
    if (x > this.max) this.max = x;
  }
}
