/**
 * `--live`: the embedded bus over the Foxglove WebSocket protocol. A client
 * from @foxglove/ws-protocol connects, sees every topic advertised with a
 * ROS 2 schema, subscribes to /joint_states and the shield's command topic
 * and decodes what arrives (CDR, with the advertised schema); the robot
 * description arrives on subscription. A port in use is a clear error naming
 * it; a client that goes away does not disturb publishing.
 */
import { FoxgloveClient, type Channel } from '@foxglove/ws-protocol';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveServer } from '../../src/record/live-server.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeFloat64MultiArray, makeJointState } from '../../src/transport/messages.js';

const servers: LiveServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function until<T>(what: string, f: () => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = (): void => {
      const v = f();
      if (v !== undefined) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('live view over the Foxglove WebSocket protocol', () => {
  it('a client subscribes to /joint_states and the command topic and decodes them', async () => {
    const bus = new EmbeddedBus();
    const node = bus.createNode('sim');
    const js = makeJointState(['a_joint', 'b_joint']);
    const jsPub = node.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
    const cmd = makeFloat64MultiArray(2, 'joints');
    const cmdPub = node.createPublisher('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', { preset: 'reliable' });
    const live = await LiveServer.start(bus, { port: 0, robotDescription: '<robot name="r"/>' });
    servers.push(live);

    const client = new FoxgloveClient({ ws: new WebSocket(`ws://127.0.0.1:${live.port}`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]) as never });
    const channels = new Map<string, Channel>();
    client.on('advertise', (cs) => cs.forEach((c) => channels.set(c.topic, c)));
    const got = new Map<string, Array<Record<string, unknown>>>();
    const subs = new Map<number, { topic: string; reader: MessageReader }>();
    client.on('message', ({ subscriptionId, data }) => {
      const s = subs.get(subscriptionId)!;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (!got.has(s.topic)) got.set(s.topic, []);
      got.get(s.topic)!.push(s.reader.readMessage(bytes));
    });
    await until('advertisements', () => (channels.size >= 3 ? true : undefined));
    expect(channels.get('/joint_states')).toMatchObject({ encoding: 'cdr', schemaName: 'sensor_msgs/msg/JointState', schemaEncoding: 'ros2msg' });
    for (const topic of ['/joint_states', '/forward_position_controller/commands', '/robot_description']) {
      const c = channels.get(topic)!;
      subs.set(client.subscribe(c.id), { topic, reader: new MessageReader(parse(c.schema, { ros2: true })) });
    }
    await until('the robot description', () => got.get('/robot_description'));
    expect(got.get('/robot_description')).toEqual([{ data: '<robot name="r"/>' }]);

    // publish on the bus until the client has both topics (subscriptions reach the server asynchronously)
    for (let k = 0; k < 500 && !(got.get('/joint_states') && got.get('/forward_position_controller/commands')); k++) {
      js.position[0] = k;
      js.position[1] = -k;
      js.header.stamp.sec = k;
      jsPub.publish(js);
      cmd.data[0] = 0.5 * k;
      cmdPub.publish(cmd);
      await new Promise((r) => setTimeout(r, 5));
    }
    const j = got.get('/joint_states')!.at(-1) as { name: string[]; position: Float64Array; header: { stamp: { sec: number } } };
    expect(j.name).toEqual(['a_joint', 'b_joint']);
    expect(j.position[1]).toBe(-j.position[0]!);
    expect(j.header.stamp.sec).toBe(j.position[0]);
    const c = got.get('/forward_position_controller/commands')!.at(-1) as { data: Float64Array; layout: { dim: Array<{ label: string }> } };
    expect(c.layout.dim[0]!.label).toBe('joints');
    expect(c.data).toHaveLength(2);
    expect(live.stats.sent).toBeGreaterThan(2);

    // the client goes away: publishing carries on, nothing throws
    client.close();
    for (let k = 0; k < 20; k++) {
      jsPub.publish(js);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(bus.stats.callbackErrors).toBe(0);
  });

  it('sends each topic at most maxRateHz times a second of bus time (skips counted); 0 sends every message', async () => {
    for (const [maxRateHz, expected] of [[50, 50], [0, 1000]] as const) {
      const bus = new EmbeddedBus();
      const pub = bus.createNode('sim').createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
      const js = makeJointState(['a_joint']);
      const live = await LiveServer.start(bus, { port: 0, maxRateHz });
      servers.push(live);
      const client = new FoxgloveClient({ ws: new WebSocket(`ws://127.0.0.1:${live.port}`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]) as never });
      let received = 0;
      client.on('advertise', (cs) => cs.forEach((c) => client.subscribe(c.id)));
      client.on('message', () => void received++);
      // wait until the subscription reached the server: a message at t = 0 arrives
      await until('the subscription', () => {
        pub.publish(js);
        return received > 0 ? true : undefined;
      });
      await new Promise((r) => setImmediate(r)); // the last batch out
      const before = live.stats.sent;
      // 1 s of bus time at 1 kHz
      for (let k = 1; k <= 1000; k++) {
        bus.advanceTo(BigInt(k) * 1_000_000n);
        pub.publish(js);
      }
      await until('the batch', () => (received >= before + expected ? true : undefined));
      expect(live.stats.sent - before).toBe(expected); // 50 Hz: t = 20, 40, …, 1000 ms
      if (maxRateHz > 0) expect(live.stats.skipped).toBeGreaterThanOrEqual(1000 - expected);
      client.close();
    }
  });

  it('a port in use is a clear error naming the port', async () => {
    const bus = new EmbeddedBus();
    const first = await LiveServer.start(bus, { port: 0 });
    servers.push(first);
    await expect(LiveServer.start(bus, { port: first.port })).rejects.toThrow(new RegExp(`--live: port ${first.port} on 127\\.0\\.0\\.1 is already in use`));
  });
});
