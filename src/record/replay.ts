/**
 * Deterministic replay of a recorded run through the safety shield: a fresh
 * shield node (same robot and shield config, loaded from the run config named
 * in the recording, or another one given) on a fresh bus gets the recorded
 * inputs (joint states, IMU, candidates, e-stop, service calls) in their
 * recorded order at their recorded bus times; wherever the recording holds a
 * published command, the replayed shield ticks once at that time, and its
 * output must equal the recorded command bit for bit. The first divergence
 * (tick, time, joint, both values, both states and stage masks) is reported.
 *
 * The shield's timers are held by the replay (a wrapping transport node), so
 * ticks happen exactly where the recording has them, not where a timer would
 * fire relative to inputs at the same instant.
 */
import { resolve } from 'node:path';
import { ShieldNode } from '../nodes/shield-node.js';
import { servoGainsByJoint, type PdGains } from '../sim/config.js';
import { MujocoSim } from '../sim/simulation.js';
import { loadRun } from '../runtime/embedded-run.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import type { MessageTypeName, MessageTypes } from '../transport/messages.js';
import type { Timer, TransportNode } from '../transport/port.js';
import { DECISION_TOPIC, SERVICE_CALL_TOPIC } from './recorder.js';
import { openRecording } from './reader.js';

export interface ReplayOptions {
  /** Run config to load robot and shield config from (default: the one named in the recording). */
  configPath?: string;
  /** Folder relative node-config paths resolve against. */
  root: string;
}

export interface Divergence {
  /** Index of the command in the recording (0 = first). */
  tick: number;
  timeS: number;
  joint: string;
  recorded: number;
  replayed: number;
  recordedState: number;
  replayedState: number;
  recordedStageMask: number;
  replayedStageMask: number;
}

export interface ReplayResult {
  path: string;
  commands: number;
  inputs: number;
  identical: boolean;
  firstDivergence: Divergence | null;
  /** Recorded commands the replayed shield did not publish (or published extra). */
  missing: number;
}

