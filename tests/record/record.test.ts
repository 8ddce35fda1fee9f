/**
 * `--record`: an embedded run with an e-stop and a reset, recorded to MCAP,
 * read back with @mcap/core's indexed reader and the ROS 2 CDR deserializer
 * from npm, fed with the schemas stored in the file (none of the recorder's
 * code). Every bus message is there, in ROS 2 shapes; the shield's decisions
 * agree with the commands it published. Bad files give a clear error naming
 * the file. Replay: the recorded inputs through a fresh shield give the
 * recorded commands bit for bit; against a different shield config the first
 * divergence is reported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    for (const ch of reader.channelsById.values()) {
      const schema = reader.schemasById.get(ch.schemaId)!;
      expect(schema.encoding).toBe('ros2msg');
      expect(ch.messageEncoding).toBe('cdr');
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

  it('replays the run (e-stop, reset) through the shield bit-identically', async () => {
    const r = await replayRecording(file, { root });
    expect(r.firstDivergence).toBeNull();
    expect(r.identical).toBe(true);
    expect(r.commands).toBe(summary.shield.commands - 1); // all but the end-of-run hold (not a tick; after the recording)
    expect(r.missing).toBe(0);
    expect(r.inputs).toBeGreaterThan(summary.shield.commands); // joint states, IMU, candidates, the e-stop and the reset call
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
