/**
 * The summary's shield-intervention section: the share of ticks where the
 * shield changed the policy's command, split by scenario phase and by stage,
 * with what each stage reacts to, so a reader can tell an expected
 * intervention (a payload, a weakened servo) from a surprising one.
 */
import type { RunSummary } from '../runtime/embedded-run.js';

/** What each stage of the shield does, and when it is expected to act. */
export const STAGE_NOTES: Record<string, string> = {
  position: 'command kept inside the URDF limits with a stopping distance; acts only near a joint limit',
  velocity: 'command rate kept under the URDF velocity limit; acts on fast policy moves',
  acceleration: 'command trajectory acceleration bounded; acts when the policy target jumps (start, resume after a reset)',
  collision: 'self-collision barriers between body capsules closer than 0.15 m; act when a command would close such a gap too fast or below the minimum distance',
  workspace: 'listed links kept in the workspace box',
  effort: "servo torque kp·(q_cmd − q) − kd·q̇ (the shield's servo model) kept under the URDF effort limit; acts when a command leads its joint by more than about effort/kp",
  jerk: 'command jerk bounded (smoothing)',
  following: '|q_cmd − q| kept under the following-error bound; acts when a joint lags its command (payload, weaker servo, friction)',
};

/** What each scripted change does to the robot, and which stages it is expected to wake. */
export const EVENT_NOTES: Record<string, string> = {
  start: 'the policy starts from the default pose; little or nothing to correct',
  add_payload: 'a payload makes its arm sag under gravity: effort (and following, when the lag passes its bound) act on that arm',
  set_mass: 'a heavier or lighter link changes the gravity load: effort and following act on the joints that carry it',
  set_damping: 'a damped joint lags fast commands: effort (and following) act on it',
  set_friction: 'a frictional joint sticks and its command runs ahead: effort (and following) act on it, often every tick',
  set_gains: 'a weaker servo sags further under gravity: effort (and following) act on that joint',
  set_effort_limit: 'a lower effort limit: the effort stage clips commands that would need more torque',
  estop: 'e-stop: the output is a constant hold, no stage acts',
  reset: 'reset and re-activation: the command ramps from the held pose to the policy target (acceleration, collision at the resume); earlier changes stay in effect',
  activate: 'activation: the acceleration stage ramps from the held pose to the policy target',
  cmd_vel: 'a velocity command changes what the policy asks for',
};

const pct = (n: number, of: number): string => (of > 0 ? `${((100 * n) / of).toFixed(1)} %` : 'n/a: no ticks');

const STAGES_WIDTH = 56;

/** Lines of the intervention section (first line: the whole run). */
export function formatInterventions(s: RunSummary): string {
  const sh = s.shield;
  const maxRad = sh.interventionTicks > 0 && Number.isFinite(sh.maxInterventionRad) ? `max ${sh.maxInterventionRad.toFixed(4)} rad` : 'max n/a (no intervention)';
  const lines = [
    `shield intervention ${sh.interventionTicks} of ${sh.ticks} ticks (${pct(sh.interventionTicks, sh.ticks)}); ${maxRad}; rejected measured ${sh.rejectedMeasured}, candidates ${sh.rejectedCandidates}`,
  ];
  const kinds = new Set<string>();
  if (sh.phases.length > 1) {
    lines.push(`  ${'phase'.padEnd(12)} ${'changed'.padStart(8)}  ${'stages (joint-ticks)'.padEnd(STAGES_WIDTH)} starts with`);
    for (const p of sh.phases) {
      const span = `${p.fromS.toFixed(1)}–${p.toS.toFixed(1)} s`.padEnd(12);
      const stages = Object.entries(p.interventions).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
      lines.push(`  ${span} ${pct(p.interventionTicks, p.ticks).padStart(8)}  ${stages.padEnd(STAGES_WIDTH)} ${p.events.join(', ')}`);
      for (const e of p.events) kinds.add(e.split(' ')[0]!);
    }
    lines.push('  expected:');
    for (const k of kinds) if (EVENT_NOTES[k]) lines.push(`    ${k.padEnd(16)} ${EVENT_NOTES[k]}`);
  }
  const acted = Object.keys(sh.interventions).filter((k) => (sh.interventions[k] ?? 0) > 0);
  if (acted.length > 0) {
    lines.push('  stages:');
    for (const k of acted) lines.push(`    ${k.padEnd(16)} ${STAGE_NOTES[k] ?? ''}`);
  }
  return lines.join('\n');
}
