/**
 * The policy node: wires a {@link PolicyController} to topics.
 *
 * In: `/joint_states` and `/imu` (copied into preallocated state, by joint
 * name; NaN, wrong lengths or missing joints rejected and counted),
 * `/cmd_vel` (when the observation uses it), the reference motion, Joy combos
 * and mode requests (topic and std_srvs/Trigger services).
 * Out: the candidate command as a one-point `trajectory_msgs/JointTrajectory`
 * (robot joint order, with joint_names, one reused message) and the mode as
 * `std_msgs/String` on every transition.
 *
 * The timer runs at the command rate (policy rate × decimation) on the node's
 * clock; when it starts an inference it returns the promise, so the embedded
 * bus runs it in lockstep.
 * Status is data: {@link PolicyNode.stats} and {@link PolicyNode.transitions},
 * and on `/diagnostics` (mode, achieved rates, deadline misses, rejections).
 */
import { nodeLogger, type Logger } from '../log.js';
import { PolicyController } from '../policy/controller.js';
import { buildPolicyToRobot } from '../policy/joint-map.js';
import type { ModeName, Transition } from '../policy/modes.js';
import { PolicyMessages } from '../policy/policy-messages.js';
import { checkPolicyWidths, type Policy } from '../policy/policy-port.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import type { ReferenceMotion } from '../policy/reference.js';
import type { RobotModel } from '../robot/model.js';
import type { JointTrajectory, StringMsg } from '../transport/messages.js';
import type { Publisher, Timer, TransportNode } from '../transport/port.js';
import type { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { attachAdaptation, type AdaptationWiring } from './adaptation-wiring.js';
import { AdmissionWiring, type AdmissionSource } from './admission-wiring.js';
import { DiagnosticsPublisher, type StatusBuilder } from './diagnostics.js';
import { attachModeRequests } from './mode-requests.js';
import { PolicyStatusReport, type PolicyNodeStats } from './policy-status.js';

export interface PolicyNodeOptions {
  node: TransportNode;
  config: ResolvedPolicyConfig;
  policy: Policy;
  /** The robot's joint order (URDF / `/joint_states`); the command is published in this order. */
  robotJointNames: readonly string[];
  /** The robot model (needed when the config names a reference anchor body). */
  robotModel?: RobotModel;
  /** The parsed reference motion (reference.source: file; src/io/reference-motion-file.ts). */
  referenceMotion?: ReferenceMotion;
  /** Online adaptation of the policy's targets (optional; see src/nodes/adaptation-wiring.ts). */
  adapter?: ResidualAdapter;
  /** The admission record of the loaded files (needed with `admission.required`; see src/nodes/admission-wiring.ts). */
  admission?: AdmissionSource;
}

export type { PolicyNodeStats };

export class PolicyNode {
  readonly controller: PolicyController;
  private readonly node: TransportNode;
  private readonly policy: Policy;
  private readonly log: Logger;
  private readonly messages: PolicyMessages;
  private readonly modeMsg: StringMsg = { data: '' };
  private readonly pub: Publisher<JointTrajectory>;
  private readonly modePub: Publisher<StringMsg>;
  private readonly subs: Array<{ destroy(): void }> = [];
  private readonly timer: Timer;
  private readonly diagnostics: DiagnosticsPublisher;
  private readonly adaptation: AdaptationWiring | null;
  private readonly admission: AdmissionWiring;
  private readonly status: PolicyStatusReport;
  private published = 0;
  private destroyed = false;
  private lastInferenceMs = 0;
  private maxInferenceMs = 0;
  private totalInferenceMs = 0;
  /** The controller's time slot: every callback writes the node's time here before calling the controller. */
  private readonly clock: Float64Array;

  constructor(opts: PolicyNodeOptions) {
    const { node, config, policy } = opts;
    this.node = node;
    this.policy = policy;
    this.log = nodeLogger(node.name);
    checkPolicyWidths(policy, config);
    const policyToRobot = buildPolicyToRobot(config.joints, opts.robotJointNames, config.config.jointIndexMap);
    this.admission = new AdmissionWiring(config.config.admission, opts.admission ?? null, this.log);
    this.controller = new PolicyController(this.admission.startConfig(config), policy.input, {
      ...(policy.extraInputs ? { inputs: policy.extraInputs } : {}),
      ...(policy.extraOutputs ? { outputs: policy.extraOutputs } : {}),
      ...(opts.robotModel ? { robot: opts.robotModel } : {}),
      ...(opts.referenceMotion ? { referenceMotion: opts.referenceMotion } : {}),
    });
    this.controller.onTransition = (t) => this.onTransition(t);
    this.status = new PolicyStatusReport(this.controller);
    this.clock = this.controller.clock;
    this.messages = new PolicyMessages(this.controller, config.joints, policyToRobot);

    const topics = config.config.topics;
    this.pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', topics.command, { preset: 'reliable', depth: 1 });
    this.modePub = node.createPublisher('std_msgs/msg/String', topics.mode, { preset: 'reliable', depth: 10 });
    const msgs = this.messages;
    const clock = this.clock; // each callback writes the receive time here first (no float argument to box)
    this.subs.push(node.createSubscription('sensor_msgs/msg/JointState', topics.jointStates, (m) => {
      clock[0] = node.nowSeconds();
      if (msgs.jointState(m) === 'first_rejection') {
        this.log.warn({ missing: msgs.missingJoint }, 'rejected /joint_states (missing joint or array lengths differ); further rejections are counted only');
      }
    }, { preset: 'sensor_data' }));
    this.subs.push(node.createSubscription('sensor_msgs/msg/Imu', topics.imu, (m) => { clock[0] = node.nowSeconds(); msgs.imu(m); }, { preset: 'sensor_data' }));
    if (config.observation.terms.some((t) => t.source === 'velocity_command' || (t.source === 'phase' && t.pin))) {
      this.subs.push(node.createSubscription('geometry_msgs/msg/Twist', topics.cmdVel, (m) => { clock[0] = node.nowSeconds(); msgs.cmdVel(m); }));
    }
    this.subs.push(node.createSubscription('trajectory_msgs/msg/JointTrajectory', topics.reference, (m) => { clock[0] = node.nowSeconds(); msgs.reference(m); }, { preset: 'reliable' }));
    this.subs.push(...attachModeRequests(node, config.config, (mode, source) => this.request(mode, source), () => this.controller.mode, this.log));
    this.adaptation = opts.adapter ? attachAdaptation(node, this.controller, opts.adapter) : null;
    this.admission.attach(node, this.controller);
    this.timer = node.createTimer(config.commandPeriodNs, () => this.tick());
    this.diagnostics = new DiagnosticsPublisher(
      node,
      { name: `${node.name}: policy ${config.config.name}`, hardwareId: 'aegis', rateHz: config.config.diagnosticsRateHz, topic: topics.diagnostics },
      (b) => this.report(b),
    );
  }

  /** Counters (controller counters plus commands published and inference times). */
  get stats(): PolicyNodeStats {
    return {
      ...this.controller.stats,
      ...this.controller.intake.stats,
      published: this.published,
      lastInferenceMs: this.lastInferenceMs,
      maxInferenceMs: this.maxInferenceMs,
      totalInferenceMs: this.totalInferenceMs,
    };
  }

  get mode(): ModeName {
    return this.controller.mode;
  }

  /** Recent mode transitions, oldest first. */
  get transitions(): readonly Transition[] {
    return this.controller.modes.log;
  }

  /** True once joint state and IMU have both arrived. */
  get ready(): boolean {
    return this.controller.ready;
  }

  /** The observation state (policy joint order). */
  get inputs(): PolicyController['inputs'] {
    return this.controller.inputs;
  }

  /** The last published command message (robot joint order). */
  get lastCommand(): JointTrajectory {
    return this.messages.command;
  }

  /** Requests a mode (as a service call would). */
  request(mode: ModeName, source: string): ReturnType<PolicyController['request']> {
    this.clock[0] = this.node.nowSeconds();
    const r = this.controller.request(mode, source);
    if (r.kind === 'rejected') this.log.warn({ mode, source, reason: r.reason }, 'mode request rejected');
    return r;
  }

  /** One tick now, outside the timer (the first tick at t = 0 of a lockstep run; the timer's first is one period later). */
  tickNow(): Promise<void> | void {
    return this.tick();
  }

  /** Stops the node: timers, subscriptions, services; a result still in flight is dropped, never published. */
  destroy(): void {
    this.destroyed = true;
    this.timer.cancel();
    this.diagnostics.cancel();
    for (const s of this.subs) s.destroy();
    this.adaptation?.destroy();
    this.admission.destroy();
  }

  private tick(): Promise<void> | void {
    this.clock[0] = this.node.nowSeconds();
    const plan = this.controller.tick();
    if (plan === 'publish') this.publish();
    else if (plan === 'infer') return this.infer();
  }

  /** One inference: within this call when the policy can run synchronously, else when its promise settles. */
  private infer(): Promise<void> | void {
    const { runSync } = this.policy;
    if (!runSync) return this.policy.run(this.policy.input).then(this.onResult, this.onError);
    let out: Float32Array;
    try {
      out = runSync();
    } catch (err) {
      return this.onError(err);
    }
    this.onResult(out);
  }

  private readonly onResult = (out: Float32Array): void => {
    if (this.destroyed) return; // deactivated while the inference ran: publish nothing
    const ms = this.policy.lastRunMs;
    this.lastInferenceMs = ms;
    this.totalInferenceMs += ms;
    if (ms > this.maxInferenceMs) this.maxInferenceMs = ms;
    this.clock[0] = this.node.nowSeconds();
    if (this.controller.finishInference(out) === 'publish') this.publish();
  };

  private readonly onError = (err: unknown): void => {
    if (this.destroyed) return;
    if (this.controller.stats.inferenceErrors === 0) this.log.error({ err }, 'inference failed (further failures are counted only)');
    this.clock[0] = this.node.nowSeconds();
    this.controller.inferenceFailed();
  };

  private publish(): void {
    this.pub.publish(this.messages.fillCommand());
    this.published++;
  }

  /** /diagnostics: the node's status (src/nodes/policy-status.ts), then adaptation and admission. */
  private report(b: StatusBuilder): void {
    this.status.report(b, this.node.nowSeconds(), this.stats);
    this.adaptation?.report(b);
    this.admission.report(b);
  }

  private onTransition(t: Transition): void {
    if (t.reason.startsWith('fault:')) this.log.error(t, 'mode transition (fault)');
    else this.log.info(t, 'mode transition');
    this.modeMsg.data = t.to;
    this.modePub.publish(this.modeMsg);
    this.admission.onTransition(t);
  }
}
