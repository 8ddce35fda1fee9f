/**
 * The diffusion policy as a node (wiring only): each observation
 * (std_msgs/Float64MultiArray, the policy's normalised observation) starts one
 * decision in the sampling worker (never on this thread). A sampled chunk is
 * published once, whole, on the chunk topic (trajectory_msgs/JointTrajectory
 * of H points, `waypointS` apart: for inspection) and executed: a timer
 * streams single-point JointTrajectory targets (the shield refuses
 * multi-point messages) interpolated from the arm's measured pose
 * (/joint_states) through the waypoints ({@link ChunkExecutor}), holding the
 * last one. A safe outcome stops the stream, so the shield's candidate
 * watchdog brakes to a hold. One decision at a time: observations arriving
 * meanwhile are dropped (counted). Status on /diagnostics from the sampler's
 * counters ({@link diffusionStatus}). {@link DiffusionNode.destroy} stops it
 * (a managed node's deactivate).
 */
import type { ClientDecision } from '../inference/diffusion-client.js';
import { ChunkExecutor } from '../policy/diffusion/chunk-executor.js';
import { chunkStepTargets, type DiffusionContract } from '../policy/diffusion/contract.js';
import { diffusionStatus, type DiffusionStatus } from '../policy/diffusion/health.js';
import { makeCounters, type DiffusionCounters } from '../policy/diffusion/sampler.js';
import { DiagnosticLevel, header, makeJointTrajectory, setTimeNs, setTimeSeconds, type Float64MultiArray, type JointState, type JointTrajectory } from '../transport/messages.js';
import type { TransportNode } from '../transport/port.js';
import { DiagnosticsPublisher } from './diagnostics.js';

/** What the node needs from the sampling worker's client. */
export interface DecisionSource {
  readonly counters: DiffusionCounters;
  decide(obs: Float32Array, opts: { seed: number; deadlineMs?: number }): Promise<ClientDecision>;
}

export interface DiffusionNodeOptions {
  observationTopic?: string;
  /** Streamed single-point targets for the shield. */
  commandTopic?: string;
  /** The whole sampled chunk, once per decision. */
  chunkTopic?: string;
  jointStateTopic?: string;
  /** Time between the chunk's waypoints, s. */
  waypointS: number;
  /** Rate of the streamed targets, Hz (default 50). */
  commandRateHz?: number;
  deadlineMs?: number;
  /** Seed of decision 0 (decision i uses seed + i). */
  seed: number;
}

const LEVEL = { OK: DiagnosticLevel.OK, WARN: DiagnosticLevel.WARN, ERROR: DiagnosticLevel.ERROR } as const;

export class DiffusionNode {
  /** Observations dropped because a decision was in flight. */
  droppedBusy = 0;
  /** Observations of the wrong width (ignored). */
  rejectedObservations = 0;
  /** Single-point targets published. */
  published = 0;
  private busy = false;
  private destroyed = false;
  private decisions = 0;
  private readonly obs: Float32Array;
  private readonly chunk: JointTrajectory;
  private readonly target: JointTrajectory;
  private readonly waypoints: Float64Array;
  private readonly pose: Float64Array;
  private havePose = false;
  private stateIndex: Int32Array | null = null;
  private readonly executor: ChunkExecutor;
  private lastReport: DiffusionCounters = makeCounters();
  private readonly stoppers: (() => void)[] = [];

  constructor(node: TransportNode, private readonly source: DecisionSource, private readonly contract: DiffusionContract, private readonly options: DiffusionNodeOptions) {
    const { horizon: H, actionDim: D } = contract;
    this.obs = new Float32Array(contract.obsWidth);
    this.waypoints = new Float64Array(H * D);
    this.pose = new Float64Array(D);
    this.executor = new ChunkExecutor(H, D, options.waypointS);
    this.chunk = {
      header: header(),
      joint_names: [...contract.jointNames],
      points: Array.from({ length: H }, (_, h) => ({
        positions: new Float64Array(D), velocities: new Float64Array(0), accelerations: new Float64Array(0), effort: new Float64Array(0),
        time_from_start: { sec: Math.floor((h + 1) * options.waypointS), nanosec: Math.round((((h + 1) * options.waypointS) % 1) * 1e9) },
      })),
    };
    const periodS = 1 / (options.commandRateHz ?? 50);
    this.target = makeJointTrajectory(contract.jointNames);
    setTimeSeconds(this.target.points[0]!.time_from_start, periodS);
    const chunkPub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', options.chunkTopic ?? '/diffusion/chunk');
    const pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', options.commandTopic ?? '/policy/joint_command');
    const states = node.createSubscription('sensor_msgs/msg/JointState', options.jointStateTopic ?? '/joint_states', (m: JointState) => {
      this.stateIndex ??= Int32Array.from(contract.jointNames, (n) => m.name.indexOf(n));
      for (let j = 0; j < D; j++) this.pose[j] = m.position[this.stateIndex[j]!] ?? NaN;
      this.havePose = this.pose.every(Number.isFinite);
    }, { preset: 'sensor_data' });
    const observations = node.createSubscription('std_msgs/msg/Float64MultiArray', options.observationTopic ?? '/diffusion/observation', async (m: Float64MultiArray) => {
      if (this.busy) {
        this.droppedBusy++;
        return;
      }
      if (m.data.length !== this.obs.length) {
        this.rejectedObservations++;
        return;
      }
      this.busy = true;
      this.obs.set(m.data);
      const d = await this.source.decide(this.obs, { seed: options.seed + this.decisions++, ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}) });
      this.busy = false;
      if (this.destroyed) return; // stopped while sampling: publish nothing
      if (d.outcome !== 'sampled' || !d.action) {
        this.executor.clear();
        return;
      }
      for (let h = 0; h < H; h++) this.waypoints.set(chunkStepTargets(contract, d.action, h, this.chunk.points[h]!.positions), h * D);
      this.executor.load(node.nowSeconds(), this.havePose ? this.pose : this.waypoints, this.waypoints);
      setTimeNs(this.chunk.header.stamp, node.nowNs());
      chunkPub.publish(this.chunk);
    });
    const timer = node.createTimer(BigInt(Math.round(periodS * 1e9)), () => {
      if (!this.executor.targetAt(node.nowSeconds() + periodS, this.target.points[0]!.positions)) return;
      setTimeNs(this.target.header.stamp, node.nowNs());
      pub.publish(this.target);
      this.published++;
    });
    const diagnostics = new DiagnosticsPublisher(node, { name: `${node.name}: diffusion sampling`, hardwareId: contract.name }, (s) => {
      const st: DiffusionStatus = diffusionStatus(this.source.counters, this.lastReport);
      this.lastReport = structuredClone(this.source.counters);
      for (const [k, v] of st.values) s.set(k, v);
      s.set('dropped_observations', this.droppedBusy);
      s.set('rejected_observations', this.rejectedObservations);
      s.set('targets_published', this.published);
      s.summary(LEVEL[st.level], st.message);
    });
    this.stoppers.push(() => states.destroy(), () => observations.destroy(), () => timer.cancel(), () => diagnostics.cancel());
  }

  /** Stops subscriptions, the target stream and diagnostics; a decision still in flight is dropped, never published. */
  destroy(): void {
    this.destroyed = true;
    for (const stop of this.stoppers.splice(0)) stop();
  }
}
