/**
 * SimNode: the embedded simulation as a node on the transport port.
 * Status: counters in {@link SimNode.stats} and on `/diagnostics`.
 *
 * - Subscribes to the shield's output command (std_msgs/Float64MultiArray,
 *   default `/forward_position_controller/commands`, data in
 *   `commandJointOrder`). A message of the wrong length is dropped and
 *   counted, as forward_command_controller does; non-finite data likewise.
 * - Publishes `/joint_states`, `/imu` (frame `imu_in_pelvis`) and `/clock`
 *   from reused message objects at rates that divide the physics rate.
 * - Owns no loop: the caller's lockstep runner calls `advance()` once per
 *   physics step. Scenario events given at construction apply when due.
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';
import { nodeLogger, type Logger } from '../log.js';
import { DiagnosticsPublisher, type StatusBuilder } from '../nodes/diagnostics.js';
import {
  DiagnosticLevel,
  makeClock,
  makeImu,
  makeJointState,
  setTimeSecondsFrom,
  type Clock,
  type Float64MultiArray,
  type Imu,
  type JointState,
} from '../transport/messages.js';
import type { Publisher, Subscription, TransportNode } from '../transport/port.js';
import { applyScenarioEvent, scenarioEventProblems, ScenarioEventSchema, type ScenarioEvent } from './scenario.js';
import type { MujocoSim } from './simulation.js';

export const SimNodeConfigSchema = deepStrict(z.object({
  /** /joint_states rate, Hz; rounded to a whole number of physics steps. */
  jointStateRateHz: z.number().positive().default(500).describe('/joint_states rate, Hz; rounded to a whole number of physics steps'),
  /** /imu rate, Hz; rounded to a whole number of physics steps. */
  imuRateHz: z.number().positive().default(500).describe('/imu rate, Hz; rounded to a whole number of physics steps'),
  /** /clock rate, Hz; rounded to a whole number of physics steps. */
  clockRateHz: z.number().positive().default(1000).describe('/clock rate, Hz; rounded to a whole number of physics steps'),
  /** Command in (std_msgs/Float64MultiArray, data in commandJointOrder); wrong lengths are dropped. */
  commandTopic: z
    .string()
    .min(1)
    .default('/forward_position_controller/commands')
    .describe('Command in (std_msgs/Float64MultiArray, data in commandJointOrder); wrong lengths are dropped'),
  /** sensor_msgs/JointState out (positions rad, velocities rad/s, efforts N·m). */
  jointStateTopic: z.string().min(1).default('/joint_states').describe('sensor_msgs/JointState out (positions rad, velocities rad/s, efforts N·m)'),
  /** sensor_msgs/Imu out. */
  imuTopic: z.string().min(1).default('/imu').describe('sensor_msgs/Imu out'),
  /** frame_id of the /imu messages. */
  imuFrame: z.string().min(1).default('imu_in_pelvis').describe('frame_id of the /imu messages'),
  /** rosgraph_msgs/Clock out (sim time). */
  clockTopic: z.string().min(1).default('/clock').describe('rosgraph_msgs/Clock out (sim time)'),
  /** diagnostic_msgs/DiagnosticArray status of the sim. */
  diagnosticsTopic: z.string().min(1).default('/diagnostics').describe('diagnostic_msgs/DiagnosticArray status of the sim'),
  /** /diagnostics rate, Hz (on the sim clock). */
  diagnosticsRateHz: z.number().positive().max(10).default(1).describe('/diagnostics rate, Hz (on the sim clock)'),
  /** Joint order of the command's data (the controller's joint list); default: the sim's target order. */
  commandJointOrder: z.array(z.string().min(1)).optional()
    .describe("Joint order of the command's data (the controller's joint list); default: the sim's target order"),
  /** Joint order of /joint_states; default: the sim's actuated joints. */
  jointStateOrder: z.array(z.string().min(1)).optional().describe("Joint order of /joint_states; default: the sim's actuated joints"),
  /** Dynamics changes applied when sim time reaches each event's atS. */
  scenario: z.array(ScenarioEventSchema).default([]).describe("Dynamics changes applied when sim time reaches each event's atS"),
}));
export type SimNodeConfig = z.input<typeof SimNodeConfigSchema>;

export interface SimNodeOptions extends SimNodeConfig {
  node: TransportNode;
  sim: MujocoSim;
}

