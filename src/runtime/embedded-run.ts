/**
 * The embedded run: the composition root for a machine without ROS 2. Every
 * node (sim, policy, shield) is created on one embedded bus and wired only by
 * topics and services; the physics runs in lockstep with the bus clock.
 *
 * Everything is loaded and validated first (URDF, run config, policy config,
 * model and contract, shield config); only then is anything started, so a
 * bad file stops the run with nothing half-started.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../io/config-file.js';
import { loadPolicy, loadPolicyFile } from '../io/policy-files.js';
import { PolicyConfigSchema, type PolicyConfig } from '../policy/policy-config.js';
import { loadReferenceMotion } from '../io/reference-motion-file.js';
import type { ReferenceMotion } from '../policy/reference.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { nodeLogger } from '../log.js';
import type { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { PolicyNode } from '../nodes/policy-node.js';
import { ShieldNode } from '../nodes/shield-node.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../robot/model.js';
import { CONSTRAINT_NAMES } from '../safety/band.js';
import type { ShieldNodeConfig } from '../safety/config.js';
import { REASON_NAMES, SHIELD_STATE_NAMES, total } from '../safety/status.js';
import { servoGainsByJoint, type PdGains } from '../sim/config.js';
import { MujocoSim } from '../sim/simulation.js';
import { SimNode } from '../sim/sim-node.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import type { Twist } from '../transport/messages.js';
import type { Publisher, TransportNode } from '../transport/port.js';
import { RunReportCollector } from '../report/collector.js';
import { fileSha256, McapRecorder, type RecorderStats } from '../record/recorder.js';
import { LiveServer, type LiveStats } from '../record/live-server.js';
import { CommandMonitor } from './command-monitor.js';
import { InterventionPhases, type InterventionPhase } from './intervention-phases.js';
import { runLockstep, type LockstepResult } from './lockstep.js';
import { OutcomeTracker, REFERENCE_FALL_MARGIN_M, referenceRootHeightAt, runVerdict, type RunOutcome } from './outcome.js';
import type { OperatorAction, RunConfig } from './run-config.js';
import { setupAdaptation, type AdaptationSetup } from './adaptation-setup.js';
import type { ContextModule } from '../nodes/adaptation-wiring.js';
import { loadShieldConfig, resolveRunSetup } from './run-setup.js';
import { isDiffusionPolicyFile, loadDiffusionPolicyFile, startDiffusionPolicy, type LoadedDiffusionPolicy } from './diffusion-launch.js';

export interface EmbeddedRunOptions {
  /** Run config file (YAML). */
  configPath: string;
  /** The package root (kept for callers; node config paths are resolved against the file that names them). */
  root: string;
  /** Overrides the run config's robot description (any URDF; meshes resolved, missing ones warned about). */
  urdfPath?: string;
  /** Overrides the run config's shield config file. */
  shieldPath?: string;
  /** Overrides the scenario's duration, s. */
  durationS?: number;
  realtime?: boolean;
  onProgress?: (simTimeS: number, durationS: number) => void;
  /** Check every published message against its zod schema (slower; tests). */
  validateMessages?: boolean;
  /**
   * Replaces the ONNX policy node with another candidate-command publisher
   * (e.g. a deliberately bad policy in a test). It gets its own bus node.
   */
  candidateSource?: (node: TransportNode, robot: RobotModel) => { destroy(): void };
  /** Called after every physics step with the sim (independent checks in tests: contacts, FK). */
  onStep?: (sim: MujocoSim) => void;
  /** Collect the run report's data (bounded buffers); called with the collector when the run is over. */
  onReport?: (report: RunReportCollector) => void;
  /** Record every topic, the shield's decisions and service calls to this MCAP file. */
  recordPath?: string;
  /** Serve the bus over the Foxglove WebSocket protocol on localhost at this port while running. */
  livePort?: number;
  /** --live: the most messages a second sent per topic (0 = every message; default: the live server's). */
  liveMaxRateHz?: number;
  /** Online adaptation of the policy's targets (the adaptation scenario, src/runtime/adaptation-scenario.ts). */
  adapter?: ResidualAdapter;
  /** With `adapter`: its adaptation module (the scenario's `module` variant). */
  contextModule?: ContextModule;
  /** Called once the nodes exist, before the sim starts (scenario harnesses: metrics, operator hooks). */
  onNodes?: (nodes: { policy: PolicyNode | null; shield: ShieldNode; sim: MujocoSim }) => void;
  /** Adds nodes beside the standard ones (e.g. the motion node); each gets its own bus node from `createNode`. */
  extraNodes?: (createNode: (name: string) => TransportNode, robot: RobotModel) => { destroy(): void };
  /** The sampling worker's script when the policy file selects the diffusion policy (default: dist/inference/diffusion-worker.js). */
  diffusionWorkerUrl?: URL;
  /** Adjusts the run config in memory once it is loaded (admission trials: randomised conditions); the file is not touched. */
  runConfig?: (config: RunConfig) => RunConfig;
  /** Adjusts the policy config in memory before the policy is loaded (admission diagnosis: convention variants); the file is not touched. */
  policyConfig?: (config: PolicyConfig) => PolicyConfig;
  /** Checked after every physics step: true ends the run there (a trial that has failed, or ran out of time). */
  shouldStop?: (simTimeS: number) => boolean;
}

