/**
 * Deterministic replay of a recorded run through the safety shield and the
 * policy: a fresh shield node (same robot and shield config, loaded from the
 * run config named in the recording, or another one given) on a fresh bus
 * gets the recorded inputs (joint states, IMU, candidates, e-stop, service
 * calls) in their recorded order at their recorded bus times; wherever the
 * recording holds a published command, the replayed shield ticks once at that
 * time, and its output must equal the recorded command bit for bit. The first
 * divergence (tick, time, joint, both values, both states and stage masks) is
 * reported.
 *
 * The policy too, when the recorded run had one (the recording names its
 * model's SHA-256) and the config loads one: a fresh policy node with the
 * config's model gets the recorded inputs (joint states, IMU, velocity,
 * reference and mode requests, service calls) and ticks at its command period
 * (t = 0, then every period), where the recorded one did: at a recorded
 * candidate, just before it; at a tick without one, after the shield's
 * command of that instant and before the instant's other messages. Its
 * candidates, not the recorded ones, go to the shield, and each must equal
 * the recorded candidate bit for bit (`policy.firstDivergence`: candidate,
 * time, joint, both values). A different model (its SHA-256 is reported)
 * shows as a divergence. Not replayed: a run with online adaptation (its
 * adapter is built by the run, not the config; the recording says so): its
 * recorded candidates feed the shield.
 *
 * The nodes' timers are held by the replay (a wrapping transport node), so
 * ticks happen exactly where the recording has them, not where a timer would
 * fire relative to inputs at the same instant.
 */
import { resolve } from 'node:path';
import { actuatedJoints } from '../robot/index.js';
import { PolicyNode } from '../nodes/policy-node.js';
import { ShieldNode } from '../nodes/shield-node.js';
import { servoGainsByJoint, type PdGains } from '../sim/config.js';
import { MujocoSim } from '../sim/simulation.js';
import { loadRun } from '../runtime/embedded-run.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import type { MessageTypeName, MessageTypes } from '../transport/messages.js';
import type { Timer, TransportNode } from '../transport/port.js';
import { DECISION_TOPIC, fileSha256, SERVICE_CALL_TOPIC } from './recorder.js';
import { openRecording, type DecodedMessage } from './reader.js';


export interface ReplayOptions {
  /** Run config to load robot and shield config from (default: the one named in the recording). */
  configPath?: string;
  /** Folder relative node-config paths resolve against. */
  root: string;
  /** Replay the policy too (default: when the recording names a policy model and the run had no online adaptation, which the replay cannot rebuild). */
  policy?: boolean;
}

export interface PolicyDivergence {
  /** Index of the candidate in the recording (0 = first). */
  candidate: number;
  timeS: number;
  joint: string;
  recorded: number;
  replayed: number;
}

export interface PolicyReplay {
  /** SHA-256 of the recorded run's model and of the model replayed. */
  recordedModelSha256: string | null;
  replayedModelSha256: string;
  /** Recorded candidates compared. */
  candidates: number;
  ticks: number;
  identical: boolean;
  firstDivergence: PolicyDivergence | null;
  /** Recorded candidates the replayed policy did not publish at that instant, and candidates it published where the recording has none. */
  missing: number;
  extra: number;
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
  /** The policy's replay; null when the policy was not replayed (its recorded candidates fed the shield). */
  policy: PolicyReplay | null;
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
    const recordedSha = rec.metadata.get('policy_model_sha256') ?? null;
    const withPolicy = opts.policy ?? (recordedSha !== null && rec.metadata.get('policy_adaptation') === undefined);
    const { model, shieldConfig, config, policy, referenceMotion } = await loadRun({
      configPath: resolve(configPath), root: opts.root, ...(withPolicy ? {} : { candidateSource: () => ({ destroy() {} }) }),
    });
    try {
      return await replayLoaded(path, rec, { model, shieldConfig, config, policy: withPolicy ? policy : null, referenceMotion, recordedSha, configPath });
    } finally {
      await policy?.policy.release();
    }
  } finally {
    await rec.close();
  }
}

type Loaded = Awaited<ReturnType<typeof loadRun>>;

