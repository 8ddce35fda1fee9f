/**
 * The transport port on rclnodejs: one rclnodejs Context per transport, one
 * rclnodejs Node per port node, spun on the Node.js event loop.
 *
 * - The high-rate types (`RAW_CODECS` in `./cdr.ts`: Clock, JointState, Imu,
 *   Float64MultiArray, JointTrajectory) travel serialized: raw subscriptions
 *   decode the CDR into one reused message per subscription, publishers
 *   encode into a reused Buffer. rclnodejs's own conversion (ref-napi, per
 *   field) cost most of each node's CPU at 500 Hz. The nodes' sim-time
 *   /clock subscription is switched to the same path. `rawMessages: false`
 *   turns this off (for comparisons).
 * - Other messages pass through unchanged: our shapes are rclnodejs's plain
 *   objects (`./conformance.ts` proves it per type at compile time);
 *   subscriptions use `enableTypedArray`, so float64[] fields arrive as
 *   Float64Array.
 * - Timers are rcl timers on the node's ROS clock: `use_sim_time:=true` makes
 *   them run on /clock, at absolute deadlines (rcl keeps the phase).
 * - QoS presets map through `./qos.ts`; names are checked by `./names.ts`.
 * - A callback's rejected Promise (or throw) is logged; the node keeps running.
 */
import type { MessageTypeName, MessageTypes, RequestOf, ResponseOf, ServiceTypeName } from '../messages.js';
import type {
  MaybePromise,
  NodeOptions,
  Publisher,
  Qos,
  ServiceClient,
  ServiceServer,
  Subscription,
  Timer,
  Transport,
  TransportNode,
} from '../port.js';
import { nodeLogger, type Logger } from '../../log.js';
import { loadRclnodejs, type R, type Rclnodejs } from './load.js';
import { assertName, checkNodeName, checkTopicName, rosNamespace } from './names.js';
import { qosSettings } from './qos.js';
import { RAW_CODECS, type RawCodec } from './cdr.js';

/** Time between the shutdown steps and the context shutdown on a signal, ms (delivery of a last hold). */
const SIGNAL_FLUSH_MS = 200;
/** Longest a signalled shutdown may take before the process exits regardless, ms (`ros2 launch` escalates to SIGTERM after 5 s). */
const SHUTDOWN_DEADLINE_MS = 3000;

export interface RosTransportOptions {
  /** Command line handed to rcl (its `--ros-args …` part: remaps, `-p`, `--params-file`, enclave). Default: process.argv. */
  argv?: string[];
  /** Environment to check for a sourced ROS 2. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Timeout of a service client waiting for its server, ms. */
  serviceWaitMs?: number;
  /**
   * Replace rclnodejs's SIGINT handler with ours (default true): on SIGINT or
   * SIGTERM (`ros2 launch` sends SIGINT, then SIGTERM after 5 s) run the
   * registered shutdown steps (lifecycle shutdown: the shield's hold command),
   * wait 200 ms for delivery, shut the context down and exit 0 (1 if that has
   * not finished after 3 s). Repeated signals during the shutdown are ignored.
   */
  handleSignals?: boolean;
  /**
   * Shut down as on SIGTERM (the registered steps: the shield's hold) when the
   * process that started this one is gone (default true with handleSignals):
   * a `ros2 launch` killed with SIGKILL, or one that failed part-way, would
   * otherwise leave its nodes running as orphans. Checked every
   * {@link PARENT_POLL_MS} ms by the parent pid changing (Linux re-parents orphans).
   */
  exitWithParent?: boolean;
  /** Move the high-rate message types as CDR through `./cdr.ts` (default true); false: rclnodejs's message classes for every type. */
  rawMessages?: boolean;
}

/** How often the parent process is checked for (exitWithParent), ms. */
export const PARENT_POLL_MS = 250;

/**
 * The one cast between our message shapes and rclnodejs's generic message
 * types (TypeScript cannot relate them for a generic type name); it is sound
 * for every type name because `./conformance.ts` checks each one.
 */
