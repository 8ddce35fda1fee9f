/**
 * The shield's tick timing. Hot-path functions take it as an object rather
 * than as number arguments: V8 boxes a double passed to (or returned from) a
 * call it does not inline, which would allocate on every tick.
 */
export interface TickClock {
  /** Tick period, s (every per-tick limit uses it). */
  readonly dtS: number;
  /** The current time on the shield's clock, s. */
  nowS: number;
}

/** A class rather than a literal: V8 updates its double fields in place (no allocation per store). */
class Clock implements TickClock {
  nowS = 0;
  constructor(readonly dtS: number) {}
}

export function makeClock(dtS: number): TickClock {
  return new Clock(dtS);
}
