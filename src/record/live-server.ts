/**
 * Live view without ROS: serves the embedded bus over the Foxglove WebSocket
 * protocol (`@foxglove/ws-protocol` on a `ws` server, localhost only). Every
 * bus topic is advertised with its ROS 2 schema (`ros2msg`) and sent as CDR,
 * the robot description as `/robot_description` (std_msgs/String, sent to
 * each subscriber), so Foxglove's 3D panel can show the robot.
 *
 * Never blocks or slows a control tick: a message is serialized only when some
 * client subscribes to its topic (in the tick: the bus reuses message
 * objects), then queued; the queue is sent as one batch when the event loop
 * is next free (setImmediate), each client's socket corked for the batch so
 * that it goes out in one write, not one system call a message. When the
 * queue holds `maxQueuedMessages`, or any client's socket has more than
 * `maxBufferedBytes` waiting, the message is dropped and counted. A client
 * that disconnects mid-message is the socket's business (logged, not thrown).
 */
import { createRequire } from 'node:module';
import type { ChannelId } from '@foxglove/ws-protocol';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { nodeLogger } from '../log.js';
import type { BusTap, EmbeddedBus } from '../transport/bus/index.js';
import type { MessageTypeName } from '../transport/messages.js';
import { definitionsOf, schemaText } from './ros2-definitions.js';

export interface LiveOptions {
  port: number;
  /** Interface to listen on (default 127.0.0.1: localhost only). */
  host?: string;
  /** URDF text published on /robot_description. */
  robotDescription?: string;
  maxBufferedBytes?: number;
  /** Serialized messages waiting for the next batch before messages are dropped. */
  maxQueuedMessages?: number;
  /**
   * The most messages a second sent per topic (bus time; default 60, a
   * display's rate; 0 = every message). A viewer needs no 1 kHz clock or
   * 500 Hz joint states, and each message sent costs the control thread its
   * serialization (`npm run bench -- --only record`); the recording keeps
   * every message.
   */
  maxRateHz?: number;
}

export interface LiveStats {
  sent: number;
  dropped: number;
  /** Not sent: within 1/maxRateHz of the topic's last message sent. */
  skipped: number;
  clients: number;
}

interface LiveChannel {
  id: ChannelId;
  writer: MessageWriter;
  subscribers: number;
  /** Bus time of the last message sent (ns); -1n: none yet. */
  lastSentNs: bigint;
}

// a CommonJS package whose named exports Node's ESM loader cannot see: loaded with require (same under vite-node)
const { FoxgloveServer } = createRequire(import.meta.url)('@foxglove/ws-protocol') as typeof import('@foxglove/ws-protocol');

export const ROBOT_DESCRIPTION_TOPIC = '/robot_description';

export class LiveServer implements BusTap {
  readonly stats: LiveStats = { sent: 0, dropped: 0, skipped: 0, clients: 0 };
  private readonly server: InstanceType<typeof FoxgloveServer> = new FoxgloveServer({ name: 'aegis_control embedded bus', supportedEncodings: ['cdr'] });
  private readonly channels = new Map<string, LiveChannel>();
  private readonly byId = new Map<ChannelId, LiveChannel>();
  private readonly clients = new Set<WebSocket>();
  /** Each client's TCP socket, corked while a batch is sent. */
  private readonly sockets = new Set<Socket>();
  private queue: Array<{ id: ChannelId; timeNs: bigint; data: Uint8Array }> = [];
  private flushScheduled = false;
  private readonly flushNow = (): void => this.flush();
  private readonly maxQueued: number;
  private readonly minIntervalNs: bigint;
  private readonly log = nodeLogger('live_view');
  private readonly maxBuffered: number;
  private untap: (() => void) | null = null;
  private descriptionChannel: ChannelId | null = null;