/** Counters (diagnostics data). */
export interface SimNodeStats {
  steps: number;
  /** Commands taken as the servo targets (each one the sim received with the right length and finite data). */
  commandsApplied: number;
  /**
   * Applied commands replaced by a newer one before any physics step used them (the node was
   * busy stepping while they queued; over ROS a late batch). Applied minus superseded is what
   * the physics saw.
   */
  commandsSuperseded: number;
  commandsDroppedWrongLength: number;
  commandsDroppedNonFinite: number;
  scenarioEventsApplied: number;
}

export class SimNode {
  readonly sim: MujocoSim;
  readonly commandJointOrder: readonly string[];
  readonly stats: SimNodeStats = {
    steps: 0,
    commandsApplied: 0,
    commandsSuperseded: 0,
    commandsDroppedWrongLength: 0,
    commandsDroppedNonFinite: 0,
    scenarioEventsApplied: 0,
  };
  /** Steps between publications. */
  readonly jointStateEvery: number;
  readonly imuEvery: number;
  readonly clockEvery: number;

  private readonly log: Logger;
  private readonly jointState: JointState;
  private readonly imu: Imu;
  private readonly clock: Clock;
  private readonly jointStatePub: Publisher<JointState>;
  private readonly imuPub: Publisher<Imu>;
  private readonly clockPub: Publisher<Clock>;
  private readonly commandSub: Subscription;
  private readonly diagnostics: DiagnosticsPublisher;
  private droppedAtLastReport = 0;
  /** A command was applied since the last physics step (a next one supersedes it). */
  private commandUnstepped = false;
  /** Targets in the sim's target order; perm[i] = sim index of command entry i. */
  private readonly targets: Float64Array;
  private readonly perm: Int32Array;
  private readonly scenario: ScenarioEvent[];
  private nextEvent = 0;
  /** [0] = sim time, s: read into a typed array each step (the addon's `time` getter allocates). */
  private readonly simTime = new Float64Array(1);

  constructor(opts: SimNodeOptions) {
    const { node, sim, ...rest } = opts;
    const cfg = SimNodeConfigSchema.parse(rest);
    this.sim = sim;
    this.log = nodeLogger(node.name);
    const everyFor = (hz: number, what: string): number => {
      const every = Math.max(1, Math.round(1 / (hz * sim.timestepS)));
      if (Math.abs(every * hz * sim.timestepS - 1) > 0.01) {
        this.log.warn({ requestedHz: hz, actualHz: 1 / (every * sim.timestepS) }, `${what} rate rounded to a whole number of physics steps`);
      }
      return every;
    };
    this.jointStateEvery = everyFor(cfg.jointStateRateHz, 'joint state');
    this.imuEvery = everyFor(cfg.imuRateHz, 'imu');
    this.clockEvery = everyFor(cfg.clockRateHz, 'clock');

    // Command order → sim target order.
    this.commandJointOrder = [...(cfg.commandJointOrder ?? sim.targetJointOrder)];
    const simIndex = new Map(sim.targetJointOrder.map((n, i) => [n, i]));
    const problems: string[] = [];
    if (this.commandJointOrder.length !== sim.targetJointOrder.length) {
      problems.push(`commandJointOrder has ${this.commandJointOrder.length} joints, the sim drives ${sim.targetJointOrder.length}`);
    }
    this.perm = Int32Array.from(this.commandJointOrder, (name) => {
      const i = simIndex.get(name);
      if (i === undefined) problems.push(`commandJointOrder: '${name}' is not a sim target joint`);
      return i ?? -1;
    });
    if (new Set(this.commandJointOrder).size !== this.commandJointOrder.length) problems.push('commandJointOrder has duplicates');
    const jsOrder = cfg.jointStateOrder ?? [...sim.actuatedJoints];
    for (const n of jsOrder) if (!sim.hasJoint(n)) problems.push(`jointStateOrder: unknown joint '${n}'`);
    this.scenario = [...cfg.scenario].sort((a, b) => a.atS - b.atS);
    for (const e of this.scenario) problems.push(...scenarioEventProblems(sim, e));
    if (problems.length > 0) throw new Error(`SimNode: invalid configuration:\n- ${problems.join('\n- ')}`);

    this.targets = new Float64Array(sim.targetJointOrder.length);
    this.jointState = makeJointState(jsOrder);
    this.imu = makeImu(cfg.imuFrame);
    this.clock = makeClock();
    // Reliable publishers (as joint_state_broadcaster): they match reliable and best-effort subscribers alike.
    this.jointStatePub = node.createPublisher('sensor_msgs/msg/JointState', cfg.jointStateTopic, { preset: 'default' });
    this.imuPub = node.createPublisher('sensor_msgs/msg/Imu', cfg.imuTopic, { preset: 'default' });
    this.clockPub = node.createPublisher('rosgraph_msgs/msg/Clock', cfg.clockTopic, { preset: 'default' });
    this.commandSub = node.createSubscription(
      'std_msgs/msg/Float64MultiArray',
      cfg.commandTopic,
      (msg) => this.onCommand(msg),
      { preset: 'reliable' }, // as forward_command_controller (SystemDefaultsQoS)
    );
    this.diagnostics = new DiagnosticsPublisher(
      node,
      { name: `${node.name}: embedded MuJoCo sim`, hardwareId: 'mujoco', rateHz: cfg.diagnosticsRateHz, topic: cfg.diagnosticsTopic },
      (b) => this.report(b),
    );
  }

