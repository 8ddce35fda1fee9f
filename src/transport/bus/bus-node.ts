/**
 * A node on the embedded bus: the transport port over an {@link EmbeddedBus}
 * (names resolved against the node's namespace, QoS reduced to reliable or
 * best effort, timers and services registered on the bus). Created by
 * `EmbeddedBus.createNode`.
 */
import type { MessageTypeName, MessageTypes, RequestOf, ResponseOf, ServiceTypeName } from '../messages.js';
import type { MaybePromise, Publisher, Qos, ServiceClient, ServiceServer, Subscription, Timer, TransportNode } from '../port.js';
import type { EmbeddedBus, SubscriberEntry, TimerEntry } from './embedded-bus.js';
import { resolveName } from './names.js';

export class BusNode implements TransportNode {
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly bus: EmbeddedBus,
    readonly name: string,
    private readonly namespace: string,
  ) {}

  private resolve(name: string): string {
    return resolveName(name, this.namespace, this.name);
  }

  createPublisher<K extends MessageTypeName>(type: K, topic: string, qos?: Qos): Publisher<MessageTypes[K]> {
    const full = this.resolve(topic);
    const entry = this.bus.topicEntry(full, type);
    const reliable = (qos?.preset ?? 'default') !== 'sensor_data';
    const bus = this.bus;
    const node = this.name;
    return {
      topic: full,
      publish(msg: MessageTypes[K]): void {
        bus.publish(node, full, entry, reliable, msg);
      },
    };
  }

  createSubscription<K extends MessageTypeName>(
    type: K,
    topic: string,
    handler: (msg: MessageTypes[K]) => MaybePromise,
    qos?: Qos,
  ): Subscription {
    const full = this.resolve(topic);
    const entry = this.bus.topicEntry(full, type);
    const sub: SubscriberEntry = {
      node: this.name,
      handler: handler as (msg: never) => MaybePromise,
      reliable: (qos?.preset ?? 'default') !== 'sensor_data',
      active: true,
    };
    entry.subscribers.push(sub);
    const destroy = (): void => {
      sub.active = false;
      const i = entry.subscribers.indexOf(sub);
      if (i >= 0) entry.subscribers.splice(i, 1);
    };
    this.cleanups.push(destroy);
    return { topic: full, destroy };
  }

  createTimer(periodNs: bigint, callback: () => MaybePromise): Timer {
    if (periodNs <= 0n) throw new Error(`timer period must be positive, got ${periodNs} ns`);
    const entry: TimerEntry = {
      node: this.name,
      periodNs,
      nextNs: this.bus.nowNs() + periodNs,
      callback,
      active: true,
      skipped: 0,
    };
    this.bus.addTimer(entry);
    const cancel = (): void => this.bus.removeTimer(entry);
    this.cleanups.push(cancel);
    return { periodNs, cancel };
  }

  createService<S extends ServiceTypeName>(
    type: S,
    name: string,
    handler: (request: RequestOf<S>) => ResponseOf<S> | Promise<ResponseOf<S>>,
  ): ServiceServer {
    const full = this.resolve(name);
    this.bus.addService(full, { type, handler: handler as (r: never) => unknown });
    const destroy = (): void => this.bus.removeService(full);
    this.cleanups.push(destroy);
    return { name: full, destroy };
  }

  createClient<S extends ServiceTypeName>(type: S, name: string): ServiceClient<S> {
    const full = this.resolve(name);
    const bus = this.bus;
    return {
      name: full,
      call: (request: RequestOf<S>) => bus.callService(type, full, request),
    };
  }

  nowNs(): bigint {
    return this.bus.nowNs();
  }

  nowSeconds(): number {
    return Number(this.bus.nowNs()) * 1e-9;
  }

  destroy(): void {
    for (const c of this.cleanups.splice(0)) c();
  }
}
