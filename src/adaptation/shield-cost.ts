/**
 * The shield's limit interventions as the adapter's measured safety cost.
 *
 * The shield node reports cumulative counters on `/diagnostics` (keys `ticks`
 * and `intervention_ticks.<constraint>`: the ticks on which that constraint
 * changed the command; src/safety/report.ts). Between two reports, the charged
 * cost per policy tick is the fraction of shield ticks with a *limit-type*
 * intervention (position, velocity, self-collision, workspace), read as the
 * sum of those constraints' fractions (capped at 1): an upper bound of the
 * fraction when two of them act on the same tick.
 * Shaping constraints (acceleration, jerk, effort, following error) are not
 * charged: the shield smooths every 50 Hz policy step and bounds the servo
 * lead that holding a payload needs, whoever commands it (docs/adaptation.md).
 *
 * The rate is an average over the report period (1 s at the shield's default
 * diagnostics rate), so the budget sees interventions about one period late;
 * the shield itself acts on every tick. A shield restart (counters going down)
 * re-baselines; a malformed report (a counter missing or not a count) is
 * counted and changes nothing, so the rate goes stale (see the adapter's
 * `chargeUntil`).
 */
import { CONSTRAINT_NAMES } from '../safety/band.js';

/** Constraints whose interventions are charged as safety cost. */
export const CHARGED_CONSTRAINTS = ['position', 'velocity', 'collision', 'workspace'] as const satisfies readonly (typeof CONSTRAINT_NAMES)[number][];
/** Constraints whose interventions only shape the command (reported, not charged). */
export const SHAPING_CONSTRAINTS = ['acceleration', 'jerk', 'effort', 'following'] as const satisfies readonly (typeof CONSTRAINT_NAMES)[number][];

/** The status name suffix of a shield node's `/diagnostics` (`<node>: safety shield`). */
export const SHIELD_STATUS_SUFFIX = ': safety shield';

const CHARGED_KEYS = CHARGED_CONSTRAINTS.map((c) => `intervention_ticks.${c}`);

export class ShieldCostMeter {
  /** Charged cost per policy tick over the last report period: the fraction of shield ticks with a limit intervention, [0, 1]. */
  rate = 0;
  /** Reports used. */
  reports = 0;
  /** Reports refused (a counter missing or not a non-negative integer). */
  malformed = 0;
  /** Times the counters went down (the shield restarted): re-baselined. */
  restarts = 0;
  /** Time of the last report used, s (NaN before the first). */
  lastReportS = NaN;
  private prevTicks = NaN;
  private prevCharged = NaN;

  /** One shield status's key/values, received at `nowS`; false (counted) when malformed. */
  update(values: readonly { key: string; value: string }[], nowS: number): boolean {
    let ticks = NaN;
    let charged = 0;
    let found = 0;
    for (const kv of values) {
      if (kv.key === 'ticks') ticks = count(kv.value);
      else if (CHARGED_KEYS.includes(kv.key)) {
        charged += count(kv.value);
        found++;
      }
    }
    if (!Number.isFinite(ticks) || found !== CHARGED_KEYS.length || !Number.isFinite(charged)) {
      this.malformed++;
      return false;
    }
    const dT = ticks - this.prevTicks;
    const dI = charged - this.prevCharged;
    if (dT < 0 || dI < 0) this.restarts++;
    // first report, a restart, or no shield tick in between: nothing to charge for this period
    this.rate = dT > 0 && dI >= 0 ? Math.min(1, dI / dT) : 0;
    this.prevTicks = ticks;
    this.prevCharged = charged;
    this.lastReportS = nowS;
    this.reports++;
    return true;
  }
}

/** A counter's text as a non-negative integer, NaN otherwise. */
function count(text: string): number {
  const v = Number(text);
  return Number.isInteger(v) && v >= 0 && text.trim() !== '' ? v : NaN;
}

/** How long one shield report's rate is charged at least, s: 3 periods of the shield's default 1 Hz diagnostics. */
export const SHIELD_COST_HOLD_S = 3;

/**
 * The shields' statuses in a `/diagnostics` message: one meter per shield status name (a second shield
 * or a replayed log keeps its own baseline), the charge the largest of their rates, held for three
 * report intervals (at least {@link SHIELD_COST_HOLD_S}), so a shield reporting slower than 1 Hz is
 * charged over its whole period.
 */
export class ShieldCosts {
  readonly meters = new Map<string, ShieldCostMeter>();
  /** The charge per policy tick: the largest rate among the shields' latest reports. */
  rate = 0;
  /** How long the charge holds after the latest report, s. */
  holdS = SHIELD_COST_HOLD_S;
  private prevReportS = NaN;

  /** Reads a message's statuses at `nowS`; true when a shield report was used (then charge `rate` for `holdS`). */
  read(statuses: readonly { name: string; values: readonly { key: string; value: string }[] }[], nowS: number): boolean {
    let used = false;
    for (const s of statuses) {
      if (!s.name.endsWith(SHIELD_STATUS_SUFFIX)) continue;
      let m = this.meters.get(s.name);
      if (!m) this.meters.set(s.name, (m = new ShieldCostMeter()));
      if (m.update(s.values, nowS)) used = true;
    }
    if (!used) return false;
    if (nowS - this.prevReportS > 0) this.holdS = Math.max(SHIELD_COST_HOLD_S, 3 * (nowS - this.prevReportS));
    this.prevReportS = nowS;
    this.rate = 0;
    for (const m of this.meters.values()) if (nowS - m.lastReportS <= this.holdS) this.rate = Math.max(this.rate, m.rate);
    return true;
  }

  get reports(): number {
    let n = 0;
    for (const m of this.meters.values()) n += m.reports;
    return n;
  }

  get malformed(): number {
    let n = 0;
    for (const m of this.meters.values()) n += m.malformed;
    return n;
  }

  /** Time of the latest report used, s (NaN before the first). */
  get lastReportS(): number {
    return this.prevReportS;
  }

  /** Why the budget is not seeing the shield at `nowS` (null when it is): no report used for longer than the hold, or only malformed ones. */
  silence(nowS: number): string | null {
    if (this.reports === 0) return this.malformed > 0 ? `${this.malformed} malformed shield reports, none used: its interventions are not charged` : null;
    const age = nowS - this.prevReportS;
    return age > this.holdS ? `no shield report for ${age.toFixed(1)} s: its interventions are not charged` : null;
  }
}
