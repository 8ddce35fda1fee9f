/**
 * The shield node's operator services (`<prefix>/{estop,reset,activate,hold}`,
 * std_srvs/Trigger; what each does is `shieldRequest`'s) and its `/diagnostics`: what {@link describeShieldNode} says about
 * the shield's status, its inputs (IMU, stamp leads, topic preemption) and the
 * clearances of the collision model, at the configured rate.
 */
import type { CollisionModel } from '../safety/collision-model.js';
import type { ShieldNodeConfig } from '../safety/config.js';
import type { ShieldIntake } from '../safety/node-inputs.js';
import { describeShieldNode } from '../safety/report.js';
import { SHIELD_REQUESTS, shieldRequest } from '../safety/requests.js';
import type { Shield } from '../safety/shield.js';
import type { TriggerResponse } from '../transport/messages.js';
import type { ServiceServer, TransportNode } from '../transport/port.js';
import { DiagnosticsPublisher } from './diagnostics.js';

export function shieldDiagnostics(
  node: TransportNode,
  cfg: ShieldNodeConfig,
  parts: { shield: Shield; intake: ShieldIntake; collision: CollisionModel | null; names: readonly string[]; published: () => number },
): DiagnosticsPublisher {
  const { shield, intake, collision: c, names } = parts;
  return new DiagnosticsPublisher(
    node,
    { name: `${node.name}: safety shield`, hardwareId: 'aegis', rateHz: cfg.diagnosticsRateHz, topic: cfg.topics.diagnostics },
    (b) => {
      const { level, message } = describeShieldNode({
        status: shield.status, names, autoActivate: cfg.core.autoActivate, passThrough: cfg.core.passThrough,
        published: parts.published(), preempted: intake.arbiter.preempted, imu: intake.imu, nowS: node.nowSeconds(),
        maxFutureS: cfg.core.inputs.maxFutureS, measuredLead: intake.measuredLead, candidateLead: intake.candidateLead,
        ...(c ? { clearance: { collisionM: c.minCollisionClearanceM, workspaceM: c.minWorkspaceClearanceM } } : {}),
      }, (k, v) => b.set(k, v));
      b.summary(level, message);
    },
  );
}

/** One Trigger service per operator request; `after` runs after each (the node logs transitions). */
export function shieldServices(node: TransportNode, prefix: string, shield: Shield, after: () => void): ServiceServer[] {
  return SHIELD_REQUESTS.map((request) => node.createService('std_srvs/srv/Trigger', `${prefix}/${request}`, (): TriggerResponse => {
    const r = shieldRequest(shield, request, node.nowSeconds());
    after();
    return r;
  }));
}
