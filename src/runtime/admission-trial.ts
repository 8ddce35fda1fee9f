/**
 * One admission trial: the exact files of a run (run config, robot profile,
 * URDF, shield profile, policy config, model) in the embedded sim for one
 * planned scenario under its randomised conditions, through `runEmbedded`
 * with in-memory adjustments only (the files are never changed):
 *
 * - start pose noise, contact friction (sim config), the scenario's velocity
 *   command (operator), a payload and a push (dynamics events);
 * - motor strength: every servo's stiffness (kp) and torque limit scaled in the
 *   sim at t = 0 (the shield is not told: a real motor that is weaker or stronger
 *   than modelled). Damping is kept: kd × 1.1 on the arms (kd 10) makes the
 *   explicit 2 ms integration chatter (measured: 99 % of shield ticks clipped);
 * - control latency: the sim takes its commands from a delay node that
 *   forwards the shield's output after the trial's latency;
 * - a convention variant of the policy config (diagnosis), when given.
 *
 * After every physics step it samples the base pose (tracking, fall), the
 * shield's counters (safety interventions per tick, e-stop) and, after every
 * policy inference, the observation the policy saw and its raw action
 * (envelope). A trial ends early once the robot has fallen, or when its wall
 * time limit is reached (a failed trial).
 */
import { loadConfigFile } from '../io/config-file.js';
import { BaseMotionTracker } from '../admission/base-motion.js';
import { buildEnvelope, EnvelopeMonitor } from '../admission/envelope.js';
import type { AdmissionOptions, PolicyKind, TrialSpec } from '../admission/plan.js';
import { conventionVariants, type VariantContext } from '../admission/variants.js';
import type { TrialMetrics } from '../admission/verdict.js';
import type { PolicyNode } from '../nodes/policy-node.js';
import type { ShieldNode } from '../nodes/shield-node.js';
import { orderedTerms } from '../policy/observation-spec.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfig } from '../policy/policy-config.js';
import { jointLimitArrays } from '../robot/model.js';
import { Constraint } from '../safety/band.js';
import type { MujocoSim } from '../sim/simulation.js';
import { monotonicNs } from '../timing/index.js';
import type { Float64MultiArray } from '../transport/messages.js';
import type { TransportNode } from '../transport/port.js';
import { runEmbedded } from './embedded-run.js';
import type { RunConfig } from './run-config.js';
import { resolveRunSetup } from './run-setup.js';

/** What every trial of one admission shares (plain data: it crosses to worker threads). */
export interface TrialInputs {
  /** Run config file. */
  configPath: string;
  root: string;
  options: AdmissionOptions;
  kind: PolicyKind;
  fallHeightM: number;
  /** Root link of the robot (push target). */
  rootLink: string;
  /** Diagnosis: the id of a convention variant to run instead of the config as written. */
  variant?: string;
  variantContext?: VariantContext;
}

/** Topic the sim reads its commands from when a trial adds latency. */
export const DELAYED_COMMAND_TOPIC = '/admission/delayed_command';
/** Constraints that count as a safety intervention (acceleration and jerk shape every step of a walking policy). */
const SAFETY_CONSTRAINTS = [Constraint.Position, Constraint.Velocity, Constraint.Collision, Constraint.Workspace, Constraint.Effort, Constraint.Following];
/** A trial goes on this long after a fall before it stops, s. */
const AFTER_FALL_S = 0.2;

/** The policy config transform of a variant id (throws on an unknown id or an invalid result). */
export function variantTransform(id: string, ctx: VariantContext): (c: PolicyConfig) => PolicyConfig {
  return (c) => {
    const v = conventionVariants(c, ctx).find((x) => x.id === id);
    if (!v) throw new Error(`no convention variant '${id}' for this policy config`);
    return PolicyConfigSchema.parse(v.apply(c));
  };
}

