/**
 * The admission trial's control latency: the delay node forwards each command
 * from the shield's output topic to the sim's command topic `latencyS` later
 * (on the bus clock, checked every physics step), in order, unchanged.
 */
import { describe, expect, it } from 'vitest';
import { DELAYED_COMMAND_TOPIC, delayNode } from '../../src/runtime/admission-trial.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeFloat64MultiArray } from '../../src/transport/messages.js';

const STEP_NS = 2_000_000n; // 2 ms physics step

describe('admission latency node', () => {
  it('each command arrives latencyS after it was published, in order', () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const shield = bus.createNode('shield');
    const sim = bus.createNode('sim');
    const pub = shield.createPublisher('std_msgs/msg/Float64MultiArray', '/cmd_out', { preset: 'reliable' });
    const got: [number, number][] = [];
    sim.createSubscription('std_msgs/msg/Float64MultiArray', DELAYED_COMMAND_TOPIC, (m) => void got.push([Math.round(sim.nowSeconds() * 1000), m.data[0]!]), { preset: 'reliable' });
    const node = delayNode(bus.createNode('admission_latency'), '/cmd_out', 0.01, 0.002);
    const msg = makeFloat64MultiArray(1);
    for (let k = 1; k <= 20; k++) {
      bus.advanceTo(BigInt(k) * STEP_NS);
      if (k === 2 || k === 3) {
        msg.data[0] = k;
        pub.publish(msg);
      }
    }
    // published at 4 ms and 6 ms → delivered at 14 ms and 16 ms; the value as published (not the reused buffer's last)
    expect(got).toEqual([[14, 2], [16, 3]]);
    node.destroy();
  });
});
