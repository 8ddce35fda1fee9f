/**
 * The diffusion node on the embedded bus with a scripted decision source: a
 * sampled chunk is published once as a JointTrajectory of H waypoints mapped
 * by the contract and streamed as single-point targets (what the shield
 * accepts) interpolated from the measured pose; a safe outcome stops the
 * stream (the shield's watchdog holds);
 * one decision at a time; wrong-width observations ignored; status on
 * /diagnostics from the counters.
 */
import { describe, expect, it } from 'vitest';
import type { ClientDecision } from '../../src/inference/diffusion-client.js';
import { DiffusionNode, type DecisionSource } from '../../src/nodes/diffusion-node.js';
import { countDecision, makeCounters } from '../../src/policy/diffusion/sampler.js';
import { armDiffusionContract } from '../../src/training/diffusion-arm-export.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { makeFloat64MultiArray, makeJointState, type DiagnosticArray, type JointTrajectory } from '../../src/transport/messages.js';

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
  it('publishes a sampled chunk once, streams it as single-point targets from the measured pose, stops on a safe outcome, drops observations while busy', async () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const chunk = Float32Array.from({ length: 16 }, (_, i) => (i % 4) / 4 - 0.5 + Math.floor(i / 4) * 0.1);
    const source = new Scripted([chunk, null]);
    const node = new DiffusionNode(bus.createNode('diffusion'), source, contract, { waypointS: 0.25, seed: 100 });
    const chunks: JointTrajectory[] = [];
    const stream: { t: number; m: JointTrajectory }[] = [];
    const diag: DiagnosticArray[] = [];
    const obsNode = bus.createNode('obs');
    obsNode.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', (m) => { chunks.push(structuredClone(m)); });
    obsNode.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m) => { stream.push({ t: obsNode.nowSeconds(), m: structuredClone(m) }); });
    obsNode.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => { diag.push(structuredClone(m)); });
    const pub = obsNode.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
    // the arm's measured pose (other joints around it, in another order)
    const pose = [0.1, -0.3, 0.05, 0.9];
    const js = makeJointState(['left_knee_joint', ...[...contract.jointNames].reverse()]);
    js.position.set([0.3, ...[...pose].reverse()]);
    obsNode.createPublisher('sensor_msgs/msg/JointState', '/joint_states').publish(js);
    const obs = makeFloat64MultiArray(6);
    pub.publish(obs);
    pub.publish(obs); // busy: dropped
    expect(node.droppedBusy).toBe(1);
    source.releaseAll();
    await bus.settle();
    expect(chunks).toHaveLength(1);
    const t = chunks[0]!;
    expect(t.joint_names).toEqual(contract.jointNames);
    expect(t.points).toHaveLength(4);
    expect(t.points.map((p) => p.time_from_start)).toEqual([{ sec: 0, nanosec: 250_000_000 }, { sec: 0, nanosec: 500_000_000 }, { sec: 0, nanosec: 750_000_000 }, { sec: 1, nanosec: 0 }]);
    const wp = (h: number, j: number): number => contract.jointCentre[j]! + contract.jointHalfRange[j]! * chunk[h * 4 + j]!;
    for (let h = 0; h < 4; h++) {
      for (let j = 0; j < 4; j++) expect(t.points[h]!.positions[j]).toBeCloseTo(wp(h, j), 6);
    }
    // the stream: one point per message, 50 Hz, each interpolated one period (20 ms) ahead of its stamp
    for (let ms = 1; ms <= 1200; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    expect(stream.length).toBe(60);
    for (const { m } of stream) {
      expect(m.points).toHaveLength(1);
      expect(m.joint_names).toEqual(contract.jointNames);
      expect(m.points[0]!.time_from_start).toEqual({ sec: 0, nanosec: 20_000_000 });
    }
    const at = (s: number): Float64Array => stream.find((x) => Math.abs(x.t - s) < 1e-9)!.m.points[0]!.positions;
    // at 20 ms: target for 40 ms = pose + 0.16 · (waypoint 0 − pose)
    for (let j = 0; j < 4; j++) expect(at(0.02)[j]).toBeCloseTo(pose[j]! + 0.16 * (wp(0, j) - pose[j]!), 9);
    // at 480 ms: target for 500 ms = waypoint 1; at 600 ms: target for 620 ms = waypoint 1 + 0.48 · (waypoint 2 − waypoint 1)
    for (let j = 0; j < 4; j++) expect(at(0.48)[j]).toBeCloseTo(wp(1, j), 9);
    for (let j = 0; j < 4; j++) expect(at(0.6)[j]).toBeCloseTo(wp(1, j) + 0.48 * (wp(2, j) - wp(1, j)), 9);
    // after the last waypoint: holds it
    for (let j = 0; j < 4; j++) expect(at(1.2)[j]).toBeCloseTo(wp(3, j), 9);
    pub.publish(obs); // answered safe: the stream stops (the shield's watchdog holds)
    source.releaseAll();
    await bus.settle();
    const n = stream.length;
    for (let ms = 1201; ms <= 1300; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    expect(stream.length).toBe(n);
    expect(chunks).toHaveLength(1);
    expect(source.seeds).toEqual([100, 101]);
    pub.publish(makeFloat64MultiArray(5));
    expect(node.rejectedObservations).toBe(1);
    for (let ms = 1301; ms <= 2000; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    // reports at 1 s (the sampled decision: OK) and 2 s (only the safe one since: ERROR)
    expect(diag.map((d) => d.status[0]!.level)).toEqual([0, 2]);
    const status = diag.at(-1)!.status[0]!;
    expect(status.values).toContainEqual({ key: 'safe_late', value: '1' });
    expect(status.values).toContainEqual({ key: 'dropped_observations', value: '1' });
    expect(status.values).toContainEqual({ key: 'targets_published', value: String(n) });
  });

  it('destroy (a managed node\'s deactivate) stops the stream, the subscriptions and diagnostics; a decision in flight is dropped, never published', async () => {
    const bus = new EmbeddedBus({ validateMessages: true });
    const chunk = new Float32Array(16).fill(0.1);
    const source = new Scripted([chunk, chunk]);
    const node = new DiffusionNode(bus.createNode('diffusion'), source, contract, { waypointS: 0.25, seed: 1 });
    const out = { chunks: 0, targets: 0, diagnostics: 0 };
    const obsNode = bus.createNode('obs');
    obsNode.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', () => void out.chunks++);
    obsNode.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', () => void out.targets++);
    obsNode.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', () => void out.diagnostics++);
    const pub = obsNode.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
    pub.publish(makeFloat64MultiArray(6));
    source.releaseAll();
    await bus.settle();
    for (let ms = 1; ms <= 1000; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    expect(out).toEqual({ chunks: 1, targets: 50, diagnostics: 1 });
    pub.publish(makeFloat64MultiArray(6)); // a second decision, in flight when the node stops
    node.destroy();
    source.releaseAll();
    await bus.settle();
    for (let ms = 1001; ms <= 3000; ms++) bus.advanceTo(BigInt(ms) * 1_000_000n);
    pub.publish(makeFloat64MultiArray(6)); // no longer subscribed
    await bus.settle();
    expect(out).toEqual({ chunks: 1, targets: 50, diagnostics: 1 });
    expect(source.seeds).toEqual([1, 2]);
  });
});
