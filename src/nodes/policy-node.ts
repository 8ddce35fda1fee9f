/**
 * The policy node: latest `/joint_states` + `/imu` (+ `/cmd_vel` when the
 * observation uses it) → observation → ONNX inference → joint targets,
 * published as a one-point `trajectory_msgs/JointTrajectory` candidate
 * command (robot joint order, with joint_names) for the safety shield.
 *
 * Subscriptions only copy into preallocated state (rejecting and counting
 * NaN, wrong lengths or missing joints). The timer runs at the policy rate
 * on the node's clock; its callback returns the inference promise so the
 * embedded bus runs it in lockstep. Nothing is published before both joint
 * state and IMU have arrived, nor while an inference is still in flight
 * (such ticks are counted, never queued). Status is data: {@link PolicyNodeStats}.
 */
import { nodeLogger, type Logger } from '../log.js';
import { ActionMapper } from '../policy/action.js';
import { buildPolicyToRobot, JointStateReader } from '../policy/joint-map.js';
import { createObservationInputs, latentWidthOf, ObservationAssembler, type ObservationInputs } from '../policy/observation.js';
import type { Policy } from '../policy/onnx-policy.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { makeJointTrajectory, setTimeSeconds, type Imu, type JointState, type JointTrajectory, type Twist } from '../transport/messages.js';
import type { Publisher, Subscription, Timer, TransportNode } from '../transport/port.js';

export interface PolicyNodeOptions {
  node: TransportNode;
  config: ResolvedPolicyConfig;
  policy: Policy;
  /** The robot's joint order (URDF / `/joint_states`); the command is published in this order. */
  robotJointNames: readonly string[];
}

/** Counters for diagnostics (plain data; read at any time). */
export interface PolicyNodeStats {
  /** Timer callbacks. */
  ticks: number;
  /** Ticks skipped because joint state or IMU had not arrived yet. */
  waitingForState: number;
  /** Ticks skipped because the previous inference was still running. */
  busySkips: number;
  inferences: number;
  published: number;
  nonFiniteObservations: number;
  nonFiniteActions: number;
  inferenceErrors: number;
  rejectedJointStates: number;
  rejectedImu: number;
  rejectedCmdVel: number;
  /** Inference wall time of the last run, ms. */
  lastInferenceMs: number;
  maxInferenceMs: number;
  /** Sum of inference wall times, ms (mean = sum / inferences). */
  totalInferenceMs: number;
}

export class PolicyNode {
  readonly stats: PolicyNodeStats = {
    ticks: 0,
    waitingForState: 0,
    busySkips: 0,
    inferences: 0,
    published: 0,
    nonFiniteObservations: 0,
    nonFiniteActions: 0,
    inferenceErrors: 0,
    rejectedJointStates: 0,
    rejectedImu: 0,
    rejectedCmdVel: 0,
    lastInferenceMs: 0,
    maxInferenceMs: 0,
    totalInferenceMs: 0,
  };
  /** Observation state; joint arrays in policy order. */
  readonly inputs: ObservationInputs;
  readonly assembler: ObservationAssembler;
  readonly action: ActionMapper;
  private readonly node: TransportNode;
  private readonly policy: Policy;
  private readonly log: Logger;
  private readonly reader: JointStateReader;
  private readonly posScratch: Float64Array;
  private readonly velScratch: Float64Array;
  /** command slot k ← policy joint cmdToPolicy[k]. */
  private readonly cmdToPolicy: Int32Array;
  private readonly msg: JointTrajectory;
  private readonly positions: Float64Array;
  private readonly pub: Publisher<JointTrajectory>;
  private readonly subs: Subscription[] = [];
  private readonly timer: Timer;
  private readonly periodS: number;
  private haveJoints = false;
  private haveImu = false;
  private inFlight = false;
  private step = 0;
  private t0Ms = 0;

