/**
 * The transport port: the one small interface every node uses to talk to the
 * world. Implemented in-process by the embedded bus (`./bus`) and by rclnodejs
 * (`./ros`). Nodes never import either implementation.
 *
 * Semantics shared by every implementation:
 * - Messages have ROS 2 shapes (`./messages.ts`).
 * - A subscriber must not keep a reference to a received message (the embedded
 *   bus hands over the publisher's reused object); copy what you keep.
 * - Timers run on the node's clock (sim time when the clock is simulated) and
 *   fire on absolute deadlines (`start + k·period`), so they never drift.
 * - A callback may return a Promise (e.g. an inference); the embedded bus
 *   awaits such work in lockstep, ROS logs its rejection.
 */
import type { MessageTypeName, MessageTypes, RequestOf, ResponseOf, ServiceTypeName } from './messages.js';

/** QoS presets. `sensor_data` is best effort (sensor inputs); `reliable` is for commands to controllers. */
export type QosPreset = 'sensor_data' | 'reliable' | 'default';
export interface Qos {
  preset: QosPreset;
  /** History depth (KEEP_LAST). */
  depth?: number;
}

export type MaybePromise = void | Promise<void>;

export interface Publisher<T> {
  readonly topic: string;
  publish(msg: T): void;
}

export interface Subscription {
  readonly topic: string;
  destroy(): void;
}

export interface Timer {
  readonly periodNs: bigint;
  cancel(): void;
}

export interface ServiceServer {
  readonly name: string;
  destroy(): void;
}

export interface ServiceClient<S extends ServiceTypeName> {
  readonly name: string;
  call(request: RequestOf<S>): Promise<ResponseOf<S>>;
}

export interface TransportNode {
  readonly name: string;
  createPublisher<K extends MessageTypeName>(type: K, topic: string, qos?: Qos): Publisher<MessageTypes[K]>;
  createSubscription<K extends MessageTypeName>(
    type: K,
    topic: string,
    handler: (msg: MessageTypes[K]) => MaybePromise,
    qos?: Qos,
  ): Subscription;
  /** A periodic timer on this node's clock. */
  createTimer(periodNs: bigint, callback: () => MaybePromise): Timer;
  createService<S extends ServiceTypeName>(
    type: S,
    name: string,
    handler: (request: RequestOf<S>) => ResponseOf<S> | Promise<ResponseOf<S>>,
  ): ServiceServer;
  createClient<S extends ServiceTypeName>(type: S, name: string): ServiceClient<S>;
  /** Current time of this node's clock in nanoseconds. */
  nowNs(): bigint;
  /** Current time of this node's clock in seconds (no bigint allocation). */
  nowSeconds(): number;
  destroy(): void;
}

export interface NodeOptions {
  /** Namespace prefix for relative names. */
  namespace?: string;
}

/** Creates nodes on one transport (a bus instance or a ROS context). */
export interface Transport {
  readonly kind: 'embedded' | 'ros';
  createNode(name: string, options?: NodeOptions): TransportNode;
  shutdown(): Promise<void>;
}
