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
  private readonly timers: { periodNs: bigint; callback: () => MaybePromise; active: boolean }[] = [];

  constructor(readonly name: string) {}

  createPublisher<K extends MessageTypeName>(_type: K, topic: string): Publisher<MessageTypes[K]> {
    return { topic, publish: () => {} };
  }

  createSubscription<K extends MessageTypeName>(_type: K, topic: string, handler: (msg: MessageTypes[K]) => MaybePromise): Subscription {
    this.handlers.set(topic, handler as (msg: never) => MaybePromise);
    return { topic, destroy: () => this.handlers.delete(topic) };
  }

  createTimer(periodNs: bigint, callback: () => MaybePromise): Timer {
    const entry = { periodNs, callback, active: true };
    this.timers.push(entry);
    return { periodNs, cancel: () => (entry.active = false) };
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
    for (const t of this.timers) t.active = false;
  }

  /** The handler registered for `topic` (throws when there is none). */
  handler<K extends MessageTypeName>(_type: K, topic: string): (msg: MessageTypes[K]) => MaybePromise {
    const h = this.handlers.get(topic);
    if (!h) throw new Error(`CaptureNode '${this.name}': no subscription on '${topic}'`);
    return h as (msg: MessageTypes[K]) => MaybePromise;
  }

  /** The callback of the first active timer with this period (throws when there is none). */
  timer(periodNs: bigint): () => MaybePromise {
    const t = this.timers.find((e) => e.active && e.periodNs === periodNs);
    if (!t) throw new Error(`CaptureNode '${this.name}': no timer with a period of ${periodNs} ns`);
    return t.callback;
  }
}
