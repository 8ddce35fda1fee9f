/**
 * The sampler's status for `/diagnostics` (levels as in ../health.ts): from
 * the running counters now and at the previous report.
 *
 *   ERROR  every decision since the last report fell back to the safe action
 *   WARN   some did, or plans were cut to meet the deadline, or NaN outputs appeared
 *   OK     otherwise (and when no decision was made)
 *
 * Values: each counter as a key/value pair (strings, as ROS defines them).
 */
import type { HealthLevel } from '../health.js';
import type { DiffusionCounters } from './sampler.js';

export interface DiffusionStatus {
  level: Exclude<HealthLevel, 'STALE'>;
  message: string;
  values: [string, string][];
}

const safeTotal = (c: DiffusionCounters): number => Object.values(c.safe).reduce((a, b) => a + b, 0);

export function diffusionStatus(now: DiffusionCounters, before: DiffusionCounters): DiffusionStatus {
  const decisions = now.decisions - before.decisions;
  const safe = safeTotal(now) - safeTotal(before);
  const cut = now.filteredHarder - before.filteredHarder + now.degradedToSingle - before.degradedToSingle;
  const nan = now.droppedNaN - before.droppedNaN + now.nanScores - before.nanScores;
  const values: [string, string][] = [
    ['decisions', String(now.decisions)],
    ['sampled', String(now.sampled)],
    ['filtered_harder', String(now.filteredHarder)],
    ['degraded_to_single', String(now.degradedToSingle)],
    ...Object.entries(now.safe).map(([k, v]): [string, string] => [`safe_${k}`, String(v)]),
    ['dropped_nan_candidates', String(now.droppedNaN)],
    ['nan_critic_scores', String(now.nanScores)],
  ];
  if (decisions > 0 && safe === decisions) return { level: 'ERROR', message: `all ${decisions} decisions fell back to the safe action`, values };
  if (safe > 0 || cut > 0 || nan > 0) {
    return { level: 'WARN', message: `${safe} safe fallbacks, ${cut} plans cut for the deadline, ${nan} NaN outputs in ${decisions} decisions`, values };
  }
  return { level: 'OK', message: `${decisions} decisions sampled`, values };
}
