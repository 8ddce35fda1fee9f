/**
 * What a run did, judged from the robot's base (not from the nodes' own
 * counters): distance, mean velocity against the command, yaw drift, lowest
 * base height, and whether it fell; then the verdict that decides the exit
 * code of `npm start` (a fall, a fault that ended driving, a shield that
 * never activated).
 *
 * Fall rules:
 * - floating base: the root link below the robot's fall height (robot profile
 *   `fallHeightM`);
 * - tracking a reference motion (a reference height given with the sample):
 *   the root link more than `referenceMarginM` below the reference's own root
 *   height at that moment, and only that (dances squat far below a standing
 *   height, so a fixed threshold would call a squat a fall).
 *
 * `step` allocates nothing; call it once per physics step.
 */

/** Velocity command in the body frame: m/s, m/s, rad/s. */
export interface CommandSample {
  vx: number;
  vy: number;
  yawRate: number;
}

/** Tracking runs: a fall is the root more than this below the reference's root height, m. */
export const REFERENCE_FALL_MARGIN_M = 0.25;

/**
 * The reference motion's root height at run time t (s): the file time is
 * startS + t (policy step 0 at t = 0), held at endS (default: the last frame),
 * linearly interpolated between frames.
 */
export function referenceRootHeightAt(m: { fps: number; frames: number; rootPos: Float64Array }, startS: number, endS: number | undefined, t: number): number {
  const last = (m.frames - 1) / m.fps;
  const end = endS === undefined || endS > last ? last : endS;
  const ft = Math.max(0, Math.min(startS + t, end)) * m.fps;
  const i = Math.min(Math.floor(ft), m.frames - 1);
  const j = Math.min(i + 1, m.frames - 1);
  const a = ft - i;
  return m.rootPos[3 * i + 2]! * (1 - a) + m.rootPos[3 * j + 2]! * a;
}

export interface OutcomeOptions {
  /** Root link below this height is a fall, m (when no reference height is given). */
  fallHeightM: number;
  /** Tracking runs: a fall is the root more than this below the reference root height, m. */
  referenceMarginM?: number;
}

export interface RunOutcome {
  /** Sim time observed, s. */
  durationS: number;
  /** Planar displacement of the root from start to end, m. */
  distanceM: number;
  /** Planar path length of the root, m. */
  pathLengthM: number;
  /** Time with a non-zero velocity command, s. */
  commandedS: number;
  /** Planar displacement while commanded / commanded time, m/s (NaN when never commanded). */
  meanVelocityMps: number;
  /** Mean commanded planar speed over the commanded time, m/s (NaN when never commanded). */
  meanCommandMps: number;
  /** Planar displacement while the command was zero (standing drift), m. */
  idleDriftM: number;
  /** Heading change minus the integrated yaw-rate command, degrees. */
  yawDriftDeg: number;
  /** Lowest root height, m. */
  minBaseHeightM: number;
  fell: boolean;
  /** Sim time of the first fall, s (null when none). */
  fellAtS: number | null;
  /** Why it counts as a fall (null when none). */
  fallReason: string | null;
}

const planar = (x: number, y: number): number => Math.sqrt(x * x + y * y);

