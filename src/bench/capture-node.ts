/**
 * A transport node for benchmarks: it records the handlers and the timer a
 * node registers and lets the harness call them directly; publishing does
 * nothing and the clock is a value the harness sets. So a benchmark measures
 * the node's own work per tick, not a transport's (the embedded bus and
 * rclnodejs both allocate per message and per clock read: bigint times,
 * deserialised messages).
 */
import type { MessageTypeName, MessageTypes, ServiceTypeName } from '../transport/messages.js';
import type { MaybePromise, Publisher, ServiceClient, ServiceServer, Subscription, Timer, TransportNode } from '../transport/port.js';

export class CaptureNode implements TransportNode {
  /** [0] = this node's clock, s (set by the harness before each call). */
  readonly clock = new Float64Array(1);
  private readonly handlers = new Map<string, (msg: never) => MaybePromise>();
  private timerCallback: (() => MaybePromise) | null = null;

  constructor(readonly name: string) {}

  createPublisher<K extends MessageTypeName>(_type: K, topic: string): Publisher<MessageTypes[K]> {
    return { topic, publish: () => {} };
  }

  createSubscription<K extends MessageTypeName>(_type: K, topic: string, handler: (msg: MessageTypes[K]) => MaybePromise): Subscription {
    this.handlers.set(topic, handler as (msg: never) => MaybePromise);
    return { topic, destroy: () => this.handlers.delete(topic) };
  }

  createTimer(periodNs: bigint, callback: () => MaybePromise): Timer {
    if (this.timerCallback) throw new Error(`CaptureNode '${this.name}' holds one timer only`);
    this.timerCallback = callback;
    return { periodNs, cancel: () => (this.timerCallback = null) };
  }

  createService(_type: ServiceTypeName, name: string): ServiceServer {
    return { name, destroy: () => {} };
  }

  createClient<S extends ServiceTypeName>(_type: S, name: string): ServiceClient<S> {
    throw new Error(`CaptureNode '${this.name}' has no service clients (asked for '${name}')`);
  }

  nowNs(): bigint {
    return BigInt(Math.round(this.clock[0]! * 1e9));
  }

  nowSeconds(): number {
    return this.clock[0]!;
  }

  destroy(): void {
    this.handlers.clear();
    this.timerCallback = null;
  }

  /** The handler registered for `topic` (throws when there is none). */
  handler<K extends MessageTypeName>(_type: K, topic: string): (msg: MessageTypes[K]) => MaybePromise {
    const h = this.handlers.get(topic);
    if (!h) throw new Error(`CaptureNode '${this.name}': no subscription on '${topic}'`);
    return h as (msg: MessageTypes[K]) => MaybePromise;
  }

  /** The registered timer callback (throws when there is none). */
  timer(): () => MaybePromise {
    if (!this.timerCallback) throw new Error(`CaptureNode '${this.name}': no timer`);
    return this.timerCallback;
  }
}
