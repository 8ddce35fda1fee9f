/**
 * The policy runtime's health for `/diagnostics`, as ROS intends the levels:
 *
 *   STALE  no joint state or IMU has arrived yet (nothing to judge)
 *   ERROR  a fault sent the robot to DAMP and it is still there
 *   WARN   degraded but working: deadline misses, late or failed inferences,
 *          rejected inputs or a timed-out velocity command since the last report
 *   OK     otherwise
 *
 * Plain data in (counters now and at the previous report), a verdict out.
 */
import type { ModeName, Transition } from './modes.js';

export type HealthLevel = 'OK' | 'WARN' | 'ERROR' | 'STALE';

/** The counters the verdict reads (a subset of the node's stats). */
export interface HealthCounters {
  missedDeadlines: number;
  lateResults: number;
  inferenceErrors: number;
  rejectedJointStates: number;
  rejectedImu: number;
  rejectedCmdVel: number;
  rejectedReferences: number;
  cmdVelTimeouts: number;
}

/** All counters 0 (the `before` of the first report). */
export const NO_COUNTS: Readonly<HealthCounters> = Object.freeze({
  missedDeadlines: 0,
  lateResults: 0,
  inferenceErrors: 0,
  rejectedJointStates: 0,
  rejectedImu: 0,
  rejectedCmdVel: 0,
  rejectedReferences: 0,
  cmdVelTimeouts: 0,
});

export interface HealthInput {
  mode: ModeName;
  /** Joint state and IMU have both arrived. */
  ready: boolean;
  lastTransition: Transition | undefined;
  now: HealthCounters;
  /** The counters at the previous report (all 0 before the first). */
  before: Readonly<HealthCounters>;
}

export interface Health {
  level: HealthLevel;
  message: string;
}

export function assessHealth(h: HealthInput): Health {
  if (!h.ready) return { level: 'STALE', message: `mode ${h.mode}: no joint state and IMU yet` };
  const t = h.lastTransition;
  if (h.mode === 'DAMP' && t !== undefined && t.to === 'DAMP' && t.reason.startsWith('fault:')) {
    return { level: 'ERROR', message: `DAMP after ${t.reason} at ${t.timeS.toFixed(3)} s` };
  }
  const d = (k: keyof HealthCounters): number => h.now[k] - h.before[k];
  const problems: string[] = [];
  const late = d('missedDeadlines') + d('lateResults');
  if (late > 0) problems.push(`${late} missed deadlines or late results`);
  if (d('inferenceErrors') > 0) problems.push(`${d('inferenceErrors')} failed inferences`);
  const rejected = d('rejectedJointStates') + d('rejectedImu') + d('rejectedCmdVel') + d('rejectedReferences');
  if (rejected > 0) problems.push(`${rejected} rejected inputs`);
  if (d('cmdVelTimeouts') > 0) problems.push('velocity command timed out (zeroed)');
  if (problems.length > 0) return { level: 'WARN', message: `mode ${h.mode}: ${problems.join(', ')} since the last report` };
  return { level: 'OK', message: `mode ${h.mode}` };
}
