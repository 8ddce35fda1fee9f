/**
 * The policy node: wires a {@link PolicyController} to topics.
 *
 * In: `/joint_states`, `/imu`, `/cmd_vel` (when observed) and the reference
 * motion (src/nodes/policy-inputs.ts), Joy combos and mode requests (topic and
 * std_srvs/Trigger services; src/nodes/mode-requests.ts).
 * Out: the candidate command as a one-point `trajectory_msgs/JointTrajectory`
 * (robot joint order, one reused message), the mode as `std_msgs/String` on
 * every transition, and `/diagnostics`.
 * The timer runs at the command rate on the node's clock; a tick that starts
 * an asynchronous inference returns its promise (the embedded bus runs it in
 * lockstep; src/nodes/policy-inference.ts).
 */
import { nodeLogger, type Logger } from '../log.js';
import { PolicyController } from '../policy/controller.js';
import { buildPolicyToRobot } from '../policy/joint-map.js';
import type { ModeName, Transition } from '../policy/modes.js';
import { PolicyMessages } from '../policy/policy-messages.js';
import { checkPolicyWidths } from '../policy/policy-port.js';
import type { JointTrajectory } from '../transport/messages.js';
import type { Timer, TransportNode } from '../transport/port.js';
import { attachAdaptation, type AdaptationWiring } from './adaptation-wiring.js';
import { AdmissionWiring } from './admission-wiring.js';
import { DiagnosticsPublisher, type StatusBuilder } from './diagnostics.js';
import { attachModeRequests } from './mode-requests.js';
import { PolicyInference } from './policy-inference.js';
import { PolicyOutput } from './policy-output.js';
import { subscribePolicyInputs } from './policy-inputs.js';
import type { PolicyNodeOptions } from './policy-node-options.js';
import { PolicyStatusReport, type PolicyNodeStats } from './policy-status.js';

export type { PolicyNodeOptions, PolicyNodeStats };

export class PolicyNode {
  readonly controller: PolicyController;
  private readonly node: TransportNode;
  private readonly log: Logger;
  private readonly inference: PolicyInference;
  private readonly messages: PolicyMessages;
  private readonly output: PolicyOutput;
  private readonly subs: Array<{ destroy(): void }> = [];
  private readonly timer: Timer;
  private readonly diagnostics: DiagnosticsPublisher;
  private readonly adaptation: AdaptationWiring | null;
  private readonly admission: AdmissionWiring;
  private readonly status: PolicyStatusReport;
  /** The controller's time slot: every callback writes the node's time here before calling the controller. */
  private readonly clock: Float64Array;

  constructor(opts: PolicyNodeOptions) {
    const { node, config, policy } = opts;
    this.node = node;
    this.log = nodeLogger(node.name);
    checkPolicyWidths(policy, config);
    const policyToRobot = buildPolicyToRobot(config.joints, opts.robotJointNames, config.config.jointIndexMap);
    this.admission = new AdmissionWiring(config.config.admission, opts.admission ?? null, this.log);
    this.controller = new PolicyController(this.admission.startConfig(config), policy.input, {
      ...(policy.extraInputs ? { inputs: policy.extraInputs } : {}),
      ...(policy.extraOutputs ? { outputs: policy.extraOutputs } : {}),
      ...(opts.robotModel ? { robot: opts.robotModel } : {}),
      ...(opts.referenceMotion ? { referenceMotion: opts.referenceMotion } : {}),
      contextLatentFed: (opts.adaptation?.module ?? null) !== null, // the module runs with the adaptation wiring
    });
    this.controller.onTransition = (t) => this.onTransition(t);
    this.status = new PolicyStatusReport(this.controller);
    this.clock = this.controller.clock;
    this.messages = new PolicyMessages(this.controller, config.joints, policyToRobot);

    const topics = config.config.topics;
    this.output = new PolicyOutput(node, topics, this.messages, this.log);
    this.inference = new PolicyInference(policy, this.controller, () => { this.clock[0] = node.nowSeconds(); }, this.output.publish, this.log);
    this.subs.push(...subscribePolicyInputs(node, config, this.messages, this.clock, this.log));
    this.subs.push(...attachModeRequests(node, config.config, (mode, source) => this.request(mode, source), () => this.controller.mode, this.log));
    this.adaptation = opts.adaptation ? attachAdaptation(node, this.controller, opts.adaptation.adapter, opts.adaptation.module, topics.diagnostics) : null;
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
      published: this.output.published,
      ...this.inference.times,
    };
  }

  get mode(): ModeName { return this.controller.mode; }
  /** Recent mode transitions, oldest first. */
  get transitions(): readonly Transition[] { return this.controller.modes.log; }
  /** True once joint state and IMU have both arrived. */
  get ready(): boolean { return this.controller.ready; }
  /** The observation state (policy joint order). */
  get inputs(): PolicyController['inputs'] { return this.controller.inputs; }
  /** The last published command message (robot joint order). */
  get lastCommand(): JointTrajectory { return this.messages.command; }

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
    this.inference.destroyed = true;
    this.timer.cancel();
    this.diagnostics.cancel();
    for (const s of this.subs) s.destroy();
    this.adaptation?.destroy();
    this.admission.destroy();
  }

  private tick(): Promise<void> | void {
    this.clock[0] = this.node.nowSeconds();
    const plan = this.controller.tick();
    if (plan === 'publish') this.output.publish();
    else if (plan === 'infer') return this.inference.run();
  }

  /** /diagnostics: the node's status (src/nodes/policy-status.ts), then adaptation and admission. */
  private report(b: StatusBuilder): void {
    this.status.report(b, this.node.nowSeconds(), this.stats);
    this.adaptation?.report(b);
    this.admission.report(b);
  }

  private onTransition(t: Transition): void {
    this.output.announce(t);
    this.admission.onTransition(t);
  }
}
