/**
 * The embedded bus: an in-process implementation of the transport port for
 * machines without ROS 2. Same topic names, message shapes and QoS rules as
 * ROS 2, on a clock that its owner advances (sim time in lockstep with the
 * physics, or wall time).
 *
 * Delivery is synchronous at publish time (the equivalent of ROS serializing
 * the message when it is published): a subscriber sees the message as it was
 * when published and must copy what it keeps. Timers fire in deadline order
 * when the owner calls {@link EmbeddedBus.advanceTo}. Promises returned from
 * callbacks are tracked so the owner can await them ({@link EmbeddedBus.settle})
 * — that is how an asynchronous inference runs in lockstep.
 *
 * Like DDS, a best-effort publisher does not connect to a reliable
 * subscription; the bus logs that once per pair instead of delivering.
 */
import type { Logger } from '../../log.js';
import { nodeLogger } from '../../log.js';
import {
  messageSchemas,
  type MessageTypeName,
  type MessageTypes,
  type RequestOf,
  type ResponseOf,
  type ServiceTypeName,
} from '../messages.js';
import type { MaybePromise, NodeOptions, Transport, TransportNode } from '../port.js';
import { BusNode } from './bus-node.js';
import { serviceRequestSchemas } from './service-schemas.js';

export interface EmbeddedBusOptions {
  /** Validate every published message against its zod schema (tests; allocates). */
  validateMessages?: boolean;
  /** Start time of the bus clock, ns. */
  startNs?: bigint;
}

/** @internal shared with ./bus-node.ts */
export interface SubscriberEntry {
  node: string;
  handler: (msg: never) => MaybePromise;
  reliable: boolean;
  active: boolean;
}

/** @internal shared with ./bus-node.ts */
export interface TopicEntry {
  type: MessageTypeName;
  subscribers: SubscriberEntry[];
  published: number;
}

/** @internal shared with ./bus-node.ts */
export interface TimerEntry {
  node: string;
  periodNs: bigint;
  nextNs: bigint;
  callback: () => MaybePromise;
  active: boolean;
  /** Deadlines that passed without a call (the bus was advanced past several periods at once). */
  skipped: number;
}

/** @internal shared with ./bus-node.ts */
export interface ServiceEntry {
  type: ServiceTypeName;
  handler: (request: never) => unknown;
}

/** Counters the bus keeps about itself, for tests and diagnostics. */
export interface BusStats {
  published: number;
  delivered: number;
  callbackErrors: number;
  qosMismatches: number;
  invalidMessages: number;
  timerSkips: number;
}

/**
 * Sees every message published on the bus (after validation, before delivery)
 * and every service request; for recorders and live views. Runs in the
 * publisher's call: it must copy what it keeps and return quickly.
 */
export interface BusTap {
  /** `reliable`: the publisher's QoS (false = best effort, the `sensor_data` preset). */
  message(topic: string, type: MessageTypeName, msg: unknown, timeNs: bigint, reliable: boolean): void;
  serviceCall?(service: string, type: ServiceTypeName, request: unknown, timeNs: bigint): void;
}