/** A transport node whose timers never fire on their own; the replay calls them. */
function holdTimers(node: TransportNode, timers: Array<{ periodNs: bigint; fire: () => unknown }>): TransportNode {
  return new Proxy(node, {
    get(target, prop, receiver) {
      if (prop === 'createTimer') {
        return (periodNs: bigint, callback: () => unknown): Timer => {
          timers.push({ periodNs, fire: callback });
          return { periodNs, cancel: () => undefined };
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export async function replayRecording(path: string, opts: ReplayOptions): Promise<ReplayResult> {
  const rec = await openRecording(path);
  try {
    const configPath = opts.configPath ?? rec.metadata.get('config');
    if (!configPath) throw new Error(`recording '${path}' names no run config; give one (--config)`);
    const { model, shieldConfig, config } = await loadRun({ configPath: resolve(configPath), root: opts.root, candidateSource: () => ({ destroy() {} }) });
    const recordedRobot = rec.metadata.get('robot');
    if (recordedRobot !== undefined && recordedRobot !== model.name) {
      throw new Error(`recording '${path}' is of robot '${recordedRobot}', but ${configPath} describes '${model.name}'`);
    }
    const bus = new EmbeddedBus();
    const timers: Array<{ periodNs: bigint; fire: () => unknown }> = [];
    // The shield as the embedded run builds it: the sim's servo gains and base kind (read from a sim built, not stepped).
    const sim = new MujocoSim({ model, config: config.sim });
    let servoGains: Record<string, PdGains>;
    let base: MujocoSim['build']['base'];
    try {
      servoGains = servoGainsByJoint(config.sim, sim.targetJointOrder);
      base = sim.build.base;
    } finally {
      sim.dispose();
    }
    const shield = new ShieldNode({
      node: holdTimers(bus.createNode('safety_shield'), timers), robot: model, config: shieldConfig, servoGains, gainsSource: 'the run config\'s sim.gains', base,
    });
    const jointNames = shield.limits.names;
    const recordedJoints = rec.metadata.get('controller_joints');
    if (recordedJoints !== undefined && recordedJoints !== jointNames.join(',')) {
      throw new Error(`recording '${path}' has controller joints [${recordedJoints}], the shield config [${jointNames.join(',')}]: another robot or config`);
    }
    const tickPeriodNs = BigInt(Math.round(1e9 / shield.config.core.rateHz));
    const tick = timers.find((t) => t.periodNs === tickPeriodNs);
    if (!tick) throw new Error('replay: the shield created no tick timer at its rate');

    const t = shield.config.topics;
    const inputTypes = new Map<string, MessageTypeName>([
      [t.jointStates, 'sensor_msgs/msg/JointState'],
      [t.imu, 'sensor_msgs/msg/Imu'],
      [t.estop, 'std_msgs/msg/Bool'],
      ...t.candidates.map((c) => [c.topic, 'trajectory_msgs/msg/JointTrajectory'] as [string, MessageTypeName]),
    ]);
    const player = bus.createNode('replay');
    const pubs = new Map<string, { publish(m: unknown): void }>();
    for (const [topic, type] of inputTypes) pubs.set(topic, player.createPublisher(type, topic, { preset: type === 'sensor_msgs/msg/JointState' || type === 'sensor_msgs/msg/Imu' ? 'sensor_data' : 'reliable' }));
    let replayed: Float64Array | null = null;
    const onOutput = (positions: ArrayLike<number>): void => {
      replayed = Float64Array.from(positions);
    };
    if (shield.config.outputFormat === 'joint_trajectory') {
      player.createSubscription('trajectory_msgs/msg/JointTrajectory', t.output, (m) => onOutput(m.points[0]?.positions ?? []), { preset: 'reliable' });
    } else {
      player.createSubscription('std_msgs/msg/Float64MultiArray', t.output, (m) => onOutput(m.data), { preset: 'reliable' });
    }

    const result: ReplayResult = { path, commands: 0, inputs: 0, identical: true, firstDivergence: null, missing: 0 };
    const counts = new Uint32Array(shield.shield.status.interventions.length);
    let replayedMask = 0;
    /** Set at a divergence; the recorded decision that follows the command completes it. */
    let pending: Divergence | null = null;
    const diverge = (d: Divergence): void => {
      if (!result.identical) return;
      result.identical = false;
      result.firstDivergence = d;
      pending = d;
    };
    const topics = [...inputTypes.keys(), t.output, SERVICE_CALL_TOPIC, DECISION_TOPIC];
    for await (const m of rec.messages(topics)) {
      if (m.logTimeNs > bus.nowNs()) bus.advanceTo(m.logTimeNs);
      if (m.topic === DECISION_TOPIC) {
        // recorded with the command just compared: its state must match the replayed shield's
        const d = m.message as { state: number; stage_mask: number };
        const p = pending as Divergence | null;
        if (p) {
          p.recordedState = d.state;
          p.recordedStageMask = d.stage_mask;
          pending = null;
        } else if (result.identical && (d.state !== shield.shield.status.state || d.stage_mask !== replayedMask)) {
          diverge({ tick: result.commands - 1, timeS: Number(m.logTimeNs) * 1e-9, joint: '-', recorded: NaN, replayed: NaN,
            recordedState: d.state, replayedState: shield.shield.status.state, recordedStageMask: d.stage_mask, replayedStageMask: replayedMask });
          pending = null;
        }
        continue;
      }
      if (m.topic === SERVICE_CALL_TOPIC) {
        result.inputs++;
        await bus.callService('std_srvs/srv/Trigger', String(m.message['service']), {});
        continue;
      }
      if (m.topic === t.output) {
        // the recorded shield ticked here: tick the replayed one and compare
        replayed = null;
        tick.fire();
        const iv = shield.shield.status.interventions;
        replayedMask = 0;
        for (let c = 0; c < iv.length; c++) {
          if (iv[c] !== counts[c]) replayedMask |= 1 << c;
          counts[c] = iv[c]!;
        }
        const recorded = (shield.config.outputFormat === 'joint_trajectory'
          ? (m.message as unknown as MessageTypes['trajectory_msgs/msg/JointTrajectory']).points[0]!.positions
          : (m.message as unknown as MessageTypes['std_msgs/msg/Float64MultiArray']).data);
        const k = result.commands++;
        const out = replayed as Float64Array | null;
        const base = { tick: k, timeS: Number(m.logTimeNs) * 1e-9, recordedState: -1, replayedState: shield.shield.status.state, recordedStageMask: -1, replayedStageMask: replayedMask };
        if (out === null || out.length !== recorded.length) {
          result.missing++;
          diverge({ ...base, joint: '-', recorded: recorded[0] ?? NaN, replayed: NaN });
          continue;
        }
        for (let i = 0; i < out.length && result.identical; i++) {
          if (!Object.is(out[i], recorded[i])) diverge({ ...base, joint: jointNames[i]!, recorded: recorded[i]!, replayed: out[i]! });
        }
        continue;
      }
      result.inputs++;
      pubs.get(m.topic)!.publish(m.message);
    }
    shield.destroy();
    await bus.shutdown();
    return result;
  } finally {
    await rec.close();
  }
}

