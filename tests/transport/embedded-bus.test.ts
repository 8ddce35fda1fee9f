import { describe, expect, it } from 'vitest';
import { EmbeddedBus, resolveName } from '../../src/transport/bus/index.js';
import { makeFloat64MultiArray, makeJointState, type JointState } from '../../src/transport/messages.js';

const MS = 1_000_000n;

describe('embedded bus topics', () => {
  it('delivers a published message to every subscriber of the topic, in ROS 2 shape', () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const a = bus.createNode('a');
    const b = bus.createNode('b');
    const seen: number[] = [];
    b.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (m) => {
      seen.push(m.position[1]!);
      expect(m.position).toBeInstanceOf(Float64Array);
    });
    a.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (m) => void seen.push(m.name.length));
    const pub = a.createPublisher('sensor_msgs/msg/JointState', '/joint_states');
    const msg = makeJointState(['j1', 'j2']);
    msg.position[1] = 0.5;
    pub.publish(msg);
    expect(seen).toEqual([0.5, 2]);
    expect(bus.stats.delivered).toBe(2);
  });

  it('drops an invalid message when validation is on, and counts it', () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const n = bus.createNode('n');
    let got = 0;
    n.createSubscription('sensor_msgs/msg/JointState', '/joint_states', () => void got++);
    const pub = n.createPublisher('sensor_msgs/msg/JointState', '/joint_states');
    const bad = makeJointState(['j1']) as unknown as Record<string, unknown>;
    bad['position'] = [0.1]; // a plain array where ROS delivers Float64Array
    pub.publish(bad as unknown as JointState);
    expect(got).toBe(0);
    expect(bus.stats.invalidMessages).toBe(1);
  });

  it('refuses to use one topic with two message types', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    n.createPublisher('std_msgs/msg/Bool', '/estop');
    expect(() => n.createSubscription('std_msgs/msg/String', '/estop', () => {})).toThrow(/already has type 'std_msgs\/msg\/Bool'/);
  });

  it('does not connect a best-effort publisher to a reliable subscription, like DDS', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    let got = 0;
    n.createSubscription('std_msgs/msg/Float64MultiArray', '/ctrl/commands', () => void got++, { preset: 'reliable' });
    n.createPublisher('std_msgs/msg/Float64MultiArray', '/ctrl/commands', { preset: 'sensor_data' }).publish(makeFloat64MultiArray(3));
    expect(got).toBe(0);
    expect(bus.stats.qosMismatches).toBe(1);
    n.createPublisher('std_msgs/msg/Float64MultiArray', '/ctrl/commands', { preset: 'reliable' }).publish(makeFloat64MultiArray(3));
    expect(got).toBe(1);
  });

  it('keeps running when a subscriber throws, and counts the error', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    let second = 0;
    n.createSubscription('std_msgs/msg/Bool', '/x', () => {
      throw new Error('boom');
    });
    n.createSubscription('std_msgs/msg/Bool', '/x', () => void second++);
    n.createPublisher('std_msgs/msg/Bool', '/x').publish({ data: true });
    expect(second).toBe(1);
    expect(bus.stats.callbackErrors).toBe(1);
  });

  it('stops delivering after a subscription is destroyed', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    let got = 0;
    const sub = n.createSubscription('std_msgs/msg/Bool', '/x', () => void got++);
    const pub = n.createPublisher('std_msgs/msg/Bool', '/x');
    pub.publish({ data: true });
    sub.destroy();
    pub.publish({ data: true });
    expect(got).toBe(1);
  });
});

describe('embedded bus timers on the bus clock', () => {
  it('fires timers on absolute deadlines in deadline order', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    const log: string[] = [];
    n.createTimer(2n * MS, () => void log.push(`fast@${n.nowNs() / MS}`));
    n.createTimer(5n * MS, () => void log.push(`slow@${n.nowNs() / MS}`));
    for (let t = 1n; t <= 10n; t++) bus.advanceTo(t * MS);
    expect(log).toEqual(['fast@2', 'fast@4', 'slow@5', 'fast@6', 'fast@8', 'fast@10', 'slow@10']);
  });

  it('fires a timer once and counts the skipped deadlines when time jumps several periods', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    let calls = 0;
    n.createTimer(1n * MS, () => void calls++);
    bus.advanceTo(5n * MS);
    expect(calls).toBe(1);
    expect(bus.stats.timerSkips).toBe(4);
    bus.advanceTo(6n * MS);
    expect(calls).toBe(2);
  });

  it('re-bases timers when the clock goes backwards (sim reset)', () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    const at: bigint[] = [];
    n.createTimer(10n * MS, () => void at.push(n.nowNs()));
    bus.advanceTo(10n * MS);
    bus.advanceTo(0n);
    bus.advanceTo(9n * MS);
    bus.advanceTo(10n * MS);
    expect(at).toEqual([10n * MS, 10n * MS]);
  });

  it('rejects a non-positive timer period', () => {
    const n = new EmbeddedBus().createNode('n');
    expect(() => n.createTimer(0n, () => {})).toThrow(/positive/);
  });

  it('awaits promises returned by callbacks in settle()', async () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    let done = 0;
    n.createTimer(1n * MS, async () => {
      await new Promise((r) => setTimeout(r, 5));
      done++;
    });
    bus.advanceTo(1n * MS);
    expect(bus.busy).toBe(true);
    await bus.settle();
    expect(done).toBe(1);
    expect(bus.busy).toBe(false);
  });
});

describe('embedded bus services', () => {
  it('answers a Trigger call asynchronously', async () => {
    const bus = new EmbeddedBus();
    const server = bus.createNode('server', { namespace: '/shield' });
    let called = 0;
    server.createService('std_srvs/srv/Trigger', '~/reset', () => {
      called++;
      return { success: true, message: 'reset' };
    });
    const client = bus.createNode('client').createClient('std_srvs/srv/Trigger', '/shield/server/reset');
    const p = client.call({});
    expect(called).toBe(0);
    await expect(p).resolves.toEqual({ success: true, message: 'reset' });
  });

  it('rejects a call to a missing service and a request of the wrong shape', async () => {
    const bus = new EmbeddedBus();
    const n = bus.createNode('n');
    await expect(n.createClient('std_srvs/srv/Trigger', '/nope').call({})).rejects.toThrow(/not available/);
    n.createService('std_srvs/srv/SetBool', '/enable', () => ({ success: true, message: '' }));
    await expect(
      n.createClient('std_srvs/srv/SetBool', '/enable').call({ data: 'yes' } as unknown as { data: boolean }),
    ).rejects.toThrow(/invalid request/);
  });
});

describe('ROS name resolution', () => {
  it('resolves absolute, relative and private names', () => {
    expect(resolveName('/joint_states', '/robot', 'shield')).toBe('/joint_states');
    expect(resolveName('joint_states', '/robot', 'shield')).toBe('/robot/joint_states');
    expect(resolveName('joint_states', '/', 'shield')).toBe('/joint_states');
    expect(resolveName('~/reset', '/robot', 'shield')).toBe('/robot/shield/reset');
  });
  it('rejects invalid names', () => {
    expect(() => resolveName('bad name', '/', 'n')).toThrow(/invalid ROS name/);
    expect(() => resolveName('', '/', 'n')).toThrow(/empty/);
    expect(() => resolveName('a//b', '/', 'n')).toThrow(/invalid/);
  });
});
