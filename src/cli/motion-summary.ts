/**
 * The motion run's per-request table and totals, as `npm start -- --config
 * config/motion/demo.yaml` and `node dist/cli/motion-demo.js` print them.
 */
import type { MotionDemoSummary } from '../runtime/motion-run.js';

const fmt = (x: number, d: number, why: string): string => (Number.isFinite(x) ? x.toFixed(d) : `n/a (${why})`);

export function formatMotionSummary(s: MotionDemoSummary): string {
  const lines = [
    ...s.skippedClips.map((c) => `skipped clip ${c}`),
    'motion requests     (span: from the request to the next one; tracking: measured player joints vs the reference; shield: ticks it changed the command)',
    '   at s  request                                  outcome   tracking RMSE rad  shield intervened/ticks  stages (joint-ticks)                                  ref points outside URDF  refused frames',
  ];
  for (const r of s.requests) {
    const stages = Object.entries(r.shieldInterventions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(`${r.atS.toFixed(1).padStart(7)}  ${r.command.padEnd(40)} ${r.outcome.slice(0, 8).padEnd(8)}  ${fmt(r.trackingRmseRad, 4, 'no sample').padStart(17)}  ${`${r.shieldInterventionTicks}/${r.shieldTicks}`.padStart(23)}  ${stages.padEnd(52)}  ${`${r.referenceLimitViolations} of ${r.referencePoints}`.padStart(23)}  ${r.checkFailures}`);
  }
  const t = s.teleop;
  lines.push(
    `motion references   ${s.published} published; ${s.referenceLimitViolations} points outside the URDF limits; player check failures ${s.player.checkFailures} (last: ${s.player.lastFailure || 'none'}); refused requests ${s.player.refused}`,
    `teleop              ${t.received} messages, ${t.accepted} followed, ${t.refused} refused, ${t.ignored} ignored (not in teleop), ${t.staleEvents} stale-input holds`,
  );
  return lines.join('\n');
}