export interface RunSummary {
  robot: string;
  lockstep: LockstepResult;
  physicsStepsPerWallSecond: number;
  policy: { ticks: number; published: number; rateHz: number; meanInferenceMs: number; maxInferenceMs: number; rejectedInputs: number };
  shield: {
    ticks: number;
    commands: number;
    rateHz: number;
    /** State after the run, the end-of-run hold included. */
    finalState: string;
    /** Why the final state was entered (`hold_requested`: the end-of-run hold). */
    finalReason: string;
    transitions: number;
    interventionTicks: number;
    interventions: Record<string, number>;
    maxInterventionRad: number;
    rejectedMeasured: number;
    rejectedCandidates: number;
    timeInStateS: Record<string, number>;
    /** Accepted activations; when 0, why (null once activated). */
    activations: number;
    notActivatedReason: string | null;
    /** Interventions split at every scripted dynamics change and operator action. */
    phases: InterventionPhase[];
  };
  monitor: CommandMonitor['report'] & { violations: number };
  /** From each e-stop until the next accepted activate (a reset alone keeps holding): largest move of the command. */
  estop: { events: number; maxHoldDeviationRad: number };
  sim: { commandsApplied: number; commandsDropped: number; dynamicsEventsApplied: number; minBaseHeightM: number; fell: boolean };
  bus: EmbeddedBus['stats'];
  /** The diffusion policy's counters (when the policy file selects it; docs/diffusion.md). */
  diffusion?: { decisions: number; sampled: number; safe: number; targetsPublished: number; observations: number; droppedObservations: number };
  /** The recording's counters (with --record). */
  record?: RecorderStats & { path: string };
  /** The live view's counters (with --live). */
  live?: LiveStats & { port: number };
  /** What the robot's base did (floating base only; null for a fixed base). */
  outcome: RunOutcome | null;
  /** Why the run failed, one line each (empty: it did what it should). */
  failures: string[];
}

interface Loaded {
  config: RunConfig;
  model: RobotModel;
  /** The policy's reference motion file, parsed (paths relative to the policy config). */
  referenceMotion?: ReferenceMotion;
  /** Null when a candidate source replaces the policy. */
  policy: Awaited<ReturnType<typeof loadPolicyFile>> | null;
  /** The diffusion policy (the policy file says `kind: diffusion`), launched instead of the policy node. */
  diffusion: LoadedDiffusionPolicy | null;
  shieldConfig: ShieldNodeConfig;
  /** The sim servos' gains by joint name, handed to the shield's effort stage. */
  servoGains: Record<string, PdGains>;
  fallHeightM: number;
  /** The robot's motor order (the profile's; without one the URDF's actuated order): reference files' joint columns. */
  motorOrder: string[];
  /** The robot description file (URDF). */
  urdfPath: string;
  /** The policy's online adapter from the run config's adaptation file (null: none, or `opts.adapter` given). */
  adaptation: AdaptationSetup | null;
}

