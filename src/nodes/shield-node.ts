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
import { assembleShield, type ShieldRobot } from '../safety/assembly.js';
import type { CollisionModel } from '../safety/collision-model.js';
import { ShieldNodeConfigSchema, type ShieldNodeConfig } from '../safety/config.js';
import { InputVerdict } from '../safety/inputs.js';
import type { ShieldLimits } from '../safety/limits.js';
import { ShieldIntake } from '../safety/node-inputs.js';
import { notActivatedReason, TransitionLog } from '../safety/report.js';
import type { Shield } from '../safety/shield.js';
import type { JointTrajectory } from '../transport/messages.js';
import type { Subscription, Timer, TransportNode, ServiceServer } from '../transport/port.js';
import { CommandOutput } from './command-output.js';
import type { DiagnosticsPublisher } from './diagnostics.js';
import { shieldDiagnostics, shieldServices } from './shield-operator.js';

export interface ShieldNodeOptions extends ShieldRobot {
  node: TransportNode;
  /** Unparsed config (defaults filled and validated here, before anything starts). */
  config?: z.input<typeof ShieldNodeConfigSchema>;
}

export class ShieldNode {
  readonly shield: Shield;
  readonly limits: ShieldLimits;
  readonly config: ShieldNodeConfig;
  /** Self-collision/workspace model (null without a RobotModel or with both disabled). */
  readonly collision: CollisionModel | null;
  /** Joint states, candidates (by topic priority) and IMU messages into the shield, with their counters. */
  readonly intake: ShieldIntake;
  /** Commands published. */
  published = 0;

  private readonly node: TransportNode;
  private readonly log: Logger;
  private readonly output: CommandOutput;
  private readonly subs: Subscription[] = [];
  private readonly services: ServiceServer[];
  private readonly timer: Timer;
  private readonly diagnostics: DiagnosticsPublisher;
  private readonly transitions: TransitionLog;

  constructor(options: ShieldNodeOptions) {
    // Validate everything before any side effect.
    const cfg = (this.config = ShieldNodeConfigSchema.parse(options.config ?? {}));
    ({ shield: this.shield, limits: this.limits, collision: this.collision } = assembleShield(options, cfg));
    const node = (this.node = options.node);
    this.log = nodeLogger(node.name);
    this.transitions = new TransitionLog(this.log);
    if (cfg.core.passThrough) this.log.warn('PASS-THROUGH: no limit stage runs (test only)');
    if (this.collision) {
      this.log.info({ capsules: this.collision.capsules.count, pairs: this.collision.pairCount, notes: this.collision.notes }, 'collision model');
    }
    const t = cfg.topics;
    const intake = (this.intake = new ShieldIntake(this.shield, t.candidates.map((c) => c.priority), cfg.core.watchdog.candidateTimeoutS, cfg.core.inputs.maxAgeS));
    const names = this.limits.names;

    this.output = new CommandOutput(node, cfg.outputFormat, t.output, names, this.shield.dtS);

    this.subs.push(node.createSubscription('sensor_msgs/msg/JointState', t.jointStates, (m) => {
      intake.jointState(m, node.nowSeconds());
      this.logTransitions();
    }, { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('sensor_msgs/msg/Imu', t.imu, (m) => { intake.imu.offer(m, node.nowSeconds()); }, { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('std_msgs/msg/Bool', t.estop, (m) => {
      if (m.data) this.shield.requestEstop(node.nowSeconds());
      this.logTransitions();
    }));
    t.candidates.forEach((c, k) => {
      this.subs.push(node.createSubscription('trajectory_msgs/msg/JointTrajectory', c.topic, (m) => this.onCandidate(k, m)));
    });

    this.services = shieldServices(node, t.servicePrefix, this.shield, () => this.logTransitions());

    this.timer = node.createTimer(BigInt(Math.round(1e9 / cfg.core.rateHz)), () => this.onTick());
    this.diagnostics = shieldDiagnostics(node, cfg, { shield: this.shield, intake, collision: this.collision, names, published: () => this.published });
  }

  /** Candidates dropped because a higher-priority topic was fresh. */
  get preempted(): number {
    return this.intake.arbiter.preempted;
  }

  /** Why the shield has never activated (null once it has). */
  get notActivatedReason(): string | null {
    return notActivatedReason(this.shield.status, this.limits.names, this.config.core.autoActivate);
  }

  /** Publishes a hold of the current command now (on shutdown); false when there is nothing to hold. */
  holdNow(): boolean {
    this.shield.requestHold(this.node.nowSeconds());
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

  private publish(): void {
    this.output.publish(this.shield);
    this.published++;
  }

  private onCandidate(k: number, m: JointTrajectory): void {
    const verdict = this.intake.candidate(k, m, this.node.nowSeconds());
    if (verdict === InputVerdict.MultiPoint) {
      const refused = this.shield.status.candidate.rejected[verdict]!;
      if (refused % 100 === 1) this.log.warn({ topic: this.config.topics.candidates[k]!.topic, points: m.points.length, refused }, 'multi-point JointTrajectory refused: send one point per message');
    }
    this.logTransitions();
  }

  private logTransitions(): void {
    this.transitions.check(this.shield.status);
  }
}
