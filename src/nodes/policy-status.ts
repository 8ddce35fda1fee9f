/**
 * The policy node's own `/diagnostics` status: mode, last transition, the
 * command and inference rates achieved since the previous report, inference
 * times and counters; the level from {@link assessHealth} (WARN on problems
 * new since the previous report).
 */
import type { ControllerStats, PolicyController } from '../policy/controller.js';
import { assessHealth, NO_COUNTS } from '../policy/health.js';
import type { IntakeStats } from '../policy/sensor-intake.js';
import { DiagnosticLevel } from '../transport/messages.js';
import type { StatusBuilder } from './diagnostics.js';

/** Counters for diagnostics (plain data; read at any time). */
export type PolicyNodeStats = ControllerStats & IntakeStats & {
  published: number;
  /** Wall time of inferences whose result arrived, ms. */
  lastInferenceMs: number;
  maxInferenceMs: number;
  totalInferenceMs: number;
};

/** Counters on /diagnostics (the names of PolicyNodeStats). */
const REPORTED_COUNTERS = ['ticks', 'published', 'inferences', 'missedDeadlines', 'lateResults', 'inferenceErrors', 'nonFiniteObservations', 'nonFiniteActions', 'rejectedJointStates', 'rejectedImu', 'rejectedCmdVel', 'rejectedReferences', 'cmdVelTimeouts', 'rejectedModeRequests'] as const satisfies readonly (keyof PolicyNodeStats)[];

export class PolicyStatusReport {
  /** Counters and time at the previous report (rates, WARN on new problems). */
  private last: { stats: PolicyNodeStats; atS: number } | null = null;

  constructor(private readonly controller: PolicyController) {}

  report(b: StatusBuilder, nowS: number, st: PolicyNodeStats): void {
    const c = this.controller;
    const prev = this.last;
    const dt = prev ? nowS - prev.atS : NaN;
    const last = c.modes.log.at(-1);
    b.set('mode', c.mode);
    b.set('last_transition', last ? `${last.from}>${last.to} ${last.reason} at ${last.timeS.toFixed(3)} s` : 'none');
    b.set('command_rate_hz', prev && dt > 0 ? (st.published - prev.stats.published) / dt : NaN);
    b.set('inference_rate_hz', prev && dt > 0 ? (st.inferences - prev.stats.inferences) / dt : NaN);
    b.set('inference_ms_mean', st.inferences > 0 ? st.totalInferenceMs / st.inferences : NaN);
    b.set('inference_ms_max', st.maxInferenceMs);
    for (const key of REPORTED_COUNTERS) b.set(key, st[key]);
    const h = assessHealth({ mode: c.mode, ready: c.ready, lastTransition: last, now: st, before: prev?.stats ?? NO_COUNTS });
    b.summary(DiagnosticLevel[h.level], h.message);
    this.last = { stats: st, atS: nowS };
  }
}

