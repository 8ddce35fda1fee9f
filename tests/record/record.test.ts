/**
 * `--record`: an embedded run with an e-stop and a reset, recorded to MCAP,
 * read back with @mcap/core's indexed reader and the ROS 2 CDR deserializer
 * from npm, fed with the schemas stored in the file (none of the recorder's
 * code). Every bus message is there, in ROS 2 shapes; the shield's decisions
 * agree with the commands it published. Bad files give a clear error naming
 * the file. Every channel carries rosbag2's `offered_qos_profiles` (read
 * with the `yaml` package). Replay: the recorded inputs through a fresh
 * shield and policy give the recorded commands and candidates bit for bit;
 * against a different shield config, or a policy model with one weight byte
 * changed, the first divergence is reported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader } from '@mcap/core';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { runEmbedded, type RunSummary } from '../../src/runtime/embedded-run.js';
import { openRecording } from '../../src/record/reader.js';
import { replayRecording } from '../../src/record/replay.js';
import { McapRecorder } from '../../src/record/recorder.js';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import type { RunReportCollector } from '../../src/report/collector.js';
import { G1_JOINTS, jointLimits } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeJointState } from '../../src/transport/messages.js';

const root = join(import.meta.dirname, '..', '..');
const mujoco = mujocoAvailability();
if (!mujoco.available) process.stderr.write(`skipping recording test: ${mujoco.reason}\n`);
const work = mkdtempSync(join(tmpdir(), 'aegis-record-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!mujoco.available)('MCAP recording of an embedded run', () => {
  const file = join(work, 'run.mcap');
  let summary: RunSummary;
  beforeAll(async () => {
    summary = await runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, recordPath: file });
  });

  it('holds every bus message with ROS 2 schemas and CDR, readable by an independent reader', async () => {
    const bytes = readFileSync(file);
    const reader = await McapIndexedReader.Initialize({
      readable: { size: async () => BigInt(bytes.length), read: async (o: bigint, n: bigint) => bytes.subarray(Number(o), Number(o + n)) },
    });
    expect(reader.header.profile).toBe('ros2');
    const byTopic = new Map<string, { type: string; decode: MessageReader; count: number; msgs: Array<Record<string, unknown>> }>();
    const qos = new Map<string, Array<Record<string, unknown>>>();
    for (const ch of reader.channelsById.values()) {
      const schema = reader.schemasById.get(ch.schemaId)!;
      expect(schema.encoding).toBe('ros2msg');
      expect(ch.messageEncoding).toBe('cdr');
      qos.set(ch.topic, parseYaml(ch.metadata.get('offered_qos_profiles') ?? 'null') as Array<Record<string, unknown>>);
      byTopic.set(ch.topic, { type: schema.name, decode: new MessageReader(parse(new TextDecoder().decode(schema.data), { ros2: true })), count: 0, msgs: [] });
    }
    const keep = new Set(['/estop', '/aegis/service_calls', '/forward_position_controller/commands', '/shield/decisions', '/joint_states']);
    for await (const m of reader.readMessages()) {
      const t = byTopic.get(reader.channelsById.get(m.channelId)!.topic)!;
      t.count++;
      if (keep.has(reader.channelsById.get(m.channelId)!.topic) && t.msgs.length < 5000) t.msgs.push(t.decode.readMessage(m.data));
    }
    expect(Object.fromEntries([...byTopic].map(([k, v]) => [k, v.type]))).toMatchObject({
      '/joint_states': 'sensor_msgs/msg/JointState',
      '/imu': 'sensor_msgs/msg/Imu',
      '/clock': 'rosgraph_msgs/msg/Clock',
      '/policy/joint_command': 'trajectory_msgs/msg/JointTrajectory',
      '/forward_position_controller/commands': 'std_msgs/msg/Float64MultiArray',
      '/estop': 'std_msgs/msg/Bool',
      '/shield/decisions': 'aegis_control/msg/ShieldDecision',
      '/aegis/service_calls': 'aegis_control/msg/ServiceCall',
    });
    // rosbag2's offered_qos_profiles (rosbag2_storage qos.cpp, metadata version 9): one profile, the publisher's
    for (const [topic, profiles] of qos) {
      expect(profiles, topic).toHaveLength(1);
      expect(Object.keys(profiles[0]!).sort(), topic).toEqual(['avoid_ros_namespace_conventions', 'deadline', 'depth', 'durability', 'history',
        'lifespan', 'liveliness', 'liveliness_lease_duration', 'reliability']);
      expect(profiles[0], topic).toMatchObject({ history: 'keep_last', durability: 'volatile', liveliness: 'automatic', deadline: { sec: 0, nsec: 0 } });
    }
    expect(qos.get('/joint_states')![0]!['reliability']).toBe('reliable'); // the sim publishes with the default (reliable) preset
    expect(qos.get('/forward_position_controller/commands')![0]!['reliability']).toBe('reliable');
    // every message the bus carried in the run (the end-of-run hold comes after the recording), one decision per command, the service calls
    const calls = byTopic.get('/aegis/service_calls')!.msgs.map((m) => m['service']);
    expect(calls).toEqual(['/shield/reset', '/shield/activate']); // the scenario's reset and activate
    const total = [...byTopic.values()].reduce((s, t) => s + t.count, 0);
    const shutdownHold = 1;
    expect(total).toBe(summary.bus.published - shutdownHold + byTopic.get('/shield/decisions')!.count + calls.length);
    expect(summary.record!.dropped).toBe(0);
    expect(byTopic.get('/forward_position_controller/commands')!.count).toBe(summary.shield.commands - shutdownHold);
    // ROS 2 shapes
    const js = byTopic.get('/joint_states')!.msgs[0] as { name: string[]; position: Float64Array; header: { stamp: { sec: number; nanosec: number } } };
    expect(js.name).toHaveLength(29);
    expect(js.position).toHaveLength(29);
    expect(byTopic.get('/estop')!.msgs).toEqual([{ data: true }]);
    // the decisions: one per command, output = the published command, an ESTOP stretch, the e-stop latched
    const cmds = byTopic.get('/forward_position_controller/commands')!.msgs as Array<{ data: Float64Array }>;
    const dec = byTopic.get('/shield/decisions')!.msgs as Array<{ state: number; output: Float64Array; target: Float64Array; stage_mask: number; tick: number }>;
    expect(dec).toHaveLength(cmds.length);
    dec.forEach((d, i) => expect(Array.from(d.output)).toEqual(Array.from(cmds[i]!.data)));
    expect(dec.some((d) => d.state === 3)).toBe(true);
    expect(dec.some((d) => d.stage_mask !== 0)).toBe(true);
    expect(dec.at(-1)!.state).toBe(1);
  });

  it('opens with the project reader too (metadata: robot and joint order)', async () => {
    const rec = await openRecording(file);
    try {
      expect(rec.metadata.get('robot')).toBe('g1_29dof_fixed');
      expect(rec.metadata.get('controller_joints')!.split(',')).toHaveLength(29);
      let n = 0;
      for await (const m of rec.messages(['/estop'])) {
        expect(m.message).toEqual({ data: true });
        n++;
      }
      expect(n).toBe(1);
    } finally {
      await rec.close();
    }
  });

  it('a truncated or foreign file is a clear error naming the file', async () => {
    const bytes = readFileSync(file);
    const truncated = join(work, 'truncated.mcap');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(openRecording(truncated)).rejects.toThrow(/recording '.*truncated\.mcap' is not a complete MCAP file/);
    const foreign = join(work, 'foreign.mcap');
    writeFileSync(foreign, 'name: not an mcap file\n'.repeat(20));
    await expect(openRecording(foreign)).rejects.toThrow(/recording '.*foreign\.mcap' is not a complete MCAP file/);
    await expect(openRecording(join(work, 'absent.mcap'))).rejects.toThrow(/recording '.*absent\.mcap'.*ENOENT/);
  });

  it('an unwritable --record path is a clear error naming it, before the run starts', async () => {
    await expect(runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, recordPath: join(work, 'no', 'such', 'dir', 'x.mcap') }))
      .rejects.toThrow(/--record: cannot write '.*x\.mcap'/);
  });

  it('replays the run (e-stop, reset) through the shield and the policy bit-identically', async () => {
    const r = await replayRecording(file, { root });
    expect(r.firstDivergence).toBeNull();
    expect(r.policy!.firstDivergence).toBeNull();
    expect(r.identical).toBe(true);
    // the policy ran again (its candidates fed the shield), one tick a command period, every recorded candidate compared
    expect(r.policy!.identical).toBe(true);
    expect(r.policy!.candidates).toBe(summary.policy.published);
    expect(r.policy!.ticks).toBe(summary.policy.ticks);
    expect(r.policy!.missing + r.policy!.extra).toBe(0);
    expect(r.policy!.replayedModelSha256).toBe(r.policy!.recordedModelSha256);
    expect(r.commands).toBe(summary.shield.commands - 1); // all but the end-of-run hold (not a tick; after the recording)
    expect(r.missing).toBe(0);
    expect(r.inputs).toBeGreaterThan(summary.shield.commands); // joint states, IMU, candidates, the e-stop and the reset call
  });

  it('reports the policy\'s first divergence (candidate, joint, values) when its model differs', async () => {
    // the shipped model with one byte in the middle of its weights changed; the config otherwise the same
    const model = readFileSync(join(root, 'models', 'g1_upper_body.onnx'));
    model[Math.floor(model.length / 2)]! ^= 0x40;
    writeFileSync(join(work, 'changed.onnx'), model);
    writeFileSync(join(work, 'policy.yaml'), readFileSync(join(root, 'config', 'policy_upper_body.yaml'), 'utf8')
      .replace(/^modelPath: .*$/m, `modelPath: ${join(work, 'changed.onnx')}`)
      .replace(/^contractPath: .*$/m, `contractPath: ${join(root, 'models', 'g1_upper_body.contract.json')}`));
    writeFileSync(join(work, 'run.yaml'), readFileSync(join(root, 'tests', 'fixtures', 'embedded-short.yaml'), 'utf8')
      .replace(/\.\.\/\.\.\//g, `${root}/`)
      .replace(/^policy: .*$/m, `policy: ${join(work, 'policy.yaml')}`));
    const r = await replayRecording(file, { root, configPath: join(work, 'run.yaml') });
    expect(r.identical).toBe(false);
    const p = r.policy!;
    expect(p.replayedModelSha256).not.toBe(p.recordedModelSha256);
    expect(p.identical).toBe(false);
    const d = p.firstDivergence!;
    expect(d.joint).toMatch(/_joint$/);
    expect(Number.isFinite(d.recorded) && Number.isFinite(d.replayed)).toBe(true);
    expect(d.replayed).not.toBe(d.recorded);
    expect(d.candidate).toBeLessThan(p.candidates);
  });

  it('a run with online adaptation: the report marks the adapter\'s state; the replay feeds its recorded candidates to the shield', async () => {
    const arm = ['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_shoulder_yaw_joint', 'right_elbow_joint'];
    const adapter = new ResidualAdapter({ groups: [{ joints: arm, features: ['right_shoulder_pitch_joint'] }] }, G1_JOINTS,
      Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const)));
    const f = join(work, 'adaptation.mcap');
    let collector: RunReportCollector | null = null;
    await runEmbedded({ configPath: join(root, 'tests', 'fixtures', 'embedded-short.yaml'), root, recordPath: f, adapter, durationS: 1.2, onReport: (c) => (collector = c) });
    // the policy node's /diagnostics carry adaptation_state / adaptation_regime: their first values are marks
    const marks = collector!.marks.filter((m) => m.kind === 'adaptation').map((m) => m.label);
    expect(marks).toEqual(expect.arrayContaining([`state ${adapter.state}`, 'regime none']));
    const r = await replayRecording(f, { root });
    expect(r.policy).toBeNull(); // the adapter is built by the run, not the config: not rebuilt
    expect(r.identical).toBe(true);
    expect(r.commands).toBeGreaterThan(500);
  });

  it('reports the first divergence (tick, joint, values, states) against another shield config', async () => {
    const r = await replayRecording(file, { root, configPath: join(root, 'tests', 'fixtures', 'embedded-short-slower-shield.yaml') });
    expect(r.identical).toBe(false);
    const d = r.firstDivergence!;
    expect(d.tick).toBeGreaterThanOrEqual(0);
    expect(d.tick).toBeLessThan(r.commands);
    expect(d.joint).toMatch(/_joint$/);
    expect(d.replayed).not.toBe(d.recorded);
    expect(Number.isFinite(d.recorded) && Number.isFinite(d.replayed)).toBe(true);
    expect(d.recordedState).toBeGreaterThanOrEqual(0);
  });
});

describe('recorder without a run', () => {
  it('writes each channel\'s QoS as its publisher offered it (best effort for sensor data)', async () => {
    const bus = new EmbeddedBus();
    const node = bus.createNode('n');
    const path = join(work, 'qos.mcap');
    const { stop } = await McapRecorder.start(bus, { path });
    node.createPublisher('sensor_msgs/msg/JointState', '/fast', { preset: 'sensor_data' }).publish(makeJointState(['a']));
    node.createPublisher('sensor_msgs/msg/JointState', '/slow', { preset: 'reliable' }).publish(makeJointState(['a']));
    await stop();
    const bytes = readFileSync(path);
    const reader = await McapIndexedReader.Initialize({
      readable: { size: async () => BigInt(bytes.length), read: async (o: bigint, n: bigint) => bytes.subarray(Number(o), Number(o + n)) },
    });
    const rel = Object.fromEntries([...reader.channelsById.values()].map((c) => {
      const p = (parseYaml(c.metadata.get('offered_qos_profiles')!) as Array<Record<string, unknown>>)[0]!;
      return [c.topic, [p['reliability'], p['depth']]];
    }));
    expect(rel).toEqual({ '/fast': ['best_effort', 5], '/slow': ['reliable', 10] });
  });

  it('drops and counts messages past its queue bound instead of waiting', async () => {
    const bus = new EmbeddedBus();
    const pub = bus.createNode('n').createPublisher('sensor_msgs/msg/JointState', '/js', { preset: 'sensor_data' });
    const { stop } = await McapRecorder.start(bus, { path: join(work, 'bounded.mcap'), maxQueuedMessages: 3 });
    const js = makeJointState(['a']);
    for (let i = 0; i < 10; i++) pub.publish(js); // one tick: the writer gets the queue only when the event loop is free
    const stats = await stop();
    expect(stats).toMatchObject({ messages: 3, dropped: 7 });
  });
});
