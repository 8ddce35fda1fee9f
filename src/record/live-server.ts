/**
 * Live view without ROS: serves the embedded bus over the Foxglove WebSocket
 * protocol (`@foxglove/ws-protocol` on a `ws` server, localhost only). Every
 * bus topic is advertised with its ROS 2 schema (`ros2msg`) and sent as CDR,
 * the robot description as `/robot_description` (std_msgs/String, sent to
 * each subscriber), so Foxglove's 3D panel can show the robot.
 *
 * Never blocks or slows a control tick: a message is serialized only when some
 * client subscribes to its topic; when any client's socket has more than
 * `maxBufferedBytes` waiting, the message is dropped and counted. A client
 * that disconnects mid-message is the socket's business (logged, not thrown).
 */
import { createRequire } from 'node:module';
import type { ChannelId } from '@foxglove/ws-protocol';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
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
}

export interface LiveStats {
  sent: number;
  dropped: number;
  clients: number;
}

interface LiveChannel {
  id: ChannelId;
  writer: MessageWriter;
  subscribers: number;
}

// a CommonJS package whose named exports Node's ESM loader cannot see: loaded with require (same under vite-node)
const { FoxgloveServer } = createRequire(import.meta.url)('@foxglove/ws-protocol') as typeof import('@foxglove/ws-protocol');

export const ROBOT_DESCRIPTION_TOPIC = '/robot_description';

export class LiveServer implements BusTap {
  readonly stats: LiveStats = { sent: 0, dropped: 0, clients: 0 };
  private readonly server: InstanceType<typeof FoxgloveServer> = new FoxgloveServer({ name: 'aegis_control embedded bus', supportedEncodings: ['cdr'] });
  private readonly channels = new Map<string, LiveChannel>();
  private readonly byId = new Map<ChannelId, LiveChannel>();
  private readonly clients = new Set<WebSocket>();
  private readonly log = nodeLogger('live_view');
  private readonly maxBuffered: number;
  private untap: (() => void) | null = null;
  private descriptionChannel: ChannelId | null = null;

  private constructor(private readonly wss: WebSocketServer, private readonly opts: LiveOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
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
      this.stats.clients++;
      ws.on('close', () => this.clients.delete(ws));
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
    for (const c of this.clients) {
      if (c.bufferedAmount > this.maxBuffered) {
        this.stats.dropped++;
        return;
      }
    }
    this.server.sendMessage(ch.id, timeNs, ch.writer.writeMessage(msg));
    this.stats.sent++;
  }

  async close(): Promise<LiveStats> {
    this.untap?.();
    for (const c of this.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    return { ...this.stats };
  }

  private channel(topic: string, type: MessageTypeName): LiveChannel {
    const existing = this.channels.get(topic);
    if (existing) return existing;
    const id = this.server.addChannel({ topic, encoding: 'cdr', schemaName: type, schema: schemaText(type), schemaEncoding: 'ros2msg' });
    const ch = { id, writer: new MessageWriter(definitionsOf(type)), subscribers: 0 };
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