/** The run config of a trial: the file's, with the trial's scenario and conditions. */
function trialRunConfig(c: RunConfig, spec: TrialSpec, rootLink: string, cmdVelTopic: string, latency: boolean): RunConfig {
  const initialPose = { ...c.sim.initialPose };
  for (const [j, d] of Object.entries(spec.conditions.poseNoiseRad)) initialPose[j] = (initialPose[j] ?? 0) + d;
  const k = spec.conditions;
  const dynamics: RunConfig['scenario']['dynamics'] = [];
  if (k.addedMass.kg > 0) dynamics.push({ atS: 0, kind: 'add_payload', target: k.addedMass.link, values: { massKg: k.addedMass.kg, comOffsetM: [0, 0, 0] } });
  if (k.push) dynamics.push({ atS: k.push.atS, kind: 'push', target: rootLink, values: { impulseNs: k.push.impulseNs } });
  const operator: RunConfig['scenario']['operator'] = spec.command
    ? [{ atS: spec.command.atS, action: 'cmd_vel', linear: [spec.command.vx, spec.command.vy], yawRate: spec.command.wz, topic: cmdVelTopic }]
    : [];
  return {
    ...c,
    sim: { ...c.sim, initialPose, contactFriction: k.friction },
    simNode: latency ? { ...c.simNode, commandTopic: DELAYED_COMMAND_TOPIC } : c.simNode,
    scenario: { durationS: spec.durationS, dynamics, operator },
  };
}

/** Forwards the shield's Float64MultiArray commands to the sim `latencyS` later (checked every physics step). */
export function delayNode(node: TransportNode, from: string, latencyS: number, stepS: number): { destroy(): void } {
  const queue: { atS: number; data: Float64Array<ArrayBuffer> }[] = [];
  const pub = node.createPublisher('std_msgs/msg/Float64MultiArray', DELAYED_COMMAND_TOPIC, { preset: 'reliable' });
  const msg: Float64MultiArray = { layout: { dim: [], data_offset: 0 }, data: new Float64Array(0) };
  const sub = node.createSubscription('std_msgs/msg/Float64MultiArray', from, (m) => {
    queue.push({ atS: node.nowSeconds() + latencyS, data: Float64Array.from(m.data) });
  }, { preset: 'reliable' });
  const timer = node.createTimer(BigInt(Math.round(stepS * 1e9)), () => {
    const now = node.nowSeconds() + 1e-9;
    let last: Float64Array<ArrayBuffer> | null = null;
    while (queue.length > 0 && queue[0]!.atS <= now) last = queue.shift()!.data;
    if (last) {
      msg.data = last;
      pub.publish(msg);
    }
  });
  return {
    destroy: () => {
      timer.cancel();
      sub.destroy();
    },
  };
}

