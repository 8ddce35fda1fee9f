/**
 * Where mode requests reach the policy node: a `std_msgs/String` topic (a
 * mode name), Joy button combos (when the config names any) and one
 * `std_srvs/Trigger` service per mode. Each calls `request(mode, source)`.
 */
import type { Logger } from '../log.js';
import { JoyComboDetector } from '../policy/joy-combos.js';
import { MODE_NAMES, parseModeName, type ModeName } from '../policy/modes.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import type { TransportNode } from '../transport/port.js';

type Request = (mode: ModeName, source: string) => { kind: string; reason?: string };

/** Subscribes and serves the mode requests; returns what to destroy. */
export function attachModeRequests(node: TransportNode, config: ResolvedPolicyConfig['config'], request: Request, modeNow: () => ModeName, log: Logger): Array<{ destroy(): void }> {
  const { topics, modes } = config;
  const out: Array<{ destroy(): void }> = [];
  out.push(node.createSubscription('std_msgs/msg/String', topics.modeRequest, (m) => {
    const mode = parseModeName(m.data);
    if (mode) request(mode, 'topic');
    else log.warn({ data: m.data }, `unknown mode request (modes: ${MODE_NAMES.join(', ')})`);
  }));
  if (modes.joy.combos.length > 0) {
    const joy = new JoyComboDetector(modes.joy.combos);
    out.push(node.createSubscription('sensor_msgs/msg/Joy', modes.joy.topic, (m) => {
      const mode = joy.update(m.buttons);
      if (mode) request(mode, 'joy');
    }));
  }
  for (const mode of MODE_NAMES) {
    out.push(node.createService('std_srvs/srv/Trigger', `${topics.modeServices}/${mode.toLowerCase()}`, () => {
      const r = request(mode, 'service');
      return r.kind === 'rejected' ? { success: false, message: r.reason ?? 'rejected' } : { success: true, message: `mode ${modeNow()}` };
    }));
  }
  return out;
}
