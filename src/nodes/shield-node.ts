/**
 * The safety shield node: the only path from candidate commands to the
 * actuators. It stores what arrives (through the pure `Shield`'s input checks)
 * and ticks the shield on a timer at its own rate; all limit math is in
 * `src/safety`.
 *
 * Topics (defaults; see `ShieldNodeConfigSchema`):
 *   sub  /policy/joint_command   trajectory_msgs/JointTrajectory  candidates (list, by priority)
 *   sub  /joint_states           sensor_msgs/JointState           measured state (sensor_data)
 *   sub  /imu                    sensor_msgs/Imu                  checked and reported
 *   sub  /estop                  std_msgs/Bool                    true = e-stop (latched)
 *   pub  /forward_position_controller/commands  Float64MultiArray (or JointTrajectory)
 *   pub  /diagnostics            diagnostic_msgs/DiagnosticArray  1 Hz
 *   srv  /shield/{estop,reset,activate,hold}    std_srvs/Trigger
 *
 * Before the first fresh measured state nothing is published.
 */
import type { z } from 'zod';
import { nodeLogger, type Logger } from '../log.js';
import { actuatedJoints, jointLimitArrays, type JointLimitArrays, type RobotModel } from '../robot/model.js';
import { ShieldNodeConfigSchema, type ShieldNodeConfig } from '../safety/config.js';
import { InputVerdict, type NamedCandidate, type NamedJointState } from '../safety/inputs.js';
import { shieldLimitsOrThrow, type ServoGains, type ShieldLimits } from '../safety/limits.js';
import { CollisionModel } from '../safety/collision-model.js';
import { Shield } from '../safety/shield.js';
import { describeStatus, notActivatedReason, transitionSeverity } from '../safety/report.js';
import { futureStampWarning, StampOffsetWindow } from '../safety/stamp-offset.js';
import { REASON_NAMES, SHIELD_STATE_NAMES, ShieldState } from '../safety/status.js';
import {
  DiagnosticLevel, makeFloat64MultiArray, makeJointTrajectory, setTimeSeconds, timeToSeconds,
  type Float64MultiArray, type Imu, type JointState, type JointTrajectory, type TriggerResponse,
} from '../transport/messages.js';
import type { Publisher, Subscription, Timer, TransportNode, ServiceServer } from '../transport/port.js';
import { DiagnosticsPublisher, type StatusBuilder } from './diagnostics.js';

export interface ShieldNodeOptions {
  node: TransportNode;
  /** The robot (limits from its URDF), or limit arrays already in some joint order. */
  robot: RobotModel | JointLimitArrays;
  /** Unparsed config (defaults filled and validated here, before anything starts). */
  config?: z.input<typeof ShieldNodeConfigSchema>;
  /**
   * The robot's servo gains by joint name, from the one place they live (the embedded run: the
   * sim's resolved `sim.gains`); gains in the shield config that differ are refused.
   */
  servoGains?: Readonly<Record<string, ServoGains>>;
  /** Where `servoGains` came from, for messages (e.g. `sim.gains`). */
  gainsSource?: string;
  /** The robot's base; a profile made for the other base is refused. */
  base?: 'fixed' | 'floating';
}

type Output = { kind: 'array'; msg: Float64MultiArray; pub: Publisher<Float64MultiArray> }
  | { kind: 'trajectory'; msg: JointTrajectory; pub: Publisher<JointTrajectory> };

export class ShieldNode {
  readonly shield: Shield;
  readonly limits: ShieldLimits;
  readonly config: ShieldNodeConfig;
  /** Self-collision/workspace model (null without a RobotModel or with both disabled). */
  readonly collision: CollisionModel | null;
  /** IMU messages accepted / rejected (non-finite or stale); the latest accepted stamp, s. */
  readonly imu = { accepted: 0, rejected: 0, stampS: -Infinity };
  /** Candidates dropped because a higher-priority topic was fresh. */
  preempted = 0;
  /** Commands published. */
  published = 0;
  /** Stamp − clock at arrival of joint states / candidates, per diagnostics window. */
  readonly measuredLead = new StampOffsetWindow();
  readonly candidateLead = new StampOffsetWindow();

