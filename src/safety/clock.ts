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

/** A class with double-initialised fields: V8 updates them in place (no allocation per store). */
class Clock implements TickClock {
  readonly dtS: number = Number.NaN;
  nowS = Number.NaN;
  constructor(dtS: number) {
    this.dtS = dtS;
    this.nowS = 0;
  }
}

export function makeClock(dtS: number): TickClock {
  return new Clock(dtS);
}
