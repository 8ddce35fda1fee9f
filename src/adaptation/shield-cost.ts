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
