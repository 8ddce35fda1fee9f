/**
 * An independent check of what reaches the actuators: every published joint
 * command is compared with the robot's own (URDF) limits, with no code shared
 * with the shield. Used by the embedded run's summary and the integration
 * tests; the shield must keep every counter here at zero.
 *
 * Checked per command (positions in controller joint order):
 * - finite values and the exact length;
 * - lower − tol ≤ q_cmd ≤ upper + tol;
 * - |q_cmd − q_cmd_prev| / dt ≤ velocity + tol (dt from the bus clock).
 */
import type { JointLimitArrays } from '../robot/model.js';

export interface MonitorTolerances {
  /** Position tolerance, rad. */
  positionRad: number;
  /** Velocity tolerance as a fraction of the limit (0.01 = 1 %). */
  velocityFraction: number;
}

export interface MonitorReport {
  commands: number;
  /** Commands with a NaN/Inf or the wrong length. */
  malformed: number;
  positionViolations: number;
  velocityViolations: number;
  /** Worst position excess beyond a limit, rad (0 if none). */
  worstPositionExcessRad: number;
  /** Worst velocity as a fraction of its limit. */
  worstVelocityRatio: number;
  /** Largest |q_cmd − q_measured| seen, rad, and its joint. */
  maxTrackingErrorRad: number;
  maxTrackingErrorJoint: string;
}

export class CommandMonitor {
  private readonly prev: Float64Array;
  private prevTimeS = NaN;
  readonly report: MonitorReport = {
    commands: 0,
    malformed: 0,
    positionViolations: 0,
    velocityViolations: 0,
    worstPositionExcessRad: 0,
    worstVelocityRatio: 0,
    maxTrackingErrorRad: 0,
    maxTrackingErrorJoint: '',
  };

  constructor(
    private readonly limits: JointLimitArrays,
    private readonly tol: MonitorTolerances = { positionRad: 1e-9, velocityFraction: 1e-6 },
  ) {
    this.prev = new Float64Array(limits.names.length);
  }

  /** Checks one command published at `timeS`. */
  checkCommand(timeS: number, cmd: ArrayLike<number>): void {
    const r = this.report;
    const n = this.limits.names.length;
    r.commands++;
    if (cmd.length !== n) {
      r.malformed++;
      return;
    }
    let finite = true;
    for (let i = 0; i < n; i++) if (!Number.isFinite(cmd[i]!)) finite = false;
    if (!finite) {
      r.malformed++;
      return;
    }
    const dt = timeS - this.prevTimeS;
    const checkVelocity = dt > 0;
    let posViolation = false;
    let velViolation = false;
    for (let i = 0; i < n; i++) {
      const q = cmd[i]!;
      const excess = Math.max(this.limits.lower[i]! - q, q - this.limits.upper[i]!);
      if (excess > this.tol.positionRad) posViolation = true;
      if (excess > r.worstPositionExcessRad) r.worstPositionExcessRad = excess;
      if (checkVelocity) {
        const ratio = Math.abs(q - this.prev[i]!) / dt / this.limits.velocity[i]!;
        if (ratio > 1 + this.tol.velocityFraction) velViolation = true;
        if (ratio > r.worstVelocityRatio) r.worstVelocityRatio = ratio;
      }
      this.prev[i] = q;
    }
    this.prevTimeS = timeS;
    if (posViolation) r.positionViolations++;
    if (velViolation) r.velocityViolations++;
  }

  /** Records the tracking error between the last command and measured positions (same joint order). */
  checkTracking(measured: ArrayLike<number>): void {
    if (this.prevTimeS !== this.prevTimeS) return; // no command yet
    const n = this.limits.names.length;
    for (let i = 0; i < n; i++) {
      const e = Math.abs(this.prev[i]! - measured[i]!);
      if (e > this.report.maxTrackingErrorRad) {
        this.report.maxTrackingErrorRad = e;
        this.report.maxTrackingErrorJoint = this.limits.names[i]!;
      }
    }
  }

  /** Forget the previous command (after a clock reset). */
  resetHistory(): void {
    this.prevTimeS = NaN;
  }

  get violations(): number {
    return this.report.malformed + this.report.positionViolations + this.report.velocityViolations;
  }
}
