/**
 * MujocoSim: the embedded simulation's core. Builds the MJCF of a RobotModel,
 * loads it through the addon, maps joint names to qpos/qvel/actuator indices,
 * and offers allocation-free reads/writes in ROS message shapes plus the
 * scenario dynamics changes (mass, payload, damping, friction, gains, effort).
 *
 * Construction and the scenario setters throw on bad input (configuration);
 * the per-step methods allocate nothing and report status as data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeSecondsFrom, type Imu, type JointState } from '../transport/messages.js';
import type { RobotModel } from '../robot/model.js';
import { loadMujocoAddon, type MjSimInstance, type MujocoAddon } from './addon.js';
import { SimConfigSchema, type SimConfig, type SimConfigInput } from './config.js';
import { buildMjcf, IMU_SENSORS, type MjcfBuild } from './mjcf.js';

export interface MujocoSimOptions {
  model: RobotModel;
  config?: SimConfigInput;
  /** Order of `setPositionTargets` (default: actuated joints in URDF order). */
  targetJointOrder?: readonly string[];
  /** Injected addon (tests); default: the built native addon. */
  addon?: MujocoAddon;
}

/** Outcome of a command write: applied, or why it was not. */
export type TargetWriteResult = 'applied' | 'wrong_length' | 'non_finite';

interface JointIndex {
  jointId: number;
  qposAdr: number;
  dofAdr: number;
  /** Actuator id, or -1 for a passive joint. */
  actuatorId: number;
}

/** True when a non-fixed joint lies between `link` and the root body. */
function linkMoves(model: RobotModel, link: string, rootBody: string): boolean {
  const parentJoint = new Map(model.joints.map((j) => [j.child, j]));
  for (let l = link; l !== rootBody; ) {
    const j = parentJoint.get(l);
    if (!j) return false;
    if (j.type !== 'fixed') return true;
    l = j.parent;
  }
  return false;
}

export class MujocoSim {
  readonly config: SimConfig;
  readonly build: MjcfBuild;
  /** The raw addon instance (tests, contacts, advanced reads). */
  readonly mj: MjSimInstance;
  /** Actuated joints in actuator order. */
  readonly actuatedJoints: readonly string[];
  readonly targetJointOrder: readonly string[];
  /** Physics step, s. */
  readonly timestepS: number;

  private readonly joints = new Map<string, JointIndex>();
  private readonly qpos: Float64Array;
  private readonly qvel: Float64Array;
  private readonly ctrl: Float64Array;
  private readonly qfrc: Float64Array;
  private readonly actForce: Float64Array;
  private readonly sensors: Float64Array;
  private readonly pose = new Float64Array(7);
  /** [0] = sim time, s (refreshed by `readTime`). */
  private readonly clock = new Float64Array(1);
  private readonly targetActuator: Int32Array;
  private readonly initialQpos: Float64Array;
  private readonly initialCtrl: Float64Array;
  private readonly rootBodyId: number;
  private readonly imuAdr: { quat: number; gyro: number; acc: number };
  private readonly stateOrderCache = new WeakMap<readonly string[], Int32Array>();
  /** The IMU's link can move (floating base, or a joint between it and the root). */
  readonly imuMoves: boolean;

