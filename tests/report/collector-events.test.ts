/**
 * The run report's labelled marks for events seen on the bus: motion-primitive
 * requests and answers (`/motion/request`, `/motion/status`) and adaptation
 * events (regime announcements on `/policy/adaptation/regime`, changes of the
 * `adaptation_state` / `adaptation_regime` values on /diagnostics, in the
 * shapes the motion node and the policy node's adaptation wiring publish).
 * Repeated diagnostics values are not marks; the marks are bounded, the rest
 * counted. (The motion demo's real node: tests/report/report-browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { RunReportCollector } from '../../src/report/collector.js';
import { ADAPTATION_REGIME_TOPIC } from '../../src/nodes/adaptation-wiring.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import type { DiagnosticArray } from '../../src/transport/messages.js';

function collectorOn(bus: EmbeddedBus): RunReportCollector {
  return new RunReportCollector({
    node: bus.createNode('run_report'),
    shield: {} as never, // no command is published here: the shield is never read
    joints: { names: ['a_joint'], lower: [-1], upper: [1] },
    commandTopic: '/cmd',
    commandFormat: 'float64_multi_array',
    jointStateTopic: '/joint_states',
    candidateTopic: null,
    modeTopic: null,
  });
}

const diag = (values: Record<string, string>): DiagnosticArray => ({
  header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
  status: [{ level: 0, name: 'policy', message: '', hardware_id: 'aegis', values: Object.entries(values).map(([key, value]) => ({ key, value })) }],
});

describe('run report marks for motion and adaptation events on the bus', () => {
  it('marks each request, answer, announcement and change of adaptation state or regime, at its bus time', () => {
    const bus = new EmbeddedBus();
    const c = collectorOn(bus);
    const n = bus.createNode('sources');
    const request = n.createPublisher('std_msgs/msg/String', '/motion/request', { preset: 'reliable' });
    const status = n.createPublisher('std_msgs/msg/String', '/motion/status', { preset: 'reliable' });
    const regime = n.createPublisher('std_msgs/msg/String', ADAPTATION_REGIME_TOPIC);
    const diagnostics = n.createPublisher('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics');
    const at = (s: number): void => bus.advanceTo(BigInt(Math.round(s * 1e9)));

    at(0.5);
    diagnostics.publish(diag({ mode: 'POLICY', adaptation_state: 'learning_anchor', adaptation_regime: 'none' }));
    at(1.0);
    request.publish({ data: 'play wave_right' });
    status.publish({ data: "ok 'play wave_right'" });
    at(1.5);
    diagnostics.publish(diag({ mode: 'POLICY', adaptation_state: 'learning_anchor', adaptation_regime: 'none' })); // unchanged: no mark
    at(2.0);
    regime.publish({ data: 'payload' });
    regime.publish({ data: '' });
    at(2.5);
    diagnostics.publish(diag({ adaptation_state: 'adapting', adaptation_regime: 'payload' }));
    status.publish({ data: "refused 'play nothing': no primitive 'nothing'" });

    expect(c.marks).toEqual([
      { t: 0.5, kind: 'adaptation', label: 'state learning_anchor' },
      { t: 0.5, kind: 'adaptation', label: 'regime none' },
      { t: 1.0, kind: 'motion', label: "request 'play wave_right'" },
      { t: 1.0, kind: 'motion', label: "ok 'play wave_right'" },
      { t: 2.0, kind: 'adaptation', label: "regime 'payload' announced" },
      { t: 2.0, kind: 'adaptation', label: 'switch announced' },
      { t: 2.5, kind: 'adaptation', label: 'state adapting' },
      { t: 2.5, kind: 'adaptation', label: 'regime payload' },
      { t: 2.5, kind: 'motion', label: "refused 'play nothing': no primitive 'nothing'" },
    ]);
    expect(bus.stats.callbackErrors).toBe(0);
  });

  it('keeps the first 1000 marks and counts the rest', () => {
    const bus = new EmbeddedBus();
    const c = collectorOn(bus);
    const status = bus.createNode('m').createPublisher('std_msgs/msg/String', '/motion/status', { preset: 'reliable' });
    for (let i = 0; i < 1005; i++) status.publish({ data: `ok ${i}` });
    expect(c.marks).toHaveLength(1000);
    expect(c.marks.at(-1)!.label).toBe('ok 999');
    expect(c.marksDropped).toBe(5);
  });
});
