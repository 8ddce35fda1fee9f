/**
 * Sensor intake of the policy controller: joint state, IMU, velocity command
 * and reference motion are checked (finite values, a near-unit orientation)
 * and written into the {@link ObservationInputs}; a rejected sample changes
 * nothing and is counted. Receive times are read from the controller's clock
 * slot (`clock[0]`, node time, s), so no call here takes a float argument.
 *
 * Freshness: joint state or IMU older than `staleStateS` is a fault for the
 * controller (see `stale`); a velocity command older than
 * `velocityCommandTimeoutS` is zeroed (the operator's publisher is gone: the
 * robot must not keep walking on the last command).
 */
import type { ObservationInputs } from './observation.js';
import type { ObservationSpec } from './observation-spec.js';

/**
 * Observation sources the assembler supports but no intake input feeds yet:
 * a term using one would hold its initial value (identity, zeros) forever,
 * a silently wrong input. Value: what it would need.
 */
export const UNFED_SOURCES: Readonly<Partial<Record<ObservationSpec['terms'][number]['source'], string>>> = {
  reference_anchor_ori6d: 'the robot and reference anchor body orientations (config reference.anchorBody and the robot model)',
  context_latent: "the adaptation module (an adaptation file naming a `module`)",
};

/**
 * One line per term of `spec` whose source has no input (empty when every term is fed).
 * `anchorOrientation`: the config names an anchor body, so reference_anchor_ori6d is fed;
 * `contextLatent`: an adaptation module feeds context_latent.
 */
export function unfedTerms(spec: ObservationSpec, fed: { anchorOrientation?: boolean; contextLatent?: boolean } = {}): string[] {
  return spec.terms
    .filter((t) => UNFED_SOURCES[t.source] !== undefined && !(t.source === 'reference_anchor_ori6d' && fed.anchorOrientation) && !(t.source === 'context_latent' && fed.contextLatent))
    .map((t) => `'${t.name}' (${t.source}) needs ${UNFED_SOURCES[t.source]}`);
}

/** A 3-vector as in geometry_msgs (plain data; the message objects fit). */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}
/** A quaternion as in geometry_msgs (x, y, z, w). */
export interface Quat extends Vec3 {
  w: number;
}

/** Counters of the intake (diagnostics data). */
export interface IntakeStats {
  rejectedJointStates: number;
  rejectedImu: number;
  rejectedCmdVel: number;
  rejectedReferences: number;
  /** Times the velocity command went stale and was zeroed. */
  cmdVelTimeouts: number;
}

export interface IntakeOptions {
  /** Joint state or IMU older than this is stale, s. */
  staleStateS: number;
  /** A velocity command older than this is zeroed, s (Infinity: kept until the next one). */
  velocityCommandTimeoutS: number;
}

export class SensorIntake {
  readonly stats: IntakeStats = { rejectedJointStates: 0, rejectedImu: 0, rejectedCmdVel: 0, rejectedReferences: 0, cmdVelTimeouts: 0 };
  /** True once a reference motion frame (or a model's reference output) has arrived. */
  haveReference = false;
  private lastJointS = -Infinity;
  private lastImuS = -Infinity;
  private lastCmdVelS = -Infinity;
  private cmdVelLive = false;
  private readonly staleS: number;
  private readonly cmdVelTimeoutS: number;

  constructor(
    readonly inputs: ObservationInputs,
    /** [0] = node time, s, written by the owner before each call. */
    private readonly clock: Float64Array,
    options: IntakeOptions,
  ) {
    this.staleS = options.staleStateS;
    this.cmdVelTimeoutS = options.velocityCommandTimeoutS;
  }

  /** True once joint state and IMU have both arrived. */
  get ready(): boolean {
    return this.lastJointS > -Infinity && this.lastImuS > -Infinity;
  }

  /** Joint state or IMU older than `staleStateS` at `clock[0]`. */
  stale(): boolean {
    const nowS = this.clock[0]!;
    return nowS - this.lastJointS > this.staleS || nowS - this.lastImuS > this.staleS;
  }

  /** Joint positions (rad) and velocities (rad/s) in policy order (the caller maps names). */
  acceptJointState(pos: Float64Array, vel: Float64Array): boolean {
    for (let j = 0; j < pos.length; j++) {
      if (!Number.isFinite(pos[j]!) || !Number.isFinite(vel[j]!)) {
        this.stats.rejectedJointStates++;
        return false;
      }
    }
    this.inputs.jointPos.set(pos);
    this.inputs.jointVel.set(vel);
    this.lastJointS = this.clock[0]!;
    return true;
  }

  /** An IMU sample: orientation (within 10 % of unit norm) and gyro, rad/s, base frame. */
  acceptImu(o: Readonly<Quat>, av: Readonly<Vec3>): boolean {
    const x = o.x, y = o.y, z = o.z, w = o.w;
    const gx = av.x, gy = av.y, gz = av.z;
    const norm2 = x * x + y * y + z * z + w * w;
    if (!(Math.abs(norm2 - 1) < 0.1) || !Number.isFinite(gx + gy + gz)) {
      this.stats.rejectedImu++;
      return false;
    }
    const q = this.inputs.baseQuatXyzw;
    q[0] = x;
    q[1] = y;
    q[2] = z;
    q[3] = w;
    const g = this.inputs.baseAngVel;
    g[0] = gx;
    g[1] = gy;
    g[2] = gz;
    this.lastImuS = this.clock[0]!;
    return true;
  }

  /** A velocity command: linear.x, linear.y (m/s), angular.z (rad/s). */
  acceptCmdVel(linear: Readonly<Vec3>, angular: Readonly<Vec3>): boolean {
    const vx = linear.x, vy = linear.y, wz = angular.z;
    if (!Number.isFinite(vx + vy + wz)) {
      this.stats.rejectedCmdVel++;
      return false;
    }
    const c = this.inputs.velocityCommand;
    c[0] = vx;
    c[1] = vy;
    c[2] = wz;
    this.lastCmdVelS = this.clock[0]!;
    this.cmdVelLive = true;
    return true;
  }

  /** Zeroes the velocity command once it is older than the timeout (call every tick). */
  expireCmdVel(): void {
    if (this.cmdVelLive && this.clock[0]! - this.lastCmdVelS > this.cmdVelTimeoutS) {
      this.inputs.velocityCommand.fill(0);
      this.cmdVelLive = false;
      this.stats.cmdVelTimeouts++;
    }
  }

  /** Reference joint positions (rad) and, when given, velocities (rad/s), policy order. */
  acceptReference(pos: Float64Array, vel: Float64Array | null): boolean {
    for (let j = 0; j < pos.length; j++) {
      if (!Number.isFinite(pos[j]!) || (vel !== null && !Number.isFinite(vel[j]!))) {
        this.stats.rejectedReferences++;
        return false;
      }
    }
    this.inputs.referenceJointPos.set(pos);
    if (vel) this.inputs.referenceJointVel.set(vel);
    this.haveReference = true;
    return true;
  }
}
