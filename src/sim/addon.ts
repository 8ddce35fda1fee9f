/**
 * Loads the aegis_mujoco N-API addon (native/build/Release/aegis_mujoco.node)
 * and types it. The addon wraps MuJoCo 2.2.2: one `MjSim` per loaded MJCF.
 *
 * Conventions of the addon: ids are MuJoCo ids (0-based, body 0 is the
 * world); reads copy into caller-provided Float64Arrays of the exact length;
 * every bad argument throws (TypeError / RangeError / Error), nothing exits.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type MjObjType = 'body' | 'joint' | 'actuator' | 'site' | 'sensor' | 'geom';

/** MuJoCo runtime warning counts since the last reset, plus the last warning text. */
export interface MjWarnings {
  inertia: number;
  contactfull: number;
  cnstrfull: number;
  vgeomfull: number;
  badqpos: number;
  badqvel: number;
  badqacc: number;
  badctrl: number;
  last: string;
}

export interface MjSimInstance {
  /** Advances n physics steps (default 1). */
  step(n?: number): void;
  /** Recomputes derived quantities (positions, sensors) without integrating. */
  forward(): void;
  /** mj_resetData + mj_forward: qpos0, zero velocity, ctrl 0, time 0. */
  reset(): void;
  /** Frees mjModel/mjData now; any later call throws. */
  dispose(): void;
  readonly disposed: boolean;
  /** Simulation time, s (settable, e.g. after writing a state). Reading it allocates a number; per step use `readTime`. */
  time: number;
  /** Physics step, s. */
  readonly timestep: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly nbody: number;
  readonly njnt: number;
  readonly ngeom: number;
  readonly nsite: number;
  readonly nsensor: number;
  readonly nsensordata: number;
  /** Active contacts after the last step/forward. */
  readonly contactCount: number;
  /** Id of a named object, or -1 when absent. */
  name2id(objType: MjObjType, name: string): number;
  id2name(objType: MjObjType, id: number): string | null;
  jntQposAdr(jointId: number): number;
  jntDofAdr(jointId: number): number;
  /** 0 free, 1 ball, 2 slide, 3 hinge. */
  jntType(jointId: number): number;
  /** Joint driven by an actuator, or -1 when its transmission is not a joint. */
  actuatorJointId(actuatorId: number): number;
  sensorAdr(sensorId: number): number;
  sensorDim(sensorId: number): number;
  /** out[0] = simulation time, s (out.length must be 1): the allocation-free read of `time`. */
  readTime(out: Float64Array): void;
  /** out.length must be nq. */
  readQpos(out: Float64Array): void;
  /** out.length must be nv. */
  readQvel(out: Float64Array): void;
  /** out.length must be nu. */
  readCtrl(out: Float64Array): void;
  /** out.length must be nsensordata. */
  readSensordata(out: Float64Array): void;
  /** Actuator forces after clipping, N·m; out.length must be nu. */
  readActuatorForce(out: Float64Array): void;
  /** Actuator generalized forces, out.length must be nv. */
  readQfrcActuator(out: Float64Array): void;
  /** out = [x, y, z (m), qw, qx, qy, qz] of the body frame in the world (length 7). */
  readBodyPose(bodyId: number, out: Float64Array): void;
  /** src.length must be nu; all finite. */
  writeCtrl(src: Float64Array): void;
  /** src.length must be nq; all finite. */
  writeQpos(src: Float64Array): void;
  /** src.length must be nv; all finite. */
  writeQvel(src: Float64Array): void;
  /** kg */
  getBodyMass(bodyId: number): number;
  /** kg */
  getBodySubtreeMass(bodyId: number): number;
  /** out = [mass kg, ipos xyz m, iquat wxyz, diag inertia kg·m² ×3] (length 11). */
  readBodyInertial(bodyId: number, out: Float64Array): void;
  /** Sets mass (kg, > 0) and scales the inertia by the same ratio. */
  setBodyMass(bodyId: number, massKg: number): void;
  /**
   * Adds a point mass (kg) at comOffset (m, body frame, relative to the
   * body's current centre of mass): mass, centre of mass and parallel-axis
   * inertia updated. An approximation of a rigidly attached payload.
   */
  addPayload(bodyId: number, massKg: number, comOffset?: [number, number, number]): void;
  /** N·m·s/rad */
  setDofDamping(dofId: number, v: number): void;
  /** N·m */
  setDofFrictionloss(dofId: number, v: number): void;
  /** kg·m² */
  setDofArmature(dofId: number, v: number): void;
  getDofParams(dofId: number): { damping: number; frictionloss: number; armature: number };
  /** PD servo gains of a fixed-gain affine-bias actuator (N·m/rad, N·m·s/rad). */
  setActuatorGains(actuatorId: number, kp: number, kd: number): void;
  getActuatorGains(actuatorId: number): { kp: number; kd: number };
  /** Force clip range, N·m; enables forcelimited. */
  setActuatorForceRange(actuatorId: number, lo: number, hi: number): void;
  /** [lo, hi] N·m; ±Infinity when not force-limited. */
  getActuatorForceRange(actuatorId: number): [number, number];
  /** Fills up to the arrays' (equal) length; returns the count written. dist in m (negative: penetration). */
  contacts(outGeom1: Int32Array, outGeom2: Int32Array, outDist: Float64Array): number;
  warnings(): MjWarnings;
}

export interface MujocoAddon {
  MjSim: new (mjcfPath: string) => MjSimInstance;
  /** mj_version(), e.g. 222 for 2.2.2. */
  mujocoVersion: number;
}

/** Where the built addon is expected, from the repository root. */
export const ADDON_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../native/build/Release/aegis_mujoco.node');

export class AddonLoadError extends Error {
  override readonly name = 'AddonLoadError';
}

let cached: MujocoAddon | null = null;

/** Loads (once) and returns the addon; throws AddonLoadError with the fix when it cannot. */
export function loadMujocoAddon(path: string = ADDON_PATH): MujocoAddon {
  if (cached && path === ADDON_PATH) return cached;
  if (!existsSync(path)) {
    throw new AddonLoadError(`MuJoCo addon not built (${path} is missing): run \`npm run build:addon\``);
  }
  const require = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = require(path);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/libmujoco/.test(msg)) {
      throw new AddonLoadError(`MuJoCo shared library not found (${msg}). Install it with:\nsudo apt-get install -y libmujoco-dev`);
    }
    throw new AddonLoadError(`cannot load MuJoCo addon ${path}: ${msg} (rebuild with \`npm run build:addon\`)`);
  }
  const addon = mod as MujocoAddon;
  if (typeof addon.MjSim !== 'function') throw new AddonLoadError(`${path} does not export MjSim: rebuild with \`npm run build:addon\``);
  if (path === ADDON_PATH) cached = addon;
  return addon;
}

/** Whether the addon can be loaded here; the reason when not (for test skips and CLIs). */
export function mujocoAvailability(): { available: true } | { available: false; reason: string } {
  try {
    loadMujocoAddon();
    return { available: true };
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
