/**
 * How far input stamps lead or lag the receiver's clock at arrival, per
 * diagnostics window: the evidence for "my inputs are systematically from the
 * future" (sim time arrives on /clock separately from the stamped messages;
 * wall clocks of different machines differ). Allocation-free per message.
 */

/** Offsets of one input stream (stamp − receiver clock at arrival), s. */
export class StampOffsetWindow {
  count = 0;
  /** Messages stamped ahead of the receiver's clock. */
  ahead = 0;
  /** Largest lead (stamp − now), s; −Infinity before the first message. */
  maxLeadS = Number.NEGATIVE_INFINITY;
  /** Smallest lead (most negative: the oldest arrival), s. */
  minLeadS = Number.POSITIVE_INFINITY;
  private sumLeadS = 0.5; // initialised as a double (V8 then stores it in place)

  constructor() {
    this.sumLeadS = 0;
  }

  observe(stampS: number, nowS: number): void {
    const lead = stampS - nowS;
    if (!Number.isFinite(lead)) return;
    this.count++;
    if (lead > 0) this.ahead++;
    if (lead > this.maxLeadS) this.maxLeadS = lead;
    if (lead < this.minLeadS) this.minLeadS = lead;
    this.sumLeadS += lead;
  }

  get meanLeadS(): number {
    return this.count > 0 ? this.sumLeadS / this.count : Number.NaN;
  }

  /** Share of messages stamped ahead of the clock (NaN with no messages). */
  get aheadShare(): number {
    return this.count > 0 ? this.ahead / this.count : Number.NaN;
  }

  reset(): void {
    this.count = 0;
    this.ahead = 0;
    this.maxLeadS = Number.NEGATIVE_INFINITY;
    this.minLeadS = Number.POSITIVE_INFINITY;
    this.sumLeadS = 0;
  }
}

/**
 * Whether a window shows inputs systematically from the future: most
 * messages ahead of the clock and the largest lead beyond half the allowed
 * skew (so rejections are near). Undefined when not; else one sentence with
 * the measured offset for /diagnostics.
 */
export function futureStampWarning(what: string, w: StampOffsetWindow, maxFutureS: number): string | undefined {
  if (w.count < 10 || w.aheadShare <= 0.5 || w.maxLeadS <= maxFutureS / 2) return undefined;
  const ms = (s: number) => (s * 1e3).toFixed(1);
  return `${what} stamped ahead of this node's clock (${(w.aheadShare * 100).toFixed(0)} % of messages, mean ${ms(w.meanLeadS)} ms, max ${ms(w.maxLeadS)} ms; allowed ${ms(maxFutureS)} ms): the clocks disagree — on sim time /clock reaches this node late; otherwise check clock sync`;
}