  /** Publishes joint state, IMU and clock for the current state (e.g. once before the first advance). */
  publishState(): void {
    this.publishJointState();
    this.publishImu();
    this.publishClock();
  }

  /** One physics step: due scenario events, step, then the publications due at the new step count. */
  advance(): void {
    this.applyDueEvents();
    this.sim.step();
    this.commandUnstepped = false;
    const k = ++this.stats.steps;
    const imuDue = k % this.imuEvery === 0;
    // IMU and joint state sampled at the same physics step (the state just integrated to).
    if (imuDue) this.sim.syncSensors();
    if (k % this.clockEvery === 0) this.publishClock();
    if (k % this.jointStateEvery === 0) this.publishJointState();
    if (imuDue) this.publishImu();
  }

  /** Applies one event now (validated; throws on an unknown target). */
  applyScenarioEvent(event: z.input<typeof ScenarioEventSchema>): void {
    const e = ScenarioEventSchema.parse(event);
    const problems = scenarioEventProblems(this.sim, e);
    if (problems.length > 0) throw new Error(`SimNode.applyScenarioEvent: ${problems.join('; ')}`);
    applyScenarioEvent(this.sim, e);
    this.stats.scenarioEventsApplied++;
    this.log.info({ event: e, simTimeS: this.sim.time }, 'scenario event applied');
  }

  destroy(): void {
    this.commandSub.destroy();
    this.diagnostics.cancel();
  }

  /** /diagnostics: OK while stepping; WARN when commands were dropped since the last report. */
  private report(b: StatusBuilder): void {
    const st = this.stats;
    b.set('sim_time_s', this.sim.time);
    for (const [k, v] of Object.entries(st)) b.set(k, v);
    const dropped = st.commandsDroppedWrongLength + st.commandsDroppedNonFinite;
    const newDrops = dropped - this.droppedAtLastReport;
    this.droppedAtLastReport = dropped;
    if (newDrops > 0) b.summary(DiagnosticLevel.WARN, `${newDrops} commands dropped (wrong length or non-finite) since the last report`);
    else b.summary(DiagnosticLevel.OK, st.commandsApplied > 0 ? 'stepping, applying commands' : 'stepping, no command received yet');
  }

  private applyDueEvents(): void {
    if (this.nextEvent >= this.scenario.length) return;
    this.sim.readTime(this.simTime);
    const t = this.simTime[0]! + 0.5 * this.sim.timestepS;
    while (this.nextEvent < this.scenario.length && this.scenario[this.nextEvent]!.atS <= t) {
      this.applyScenarioEvent(this.scenario[this.nextEvent++]!);
    }
  }

  private onCommand(msg: Float64MultiArray): void {
    const data = msg.data;
    if (data.length !== this.perm.length) {
      this.stats.commandsDroppedWrongLength++;
      return;
    }
    for (let i = 0; i < data.length; i++) this.targets[this.perm[i]!] = data[i]!;
    const r = this.sim.setPositionTargets(this.targets);
    if (r === 'applied') {
      this.stats.commandsApplied++;
      if (this.commandUnstepped) this.stats.commandsSuperseded++;
      this.commandUnstepped = true;
    } else if (r === 'non_finite') this.stats.commandsDroppedNonFinite++;
    else this.stats.commandsDroppedWrongLength++;
  }

  private publishJointState(): void {
    this.sim.readJointState(this.jointState);
    this.jointStatePub.publish(this.jointState);
  }

  private publishImu(): void {
    this.sim.readImu(this.imu);
    this.imuPub.publish(this.imu);
  }

  private publishClock(): void {
    this.sim.readTime(this.simTime);
    setTimeSecondsFrom(this.clock.clock, this.simTime);
    this.clockPub.publish(this.clock);
  }
}
