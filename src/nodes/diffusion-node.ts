/**
 * The diffusion policy as a node (wiring only): each observation
 * (std_msgs/Float64MultiArray, the policy's normalised observation) starts one
 * decision in the sampling worker (never on this thread); a sampled chunk is
 * published as one trajectory_msgs/JointTrajectory of H points (the chunk's
 * waypoints, `waypointS` apart) for the shield; a safe outcome publishes
 * nothing, so the shield's candidate watchdog brakes to a hold. One decision
 * at a time: observations arriving meanwhile are dropped (counted). Status on
 * /diagnostics from the sampler's counters ({@link diffusionStatus}).
 */
import type { ClientDecision } from '../inference/diffusion-client.js';
import { chunkStepTargets, type DiffusionContract } from '../policy/diffusion/contract.js';
import { diffusionStatus, type DiffusionStatus } from '../policy/diffusion/health.js';
import { makeCounters, type DiffusionCounters } from '../policy/diffusion/sampler.js';
import { DiagnosticLevel, header, setTimeNs, type Float64MultiArray, type JointTrajectory } from '../transport/messages.js';
import type { TransportNode } from '../transport/port.js';
import { DiagnosticsPublisher } from './diagnostics.js';

/** What the node needs from the sampling worker's client. */
export interface DecisionSource {
  readonly counters: DiffusionCounters;
  decide(obs: Float32Array, opts: { seed: number; deadlineMs?: number }): Promise<ClientDecision>;
}

export interface DiffusionNodeOptions {
  observationTopic?: string;
  commandTopic?: string;
  /** Time between the chunk's waypoints, s. */
  waypointS: number;
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
  private busy = false;
  private decisions = 0;
  private readonly obs: Float32Array;
  private readonly msg: JointTrajectory;
  private lastReport: DiffusionCounters = makeCounters();

  constructor(node: TransportNode, private readonly source: DecisionSource, private readonly contract: DiffusionContract, private readonly options: DiffusionNodeOptions) {
    this.obs = new Float32Array(contract.obsWidth);
    this.msg = {
      header: header(),
      joint_names: [...contract.jointNames],
      points: Array.from({ length: contract.horizon }, (_, h) => ({
        positions: new Float64Array(contract.actionDim), velocities: new Float64Array(0), accelerations: new Float64Array(0), effort: new Float64Array(0),
        time_from_start: { sec: Math.floor((h + 1) * options.waypointS), nanosec: Math.round((((h + 1) * options.waypointS) % 1) * 1e9) },
      })),
    };
    const pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', options.commandTopic ?? '/policy/joint_command');
    node.createSubscription('std_msgs/msg/Float64MultiArray', options.observationTopic ?? '/diffusion/observation', async (m: Float64MultiArray) => {
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
      if (d.outcome !== 'sampled' || !d.action) return;
      for (let h = 0; h < contract.horizon; h++) chunkStepTargets(contract, d.action, h, this.msg.points[h]!.positions);
      setTimeNs(this.msg.header.stamp, node.nowNs());
      pub.publish(this.msg);
    });
    new DiagnosticsPublisher(node, { name: `${node.name}: diffusion sampling`, hardwareId: contract.name }, (s) => {
      const st: DiffusionStatus = diffusionStatus(this.source.counters, this.lastReport);
      this.lastReport = structuredClone(this.source.counters);
      for (const [k, v] of st.values) s.set(k, v);
      s.set('dropped_observations', this.droppedBusy);
      s.set('rejected_observations', this.rejectedObservations);
      s.summary(LEVEL[st.level], st.message);
    });
  }
}
