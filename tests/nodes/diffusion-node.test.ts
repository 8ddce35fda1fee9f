/**
 * The diffusion node on the embedded bus with a scripted decision source: a
 * sampled chunk becomes one JointTrajectory of H waypoints mapped by the
 * contract; a safe outcome publishes nothing (the shield's watchdog holds);
 * one decision at a time; wrong-width observations ignored; status on
 * /diagnostics from the counters.
 */
import { describe, expect, it } from 'vitest';
import type { ClientDecision } from '../../src/inference/diffusion-client.js';
import { DiffusionNode, type DecisionSource } from '../../src/nodes/diffusion-node.js';
import { countDecision, makeCounters } from '../../src/policy/diffusion/sampler.js';
import { armDiffusionContract } from '../../src/training/diffusion-arm-export.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeFloat64MultiArray, type DiagnosticArray, type JointTrajectory } from '../../src/transport/messages.js';

const contract = armDiffusionContract({ trainSteps: 100, betaMin: 1e-4, betaMax: 0.2 });

function decision(action: Float32Array | null): ClientDecision {
  return {
    outcome: action ? 'sampled' : 'safe', safeReason: action ? null : 'late', degradation: 'none', action, selectedSeed: action ? 0 : -1, selectedQ: NaN,
    denoiserRows: 10, denoiserCalls: 10, criticRows: 8, criticCalls: 1, droppedNaN: 0, nanScores: 0, latencyMs: 1, computeMs: 1,
  };
}

/** Answers from a script, each when released. */
class Scripted implements DecisionSource {
  readonly counters = makeCounters();
  readonly seeds: number[] = [];
  private release: (() => void)[] = [];
  constructor(private readonly answers: (Float32Array | null)[]) {}
  decide(_obs: Float32Array, opts: { seed: number }): Promise<ClientDecision> {
    this.seeds.push(opts.seed);
    const d = decision(this.answers.shift() ?? null);
    return new Promise((resolve) => this.release.push(() => {
      countDecision(this.counters, { ...d, action: new Float32Array(0) });
      resolve(d);
    }));
  }
  releaseAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

describe('diffusion node', () => {
  it('publishes a sampled chunk as H waypoints, publishes nothing on a safe outcome, drops observations while busy', async () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const chunk = Float32Array.from({ length: 16 }, (_, i) => (i % 4) / 4 - 0.5);
    const source = new Scripted([chunk, null]);
    const node = new DiffusionNode(bus.createNode('diffusion'), source, contract, { waypointS: 0.25, seed: 100 });
    const seen: JointTrajectory[] = [];
    const diag: DiagnosticArray[] = [];
    const obsNode = bus.createNode('obs');
    obsNode.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m) => { seen.push(structuredClone(m)); });
    obsNode.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => { diag.push(structuredClone(m)); });
    const pub = obsNode.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
    const obs = makeFloat64MultiArray(6);
    pub.publish(obs);
    pub.publish(obs); // busy: dropped
    expect(node.droppedBusy).toBe(1);
    source.releaseAll();
    await bus.settle();
    expect(seen).toHaveLength(1);
    const t = seen[0]!;
    expect(t.joint_names).toEqual(contract.jointNames);
    expect(t.points).toHaveLength(4);
    expect(t.points.map((p) => p.time_from_start)).toEqual([{ sec: 0, nanosec: 250_000_000 }, { sec: 0, nanosec: 500_000_000 }, { sec: 0, nanosec: 750_000_000 }, { sec: 1, nanosec: 0 }]);
    for (let h = 0; h < 4; h++) {
      for (let j = 0; j < 4; j++) expect(t.points[h]!.positions[j]).toBeCloseTo(contract.jointCentre[j]! + contract.jointHalfRange[j]! * chunk[h * 4 + j]!, 6);
    }
    pub.publish(obs); // answered safe
    source.releaseAll();
    await bus.settle();
    expect(seen).toHaveLength(1);
    expect(source.seeds).toEqual([100, 101]);
    pub.publish(makeFloat64MultiArray(5));
    expect(node.rejectedObservations).toBe(1);
    for (let ms = 1; ms <= 1000; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    const status = diag.at(-1)!.status[0]!;
    expect(status.level).toBe(1); // WARN: one of two decisions fell back
    expect(status.values).toContainEqual({ key: 'safe_late', value: '1' });
    expect(status.values).toContainEqual({ key: 'dropped_observations', value: '1' });
  });
});
