import { describe, expect, it } from 'vitest';
import { DiagnosticsPublisher } from '../../src/nodes/diagnostics.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { DiagnosticLevel, type DiagnosticArray } from '../../src/transport/messages.js';

describe('diagnostics publisher', () => {
  it('publishes the node status with counters at its rate on /diagnostics', () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const node = bus.createNode('thing');
    let ticks = 0;
    new DiagnosticsPublisher(node, { name: 'thing: loop', hardwareId: 'g1', rateHz: 2 }, (s) => {
      ticks++;
      s.set('ticks', ticks);
      s.set('rate_hz', 49.5);
      s.summary(ticks > 1 ? DiagnosticLevel.WARN : DiagnosticLevel.OK, ticks > 1 ? 'degraded' : 'ok');
    });
    const seen: Array<{ level: number; values: string; sec: number; nanosec: number }> = [];
    bus.createNode('obs').createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => {
      const s = m.status[0]!;
      seen.push({ level: s.level, values: s.values.map((v) => `${v.key}=${v.value}`).join(','), ...m.header.stamp });
    });
    for (let ms = 1; ms <= 1000; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    expect(seen).toEqual([
      { level: 0, values: 'ticks=1,rate_hz=49.5000', sec: 0, nanosec: 500_000_000 },
      { level: 1, values: 'ticks=2,rate_hz=49.5000', sec: 1, nanosec: 0 },
    ]);
  });

  it('refuses a rate outside (0, 10] Hz', () => {
    const node = new EmbeddedBus().createNode('n');
    expect(() => new DiagnosticsPublisher(node, { name: 'n', hardwareId: 'x', rateHz: 0 }, () => {})).toThrow(/rate/);
  });
});
