/**
 * A node's `/diagnostics` publisher (diagnostic_msgs/DiagnosticArray at 1–2 Hz).
 *
 * The node supplies a `report(status)` function that fills one reused
 * DiagnosticStatus (level, message, key/value counters); the publisher stamps
 * and publishes it on a timer. Values are strings, as ROS defines them.
 * Levels are used as ROS intends: OK, WARN (degraded but working), ERROR
 * (not doing its job), STALE (no fresh data to report on).
 */
import {
  DiagnosticLevel,
  header,
  setTimeNs,
  type DiagnosticArray,
  type DiagnosticStatus,
  type KeyValue,
} from '../transport/messages.js';
import type { Timer, TransportNode } from '../transport/port.js';

export interface DiagnosticsOptions {
  /** The status name, conventionally `<node>: <component>`. */
  name: string;
  hardwareId: string;
  /** Publishing rate, Hz (ROS convention 1–2 Hz). */
  rateHz?: number;
  topic?: string;
}

/** A reusable status: set `level`/`message` and call `set(key, value)` for counters. */
export class StatusBuilder {
  readonly status: DiagnosticStatus;
  private readonly index = new Map<string, KeyValue>();

  constructor(name: string, hardwareId: string) {
    this.status = { level: DiagnosticLevel.OK, name, message: '', hardware_id: hardwareId, values: [] };
  }

  set(key: string, value: string | number | boolean): void {
    const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(6)) : String(value);
    const kv = this.index.get(key);
    if (kv) kv.value = text;
    else {
      const entry = { key, value: text };
      this.index.set(key, entry);
      this.status.values.push(entry);
    }
  }

  summary(level: DiagnosticLevel, message: string): void {
    this.status.level = level;
    this.status.message = message;
  }
}

export class DiagnosticsPublisher {
  private readonly msg: DiagnosticArray;
  private readonly builder: StatusBuilder;
  private readonly timer: Timer;

  constructor(
    private readonly node: TransportNode,
    options: DiagnosticsOptions,
    report: (status: StatusBuilder) => void,
  ) {
    const rateHz = options.rateHz ?? 1;
    if (!(rateHz > 0 && rateHz <= 10)) throw new Error(`diagnostics rate must be in (0, 10] Hz, got ${rateHz}`);
    this.builder = new StatusBuilder(options.name, options.hardwareId);
    this.msg = { header: header(), status: [this.builder.status] };
    const pub = node.createPublisher('diagnostic_msgs/msg/DiagnosticArray', options.topic ?? '/diagnostics');
    this.timer = node.createTimer(BigInt(Math.round(1e9 / rateHz)), () => {
      report(this.builder);
      setTimeNs(this.msg.header.stamp, this.node.nowNs());
      pub.publish(this.msg);
    });
  }

  cancel(): void {
    this.timer.cancel();
  }
}