/** Loads and validates every input of a run; throws a clear error naming the file and field. */
export async function loadRun(opts: EmbeddedRunOptions): Promise<Loaded> {
  const setup = resolveRunSetup(opts.configPath, opts.urdfPath);
  const config = opts.runConfig ? opts.runConfig(setup.config) : setup.config;
  const model = setup.profile && !opts.urdfPath ? setup.profile.model : loadUrdfFile(setup.urdfPath, { packageDirs: setup.packageDirs });
  for (const w of model.warnings) nodeLogger('embedded_run').warn({ urdf: model.name }, w);
  const shieldConfig = loadShieldConfig(opts.shieldPath ? resolve(opts.shieldPath) : setup.shieldPath);
  // The run's sim.gains (a profile's gains when the run names one) are the one place the robot's gains
  // live: the shield's effort stage models the sim's servos, and a shield config naming other gains is refused.
  const servoGains = servoGainsByJoint(config.sim, actuatedJoints(model).map((j) => j.name));
  const diffusion = !opts.candidateSource && isDiffusionPolicyFile(setup.policyPath) ? loadDiffusionPolicyFile(setup.policyPath, opts.root) : null;
  const policy = opts.candidateSource || diffusion
    ? null
    : opts.policyConfig
      ? await loadPolicy(opts.policyConfig(loadConfigFile(PolicyConfigSchema, setup.policyPath)), dirname(setup.policyPath))
      : await loadPolicyFile(setup.policyPath, dirname(setup.policyPath));
  const motorOrder = setup.profile ? [...setup.profile.profile.motorOrder] : actuatedJoints(model).map((j) => j.name);
  const referenceMotion = policy ? loadReferenceMotion(policy.config.config, dirname(setup.policyPath), motorOrder) : undefined;
  // a diffusion policy cannot take the adapter; a custom candidate source (e.g. a replay) stands in for the policy node
  if (setup.adaptationPath !== undefined && diffusion) throw new Error(`${opts.configPath}: adaptation needs the ONNX policy node (this run has a diffusion policy)`);
  let adaptation: AdaptationSetup | null = null;
  try {
    adaptation = setup.adaptationPath !== undefined && policy && !opts.adapter ? await setupAdaptation(setup.adaptationPath, policy.config, model) : null;
  } catch (err) {
    await policy?.policy.release(); // the ONNX session is not handed to anyone
    throw err;
  }
  return { config, model, policy, diffusion, shieldConfig, servoGains, fallHeightM: setup.fallHeightM, motorOrder, urdfPath: setup.urdfPath, adaptation, ...(referenceMotion ? { referenceMotion } : {}) };
}