  constructor(opts: MujocoSimOptions) {
    this.config = SimConfigSchema.parse(opts.config ?? {});
    this.build = buildMjcf(opts.model, this.config);
    this.imuMoves = this.build.base === 'floating' || linkMoves(opts.model, this.build.imuLink, this.build.rootBody);
    const addon = opts.addon ?? loadMujocoAddon();
    const dir = mkdtempSync(join(tmpdir(), 'aegis-mjcf-'));
    try {
      const file = join(dir, `${opts.model.name}.xml`);
      writeFileSync(file, this.build.xml);
      this.mj = new addon.MjSim(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const mj = this.mj;
    this.timestepS = mj.timestep;
    this.actuatedJoints = [...this.build.actuatedJoints];
    for (let id = 0; id < mj.njnt; id++) {
      const type = mj.jntType(id);
      const name = mj.id2name('joint', id);
      if (name === null || (type !== 2 && type !== 3)) continue; // slide/hinge only
      this.joints.set(name, { jointId: id, qposAdr: mj.jntQposAdr(id), dofAdr: mj.jntDofAdr(id), actuatorId: -1 });
    }
    for (let a = 0; a < mj.nu; a++) {
      const jid = mj.actuatorJointId(a);
      const name = jid >= 0 ? mj.id2name('joint', jid) : null;
      const idx = name !== null ? this.joints.get(name) : undefined;
      if (idx) idx.actuatorId = a;
    }
    this.qpos = new Float64Array(mj.nq);
    this.qvel = new Float64Array(mj.nv);
    this.ctrl = new Float64Array(mj.nu);
    this.qfrc = new Float64Array(mj.nv);
    this.actForce = new Float64Array(mj.nu);
    this.sensors = new Float64Array(mj.nsensordata);
    this.rootBodyId = this.bodyId(this.build.rootBody);
    const sensorAdr = (name: string): number => {
      const id = mj.name2id('sensor', name);
      if (id < 0) throw new Error(`MujocoSim: sensor '${name}' missing from the generated MJCF`);
      return mj.sensorAdr(id);
    };
    this.imuAdr = { quat: sensorAdr(IMU_SENSORS.quat), gyro: sensorAdr(IMU_SENSORS.gyro), acc: sensorAdr(IMU_SENSORS.acc) };

    this.targetJointOrder = [...(opts.targetJointOrder ?? this.actuatedJoints)];
    this.targetActuator = Int32Array.from(this.targetJointOrder, (name) => {
      const a = this.joint(name).actuatorId;
      if (a < 0) throw new Error(`MujocoSim: target joint '${name}' has no actuator`);
      return a;
    });

    // Initial pose: qpos0 (root pose from the MJCF) plus configured joint angles; the servos hold it.
    mj.readQpos(this.qpos);
    for (const [name, rad] of Object.entries(this.config.initialPose)) {
      const j = this.joint(name);
      this.qpos[j.qposAdr] = rad;
      if (j.actuatorId >= 0) this.ctrl[j.actuatorId] = rad;
    }
    this.initialQpos = this.qpos.slice();
    this.initialCtrl = this.ctrl.slice();
    this.reset();
  }

  /** Simulation time, s. */
  get time(): number {
    return this.mj.time;
  }

  /**
   * The simulation time, s, in `out[0]` (the per-step read: the `time` getter
   * returns a freshly allocated number from the addon, this writes into a
   * preallocated array).
   */
  readTime(out: Float64Array): void {
    this.mj.readTime(out);
  }

  /** Joint names the sim knows (hinge and slide joints). */
  get jointNames(): string[] {
    return [...this.joints.keys()];
  }

  /** Back to the initial pose at t = 0, zero velocity, servos holding the pose. */
  reset(): void {
    this.mj.reset();
    this.mj.writeQpos(this.initialQpos);
    this.mj.writeCtrl(this.initialCtrl);
    this.mj.forward();
  }

  /** Advances n physics steps (default 1). */
  step(n = 1): void {
    this.mj.step(n);
  }

  /**
   * Brings the sensors (and body poses, actuator forces) to the state the last
   * step integrated to. `mj_step` evaluates them before integrating, so
   * without this the IMU reads one physics step older than the joint state.
   * A no-op when the IMU cannot move (fixed base, IMU on the welded root):
   * its reading is the same at every step, and the extra evaluation would
   * change the solver's warm start (MuJoCo 2.2.2), so the physics.
   */
  syncSensors(): void {
    if (this.imuMoves) this.mj.forward();
  }

  /** Writes servo targets (rad) given in `targetJointOrder`; nothing is applied unless all are valid. */
  setPositionTargets(targets: Float64Array): TargetWriteResult {
    const n = this.targetActuator.length;
    if (targets.length !== n) return 'wrong_length';
    for (let i = 0; i < n; i++) if (!Number.isFinite(targets[i]!)) return 'non_finite';
    for (let i = 0; i < n; i++) this.ctrl[this.targetActuator[i]!] = targets[i]!;
    this.mj.writeCtrl(this.ctrl);
    return 'applied';
  }

  /**
   * Fills a preallocated JointState in its own `name` order: position (rad),
   * velocity (rad/s), effort (actuator torque, N·m), stamp = sim time. The
   * name → index map is built on the first call per name array.
   */
  readJointState(msg: JointState): void {
    let order = this.stateOrderCache.get(msg.name);
    if (!order) {
      const n = msg.name.length;
      if (msg.position.length !== n || msg.velocity.length !== n || msg.effort.length !== n) {
        throw new Error(`MujocoSim.readJointState: position/velocity/effort arrays must have ${n} entries (one per name)`);
      }
      order = new Int32Array(2 * n);
      msg.name.forEach((name, i) => {
        const j = this.joint(name);
        order![2 * i] = j.qposAdr;
        order![2 * i + 1] = j.dofAdr;
      });
      this.stateOrderCache.set(msg.name, order);
    }
    const mj = this.mj;
    mj.readQpos(this.qpos);
    mj.readQvel(this.qvel);
    mj.readQfrcActuator(this.qfrc);
    const n = order.length >> 1;
    for (let i = 0; i < n; i++) {
      const qa = order[2 * i]!, da = order[2 * i + 1]!;
      msg.position[i] = this.qpos[qa]!;
      msg.velocity[i] = this.qvel[da]!;
      msg.effort[i] = this.qfrc[da]!;
    }
    mj.readTime(this.clock);
    setTimeSecondsFrom(msg.header.stamp, this.clock);
  }

  /**
   * Fills a preallocated Imu: orientation of the IMU site in the world
   * (MuJoCo wxyz → msg x,y,z,w), gyro (rad/s, site frame), accelerometer
   * (m/s², site frame; +9.81 on z when level and at rest).
   * Call {@link syncSensors} after a step first when the IMU can move.
   */
  readImu(msg: Imu): void {
    const s = this.sensors;
    this.mj.readSensordata(s);
    const q = this.imuAdr.quat, g = this.imuAdr.gyro, a = this.imuAdr.acc;
    msg.orientation.w = s[q]!;
    msg.orientation.x = s[q + 1]!;
    msg.orientation.y = s[q + 2]!;
    msg.orientation.z = s[q + 3]!;
    msg.angular_velocity.x = s[g]!;
    msg.angular_velocity.y = s[g + 1]!;
    msg.angular_velocity.z = s[g + 2]!;
    msg.linear_acceleration.x = s[a]!;
    msg.linear_acceleration.y = s[a + 1]!;
    msg.linear_acceleration.z = s[a + 2]!;
    this.mj.readTime(this.clock);
    setTimeSecondsFrom(msg.header.stamp, this.clock);
  }

  /** Root body pose in the world: out = [x, y, z (m), qw, qx, qy, qz] (length 7). */
  readBasePose(out: Float64Array): void {
    this.mj.readBodyPose(this.rootBodyId, out);
  }

  /** Root body height above the world origin, m (fall detection). */
  baseHeightM(): number {
    this.mj.readBodyPose(this.rootBodyId, this.pose);
    return this.pose[2]!;
  }

  /** Actuator torques (N·m, after the effort clip) in `targetJointOrder`; out.length must match. */
  readActuatorTorques(out: Float64Array): void {
    if (out.length !== this.targetActuator.length) {
      throw new Error(`MujocoSim.readActuatorTorques: out has length ${out.length}, expected ${this.targetActuator.length}`);
    }
    this.mj.readActuatorForce(this.actForce);
    for (let i = 0; i < out.length; i++) out[i] = this.actForce[this.targetActuator[i]!]!;
  }

  /** Actuator torque of one joint, N·m. */
  jointTorque(joint: string): number {
    const a = this.actuator(joint);
    this.mj.readActuatorForce(this.actForce);
    return this.actForce[a]!;
  }

  // ---- scenario dynamics changes (configuration-time: throw on unknown names) ----

  /** Sets a link's mass (kg), scaling its inertia by the same ratio. */
  setLinkMass(link: string, kg: number): void {
    this.mj.setBodyMass(this.bodyId(link), kg);
  }

  getLinkMass(link: string): number {
    return this.mj.getBodyMass(this.bodyId(link));
  }

  /** Adds a point mass (kg) at comOffset (m, link frame, relative to the link's centre of mass). */
  addPayload(link: string, kg: number, comOffset: [number, number, number] = [0, 0, 0]): void {
    this.mj.addPayload(this.bodyId(link), kg, comOffset);
  }

  /** Viscous damping, N·m·s/rad. */
  setJointDamping(joint: string, v: number): void {
    this.mj.setDofDamping(this.joint(joint).dofAdr, v);
  }

  /** Coulomb friction loss, N·m. */
  setJointFriction(joint: string, v: number): void {
    this.mj.setDofFrictionloss(this.joint(joint).dofAdr, v);
  }

  /** Armature, kg·m². */
  setJointArmature(joint: string, v: number): void {
    this.mj.setDofArmature(this.joint(joint).dofAdr, v);
  }

  /** Servo gains: kp N·m/rad, kd N·m·s/rad. */
  setGains(joint: string, kp: number, kd: number): void {
    this.mj.setActuatorGains(this.actuator(joint), kp, kd);
  }

  /**
   * A push: an impulse (world frame, N·s) on the whole robot of a floating base. The free joint's
   * linear velocity (world frame in MuJoCo) changes by impulse / total mass, so every body's does.
   */
  pushBase(impulseNs: readonly [number, number, number]): void {
    if (this.build.base !== 'floating') throw new Error('MujocoSim.pushBase: the base is fixed');
    const mass = this.mj.getBodySubtreeMass(this.rootBodyId);
    this.mj.readQvel(this.qvel);
    const adr = this.mj.jntDofAdr(this.freeJointId());
    for (let k = 0; k < 3; k++) this.qvel[adr + k] = this.qvel[adr + k]! + impulseNs[k]! / mass;
    this.mj.writeQvel(this.qvel);
    this.mj.forward();
  }

  /** Symmetric torque clip, N·m (> 0). */
  setEffortLimit(joint: string, nm: number): void {
    if (!(nm > 0)) throw new Error(`MujocoSim.setEffortLimit: '${joint}': limit must be > 0 N·m (got ${nm})`);
    this.mj.setActuatorForceRange(this.actuator(joint), -nm, nm);
  }

  getGains(joint: string): { kp: number; kd: number } {
    return this.mj.getActuatorGains(this.actuator(joint));
  }

  getEffortLimit(joint: string): number {
    return this.mj.getActuatorForceRange(this.actuator(joint))[1];
  }

  hasJoint(name: string): boolean {
    return this.joints.has(name);
  }

  hasActuatedJoint(name: string): boolean {
    return (this.joints.get(name)?.actuatorId ?? -1) >= 0;
  }

  hasLink(name: string): boolean {
    return this.mj.name2id('body', name) >= 0;
  }

  /** Frees the native model and data. */
  dispose(): void {
    this.mj.dispose();
  }

  private joint(name: string): JointIndex {
    const j = this.joints.get(name);
    if (!j) throw new Error(`MujocoSim: unknown joint '${name}' (known: ${[...this.joints.keys()].join(', ')})`);
    return j;
  }

  private actuator(joint: string): number {
    const a = this.joint(joint).actuatorId;
    if (a < 0) throw new Error(`MujocoSim: joint '${joint}' has no actuator`);
    return a;
  }

  /** The floating base's free joint (type 0). */
  private freeJointId(): number {
    for (let id = 0; id < this.mj.njnt; id++) if (this.mj.jntType(id) === 0) return id;
    throw new Error('MujocoSim: no free joint');
  }

  private bodyId(link: string): number {
    const id = this.mj.name2id('body', link);
    if (id < 0) throw new Error(`MujocoSim: unknown link '${link}' (not a body of the generated MJCF)`);
    return id;
  }
}