const asRos = <T>(value: unknown): T => value as T;

export class RosTransport implements Transport {
  readonly kind = 'ros' as const;
  private readonly nodes = new Set<RosTransportNode>();
  private readonly shutdownSteps: (() => void)[] = [];
  private closed = false;
  private signalled = false;
  private readonly log = nodeLogger('ros_transport');

  private constructor(
    readonly rcl: Rclnodejs,
    readonly context: R.Context,
    private readonly serviceWaitMs: number,
    private readonly rawMessages: boolean,
  ) {}

  /** Checks for ROS 2, loads rclnodejs and initialises a context with the given arguments. */
  static async open(options: RosTransportOptions = {}): Promise<RosTransport> {
    const rcl = await loadRclnodejs(options.env ?? process.env);
    const context = new rcl.Context();
    await rcl.init(context, options.argv ?? process.argv);
    const transport = new RosTransport(rcl, context, options.serviceWaitMs ?? 5000, options.rawMessages ?? true);
    if (options.handleSignals ?? true) {
      rcl.removeSignalHandlers();
      process.on('SIGINT', () => transport.onSignal('SIGINT'));
      process.on('SIGTERM', () => transport.onSignal('SIGTERM'));
      if (options.exitWithParent ?? true) transport.watchParent(process.ppid);
    }
    return transport;
  }

  /** Adds a step run (in order, synchronously) when SIGINT/SIGTERM arrives, before the context shuts down. */
  onShutdownSignal(step: () => void): void {
    this.shutdownSteps.push(step);
  }

  /** Treats the parent's exit like SIGTERM (see {@link RosTransportOptions.exitWithParent}). */
  private watchParent(parentPid: number): void {
    const poll = setInterval(() => {
      if (process.ppid === parentPid) return;
      clearInterval(poll);
      this.onSignal('parent_gone');
      this.log.warn({ parentPid, nowParent: process.ppid }, 'the process that started this node is gone');
    }, PARENT_POLL_MS);
    poll.unref();
  }