export async function runEmbedded(opts: EmbeddedRunOptions): Promise<RunSummary> {
  const log = nodeLogger('embedded_run');
  const { config, model, policy, diffusion, shieldConfig, servoGains, fallHeightM, referenceMotion, urdfPath, adaptation } = await loadRun(opts);
  const adapter = opts.adapter ?? adaptation?.adapter;
  const contextModule = opts.adapter ? opts.contextModule : adaptation?.module;
  const durationS = opts.durationS ?? config.scenario.durationS;
  if (!(durationS >= config.sim.timestepS)) {
    throw new Error(`duration ${durationS} s is shorter than one physics step (${config.sim.timestepS} s)`);
  }
  const jointNames = actuatedJoints(model).map((j) => j.name);

  const bus = new EmbeddedBus({ validateMessages: opts.validateMessages ?? false });
  const sim = new MujocoSim({ model, config: config.sim });
  let diffusionPolicy: Awaited<ReturnType<typeof startDiffusionPolicy>> | null = null;
  try {
    diffusionPolicy = diffusion ? await startDiffusionPolicy(diffusion, {
      createNode: (name) => bus.createNode(name), jointStateTopic: config.simNode.jointStateTopic, ...(opts.diffusionWorkerUrl ? { workerUrl: opts.diffusionWorkerUrl } : {}),
    }) : null;
    const simNode = new SimNode({ node: bus.createNode('sim'), sim, ...config.simNode, scenario: config.scenario.dynamics });
    const shield = new ShieldNode({
      node: bus.createNode('safety_shield'), robot: model, config: shieldConfig, servoGains, gainsSource: 'the run config\'s sim.gains', base: sim.build.base,
    });
    const policyNode = policy
      ? new PolicyNode({
        node: bus.createNode('policy'), config: policy.config, policy: policy.policy, robotJointNames: jointNames, robotModel: model,
        ...(referenceMotion ? { referenceMotion } : {}),
        ...(adapter ? { adaptation: { adapter, module: contextModule ?? null } } : {}),
      })
      : null;
    opts.onNodes?.({ policy: policyNode, shield, sim });
    const customSource = opts.candidateSource?.(bus.createNode('candidate_source'), model);
    const extra = opts.extraNodes?.((name) => bus.createNode(name), model);

    // An independent monitor of what reaches the actuators (URDF limits, no shield code).
    const controllerJoints = shield.config.controllerJoints ?? jointNames;
    const monitor = new CommandMonitor(jointLimitArrays(model, controllerJoints));
    const monitorNode = bus.createNode('monitor');
    const estop = { active: false, events: 0, hold: null as Float64Array | null, maxHoldDeviationRad: 0 };
    const checkOutput = (positions: ArrayLike<number>): void => {
      monitor.checkCommand(monitorNode.nowSeconds(), positions);
      if (!estop.active) return;
      if (estop.hold === null) estop.hold = Float64Array.from(positions);
      else for (let i = 0; i < estop.hold.length; i++) estop.maxHoldDeviationRad = Math.max(estop.maxHoldDeviationRad, Math.abs(positions[i]! - estop.hold[i]!));
    };
    if (shield.config.outputFormat === 'joint_trajectory') {
      monitorNode.createSubscription('trajectory_msgs/msg/JointTrajectory', shield.config.topics.output, (m) => checkOutput(m.points[0]?.positions ?? []), { preset: 'reliable' });
    } else {
      monitorNode.createSubscription('std_msgs/msg/Float64MultiArray', shield.config.topics.output, (m) => checkOutput(m.data), { preset: 'reliable' });
    }
    const measured = new Float64Array(controllerJoints.length);
    let stateIndex: Int32Array | null = null;
    monitorNode.createSubscription('sensor_msgs/msg/JointState', config.simNode.jointStateTopic, (m) => {
      stateIndex ??= Int32Array.from(controllerJoints, (n) => m.name.indexOf(n));
      for (let i = 0; i < measured.length; i++) measured[i] = m.position[stateIndex[i]!] ?? NaN;
      monitor.checkTracking(measured);
    }, { preset: 'sensor_data' });

    // Scripted operator actions, through the same topic and services an operator uses.
    const operator = bus.createNode('operator');
    const estopPub = operator.createPublisher('std_msgs/msg/Bool', shield.config.topics.estop);
    const prefix = shield.config.topics.servicePrefix;
    const resetClient = operator.createClient('std_srvs/srv/Trigger', `${prefix}/reset`);
    const activateClient = operator.createClient('std_srvs/srv/Trigger', `${prefix}/activate`);
    const pending: OperatorAction[] = [...config.scenario.operator].sort((a, b) => a.atS - b.atS);
    const twistPubs = new Map<string, Publisher<Twist>>();
    const twist: Twist = { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };
    const publishTwist = (): void => {
      for (const pub of twistPubs.values()) pub.publish(twist);
    };
    for (const a of pending) if (a.action === 'cmd_vel' && !twistPubs.has(a.topic)) twistPubs.set(a.topic, operator.createPublisher('geometry_msgs/msg/Twist', a.topic));
    // the velocity command is repeated at 50 Hz, as a joystick teleop node does
    if (twistPubs.size > 0) operator.createTimer(20_000_000n, publishTwist);
    const floating = sim.build.base === 'floating';
    const report = opts.onReport ? makeCollector(bus, shield, model, controllerJoints, policy, policyNode, config, floating ? sim : null) : null;
    // Tracking a reference file: a fall is the base well below the reference's own root height (dances squat).
    const fileRef = referenceMotion && policy?.config.config.reference?.source === 'file' ? policy.config.config.reference : undefined;
    const tracker = floating ? new OutcomeTracker({ fallHeightM, referenceMarginM: REFERENCE_FALL_MARGIN_M }) : null;
    const basePose = new Float64Array(7);
    const command = { vx: 0, vy: 0, yawRate: 0 };
    for (const w of sim.build.warnings.filter((w) => w.startsWith('fitted'))) log.warn(w);

    const phases = new InterventionPhases([
      ...config.scenario.dynamics.map((e) => ({ atS: e.atS, label: `${e.kind} ${e.target}` })),
      ...config.scenario.operator.map((a) => ({ atS: a.atS, label: a.action })),
    ], durationS, shield.shield.status);

    // Synchronous unless an operator action is due: an async function here would allocate and await a
    // promise every physics step (~0.5 kB of garbage per step: the run's scavenges, bench --only gc60).
    const beforeStep = (t: number): Promise<void> | undefined => {
      phases.sample(t);
      report?.sampleBase(t);
      if (tracker) {
        sim.readBasePose(basePose);
        tracker.step(t, basePose, command, fileRef ? referenceRootHeightAt(referenceMotion!, fileRef.startS, fileRef.endS, t) : NaN);
        command.vx = twist.linear.x;
        command.vy = twist.linear.y;
        command.yawRate = twist.angular.z;
      }
      return pending.length > 0 && pending[0]!.atS <= t + 1e-9 ? operatorActions(t) : undefined;
    };
    const operatorActions = async (t: number): Promise<void> => {
      while (pending.length > 0 && pending[0]!.atS <= t + 1e-9) {
        const a = pending.shift()!;
        report?.mark(t, 'operator', a.action);
        if (a.action === 'estop') {
          estop.active = true;
          estop.events++;
          estop.hold = null;
          estopPub.publish({ data: true });
          log.info({ atS: t }, 'operator: e-stop');
        } else if (a.action === 'cmd_vel') {
          twist.linear.x = a.linear[0];
          twist.linear.y = a.linear[1];
          twist.angular.z = a.yawRate;
          publishTwist();
          log.info({ atS: t, linear: a.linear, yawRate: a.yawRate }, 'operator: velocity command');
        } else {
          const r = await (a.action === 'reset' ? resetClient : activateClient).call({});
          // The hold check runs from the e-stop until motion is re-enabled: a reset alone must not move anything.
          if (a.action === 'activate' && r.success) estop.active = false;
          log.info({ atS: t, action: a.action, ...r }, `operator: ${a.action}`);
        }
      }
    };

    const recording = opts.recordPath
      ? await McapRecorder.start(bus, {
        path: opts.recordPath,
        shield: { core: shield.shield, commandTopic: shield.config.topics.output, jointNames: controllerJoints },
        metadata: { robot: model.name, controller_joints: controllerJoints.join(','), config: resolve(opts.configPath), duration_s: String(durationS), ...(policy ? { policy_model_sha256: fileSha256(policy.modelPath) } : {}), ...(adapter ? { policy_adaptation: 'on' } : {}) },
      })
      : null;
    const live = opts.livePort !== undefined
      ? await LiveServer.start(bus, { port: opts.livePort, robotDescription: readFileSync(urdfPath, 'utf8'), ...(opts.liveMaxRateHz !== undefined ? { maxRateHz: opts.liveMaxRateHz } : {}) })
      : null;
    if (live) log.info({ url: `ws://127.0.0.1:${live.port}` }, 'live view (Foxglove WebSocket)');
    const lockstep = await runLockstep({
      bus,
      sim: opts.onStep ? { advance: () => { simNode.advance(); opts.onStep!(sim); }, publishState: () => simNode.publishState(), sim } : simNode,
      durationS,
      realtime: opts.realtime ?? false,
      beforeStep,
      ...(policyNode ? { atStart: () => policyNode.tickNow() } : {}),
      progressEveryS: durationS / 100,
      // the live view and the recorder write in event-loop turns: give them one every 10 ms of sim time
      ...(live || opts.recordPath ? { yieldEveryS: 0.01 } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      ...(opts.onProgress ? { onProgress: (t: number) => opts.onProgress!(t, durationS) } : {}),
    });

    // The report and the recording end with the run (the shutdown hold below is not a tick: replay compares ticks).
    if (report) {
      report.finish(lockstep.simTimeS);
      opts.onReport!(report);
    }
    const recordStats = recording ? await recording.stop() : null;
    const liveStats = live ? { port: live.port, ...(await live.close()) } : null;
    if (tracker) {
      sim.readBasePose(basePose);
      tracker.step(sim.time, basePose, command);
    }
    const outcome = tracker?.result() ?? null;
    // The run has ended: hold, stop every node, then take the summary (the final hold included).
    const publishedInRun = shield.published;
    shield.holdNow();
    policyNode?.destroy();
    customSource?.destroy();
    extra?.destroy();
    shield.destroy();
    simNode.destroy();
    await bus.shutdown();
    await policy?.policy.release();
    await diffusionPolicy?.close();
    if (adaptation) saveLibrary(adaptation, outcome?.fell ?? false, log);
    await adaptation?.release();

    const st = shield.shield.status;
    const ps = policyNode?.stats;
    const interventions: Record<string, number> = {};
    CONSTRAINT_NAMES.forEach((name, c) => {
      if (c > 0) interventions[name] = st.interventions[c]!;
    });
    const timeInStateS: Record<string, number> = {};
    SHIELD_STATE_NAMES.forEach((name, s) => (timeInStateS[name] = Number(st.timeInStateS[s]!.toFixed(3))));
    const summary: RunSummary = {
      robot: model.name,
      lockstep,
      physicsStepsPerWallSecond: Math.round(lockstep.steps / lockstep.wallTimeS),
      policy: ps
        ? {
            ticks: ps.ticks,
            published: ps.published,
            rateHz: ps.published / lockstep.simTimeS,
            meanInferenceMs: ps.inferences > 0 ? ps.totalInferenceMs / ps.inferences : NaN,
            maxInferenceMs: ps.maxInferenceMs,
            rejectedInputs: ps.rejectedJointStates + ps.rejectedImu + ps.rejectedCmdVel,
          }
        : { ticks: 0, published: 0, rateHz: 0, meanInferenceMs: NaN, maxInferenceMs: NaN, rejectedInputs: 0 },
      shield: {
        ticks: st.ticks,
        commands: shield.published,
        rateHz: publishedInRun / lockstep.simTimeS,
        finalState: SHIELD_STATE_NAMES[st.state],
        finalReason: REASON_NAMES[st.reason],
        transitions: st.transitions,
        interventionTicks: st.interventionTicks,
        interventions,
        maxInterventionRad: st.maxInterventionRad,
        rejectedMeasured: total(st.measured.rejected),
        rejectedCandidates: total(st.candidate.rejected),
        timeInStateS,
        activations: st.activations,
        notActivatedReason: shield.notActivatedReason,
        phases: phases.finish(lockstep.simTimeS),
      },
      monitor: { ...monitor.report, violations: monitor.violations },
      estop: { events: estop.events, maxHoldDeviationRad: estop.maxHoldDeviationRad },
      sim: {
        commandsApplied: simNode.stats.commandsApplied,
        commandsDropped: simNode.stats.commandsDroppedWrongLength + simNode.stats.commandsDroppedNonFinite,
        dynamicsEventsApplied: simNode.stats.scenarioEventsApplied,
        minBaseHeightM: outcome ? outcome.minBaseHeightM : NaN,
        fell: outcome?.fell ?? false,
      },
      bus: { ...bus.stats },
      outcome,
      failures: [],
    };
    summary.failures = runVerdict({
      outcome,
      policyTransitions: policyNode?.transitions ?? [],
      shieldActiveS: timeInStateS['ACTIVE'] ?? 0,
      shieldFinalState: summary.shield.finalState,
      shieldReason: (st as { inactiveReason?: string | null }).inactiveReason ?? null,
    });
    if (diffusionPolicy) {
      const c = diffusionPolicy.client.counters;
      summary.diffusion = {
        decisions: c.decisions, sampled: c.sampled, safe: Object.values(c.safe).reduce((a, b) => a + b, 0), targetsPublished: diffusionPolicy.node.published,
        observations: diffusionPolicy.observationsPublished, droppedObservations: diffusionPolicy.node.droppedBusy,
      };
    }
    if (recordStats) summary.record = { path: resolve(opts.recordPath!), ...recordStats };
    if (liveStats) summary.live = liveStats;
    return summary;
  } finally {
    await diffusionPolicy?.close();
    sim.dispose();
  }
}

/** The run report's collector on its own bus node; dynamics changes marked from the scenario. */
function makeCollector(
  bus: EmbeddedBus, shield: ShieldNode, model: RobotModel, joints: readonly string[],
  policy: Loaded['policy'], policyNode: PolicyNode | null, config: RunConfig, floatingSim: MujocoSim | null,
): RunReportCollector {
  const limits = jointLimitArrays(model, joints);
  const pc = policy?.config.config;
  const r = new RunReportCollector({
    node: bus.createNode('run_report'),
    shield: shield.shield,
    joints: { names: joints, lower: limits.lower, upper: limits.upper },
    commandTopic: shield.config.topics.output,
    commandFormat: shield.config.outputFormat === 'joint_trajectory' ? 'joint_trajectory' : 'float64_multi_array',
    jointStateTopic: config.simNode.jointStateTopic,
    candidateTopic: pc ? pc.topics.command : null,
    modeTopic: pc ? pc.topics.mode : null,
    ...(pc ? { initialMode: pc.modes.initial, inference: { count: () => policyNode?.controller.stats.inferences ?? 0, lastMs: () => policy!.policy.lastRunMs } } : {}),
    ...(floatingSim ? { basePose: (out: Float64Array) => floatingSim.readBasePose(out) } : {}),
  });
  for (const d of config.scenario.dynamics) r.mark(d.atS, 'dynamics', `${d.kind} ${d.target}`);
  return r;
}

/** Saves the run's regime library, unless the robot fell (a library learnt in a failure is not the next run's start); a failed save is logged, the previous file kept. */
function saveLibrary(adaptation: AdaptationSetup, fell: boolean, log: ReturnType<typeof nodeLogger>): void {
  if (fell) {
    log.warn({ memoryFile: adaptation.memoryFile }, 'regime library not saved: the robot fell');
    return;
  }
  try {
    if (adaptation.save()) log.info({ memoryFile: adaptation.memoryFile, regimes: adaptation.adapter.memory.size }, 'regime library saved');
  } catch (err) {
    log.error({ memoryFile: adaptation.memoryFile, err: (err as Error).message }, 'regime library not saved (the previous file is kept)');
  }
}
