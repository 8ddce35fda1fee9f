/**
 * The policy node's publishers: the candidate command (one reused one-point
 * `trajectory_msgs/JointTrajectory`, robot joint order, filled by
 * {@link PolicyMessages.fillCommand}) and the mode as `std_msgs/String` on
 * every transition (logged: faults at error level).
 */
import type { Logger } from '../log.js';
import type { Transition } from '../policy/modes.js';
import type { PolicyMessages } from '../policy/policy-messages.js';
import type { JointTrajectory, StringMsg } from '../transport/messages.js';
import type { Publisher, TransportNode } from '../transport/port.js';

export class PolicyOutput {
  /** Commands published. */
  published = 0;
  private readonly pub: Publisher<JointTrajectory>;
  private readonly modePub: Publisher<StringMsg>;
  private readonly modeMsg: StringMsg = { data: '' };

  constructor(node: TransportNode, topics: { command: string; mode: string }, private readonly messages: PolicyMessages, private readonly log: Logger) {
    this.pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', topics.command, { preset: 'reliable', depth: 1 });
    this.modePub = node.createPublisher('std_msgs/msg/String', topics.mode, { preset: 'reliable', depth: 10 });
  }

  readonly publish = (): void => {
    this.pub.publish(this.messages.fillCommand());
    this.published++;
  };

  announce(t: Transition): void {
    if (t.reason.startsWith('fault:')) this.log.error(t, 'mode transition (fault)');
    else this.log.info(t, 'mode transition');
    this.modeMsg.data = t.to;
    this.modePub.publish(this.modeMsg);
  }
}