  private onSignal(signal: string): void {
    if (this.signalled) {
      // Ctrl-C in a terminal reaches every node twice: from the terminal (the whole process
      // group) and from `ros2 launch` forwarding it. The first one already published the hold
      // and the exit follows within the flush time, so a repeat changes nothing.
      this.log.debug({ signal }, 'already shutting down');
      return;
    }
    this.signalled = true;
    // The steps (the shield's hold) come before any logging: with the launcher gone, stdout
    // may be a broken pipe.
    const failed: unknown[] = [];
    for (const step of this.shutdownSteps) {
      try {
        step();
      } catch (error) {
        failed.push(error);
      }
    }
    this.log.info({ signal }, 'shutting down');
    for (const error of failed) this.log.error({ err: error }, 'shutdown step failed');
    // Give DDS a moment to deliver what the steps published (the shield's hold), then leave;
    // leave anyway if the context shutdown hangs.
    setTimeout(() => void this.shutdown().finally(() => process.exit(0)), SIGNAL_FLUSH_MS);
    setTimeout(() => {
      this.log.error({ signal }, 'shutdown did not finish: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  }

  createNode(name: string, options?: NodeOptions): RosTransportNode {
    assertName(checkNodeName, name);
    const raw = new this.rcl.Node(name, rosNamespace(options?.namespace), this.context);
    return this.adopt(raw);
  }

  /** Wraps an rclnodejs node (e.g. a LifecycleNode) as a port node owned by this transport. */
  adopt(raw: R.Node, spin = true): RosTransportNode {
    const node = new RosTransportNode(this.rcl, raw, this.serviceWaitMs, () => this.nodes.delete(node), this.rawMessages);
    this.nodes.add(node);
    if (spin) raw.spin();
    return node;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const node of [...this.nodes]) node.destroy();
    if (!this.context.isShutdown()) this.rcl.shutdown(this.context);
    await Promise.resolve();
  }
}

export class RosTransportNode implements TransportNode {
  readonly name: string;
  readonly log: Logger;
  private readonly clock: R.Clock;
  private destroyed = false;

  constructor(
    readonly rcl: Rclnodejs,
    /** The rclnodejs node, for ROS-only features (parameters, lifecycle). */
    readonly raw: R.Node,
    private readonly serviceWaitMs: number,
    private readonly onDestroy: () => void,
    private readonly rawMessages = true,
  ) {
    this.name = raw.name();
    this.log = nodeLogger(this.name);
    this.clock = raw.getClock();
    if (rawMessages) rawClockSubscription(raw, this.log);
  }

  private codec<K extends MessageTypeName>(type: K): RawCodec<MessageTypes[K]> | undefined {
    return this.rawMessages ? (RAW_CODECS[type] as RawCodec<MessageTypes[K]> | undefined) : undefined;
  }

  private qos(qos: Qos | undefined): R.QoS {
    const s = qosSettings(qos);
    return new this.rcl.QoS(s.history, s.depth, s.reliability, s.durability, s.liveliness);
  }

  private report(what: string, error: unknown): void {
    this.log.error({ err: error }, `${what} failed`);
  }

  /**
   * Runs a port callback on its argument; a throw or a rejected Promise is
   * logged. The callback and its argument are passed separately so a message
   * needs no closure per delivery (subscriptions run at sensor rates).
   */
  private run<A>(what: string, callback: (arg: A) => MaybePromise, arg: A): void {
    try {
      const p = callback(arg);
      if (p) p.catch((error: unknown) => this.report(what, error));
    } catch (error) {
      this.report(what, error);
    }
  }

  createPublisher<K extends MessageTypeName>(type: K, topic: string, qos?: Qos): Publisher<MessageTypes[K]> {
    assertName(checkTopicName, topic);
    const pub = this.raw.createPublisher(type, topic, { qos: this.qos(qos) });
    const codec = this.codec(type);
    if (codec) {
      const encode = codec.encoder();
      return { topic: pub.topic, publish: (msg: MessageTypes[K]) => pub.publish(asRos<R.MessageType<K>>(encode(msg))) };
    }
    return {
      topic: pub.topic,
      publish: (msg: MessageTypes[K]) => pub.publish(asRos<R.MessageType<K>>(msg)),
    };
  }

  createSubscription<K extends MessageTypeName>(
    type: K,
    topic: string,
    handler: (msg: MessageTypes[K]) => MaybePromise,
    qos?: Qos,
  ): Subscription {
    assertName(checkTopicName, topic);
    const what = `subscription ${topic}`;
    const deliver = handler as (msg: unknown) => MaybePromise; // messages pass through unchanged (see asRos)
    const codec = this.codec(type);
    if (codec) {
      const decode = codec.decoder();
      let malformed = 0;
      const sub = this.raw.createSubscription(type, topic, { qos: this.qos(qos), isRaw: true }, (buf: unknown) => {
        let msg: MessageTypes[K];
        try {
          msg = decode(buf as Buffer);
        } catch (error) {
          // Counted and logged (the first, then every 1000th): a stream of bad messages must not flood the log.
          if (malformed++ % 1000 === 0) this.log.error({ err: error, topic, malformed }, 'undecodable message dropped');
          return;
        }
        this.run(what, deliver, msg);
      });
      return { topic: sub.topic, destroy: () => this.raw.destroySubscription(sub) };
    }
    const sub = this.raw.createSubscription(type, topic, { qos: this.qos(qos), enableTypedArray: true }, (msg: R.MessageType<K>) =>
      this.run(what, deliver, msg),
    );
    return { topic: sub.topic, destroy: () => this.raw.destroySubscription(sub) };
  }

  createTimer(periodNs: bigint, callback: () => MaybePromise): Timer {
    if (periodNs <= 0n) throw new Error(`timer period must be positive, got ${periodNs} ns`);
    const timer = this.raw.createTimer(periodNs, () => this.run('timer', callback, undefined));
    return {
      periodNs,
      cancel: () => {
        if (!timer.isCanceled()) timer.cancel();
      },
    };
  }

  createService<S extends ServiceTypeName>(
    type: S,
    name: string,
    handler: (request: RequestOf<S>) => ResponseOf<S> | Promise<ResponseOf<S>>,
  ): ServiceServer {
    assertName(checkTopicName, name);
    const service = this.raw.createService(type, name, (request, response) => {
      Promise.resolve()
        .then(() => handler(asRos<RequestOf<S>>(request)))
        .then(
          (result) => response.send(asRos<R.ServiceResponseMessage<S>>(result)),
          (error: unknown) => this.report(`service ${name}`, error),
        );
    });
    return { name, destroy: () => this.raw.destroyService(asRos<R.Service>(service)) };
  }

  createClient<S extends ServiceTypeName>(type: S, name: string): ServiceClient<S> {
    assertName(checkTopicName, name);
    const client = this.raw.createClient(type, name);
    const waitMs = this.serviceWaitMs;
    return {
      name,
      call: async (request: RequestOf<S>): Promise<ResponseOf<S>> => {
        if (!client.isServiceServerAvailable() && !(await client.waitForService(waitMs))) {
          throw new Error(`service ${client.serviceName} is not available after ${waitMs} ms`);
        }
        const response = await client.sendRequestAsync(asRos<R.ServiceRequestMessage<S>>(request), { timeout: waitMs });
        return asRos<ResponseOf<S>>(response);
      },
    };
  }

  nowNs(): bigint {
    return this.clock.now().nanoseconds;
  }

  nowSeconds(): number {
    return Number(this.clock.now().nanoseconds) * 1e-9;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.raw.spinning) this.raw.stop();
    this.raw.destroy();
    this.onDestroy();
  }
}

/**
 * Switches rclnodejs's sim-time /clock subscription (its TimeSource, one per
 * node) to a raw one decoded by `./cdr.ts`: at 1 kHz the message-class path
 * cost each node as much as its own topics. The time reaches the clock
 * through the TimeSource's own callback, so jump handling and timers are
 * unchanged. Relies on rclnodejs 2.x internals (`_timeSource`,
 * `_subscribeToClockTopic`, `_clockSubscription`, `_clockCallback`); when they
 * are not there, rclnodejs's own subscription stays (logged once at debug).
 */
function rawClockSubscription(raw: R.Node, log: Logger): void {
  interface TimeSourceInternals {
    _node?: R.Node;
    _clockSubscription?: R.Subscription;
    _subscribeToClockTopic?: () => void;
    _clockCallback?: (msg: { clock: { sec: number; nanosec: number } }) => void;
  }
  const ts = (raw as unknown as { _timeSource?: TimeSourceInternals })._timeSource;
  if (!ts || typeof ts._subscribeToClockTopic !== 'function' || typeof ts._clockCallback !== 'function' || !('_clockSubscription' in ts)) {
    log.debug('rclnodejs TimeSource internals not found: /clock stays on rclnodejs message classes');
    return;
  }
  const decode = RAW_CODECS['rosgraph_msgs/msg/Clock']!.decoder();
  const onClock = ts._clockCallback.bind(ts);
  ts._subscribeToClockTopic = function subscribeRaw(this: TimeSourceInternals) {
    if (this._clockSubscription || !this._node) return;
    this._clockSubscription = this._node.createSubscription('rosgraph_msgs/msg/Clock', '/clock', { isRaw: true }, (buf: unknown) => {
      let msg;
      try {
        msg = decode(buf as Buffer);
      } catch (error) {
        log.error({ err: error }, 'undecodable /clock message dropped');
        return;
      }
      onClock(msg);
    }) as R.Subscription;
  };
  if (ts._clockSubscription && ts._node) {
    ts._node.destroySubscription(ts._clockSubscription);
    ts._clockSubscription = undefined;
    ts._subscribeToClockTopic();
  }
}