  private readonly node: TransportNode;
  private readonly log: Logger;
  private readonly output: Output;
  private readonly subs: Subscription[] = [];
  private readonly services: ServiceServer[] = [];
  private readonly timer: Timer;
  private readonly diagnostics: DiagnosticsPublisher;
  private readonly measuredView: NamedJointState = { stampS: 0, names: [], position: new Float64Array(0), velocity: new Float64Array(0) };
  private readonly candidateView: NamedCandidate = {
    stampS: 0, names: [], positions: new Float64Array(0), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0,
  };
  /** Latest accepted candidate stamp per candidate topic, s. */
  private readonly topicStampS: Float64Array;
  private seenTransitions = 0;

  constructor(options: ShieldNodeOptions) {
    // Validate everything before any side effect.
    this.config = ShieldNodeConfigSchema.parse(options.config ?? {});
    const cfg = this.config;
    this.node = options.node;
    this.log = nodeLogger(options.node.name);
    if (options.base && options.base !== cfg.profile.base) {
      throw new Error(`shield profile is for a ${cfg.profile.base}-base robot (profile.base) but the robot has a ${options.base} base: use a profile made for it`);
    }
    this.limits = shieldLimitsOrThrow(controllerLimits(options.robot, cfg.controllerJoints), cfg.limits, {
      ...(options.servoGains ? { gains: options.servoGains } : {}), ...(options.gainsSource ? { gainsSource: options.gainsSource } : {}), base: cfg.profile.base,
    });
    if (cfg.core.passThrough) this.log.warn('PASS-THROUGH: no limit stage runs (test only)');
    const robot = options.robot;
    this.collision = 'joints' in robot && (cfg.collision.enabled || cfg.workspace.links.length > 0)
      ? new CollisionModel(robot, this.limits.names, cfg.collision, cfg.workspace)
      : null;
    this.shield = new Shield(this.limits, cfg.core, this.collision
      ? { source: this.collision, decayRatePerS: cfg.collision.decayRatePerS, maxActive: cfg.collision.maxActive }
      : null);
    if (this.collision) {
      this.log.info({ capsules: this.collision.capsules.count, pairs: this.collision.pairCount, notes: this.collision.notes }, 'collision model');
    }
    const names = this.limits.names;
    const node = this.node;
    const t = cfg.topics;

    this.output = cfg.outputFormat === 'joint_trajectory'
      ? { kind: 'trajectory', msg: makeJointTrajectory(names), pub: node.createPublisher('trajectory_msgs/msg/JointTrajectory', t.output, { preset: 'reliable' }) }
      : { kind: 'array', msg: makeFloat64MultiArray(names.length, 'joints'), pub: node.createPublisher('std_msgs/msg/Float64MultiArray', t.output, { preset: 'reliable' }) };
    if (this.output.kind === 'trajectory') setTimeSeconds(this.output.msg.points[0]!.time_from_start, this.shield.dtS);

    this.subs.push(node.createSubscription('sensor_msgs/msg/JointState', t.jointStates, (m) => this.onJointState(m), { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('sensor_msgs/msg/Imu', t.imu, (m) => this.onImu(m), { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('std_msgs/msg/Bool', t.estop, (m) => {
      if (m.data) this.shield.requestEstop(node.nowSeconds());
      this.logTransitions();
    }));
    this.topicStampS = new Float64Array(t.candidates.length).fill(-Infinity);
    t.candidates.forEach((c, k) => {
      this.subs.push(node.createSubscription('trajectory_msgs/msg/JointTrajectory', c.topic, (m) => this.onCandidate(k, m)));
    });

    const srv = (name: string, fn: () => TriggerResponse) =>
      this.services.push(node.createService('std_srvs/srv/Trigger', `${t.servicePrefix}/${name}`, () => {
        const r = fn();
        this.logTransitions();
        return r;
      }));
    srv('estop', () => {
      this.shield.requestEstop(node.nowSeconds());
      return { success: true, message: 'e-stop latched' };
    });
    srv('reset', () => {
      const r = this.shield.requestReset(node.nowSeconds());
      return { success: r === 'reset', message: r };
    });
    srv('activate', () => {
      const r = this.shield.activate(node.nowSeconds());
      return { success: r === 'activated' || r === 'already_active', message: r };
    });
    srv('hold', () => {
      const r = this.shield.requestHold(node.nowSeconds());
      return { success: r === 'holding', message: r };
    });

    this.timer = node.createTimer(BigInt(Math.round(1e9 / cfg.core.rateHz)), () => this.onTick());
    this.diagnostics = new DiagnosticsPublisher(
      node,
      { name: `${node.name}: safety shield`, hardwareId: 'aegis', rateHz: cfg.diagnosticsRateHz, topic: t.diagnostics },
      (b) => this.report(b),
    );
  }

  /** Why the shield has never activated (null once it has). */
  get notActivatedReason(): string | null {
    return notActivatedReason(this.shield.status, this.limits.names, this.config.core.autoActivate);
  }

  /** Publishes a hold of the current command now (on shutdown); false when there is nothing to hold. */
  holdNow(): boolean {
    const now = this.node.nowSeconds();
    this.shield.requestHold(now);
    this.logTransitions();
    if (!this.shield.hasOutput) return false;
    this.shield.freeze();
    this.publish();
    return true;
  }

  destroy(): void {
    this.timer.cancel();
    this.diagnostics.cancel();
    for (const s of this.subs) s.destroy();
    for (const s of this.services) s.destroy();
  }

  private onTick(): void {
    const sh = this.shield;
    sh.clock.nowS = this.node.nowSeconds();
    const outcome = sh.step();
    this.logTransitions();
    if (outcome !== 'no_output') this.publish();
  }

  /** Publishes the shield's current output, stamped with its clock (JointTrajectory). */
  private publish(): void {
    const sh = this.shield;
    const o = this.output;
    if (o.kind === 'array') {
      o.msg.data.set(sh.output);
      o.pub.publish(o.msg);
    } else {
      const pt = o.msg.points[0]!;
      pt.positions.set(sh.output);
      pt.velocities.set(sh.outputVelocity);
      pt.effort.set(sh.outputEffort);
      setTimeSeconds(o.msg.header.stamp, sh.clock.nowS);
      o.pub.publish(o.msg);
    }
    this.published++;
  }

  private onJointState(m: JointState): void {
    const v = this.measuredView;
    v.stampS = timeToSeconds(m.header.stamp);
    v.names = m.name;
    v.position = m.position;
    v.velocity = m.velocity;
    const now = this.node.nowSeconds();
    this.measuredLead.observe(v.stampS, now);
    this.shield.offerMeasured(now, v);
    this.logTransitions();
  }

  private onCandidate(k: number, m: JointTrajectory): void {
    const now = this.node.nowSeconds();
    const topics = this.config.topics.candidates;
    const mine = topics[k]!.priority;
    const timeout = this.config.core.watchdog.candidateTimeoutS;
    for (let j = 0; j < topics.length; j++) {
      if (topics[j]!.priority > mine && now - this.topicStampS[j]! <= timeout) {
        this.preempted++;
        return;
      }
    }
    const pt = m.points[0];
    if (pt === undefined || m.points.length > 1) {
      // Multi-point trajectories are refused (counted, logged), never cut to their first point.
      const verdict = pt === undefined ? InputVerdict.Malformed : InputVerdict.MultiPoint;
      this.shield.reject('candidate', verdict, now);
      if (verdict === InputVerdict.MultiPoint && this.shield.status.candidate.rejected[verdict]! % 100 === 1) {
        this.log.warn({ topic: topics[k]!.topic, points: m.points.length, refused: this.shield.status.candidate.rejected[verdict] }, 'multi-point JointTrajectory refused: send one point per message');
      }
    } else {
      const v = this.candidateView;
      v.stampS = timeToSeconds(m.header.stamp);
      v.names = m.joint_names;
      v.positions = pt.positions;
      v.velocities = pt.velocities;
      v.effort = pt.effort;
      v.horizonS = timeToSeconds(pt.time_from_start);
      this.candidateLead.observe(v.stampS, now);
      if (this.shield.offerCandidate(now, v) === InputVerdict.Accepted) this.topicStampS[k] = v.stampS;
    }
    this.logTransitions();
  }

  private onImu(m: Imu): void {
    const o = m.orientation;
    const w = m.angular_velocity;
    const a = m.linear_acceleration;
    const stamp = timeToSeconds(m.header.stamp);
    const finite = Number.isFinite(o.x + o.y + o.z + o.w + w.x + w.y + w.z + a.x + a.y + a.z + stamp);
    if (finite && this.node.nowSeconds() - stamp <= this.config.core.inputs.maxAgeS) {
      this.imu.accepted++;
      this.imu.stampS = stamp;
    } else this.imu.rejected++;
  }

  private report(b: StatusBuilder): void {
    const now = this.node.nowSeconds();
    const { level, message } = describeStatus(this.shield.status, (k, v) => b.set(k, v), this.limits.names, this.config.core.autoActivate);
    if (this.config.core.passThrough) b.set('pass_through', 'true');
    b.set('published', this.published);
    b.set('preempted_candidates', this.preempted);
    b.set('imu.accepted', this.imu.accepted);
    b.set('imu.rejected', this.imu.rejected);
    b.set('imu_age_s', now - this.imu.stampS);
    const maxFutureS = this.config.core.inputs.maxFutureS;
    const warnings: string[] = [];
    for (const [what, w] of [['measured', this.measuredLead], ['candidate', this.candidateLead]] as const) {
      b.set(`${what}.stamp_lead_max_s`, w.maxLeadS);
      b.set(`${what}.stamp_lead_mean_s`, w.meanLeadS);
      b.set(`${what}.stamp_ahead_share`, w.aheadShare);
      const warning = futureStampWarning(what === 'measured' ? 'joint states' : 'candidates', w, maxFutureS);
      if (warning) warnings.push(warning);
      w.reset();
    }
    if (this.collision) {
      b.set('collision_clearance_m', this.collision.minCollisionClearanceM);
      b.set('workspace_clearance_m', this.collision.minWorkspaceClearanceM);
    }
    if (this.config.core.passThrough) warnings.unshift('PASS-THROUGH: no limit stage runs (test only)');
    if (warnings.length > 0 && level === DiagnosticLevel.OK) b.summary(DiagnosticLevel.WARN, warnings.join('; '));
    else b.summary(level, warnings.length > 0 ? `${message}; ${warnings.join('; ')}` : message);
  }

  private logTransitions(): void {
    const st = this.shield.status;
    if (st.transitions === this.seenTransitions) return;
    this.seenTransitions = st.transitions;
    const entry = { from: SHIELD_STATE_NAMES[st.last.from], to: SHIELD_STATE_NAMES[st.last.to], reason: REASON_NAMES[st.last.reason], atS: st.last.atS };
    const msg = st.last.to === ShieldState.Estop ? 'shield e-stop' : st.last.to === ShieldState.Hold ? 'shield hold' : 'shield transition';
    this.log[transitionSeverity(st.last, st.candidate.accepted > 0)](entry, msg);
  }
}

/** Limit arrays in controller joint order (default: the URDF's actuated order). */
function controllerLimits(robot: RobotModel | JointLimitArrays, order: readonly string[] | null): JointLimitArrays {
  if ('joints' in robot) return jointLimitArrays(robot, order ?? actuatedJoints(robot).map((j) => j.name));
  if (order === null) return robot;
  const index = new Map(robot.names.map((n, i) => [n, i]));
  const pick = (src: Float64Array) => Float64Array.from(order, (name) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`controllerJoints: no limits for joint '${name}'`);
    return src[i]!;
  });
  return { names: [...order], lower: pick(robot.lower), upper: pick(robot.upper), velocity: pick(robot.velocity), effort: pick(robot.effort) };
}