function isPromise(value: unknown): value is Promise<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export class EmbeddedBus implements Transport {
  readonly kind = 'embedded' as const;
  readonly stats: BusStats = {
    published: 0,
    delivered: 0,
    callbackErrors: 0,
    qosMismatches: 0,
    invalidMessages: 0,
    timerSkips: 0,
  };
  private clockNs: bigint;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly timers: TimerEntry[] = [];
  private readonly services = new Map<string, ServiceEntry>();
  private readonly pending = new Set<Promise<void>>();
  private readonly validate: boolean;
  private readonly log: Logger = nodeLogger('embedded_bus');
  private readonly warnedPairs = new Set<string>();
  private taps: BusTap[] = [];

  constructor(options: EmbeddedBusOptions = {}) {
    this.clockNs = options.startNs ?? 0n;
    this.validate = options.validateMessages ?? false;
  }

  createNode(name: string, options: NodeOptions = {}): TransportNode {
    return new BusNode(this, name, options.namespace ?? '/');
  }

  async shutdown(): Promise<void> {
    await this.settle();
    this.timers.length = 0;
    this.topics.clear();
    this.services.clear();
  }

  /** Current bus time, ns. */
  nowNs(): bigint {
    return this.clockNs;
  }

  /**
   * Sets the clock to `timeNs` and fires every timer whose deadline has come,
   * in deadline order (creation order among equal deadlines). A timer more
   * than one period behind fires once and skips the missed deadlines (as rcl
   * does), counted in `stats.timerSkips`. Time going backwards (a sim reset)
   * re-bases every timer on the new time.
   */
  advanceTo(timeNs: bigint): void {
    if (timeNs < this.clockNs) {
      for (const t of this.timers) t.nextNs = timeNs + t.periodNs;
      this.clockNs = timeNs;
      return;
    }
    this.clockNs = timeNs;
    for (;;) {
      let due: TimerEntry | undefined;
      for (const t of this.timers) {
        if (t.active && t.nextNs <= timeNs && (due === undefined || t.nextNs < due.nextNs)) due = t;
      }
      if (due === undefined) return;
      due.nextNs += due.periodNs;
      if (due.nextNs <= timeNs) {
        const missed = (timeNs - due.nextNs) / due.periodNs + 1n;
        due.skipped += Number(missed);
        this.stats.timerSkips += Number(missed);
        due.nextNs += missed * due.periodNs;
      }
      this.invoke(due.node, due.callback);
    }
  }

  /** True when callbacks have returned promises that are not yet resolved. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Awaits every promise returned by callbacks (including ones started while waiting). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all(this.pending);
    }
  }

  /** Topic names with their message types and counts, for introspection. */
  topicList(): Array<{ topic: string; type: MessageTypeName; subscribers: number; published: number }> {
    return [...this.topics].map(([topic, e]) => ({
      topic,
      type: e.type,
      subscribers: e.subscribers.filter((s) => s.active).length,
      published: e.published,
    }));
  }

  /** Adds a tap (see {@link BusTap}); returns its removal. A tap that throws is counted as a callback error. */
  addTap(tap: BusTap): () => void {
    this.taps = [...this.taps, tap];
    return () => {
      this.taps = this.taps.filter((t) => t !== tap);
    };
  }

  // ---- used by BusNode ----

  topicEntry(topic: string, type: MessageTypeName): TopicEntry {
    const existing = this.topics.get(topic);
    if (existing) {
      if (existing.type !== type) {
        throw new Error(`topic '${topic}' already has type '${existing.type}', cannot use it as '${type}'`);
      }
      return existing;
    }
    const entry: TopicEntry = { type, subscribers: [], published: 0 };
    this.topics.set(topic, entry);
    return entry;
  }

  publish(node: string, topic: string, entry: TopicEntry, reliable: boolean, msg: unknown): void {
    if (this.validate) {
      const result = messageSchemas[entry.type].safeParse(msg);
      if (!result.success) {
        this.stats.invalidMessages++;
        this.log.error({ publisher: node, topic, issues: result.error.issues }, 'invalid message published; dropped');
        return;
      }
    }
    this.stats.published++;
    entry.published++;
    const taps = this.taps;
    for (let i = 0; i < taps.length; i++) {
      try {
        taps[i]!.message(topic, entry.type, msg, this.clockNs, reliable);
      } catch (err) {
        this.callbackFailed(`tap on ${topic}`, err);
      }
    }
    const subs = entry.subscribers;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.active) continue;
      if (sub.reliable && !reliable) {
        this.qosMismatch(node, sub.node, topic);
        continue;
      }
      this.stats.delivered++;
      this.invoke(sub.node, sub.handler as (m: unknown) => MaybePromise, msg);
    }
  }

  addTimer(entry: TimerEntry): void {
    this.timers.push(entry);
  }

  removeTimer(entry: TimerEntry): void {
    entry.active = false;
    const i = this.timers.indexOf(entry);
    if (i >= 0) this.timers.splice(i, 1);
  }

  addService(name: string, entry: ServiceEntry): void {
    if (this.services.has(name)) throw new Error(`service '${name}' is already provided`);
    this.services.set(name, entry);
  }

  removeService(name: string): void {
    this.services.delete(name);
  }

  async callService<S extends ServiceTypeName>(type: S, name: string, request: RequestOf<S>): Promise<ResponseOf<S>> {
    const entry = this.services.get(name);
    if (!entry) throw new Error(`service '${name}' is not available`);
    if (entry.type !== type) throw new Error(`service '${name}' has type '${entry.type}', not '${type}'`);
    const parsed = serviceRequestSchemas[type].safeParse(request);
    if (!parsed.success) {
      throw new Error(`invalid request for service '${name}' (${type}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    for (const tap of this.taps) {
      try {
        tap.serviceCall?.(name, type, parsed.data, this.clockNs);
      } catch (err) {
        this.callbackFailed(`tap on ${name}`, err);
      }
    }
    await Promise.resolve(); // a service call is never answered in the caller's stack
    const handler = entry.handler as (r: RequestOf<S>) => ResponseOf<S> | Promise<ResponseOf<S>>;
    return handler(parsed.data as RequestOf<S>);
  }

  private invoke(node: string, fn: (arg?: unknown) => MaybePromise, arg?: unknown): void {
    try {
      const r = fn(arg);
      if (isPromise(r)) {
        const tracked: Promise<void> = r.then(
          () => {
            this.pending.delete(tracked);
          },
          (err: unknown) => {
            this.pending.delete(tracked);
            this.callbackFailed(node, err);
          },
        );
        this.pending.add(tracked);
      }
    } catch (err) {
      this.callbackFailed(node, err);
    }
  }

  private callbackFailed(node: string, err: unknown): void {
    this.stats.callbackErrors++;
    this.log.error({ node, err }, 'callback threw; the bus carries on');
  }

  private qosMismatch(pub: string, sub: string, topic: string): void {
    this.stats.qosMismatches++;
    const key = `${pub}|${sub}|${topic}`;
    if (this.warnedPairs.has(key)) return;
    this.warnedPairs.add(key);
    this.log.warn({ publisher: pub, subscriber: sub, topic }, 'best-effort publisher cannot reach a reliable subscription (incompatible QoS)');
  }
}