/** Runs one trial; never throws for a failing policy (a run error is reported in the metrics). */
export async function runTrial(inputs: TrialInputs, spec: TrialSpec): Promise<TrialMetrics> {
  const opts = inputs.options;
  const t0 = monotonicNs();
  const wallS = (): number => Number(monotonicNs() - t0) * 1e-9;
  const policyTransform = inputs.variant !== undefined ? variantTransform(inputs.variant, inputs.variantContext ?? { urdfOrder: [], motorOrder: [] }) : undefined;
  const latency = spec.conditions.latencyS > 0;
  let nodes: { policy: PolicyNode | null; shield: ShieldNode; sim: MujocoSim } | null = null;
  let monitor: EnvelopeMonitor | null = null;
  let policyJoints: readonly string[] = [];
  let fellAtS: number | null = null;
  let timedOut = false;
  let steps = 0;
  let lastInferences = 0;
  let lastSafety = 0;
  let safetyTicks = 0;
  const pose = new Float64Array(7);
  const tracker = new BaseMotionTracker(spec.trackFromS ?? Infinity);
  const metrics = (over: Partial<TrialMetrics>): TrialMetrics => ({
    scenario: spec.scenario,
    seed: spec.seed,
    conditions: spec.conditions,
    command: spec.command,
    durationS: spec.durationS,
    simTimeS: 0,
    wallS: wallS(),
    timedOut,
    error: null,
    fell: fellAtS !== null,
    fellAtS,
    motion: spec.command ? tracker.result() : null,
    policy: { ticks: 0, inferenceErrors: 0, missedDeadlines: 0, lateResults: 0, nonFiniteObservations: 0, nonFiniteActions: 0, faults: [] },
    shield: { ticks: 0, safetyInterventionTicks: safetyTicks, interventions: {}, estopS: 0, activated: false, notActivatedReason: null },
    envelope: monitor?.report(policyJoints) ?? [],
    ...over,
  });

  let cmdVelTopic = '/cmd_vel';
  try {
    const policyFile = resolveRunSetup(inputs.configPath).policyPath;
    const raw = loadConfigFile(PolicyConfigSchema, policyFile);
    const resolved = resolvePolicyConfig(policyTransform ? policyTransform(raw) : raw);
    cmdVelTopic = resolved.config.topics.cmdVel;
    policyJoints = resolved.joints;

    const summary = await runEmbedded({
      configPath: inputs.configPath,
      root: inputs.root,
      durationS: spec.durationS,
      runConfig: (c) => trialRunConfig(c, spec, inputs.rootLink, cmdVelTopic, latency),
      ...(policyTransform ? { policyConfig: policyTransform } : {}),
      onNodes: (n) => {
        nodes = n;
        const s = spec.conditions.motorStrength;
        if (s !== 1) {
          for (const j of n.sim.actuatedJoints) {
            const g = n.sim.getGains(j);
            n.sim.setGains(j, g.kp * s, g.kd);
            const e = n.sim.getEffortLimit(j);
            if (Number.isFinite(e) && e > 0) n.sim.setEffortLimit(j, e * s);
          }
        }
      },
      extraNodes: (createNode, robot) => {
        const n = nodes!;
        if (n.policy) {
          const limits = jointLimitArrays(robot, resolved.joints);
          monitor = new EnvelopeMonitor(buildEnvelope({
            terms: orderedTerms(resolved.observation),
            historyLayout: resolved.observation.historyLayout,
            joints: resolved.joints,
            lower: limits.lower,
            upper: limits.upper,
            velocity: limits.velocity,
            defaultJointPos: resolved.defaultJointPos,
            action: { scale: n.policy.controller.action.scale, offset: n.policy.controller.action.offset },
            limits: opts.envelope,
          }));
        }
        return latency ? delayNode(createNode('admission_latency'), n.shield.config.topics.output, spec.conditions.latencyS, n.sim.timestepS) : { destroy: () => {} };
      },
      onStep: (sim) => {
        const n = nodes!;
        steps++;
        if (steps % 10 === 0) {
          sim.readBasePose(pose);
          tracker.sample(sim.time, pose);
          if (fellAtS === null && inputs.kind !== 'tracking' && pose[2]! < inputs.fallHeightM) fellAtS = sim.time;
        }
        const c = n.policy?.controller;
        if (c && monitor && c.stats.inferences !== lastInferences) {
          lastInferences = c.stats.inferences;
          monitor.sample(c.assembler.out, c.action.raw);
        }
        const st = n.shield.shield.status;
        let safety = 0;
        for (const k of SAFETY_CONSTRAINTS) safety += st.interventions[k]!;
        if (safety !== lastSafety) safetyTicks++;
        lastSafety = safety;
      },
      shouldStop: (t) => {
        if (fellAtS !== null && t >= fellAtS + AFTER_FALL_S) return true;
        if (steps % 50 === 0 && wallS() > opts.trialTimeLimitS) {
          timedOut = true;
          return true;
        }
        return false;
      },
    });
    const ps = summary.policy;
    const cstats = (nodes as { policy: PolicyNode | null } | null)?.policy?.controller.stats;
    const transitions = (nodes as { policy: PolicyNode | null } | null)?.policy?.transitions ?? [];
    const outcome = summary.outcome;
    if (fellAtS === null && outcome?.fell) fellAtS = outcome.fellAtS;
    return metrics({
      simTimeS: summary.lockstep.simTimeS,
      fell: fellAtS !== null,
      fellAtS,
      policy: {
        ticks: cstats?.inferences ?? ps.ticks,
        inferenceErrors: cstats?.inferenceErrors ?? 0,
        missedDeadlines: cstats?.missedDeadlines ?? 0,
        lateResults: cstats?.lateResults ?? 0,
        nonFiniteObservations: cstats?.nonFiniteObservations ?? 0,
        nonFiniteActions: cstats?.nonFiniteActions ?? 0,
        faults: transitions.filter((t) => t.to === 'DAMP').map((t) => `${t.reason} at ${t.timeS.toFixed(2)} s`),
      },
      shield: {
        ticks: summary.shield.ticks,
        safetyInterventionTicks: safetyTicks,
        interventions: summary.shield.interventions,
        estopS: summary.shield.timeInStateS['ESTOP'] ?? 0,
        activated: summary.shield.activations > 0,
        notActivatedReason: summary.shield.notActivatedReason,
      },
      wallS: wallS(),
    });
  } catch (err) {
    return metrics({ error: (err as Error).message });
  }
}