  constructor(opts: PolicyNodeOptions) {
    const { node, config, policy } = opts;
    this.node = node;
    this.policy = policy;
    this.log = nodeLogger(node.name);
    const n = config.joints.length;
    if (policy.obsWidth !== config.observationWidth || policy.actionWidth !== n) {
      throw new Error(
        `policy '${config.config.name}' takes ${policy.obsWidth} observations and gives ${policy.actionWidth} actions; config expects ${config.observationWidth} and ${n}`,
      );
    }
    const policyToRobot = buildPolicyToRobot(config.joints, opts.robotJointNames, config.config.jointIndexMap);
    this.inputs = createObservationInputs(n, latentWidthOf(config.observation));
    this.inputs.jointPos.set(config.defaultJointPos);
    this.assembler = new ObservationAssembler(config.observation, config.defaultJointPos, policy.input);
    this.action = new ActionMapper(config.action, config.defaultJointPos);
    this.reader = new JointStateReader(config.joints);
    this.posScratch = new Float64Array(n);
    this.velScratch = new Float64Array(n);
    // command in robot order, restricted to the joints the policy drives
    const order = Array.from(policyToRobot.keys()).sort((a, b) => policyToRobot[a]! - policyToRobot[b]!);
    this.cmdToPolicy = Int32Array.from(order);
    this.msg = makeJointTrajectory(order.map((p) => config.joints[p]!));
    this.positions = this.msg.points[0]!.positions;
    this.periodS = 1 / config.config.rateHz;

    const topics = config.config.topics;
    this.pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', topics.command, { preset: 'reliable', depth: 1 });
    this.subs.push(node.createSubscription('sensor_msgs/msg/JointState', topics.jointStates, (m) => this.onJointState(m), { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('sensor_msgs/msg/Imu', topics.imu, (m) => this.onImu(m), { preset: 'sensor_data' }));
    if (config.observation.terms.some((t) => t.source === 'velocity_command')) {
      this.subs.push(node.createSubscription('geometry_msgs/msg/Twist', topics.cmdVel, (m) => this.onCmdVel(m), { preset: 'default' }));
    }
    this.timer = node.createTimer(config.periodNs, () => this.tick());
  }

  /** True once joint state and IMU have both arrived. */
  get ready(): boolean {
    return this.haveJoints && this.haveImu;
  }

  /** The last published targets, rad, in command (robot) order. */
  get lastCommand(): JointTrajectory {
    return this.msg;
  }

  /** Restarts the phase clock, observation history and last action (e.g. on entering POLICY mode). */
  reset(): void {
    this.step = 0;
    this.assembler.reset();
    this.action.reset();
    this.inputs.lastActionRaw.fill(0);
    this.inputs.lastActionClipped.fill(0);
    this.inputs.lastActionProcessed.set(this.action.offset);
  }

  destroy(): void {
    this.timer.cancel();
    for (const s of this.subs) s.destroy();
  }

  private onJointState(m: JointState): void {
    const n = m.name.length;
    if (m.position.length !== n || m.velocity.length !== n || !this.reader.accept(m.name)) {
      this.reject('rejectedJointStates', this.reader.missingJoint ? `joint '${this.reader.missingJoint}' missing from /joint_states` : 'joint_states arrays differ in length');
      return;
    }
    this.reader.gather(m.position, this.posScratch);
    this.reader.gather(m.velocity, this.velScratch);
    for (let j = 0; j < this.posScratch.length; j++) {
      if (!Number.isFinite(this.posScratch[j]!) || !Number.isFinite(this.velScratch[j]!)) {
        this.reject('rejectedJointStates', 'non-finite joint state');
        return;
      }
    }
    this.inputs.jointPos.set(this.posScratch);
    this.inputs.jointVel.set(this.velScratch);
    this.haveJoints = true;
  }

  private onImu(m: Imu): void {
    const q = m.orientation;
    const w = m.angular_velocity;
    const norm2 = q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w;
    if (!(Math.abs(norm2 - 1) < 0.1) || !Number.isFinite(w.x + w.y + w.z)) {
      this.reject('rejectedImu', 'IMU orientation not a unit quaternion or non-finite gyro');
      return;
    }
    const qq = this.inputs.baseQuatXyzw;
    qq[0] = q.x;
    qq[1] = q.y;
    qq[2] = q.z;
    qq[3] = q.w;
    const g = this.inputs.baseAngVel;
    g[0] = w.x;
    g[1] = w.y;
    g[2] = w.z;
    this.haveImu = true;
  }

  private onCmdVel(m: Twist): void {
    if (!Number.isFinite(m.linear.x + m.linear.y + m.angular.z)) {
      this.reject('rejectedCmdVel', 'non-finite /cmd_vel');
      return;
    }
    const c = this.inputs.velocityCommand;
    c[0] = m.linear.x;
    c[1] = m.linear.y;
    c[2] = m.angular.z;
  }

  private reject(counter: 'rejectedJointStates' | 'rejectedImu' | 'rejectedCmdVel', why: string): void {
    if (this.stats[counter]++ === 0) this.log.warn({ why }, 'rejected input message (further rejections are counted only)');
  }

  private tick(): Promise<void> | void {
    this.stats.ticks++;
    if (!this.ready) {
      this.stats.waitingForState++;
      return;
    }
    if (this.inFlight) {
      this.stats.busySkips++;
      return;
    }
    const s = this.inputs;
    s.step = this.step;
    s.timeS = this.step * this.periodS;
    this.step++;
    if (this.assembler.assemble(s) !== 'ok') {
      this.stats.nonFiniteObservations++;
      return;
    }
    this.inFlight = true;
    this.t0Ms = performance.now();
    return this.policy.run(this.policy.input).then(this.onResult, this.onError);
  }

  private readonly onResult = (out: Float32Array): void => {
    this.inFlight = false;
    const ms = performance.now() - this.t0Ms;
    const st = this.stats;
    st.inferences++;
    st.lastInferenceMs = ms;
    st.totalInferenceMs += ms;
    if (ms > st.maxInferenceMs) st.maxInferenceMs = ms;
    if (this.action.map(out).kind !== 'ok') {
      st.nonFiniteActions++;
      return;
    }
    this.inputs.lastActionRaw.set(this.action.raw);
    this.inputs.lastActionClipped.set(this.action.clipped);
    this.inputs.lastActionProcessed.set(this.action.target);
    const target = this.action.target;
    for (let k = 0; k < this.cmdToPolicy.length; k++) this.positions[k] = target[this.cmdToPolicy[k]!]!;
    setTimeSeconds(this.msg.header.stamp, this.node.nowSeconds());
    this.pub.publish(this.msg);
    st.published++;
  };

  private readonly onError = (err: unknown): void => {
    this.inFlight = false;
    if (this.stats.inferenceErrors++ === 0) this.log.error({ err }, 'inference failed (further failures are counted only)');
  };
}
