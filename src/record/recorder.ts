/**
 * Records every topic of an embedded run to MCAP (profile `ros2`, schemas
 * `ros2msg`, messages CDR, each channel's `offered_qos_profiles` in rosbag2's
 * YAML), with `@mcap/core` and `@foxglove/rosmsg2-serialization`. A bus tap
 * serializes each message as it is published (the bus reuses message
 * objects) and queues the bytes; the MCAP writer takes the queue as one batch
 * when the event loop is next free (setImmediate), off the control tick, and
 * the file is written by a stream in the background.
 *
 * Never blocks a control tick: in the tick only the serialization (a few µs a
 * message; `npm run bench -- --only record`); the messages queued and the
 * bytes waiting for the disk are bounded (`maxQueuedMessages`,
 * `maxQueuedBytes`); past that, messages are dropped and counted
 * (`stats.dropped`), never waited for.
 *
 * Also recorded: the shield's decision on every tick that publishes a command
 * (`/shield/decisions`, `aegis_control/msg/ShieldDecision`), and every
 * service request (`/aegis/service_calls`, `aegis_control/msg/ServiceCall`).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { McapWriter, type IWritable } from '@mcap/core';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { CONSTRAINT_COUNT } from '../safety/band.js';
import type { Shield } from '../safety/shield.js';
import type { BusTap, EmbeddedBus } from '../transport/bus/index.js';
import type { MessageTypeName, ServiceTypeName } from '../transport/messages.js';
import { definitionsOf, schemaText, SERVICE_CALL_TYPE, SHIELD_DECISION_TYPE, type RecordedTypeName } from './ros2-definitions.js';

export const DECISION_TOPIC = '/shield/decisions';
export const SERVICE_CALL_TOPIC = '/aegis/service_calls';
/**
 * rosbag2's `offered_qos_profiles` channel metadata (YAML, the format of
 * rosbag2_storage's qos.cpp since metadata version 9): one profile, the
 * publisher's: reliable (depth 10) or best effort (the sensor_data preset,
 * depth 5), volatile, durations unspecified (0).
 */
export function offeredQosYaml(reliable: boolean): string {
  const zero = '\n    sec: 0\n    nsec: 0';
  return `- history: keep_last\n  depth: ${reliable ? 10 : 5}\n  reliability: ${reliable ? 'reliable' : 'best_effort'}\n  durability: volatile\n`
    + `  deadline:${zero}\n  lifespan:${zero}\n  liveliness: automatic\n  liveliness_lease_duration:${zero}\n  avoid_ros_namespace_conventions: false`;
}

/** SHA-256 (hex) of a model file: names the model a recording was made with (metadata `policy_model_sha256`). */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A serialized message waiting for the MCAP writer. */
interface Queued {
  topic: string;
  type: RecordedTypeName;
  reliable: boolean;
  timeNs: bigint;
  data: Uint8Array;
}

export interface RecorderOptions {
  path: string;
  /** The shield whose command is published on `commandTopic` (decisions recorded with each command). */
  shield?: { core: Shield; commandTopic: string; jointNames: readonly string[] };
  /** Run metadata written as an MCAP metadata record (robot, config, joint order, …). */
  metadata?: Record<string, string>;
  /** Bytes waiting for the disk before messages are dropped. */
  maxQueuedBytes?: number;
  /** Messages waiting for the MCAP writer before messages are dropped (the event loop has not caught up). */
  maxQueuedMessages?: number;
}

export interface RecorderStats {
  messages: number;
  dropped: number;
  bytes: number;
  serializeErrors: number;
}


/** An IWritable over a file stream; copies each buffer (the MCAP writer reuses its own). */
class StreamWritable implements IWritable {
  private pos = 0n;
  constructor(readonly stream: WriteStream) {}
  write(buffer: Uint8Array): Promise<void> {
    this.stream.write(Buffer.from(buffer));
    this.pos += BigInt(buffer.byteLength);
    return Promise.resolve();
  }
  position(): bigint {
    return this.pos;
  }
}

export class McapRecorder implements BusTap {
  readonly stats: RecorderStats = { messages: 0, dropped: 0, bytes: 0, serializeErrors: 0 };
  private readonly stream: WriteStream;
  private readonly writable: StreamWritable;
  private readonly mcap: McapWriter;
  /** Topic → MCAP channel id (registered by the writer's batch, in order). */
  private readonly channelIds = new Map<string, number>();
  private readonly writers = new Map<string, MessageWriter>();
  private readonly schemaIds = new Map<string, number>();
  private readonly maxQueued: number;
  private readonly maxQueuedMessages: number;
  private tail: Promise<void>;
  private sequence = 0;
  /** Serialized, not yet handed to the MCAP writer; taken as one batch by {@link flush}. */
  private queue: Queued[] = [];
  private flushScheduled = false;
  private readonly flushNow = (): void => this.flush();
  private failed: Error | null = null;
  private readonly prevCounts = new Uint32Array(CONSTRAINT_COUNT);
  private readonly decision;