  private constructor(private readonly wss: WebSocketServer, private readonly opts: LiveOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.maxQueued = opts.maxQueuedMessages ?? 10_000;
    const rate = opts.maxRateHz ?? 60;
    if (!(rate >= 0)) throw new Error(`--live: the most messages a second per topic must be >= 0, got ${rate}`);
    this.minIntervalNs = rate === 0 ? 0n : BigInt(Math.round(1e9 / rate));
    this.server.on('subscribe', (id) => {
      const ch = this.byId.get(id);
      if (ch) ch.subscribers++;
      if (id === this.descriptionChannel) this.sendDescription();
    });
    this.server.on('unsubscribe', (id) => {
      const ch = this.byId.get(id);
      if (ch) ch.subscribers = Math.max(0, ch.subscribers - 1);
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'live view: client error'));
    wss.on('connection', (ws, req) => {
      this.clients.add(ws);
      this.sockets.add(req.socket);
      this.stats.clients++;
      ws.on('close', () => {
        this.clients.delete(ws);
        this.sockets.delete(req.socket);
      });
      ws.on('error', (err) => this.log.warn({ err }, 'live view: socket error'));
      this.server.handleConnection(ws, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`);
    });
  }

  /** Listens on host:port and taps the bus; a port in use (or any listen error) is a clear error naming it. */
  static async start(bus: EmbeddedBus, opts: LiveOptions): Promise<LiveServer> {
    const host = opts.host ?? '127.0.0.1';
    const wss = new WebSocketServer({
      host,
      port: opts.port,
      handleProtocols: (protocols) => (protocols.has(FoxgloveServer.SUPPORTED_SUBPROTOCOL) ? FoxgloveServer.SUPPORTED_SUBPROTOCOL : false),
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', () => resolve());
      wss.once('error', (err: NodeJS.ErrnoException) => {
        wss.close();
        reject(new Error(err.code === 'EADDRINUSE'
          ? `--live: port ${opts.port} on ${host} is already in use (pass --live-port <n>)`
          : `--live: cannot listen on ${host}:${opts.port}: ${err.message}`));
      });
    });
    const live = new LiveServer(wss, opts);
    for (const t of bus.topicList()) live.channel(t.topic, t.type);
    if (opts.robotDescription !== undefined) live.descriptionChannel = live.channel(ROBOT_DESCRIPTION_TOPIC, 'std_msgs/msg/String').id;
    live.untap = bus.addTap(live);
    return live;
  }

  /** The port actually listened on (useful with port 0). */
  get port(): number {
    const a = this.wss.address();
    return typeof a === 'object' && a !== null ? a.port : this.opts.port;
  }

  message(topic: string, type: MessageTypeName, msg: unknown, timeNs: bigint): void {
    const ch = this.channels.get(topic) ?? this.channel(topic, type);
    if (ch.subscribers === 0) return;
    if (ch.lastSentNs >= 0n && timeNs - ch.lastSentNs < this.minIntervalNs) {
      this.stats.skipped++;
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.stats.dropped++;
      return;
    }
    for (const c of this.clients) {
      if (c.bufferedAmount > this.maxBuffered) {
        this.stats.dropped++;
        return;
      }
    }
    this.queue.push({ id: ch.id, timeNs, data: ch.writer.writeMessage(msg) });
    ch.lastSentNs = timeNs;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Sends the queued messages, each client's socket corked: one write per client for the batch. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    for (const s of this.sockets) s.cork();
    try {
      for (const m of batch) {
        this.server.sendMessage(m.id, m.timeNs, m.data);
        this.stats.sent++;
      }
    } finally {
      for (const s of this.sockets) s.uncork();
    }
  }

  async close(): Promise<LiveStats> {
    this.untap?.();
    this.flush();
    for (const c of this.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    return { ...this.stats };
  }

  private channel(topic: string, type: MessageTypeName): LiveChannel {
    const existing = this.channels.get(topic);
    if (existing) return existing;
    const id = this.server.addChannel({ topic, encoding: 'cdr', schemaName: type, schema: schemaText(type), schemaEncoding: 'ros2msg' });
    const ch = { id, writer: new MessageWriter(definitionsOf(type)), subscribers: 0, lastSentNs: -1n };
    this.channels.set(topic, ch);
    this.byId.set(id, ch);
    return ch;
  }

  private sendDescription(): void {
    const ch = this.byId.get(this.descriptionChannel!)!;
    this.server.sendMessage(ch.id, 0n, ch.writer.writeMessage({ data: this.opts.robotDescription }));
    this.stats.sent++;
  }
}
