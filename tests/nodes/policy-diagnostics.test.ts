/** The policy node's /diagnostics at topic level on the embedded bus (shipped policy, 50 Hz). */
import { describe, expect, it } from 'vitest';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { DiagnosticLevel, type DiagnosticArray } from '../../src/transport/messages.js';
import { fakeRobotSensors, shippedModelBytes, shippedResolved } from '../policy/helpers.js';

describe('policy node diagnostics', () => {
  it('reports STALE without sensors, OK with the achieved rates while running, ERROR after a fault to DAMP', async () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const config = shippedResolved((c) => ({ ...c, modes: { ...c.modes, faults: { ...c.modes.faults, staleStateS: 0.1 } } }));
    const policy = await OnnxPolicy.create({ model: shippedModelBytes(), config });
    const node = new PolicyNode({ node: bus.createNode('aegis_policy'), config, policy, robotJointNames: G1_JOINTS });
    const robot = bus.createNode('robot');
    const robotSensors = fakeRobotSensors(robot);
    const reports: { level: number; message: string; values: Record<string, string> }[] = [];
    robot.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => {
      const s = m.status[0]!;
      expect(s.name).toBe('aegis_policy: policy g1_upper_body');
      reports.push({ level: s.level, message: s.message, values: Object.fromEntries(s.values.map((v) => [v.key, v.value])) });
    });
    let sensors = false;
    for (let ms = 5; ms <= 4000; ms += 5) {
      if (ms === 1005) sensors = true;
      if (ms === 3505) sensors = false;
      if (sensors) robotSensors.publish();
      bus.advanceTo(BigInt(ms) * 1_000_000n);
      await bus.settle();
    }
    node.destroy();
    await bus.shutdown();
    await policy.release();
    expect(reports.map((r) => r.level)).toEqual([DiagnosticLevel.STALE, DiagnosticLevel.OK, DiagnosticLevel.OK, DiagnosticLevel.ERROR]);
    expect(reports[0]!.values['command_rate_hz']).toBe('NaN'); // no previous report to take a rate from
    expect(reports[2]!.message).toBe('mode POLICY');
    expect(reports[2]!.values['command_rate_hz']).toBe('50'); // (2 s, 3 s]: 50 ticks, each published
    expect(reports[2]!.values['inference_rate_hz']).toBe('50');
    expect(reports[2]!.values['missedDeadlines']).toBe('0');
    expect(reports[3]!.message).toMatch(/^DAMP after fault:stale_state at 3\.6\d0 s$/);
    expect(reports[3]!.values['mode']).toBe('DAMP');
  });
});