/** Heading (yaw, rad) of a wxyz quaternion stored at pose[3..6]. */
export function yawOf(pose: ArrayLike<number>): number {
  const w = pose[3]!, x = pose[4]!, y = pose[5]!, z = pose[6]!;
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

function wrap(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

export class OutcomeTracker {
  private started = false;
  private t0 = 0;
  private tLast = 0;
  private x0 = 0;
  private y0 = 0;
  private xPrev = 0;
  private yPrev = 0;
  private yawPrev = 0;
  private yawTravel = 0;
  private yawCommanded = 0;
  private path = 0;
  private commandedS = 0;
  private commandedDx = 0;
  private commandedDy = 0;
  private idleDx = 0;
  private idleDy = 0;
  private commandSpeedIntegral = 0;
  private minZ = Infinity;
  private fellAt = NaN;
  private fallReason: string | null = null;

  constructor(private readonly opts: OutcomeOptions) {}

  /**
   * One sample: sim time (s), root pose [x, y, z, qw, qx, qy, qz] (m), the
   * velocity command in force since the previous sample, and, when tracking,
   * the reference's root height now (m; NaN otherwise).
   */
  step(t: number, pose: ArrayLike<number>, cmd: CommandSample, referenceHeightM = NaN): void {
    const x = pose[0]!, y = pose[1]!, z = pose[2]!;
    const yaw = yawOf(pose);
    if (!this.started) {
      this.started = true;
      this.t0 = t;
      this.x0 = this.xPrev = x;
      this.y0 = this.yPrev = y;
      this.yawPrev = yaw;
    } else {
      const dt = t - this.tLast;
      const dx = x - this.xPrev, dy = y - this.yPrev;
      this.path += planar(dx, dy);
      this.yawTravel += wrap(yaw - this.yawPrev);
      this.yawCommanded += cmd.yawRate * dt;
      const speed = planar(cmd.vx, cmd.vy);
      if (speed > 0 || cmd.yawRate !== 0) {
        this.commandedS += dt;
        this.commandedDx += dx;
        this.commandedDy += dy;
        this.commandSpeedIntegral += speed * dt;
      } else {
        this.idleDx += dx;
        this.idleDy += dy;
      }
      this.xPrev = x;
      this.yPrev = y;
      this.yawPrev = yaw;
    }
    this.tLast = t;
    if (z < this.minZ) this.minZ = z;
    if (this.fallReason !== null) return;
    const tracking = referenceHeightM === referenceHeightM && this.opts.referenceMarginM !== undefined;
    if (!tracking && z < this.opts.fallHeightM) {
      this.fellAt = t;
      this.fallReason = `base height ${z.toFixed(3)} m below the fall height ${this.opts.fallHeightM} m at t = ${t.toFixed(2)} s`;
    } else if (tracking && z < referenceHeightM - this.opts.referenceMarginM!) {
      this.fellAt = t;
      this.fallReason = `base height ${z.toFixed(3)} m more than ${this.opts.referenceMarginM} m below the reference's ${referenceHeightM.toFixed(3)} m at t = ${t.toFixed(2)} s`;
    }
  }

  result(): RunOutcome {
    const commanded = this.commandedS > 0;
    return {
      durationS: this.tLast - this.t0,
      distanceM: planar(this.xPrev - this.x0, this.yPrev - this.y0),
      pathLengthM: this.path,
      commandedS: this.commandedS,
      meanVelocityMps: commanded ? planar(this.commandedDx, this.commandedDy) / this.commandedS : NaN,
      meanCommandMps: commanded ? this.commandSpeedIntegral / this.commandedS : NaN,
      idleDriftM: planar(this.idleDx, this.idleDy),
      yawDriftDeg: ((this.yawTravel - this.yawCommanded) * 180) / Math.PI,
      minBaseHeightM: this.minZ,
      fell: this.fallReason !== null,
      fellAtS: this.fallReason !== null ? this.fellAt : null,
      fallReason: this.fallReason,
    };
  }
}

export interface VerdictInputs {
  /** Floating-base outcome (null for a fixed base). */
  outcome: RunOutcome | null;
  /** Policy mode transitions (`fault:<reason>` ends driving). */
  policyTransitions: readonly { to: string; reason: string; timeS: number }[];
  /** Seconds the shield spent ACTIVE (0: it never passed a command on). */
  shieldActiveS: number;
  /** The shield's own word on why it is not active, when it gives one. */
  shieldReason?: string | null;
  /** The shield's final state. */
  shieldFinalState: string;
}

/** Reasons the run failed, one line each (empty: it did what it should). */
export function runVerdict(v: VerdictInputs): string[] {
  const reasons: string[] = [];
  if (v.outcome?.fell) reasons.push(`the robot fell: ${v.outcome.fallReason}`);
  const fault = v.policyTransitions.find((t) => t.reason.startsWith('fault:'));
  if (fault) reasons.push(`policy ${fault.reason.replace('fault:', 'fault ')} at t = ${fault.timeS.toFixed(2)} s ended driving (mode ${fault.to})`);
  if (!(v.shieldActiveS > 0)) {
    reasons.push(`the shield never activated (final state ${v.shieldFinalState}${v.shieldReason ? `: ${v.shieldReason}` : ''}); no policy command reached the robot`);
  }
  return reasons;
}