async function replayLoaded(
  path: string, rec: Awaited<ReturnType<typeof openRecording>>,
  { model, shieldConfig, config, policy, referenceMotion, recordedSha, configPath }: Pick<Loaded, 'model' | 'shieldConfig' | 'config' | 'policy' | 'referenceMotion'> & { recordedSha: string | null; configPath: string },
): Promise<ReplayResult> {
  {
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
    const policyTimers: Array<{ periodNs: bigint; fire: () => unknown }> = [];
    const policyNode = policy
      ? new PolicyNode({
        node: holdTimers(bus.createNode('policy'), policyTimers), config: policy.config, policy: policy.policy,
        robotJointNames: actuatedJoints(model).map((j) => j.name), robotModel: model, ...(referenceMotion ? { referenceMotion } : {}),
      })
      : null;
    const tickPeriodNs = BigInt(Math.round(1e9 / shield.config.core.rateHz));
    const tick = timers.find((t) => t.periodNs === tickPeriodNs);
    if (!tick) throw new Error('replay: the shield created no tick timer at its rate');

    const t = shield.config.topics;
    const pt = policy?.config.config.topics;
    const inputTypes = new Map<string, MessageTypeName>([
      [t.jointStates, 'sensor_msgs/msg/JointState'],
      [t.imu, 'sensor_msgs/msg/Imu'],
      [t.estop, 'std_msgs/msg/Bool'],
      ...t.candidates.map((c) => [c.topic, 'trajectory_msgs/msg/JointTrajectory'] as [string, MessageTypeName]),
    ]);
    if (pt) {
      // the policy's inputs; its candidates come from the replayed policy, not the recording
      inputTypes.delete(pt.command);
      for (const [topic, type] of [
        [pt.jointStates, 'sensor_msgs/msg/JointState'], [pt.imu, 'sensor_msgs/msg/Imu'], [pt.cmdVel, 'geometry_msgs/msg/Twist'],
        [pt.reference, 'trajectory_msgs/msg/JointTrajectory'], [pt.modeRequest, 'std_msgs/msg/String'], [policy!.config.config.modes.joy.topic, 'sensor_msgs/msg/Joy'],
      ] as Array<[string, MessageTypeName]>) if (!inputTypes.has(topic)) inputTypes.set(topic, type);
    }
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

    const result: ReplayResult = { path, commands: 0, inputs: 0, identical: true, firstDivergence: null, missing: 0, policy: null };
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
    const topics = [...inputTypes.keys(), t.output, SERVICE_CALL_TOPIC, DECISION_TOPIC, ...(pt ? [pt.command] : [])];
    const messages: DecodedMessage[] = [];
    for await (const m of rec.messages(topics)) messages.push(m);
    const pr = policyNode && pt ? policyReplayer(bus, policyNode, policyTimers, policy!.config.commandPeriodNs, pt.command, messages, recordedSha, policy!.modelPath) : null;
    result.policy = pr?.result ?? null;
    for (const m of messages) {
      if (pr) await pr.before(m, m.topic === t.output || m.topic === DECISION_TOPIC);
      if (m.logTimeNs > bus.nowNs()) bus.advanceTo(m.logTimeNs);
      if (pt && m.topic === pt.command) continue; // compared by the policy replayer
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
    if (pr) {
      await pr.finish();
      if (!pr.result.identical) result.identical = false;
    }
    policyNode?.destroy();
    shield.destroy();
    await bus.shutdown();
    return result;
  }
}

/**
 * Ticks a replayed policy node where the recorded one ticked and compares its
 * candidates with the recorded ones. `before(m)` is called before each
 * recorded message is handled: the ticks due by then run first.
 */
function policyReplayer(
  bus: EmbeddedBus, node: PolicyNode, timers: Array<{ periodNs: bigint; fire: () => unknown }>, periodNs: bigint, commandTopic: string,
  messages: readonly DecodedMessage[], recordedSha: string | null, modelPath: string,
): { result: PolicyReplay; before: (m: DecodedMessage, shieldOutput: boolean) => Promise<void>; finish: () => Promise<void> } {
  const tick = timers.find((x) => x.periodNs === periodNs);
  if (!tick) throw new Error('replay: the policy created no tick timer at its command period');
  const result: PolicyReplay = {
    recordedModelSha256: recordedSha, replayedModelSha256: fileSha256(modelPath), candidates: 0, ticks: 0, identical: true, firstDivergence: null, missing: 0, extra: 0,
  };
  const names = node.lastCommand.joint_names;
  /** Bus times of the recorded candidates. */
  const recordedAt = new Set(messages.filter((m) => m.topic === commandTopic).map((m) => m.logTimeNs));
  const published: Float64Array[] = [];
  const listener = bus.createNode('replay_policy_listener');
  listener.createSubscription('trajectory_msgs/msg/JointTrajectory', commandTopic, (c) => void published.push(Float64Array.from(c.points[0]?.positions ?? [])), { preset: 'reliable' });
  let nextNs = 0n;
  const diverge = (d: PolicyDivergence): void => {
    if (!result.identical) return;
    result.identical = false;
    result.firstDivergence = d;
  };
  const fireTick = async (at: bigint): Promise<void> => {
    if (at > bus.nowNs()) bus.advanceTo(at);
    const r = at === 0n ? node.tickNow() : tick.fire();
    if (r instanceof Promise) await r;
    if (bus.busy) await bus.settle();
    result.ticks++;
    nextNs = at + periodNs;
    if (!recordedAt.has(at)) {
      result.extra += published.length;
      if (published.length > 0) diverge({ candidate: result.candidates, timeS: Number(at) * 1e-9, joint: '-', recorded: NaN, replayed: published[0]![0] ?? NaN });
      published.length = 0;
    }
  };
  return {
    result,
    async before(m, shieldOutput) {
      // The ticks due: every one before this message's instant; at its instant, the tick ran after the timers
      // fired before it (the shield's: its command and decision) and before everything else of that instant.
      // At t = 0 the first tick ran after the initial state (the lockstep's start), before the first step's messages.
      const due = (): boolean => nextNs < m.logTimeNs
        || (nextNs === m.logTimeNs && (nextNs === 0n ? m.topic === commandTopic : !shieldOutput));
      while (due()) await fireTick(nextNs);
      if (m.topic !== commandTopic) return;
      const recorded = (m.message as unknown as MessageTypes['trajectory_msgs/msg/JointTrajectory']).points[0]?.positions ?? [];
      const k = result.candidates++;
      const out = published.shift();
      if (out === undefined || out.length !== recorded.length) {
        result.missing++;
        diverge({ candidate: k, timeS: Number(m.logTimeNs) * 1e-9, joint: '-', recorded: recorded[0] ?? NaN, replayed: NaN });
        return;
      }
      for (let i = 0; i < out.length && result.identical; i++) {
        if (!Object.is(out[i], recorded[i])) diverge({ candidate: k, timeS: Number(m.logTimeNs) * 1e-9, joint: names[i] ?? String(i), recorded: recorded[i]!, replayed: out[i]! });
      }
    },
    async finish() {
      result.extra += published.length;
    },
  };
}