  private constructor(private readonly opts: RecorderOptions) {
    this.maxQueued = opts.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.maxQueuedMessages = opts.maxQueuedMessages ?? 100_000;
    this.stream = createWriteStream(opts.path);
    this.stream.on('error', (err) => (this.failed ??= err));
    this.writable = new StreamWritable(this.stream);
    this.mcap = new McapWriter({ writable: this.writable, chunkSize: 1024 * 1024 });
    this.tail = this.mcap.start({ profile: 'ros2', library: 'aegis_control (@mcap/core)' });
    const n = opts.shield?.jointNames.length ?? 0;
    this.decision = {
      header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
      tick: 0, state: 0, reason: 0, stage_mask: 0,
      interventions: new Uint32Array(CONSTRAINT_COUNT), intervention_linf: 0,
      target: new Float64Array(n), output: new Float64Array(n),
    };
    if (opts.metadata) {
      const metadata = new Map(Object.entries(opts.metadata));
      void this.chain(() => this.mcap.addMetadata({ name: 'aegis_control', metadata }));
    }
  }

  /** Opens `path` for writing and taps the bus; throws a clear error naming the file when it cannot be created. */
  static async start(bus: EmbeddedBus, opts: RecorderOptions): Promise<{ recorder: McapRecorder; stop: () => Promise<RecorderStats> }> {
    const recorder = new McapRecorder(opts);
    await new Promise<void>((resolve, reject) => {
      recorder.stream.once('open', () => resolve());
      recorder.stream.once('error', (err) => reject(new Error(`--record: cannot write '${opts.path}': ${err.message}`)));
    });
    const untap = bus.addTap(recorder);
    return {
      recorder,
      stop: async () => {
        untap();
        return recorder.close();
      },
    };
  }

  message(topic: string, type: MessageTypeName, msg: unknown, timeNs: bigint, reliable = true): void {
    this.write(topic, type, msg, timeNs, reliable);
    const sh = this.opts.shield;
    if (sh && topic === sh.commandTopic) this.writeDecision(sh.core, timeNs);
  }

  serviceCall(service: string, type: ServiceTypeName, _request: unknown, timeNs: bigint): void {
    const sec = timeNs / 1_000_000_000n;
    this.write(SERVICE_CALL_TOPIC, SERVICE_CALL_TYPE, {
      header: { stamp: { sec: Number(sec), nanosec: Number(timeNs - sec * 1_000_000_000n) }, frame_id: '' }, service, type,
    }, timeNs, true);
  }

  private writeDecision(core: Shield, timeNs: bigint): void {
    const d = this.decision;
    const st = core.status;
    const sec = timeNs / 1_000_000_000n;
    d.header.stamp.sec = Number(sec);
    d.header.stamp.nanosec = Number(timeNs - sec * 1_000_000_000n);
    d.tick = st.ticks;
    d.state = st.state;
    d.reason = st.reason;
    let mask = 0;
    for (let c = 0; c < CONSTRAINT_COUNT; c++) {
      if (st.interventions[c] !== this.prevCounts[c]) mask |= 1 << c;
      this.prevCounts[c] = st.interventions[c]!;
    }
    d.stage_mask = mask;
    d.interventions.set(st.interventions);
    d.intervention_linf = mask === 0 ? 0 : st.lastIntervention.linfRad;
    d.target.set(core.target);
    d.output.set(core.output);
    this.write(DECISION_TOPIC, SHIELD_DECISION_TYPE, d, timeNs, true);
  }

  private write(topic: string, type: RecordedTypeName, msg: unknown, timeNs: bigint, reliable: boolean): void {
    if (this.failed) return;
    if (this.stream.writableLength > this.maxQueued || this.queue.length >= this.maxQueuedMessages) {
      this.stats.dropped++;
      return;
    }
    let writer = this.writers.get(type);
    if (!writer) {
      writer = new MessageWriter(definitionsOf(type));
      this.writers.set(type, writer);
    }
    let data: Uint8Array;
    try {
      data = writer.writeMessage(msg);
    } catch {
      this.stats.serializeErrors++;
      return;
    }
    this.stats.messages++;
    this.stats.bytes += data.byteLength;
    this.queue.push({ topic, type, reliable, timeNs, data });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Hands the queued messages to the MCAP writer as one step (after every earlier step). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    void this.chain(async () => {
      for (const q of batch) {
        const channelId = this.channelIds.get(q.topic) ?? (await this.registerChannel(q.topic, q.type, q.reliable));
        await this.mcap.addMessage({ channelId, sequence: this.sequence++, logTime: q.timeNs, publishTime: q.timeNs, data: q.data });
      }
    });
  }

  private async registerChannel(topic: string, type: RecordedTypeName, reliable: boolean): Promise<number> {
    let schemaId = this.schemaIds.get(type);
    if (schemaId === undefined) {
      schemaId = await this.mcap.registerSchema({ name: type, encoding: 'ros2msg', data: new TextEncoder().encode(schemaText(type)) });
      this.schemaIds.set(type, schemaId);
    }
    const id = await this.mcap.registerChannel({
      topic, messageEncoding: 'cdr', schemaId, metadata: new Map([['offered_qos_profiles', offeredQosYaml(reliable)]]),
    });
    this.channelIds.set(topic, id);
    return id;
  }

  /** Runs `step` after every earlier step (the MCAP writer is not re-entrant). */
  private chain<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.then(
      () => undefined,
      (err: unknown) => {
        this.failed ??= err instanceof Error ? err : new Error(String(err));
      },
    );
    return result;
  }

  /** Writes the summary and closes the file; throws a clear error naming the file if anything failed. */
  async close(): Promise<RecorderStats> {
    this.flush();
    void this.chain(() => this.mcap.end());
    await this.tail;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failed) throw new Error(`--record: writing '${this.opts.path}' failed: ${this.failed.message}`);
    return { ...this.stats };
  }
}
