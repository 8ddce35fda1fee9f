#!/usr/bin/env node
/**
 * ROS 2 entry point of the aegis nodes, what `ros2 run aegis_control
 * aegis_<kind>_node` and the launch files start (bin/aegis_<kind>_node):
 *
 *   node dist/cli/ros-node.js <shield|policy|sim> [--ros-args …]
 *
 * - shield, policy: managed (lifecycle) nodes. `prepare` declares the
 *   read-only `config_file`/`urdf_file` parameters, loads both files, declares
 *   every config field as a parameter (overrides from `-p`/`--params-file`
 *   validated by the same schema) and, for the policy, creates and warms up
 *   the ONNX session. activate builds the node (it starts publishing);
 *   deactivate makes the shield publish a hold, then stops it; shutdown
 *   (also on SIGINT/SIGTERM) holds and stops. Parameter changes are refused
 *   while the node is active (the nodes take their config at activation).
 * - sim: a plain node stepping the embedded MuJoCo sim in real time and
 *   publishing /joint_states, /imu, /clock (its parameters are read-only).
 * - policy with a `config_file` that says `kind: diffusion` (a diffusion
 *   policy file, DiffusionPolicySchema): the diffusion node runs in the
 *   policy node's place (src/runtime/diffusion-launch.ts). `prepare` loads
 *   and checks the file and its bundle, declares its fields as read-only
 *   parameters and starts the sampling worker (which checks the models
 *   against the config: a mismatch ends start-up with the reason);
 *   activate creates the node, deactivate stops it. See docs/diffusion.md.
 *
 * Without a sourced ROS 2 environment: one message, exit 1.
 * `AEGIS_ROS_CDR=0` in the environment turns the CDR codecs off (see
 * `RosTransportOptions.rawMessages`).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../io/config-file.js';
import { loadPolicy } from '../io/policy-files.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { loadReferenceMotion } from '../io/reference-motion-file.js';
import type { ReferenceMotion } from '../policy/reference.js';
import { PolicyNode } from '../nodes/policy-node.js';
import { admissionSource } from '../runtime/admission-source.js';
import { setupAdaptation, type AdaptationSetup } from '../runtime/adaptation-setup.js';
import { createDiffusionNode, diffusionPolicy, isDiffusionPolicyFile, loadDiffusionPolicyFile, startDiffusionWorker, type DiffusionNodeWiring } from '../runtime/diffusion-launch.js';
import type { DiffusionWorkerClient } from '../inference/diffusion-client.js';
import { DiffusionPolicySchema } from '../policy/diffusion/config.js';
import type { AdmissionSource } from '../nodes/admission-wiring.js';
import { ShieldNode } from '../nodes/shield-node.js';
import type { OnnxPolicy } from '../inference/onnx-policy.js';
import { checkModelAgainstConfig, PolicyConfigSchema, resolvePolicyConfig, type PolicyConfig } from '../policy/index.js';
import { voidingOverrides } from '../policy/admission-gate.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../robot/model.js';
import { ShieldNodeConfigSchema, type ShieldNodeConfig } from '../safety/config.js';
import { shieldLimitsOrThrow, type ServoGains } from '../safety/limits.js';
import { MujocoSim, servoGainsByJoint, SimNode } from '../sim/index.js';
import { SimNodeFileSchema } from '../sim/node-file-config.js';
import { monotonicNs } from '../timing/index.js';
import {
  ManagedResult,
  PARAMETER_TYPE,
  RosConfigParameters,
  RosEnvironmentError,
  RosManagedNode,
  RosTransport,
  type ManagedNodeHooks,
  type RosTransportNode,
} from '../transport/ros/index.js';

/** The package root: the repo, or share/aegis_control when installed (dist/cli/ → ../..). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KINDS = { shield: 'aegis_shield', policy: 'aegis_policy', sim: 'aegis_sim' } as const;
type Kind = keyof typeof KINDS;
const DEFAULT_CONFIG: Record<Kind, string> = { shield: 'config/shield.yaml', policy: 'config/policy_upper_body.yaml', sim: 'config/ros/sim.yaml' };
const DEFAULT_URDF = 'urdf/g1_29dof.urdf';
const ACTIVE_REFUSAL = 'the node is active and takes its config at activation: deactivate it, set the parameter, activate again';
/**
 * Policy config fields fixed once the model is loaded and checked against
 * them (prepare): they define what the model was trained on, so a live change
 * would make a silently wrong action. Restart with a new config instead.
 */
const POLICY_READ_ONLY = [
  'modelPath',
  'contractPath',
  'inputName',
  'outputName',
  'joints',
  'jointIndexMap',
  'defaultJointPos',
  'rateHz',
  'observation.',
  'action.',
  'extraInputs',
  'extraOutputs',
  'threads',
  'warmupRuns',
  'admission.',
];

const fromRoot = (p: string): string => (isAbsolute(p) ? p : resolve(ROOT, p));

/** Declares the read-only file parameters and returns their values ('' → the package default). */
function fileParameters(node: RosTransportNode, configDefault: string, urdfDefault: string): { config: string; urdf: string } {
  const { rcl, raw } = node;
  const str = PARAMETER_TYPE.string;
  const [config, urdf] = raw.declareParameters(
    [new rcl.Parameter('config_file', str, ''), new rcl.Parameter('urdf_file', str, '')],
    [
      new rcl.ParameterDescriptor('config_file', str, `node config (YAML); empty: <package>/${configDefault}`, true),
      new rcl.ParameterDescriptor('urdf_file', str, `robot URDF; empty: ${urdfDefault ? `<package>/${urdfDefault}` : 'from the config'}`, true),
    ],
  );
  const pick = (v: unknown, d: string) => fromRoot(typeof v === 'string' && v !== '' ? v : d);
  return { config: pick(config?.value, configDefault), urdf: urdfDefault === '' && urdf?.value === '' ? '' : pick(urdf?.value, urdfDefault) };
}

/**
 * The servo gains the shield's effort stage uses under ROS when its config names none: the
 * `sim.gains` of the sim config (config/ros/sim.yaml), the one place this package keeps the
 * robot's gains. A config that names gains uses its own (no second source to disagree with).
 */
function robotGains(model: RobotModel, cfg: ShieldNodeConfig): Record<string, ServoGains> | undefined {
  const l = cfg.limits;
  const named = l.kpNmPerRad !== undefined || Object.keys(l.servoGains).length > 0
    || Object.values({ ...l.joints, ...l.groups }).some((o) => o.kpNmPerRad !== undefined);
  if (named) return undefined;
  const sim = loadConfigFile(RosSimConfigSchema, fromRoot(DEFAULT_CONFIG.sim)).sim;
  return servoGainsByJoint(sim, actuatedJoints(model).map((j) => j.name));
}

function shieldHooks(node: RosTransportNode): ManagedNodeHooks {
  let robot: RobotModel | undefined;
  let params: RosConfigParameters<typeof ShieldNodeConfigSchema> | undefined;
  let shield: ShieldNode | undefined;
  const stop = (): void => {
    shield?.holdNow();
    shield?.destroy();
    shield = undefined;
  };
  return {
    async prepare() {
      const files = fileParameters(node, DEFAULT_CONFIG.shield, DEFAULT_URDF);
      const model = loadUrdfFile(files.urdf);
      robot = model;
      const initial = loadConfigFile(ShieldNodeConfigSchema, files.config);
      params = new RosConfigParameters(node, ShieldNodeConfigSchema, initial, {
        guard: (c) => {
          if (shield) return ACTIVE_REFUSAL;
          try {
            const gains = robotGains(model, c);
            shieldLimitsOrThrow(jointLimitArrays(model, c.controllerJoints ?? actuatedJoints(model).map((j) => j.name)), c.limits, {
              ...(gains ? { gains, gainsSource: 'config/ros/sim.yaml sim.gains' } : {}), base: c.profile.base,
            });
            return null;
          } catch (error) {
            return (error as Error).message;
          }
        },
      });
    },
    onConfigure: () => ManagedResult.Success,
    onActivate() {
      if (!robot || !params) return ManagedResult.Failure;
      const gains = robotGains(robot, params.config);
      shield = new ShieldNode({ node, robot, config: params.config, ...(gains ? { servoGains: gains, gainsSource: 'config/ros/sim.yaml sim.gains' } : {}) });
      return ManagedResult.Success;
    },
    onDeactivate() {
      stop();
      return ManagedResult.Success;
    },
    onCleanup: () => ManagedResult.Success,
    onShutdown() {
      stop();
      return ManagedResult.Success;
    },
  };
}

type NodeFiles = { config: string; urdf: string };

/** The policy slot: the ONNX policy node, or the diffusion node when the config file says `kind: diffusion`. */
function policySlotHooks(node: RosTransportNode): ManagedNodeHooks {
  let inner: ManagedNodeHooks | undefined;
  const on = (f: (h: ManagedNodeHooks) => ManagedResult) => (): ManagedResult => (inner ? f(inner) : ManagedResult.Failure);
  return {
    async prepare() {
      const files = fileParameters(node, DEFAULT_CONFIG.policy, DEFAULT_URDF);
      const diffusion = isDiffusionPolicyFile(files.config);
      node.log.info({ config: files.config, policy: diffusion ? 'diffusion' : 'onnx' }, diffusion ? 'diffusion policy file: the diffusion node runs in the policy node\'s place' : 'policy file');
      inner = diffusion ? diffusionHooks(node, files) : policyHooks(node, files);
      await inner.prepare?.();
    },
    onConfigure: on((h) => h.onConfigure()),
    onActivate: on((h) => h.onActivate()),
    onDeactivate: on((h) => h.onDeactivate()),
    onCleanup: on((h) => h.onCleanup()),
    onShutdown: on((h) => h.onShutdown()),
  };
}

/** Every field of the diffusion policy is fixed once the worker has checked the models against it (restart to change). */
const DIFFUSION_READ_ONLY = Object.keys(DiffusionPolicySchema.shape).flatMap((k) => [k, `${k}.`]);

/** Declares one read-only parameter of the policy slot and returns its value. */
function readOnlyParameter(node: RosTransportNode, name: string, type: number, value: unknown, description: string): unknown {
  const { rcl, raw } = node;
  const [p] = raw.declareParameters([new rcl.Parameter(name, type, value)], [new rcl.ParameterDescriptor(name, type, description, true)]);
  return p?.value;
}

/** The ONNX policy node's `admission.required` (declared here read-only, so a launch that sets it reaches the diffusion slot too). */
function admissionRequired(node: RosTransportNode): boolean {
  return readOnlyParameter(node, 'admission.required', PARAMETER_TYPE.bool, false,
    'the policy slot must hold a passing admission record; a diffusion policy has none, so true refuses to start it') === true;
}

/** The ONNX policy node's `adaptation_file` (read-only; '' = no online adaptation): see src/io/adaptation-file.ts. */
function adaptationFileParameter(node: RosTransportNode): string {
  const v = readOnlyParameter(node, 'adaptation_file', PARAMETER_TYPE.string, '',
    'online adaptation of the policy (YAML: adapter settings and regime library file); empty: none');
  return typeof v === 'string' && v !== '' ? fromRoot(v) : '';
}

function diffusionHooks(node: RosTransportNode, files: NodeFiles): ManagedNodeHooks {
  let client: DiffusionWorkerClient | undefined;
  let loaded: ReturnType<typeof diffusionPolicy> | undefined;
  let running: DiffusionNodeWiring | undefined;
  const stop = (): void => {
    running?.stop();
    running = undefined;
  };
  return {
    async prepare() {
      if (admissionRequired(node)) {
        throw new Error(`${files.config}: a diffusion policy has no admission record (docs/admission-record.md), and this node was started with admission.required: true (the hardware bringup sets it): run it in simulation (embedded_sim.launch.py policy_file:=…)`);
      }
      const initial = loadDiffusionPolicyFile(files.config, ROOT).config; // the file and its bundle's contract, checked
      const params = new RosConfigParameters(node, DiffusionPolicySchema, initial, { readOnly: DIFFUSION_READ_ONLY });
      loaded = diffusionPolicy(params.config, ROOT); // with the start-up overrides (-p, --params-file)
      client = await startDiffusionWorker(loaded); // the models checked against the config: a mismatch rejects here
      const c = loaded.config;
      node.log.info({ contract: c.contractPath, strategy: c.sampling.strategy, steps: c.sampling.steps, synchronous: client.synchronous, standInObservation: c.embeddedObservation !== undefined }, 'diffusion policy loaded, sampling worker ready');
    },
    onConfigure: () => (client ? ManagedResult.Success : ManagedResult.Failure),
    onActivate() {
      if (!client || !loaded || !client.alive) return ManagedResult.Failure;
      running = createDiffusionNode(loaded, client, { node, standIn: node });
      return ManagedResult.Success;
    },
    onDeactivate() {
      stop();
      return ManagedResult.Success;
    },
    onCleanup: () => ManagedResult.Success,
    onShutdown() {
      stop();
      void client?.close();
      return ManagedResult.Success;
    },
  };
}

function policyHooks(node: RosTransportNode, files: NodeFiles): ManagedNodeHooks {
  let policy: OnnxPolicy | undefined;
  let running: PolicyNode | undefined;
  let params: RosConfigParameters<typeof PolicyConfigSchema> | undefined;
  let robotJointNames: string[] = [];
  let robotModel: RobotModel | undefined;
  let referenceMotion: ReferenceMotion | undefined;
  /** The admission source, its files hashed right after loading them; the config file's own values. */
  let admission: (AdmissionSource & { recordPath: string }) | undefined;
  let fileConfig: PolicyConfig | undefined;
  let adaptation: AdaptationSetup | null = null;
  return {
    async prepare() {
      robotModel = loadUrdfFile(files.urdf);
      const adaptationFile = adaptationFileParameter(node);
      robotJointNames = actuatedJoints(robotModel).map((j) => j.name);
      const initial = loadConfigFile(PolicyConfigSchema, files.config);
      params = new RosConfigParameters(node, PolicyConfigSchema, initial, {
        readOnly: POLICY_READ_ONLY,
        guard: () => (running ? ACTIVE_REFUSAL : null),
      });
      const loaded = await loadPolicy(params.config, dirname(files.config)); // paths relative to the config file
      referenceMotion = loadReferenceMotion(params.config, dirname(files.config), robotJointNames); // paths relative to the config file
      policy = loaded.policy;
      fileConfig = initial;
      admission = admissionSource({ policyConfigPath: files.config, config: params.config, fileConfig: initial, urdfPath: files.urdf, loadedModelSha256: loaded.modelSha256 });
      node.log.info({ model: loaded.modelPath, warmupMsPerRun: policy.warmupMsPerRun, admissionRecord: admission.recordPath }, 'policy loaded');
      if (adaptationFile !== '') {
        try {
          // the admission record covers the model and config files, not an adapter that changes the commands
          if (params.config.admission.required) throw new Error(`${adaptationFile}: this node requires an admission record (admission.required: true, the hardware bringup sets it), which does not cover online adaptation: run it in simulation (embedded_sim.launch.py adaptation_file:=…)`);
          adaptation = await setupAdaptation(adaptationFile, loaded.config, robotModel); // a bad file, library or module: configure fails, naming it
        } catch (err) {
          await policy.release(); // the session is handed to no node
          policy = undefined;
          throw err;
        }
        node.log.info({ adaptationFile, memoryFile: adaptation.memoryFile, regimes: adaptation.adapter.memory.size }, 'online adaptation on');
      }
    },
    onConfigure: () => (policy ? ManagedResult.Success : ManagedResult.Failure),
    onActivate() {
      if (!policy || !params) return ManagedResult.Failure;
      const config = resolvePolicyConfig(params.config);
      // The model was checked against the config at prepare; check the config as it is now.
      const problems = checkModelAgainstConfig(policy.info, config);
      if (problems.length > 0) {
        node.log.error({ problems }, 'activation refused: the model does not match the current parameters');
        return ManagedResult.Failure;
      }
      // Parameters changed since prepare may void the admission of the config file: compared again now.
      const gate = admission && fileConfig ? { ...admission, overrides: voidingOverrides(fileConfig, params.config) } : undefined;
      running = new PolicyNode({ node, config, policy, robotJointNames, ...(robotModel ? { robotModel } : {}), ...(referenceMotion ? { referenceMotion } : {}), ...(gate ? { admission: gate } : {}), ...(adaptation ? { adaptation } : {}) });
      return ManagedResult.Success;
    },
    onDeactivate() {
      running?.destroy();
      running = undefined;
      saveLibrary();
      return ManagedResult.Success;
    },
    onCleanup: () => ManagedResult.Success,
    onShutdown() {
      const wasRunning = running !== undefined;
      running?.destroy();
      running = undefined;
      if (wasRunning) saveLibrary(); // once per activation (deactivate saved otherwise): `.prev` keeps the previous session's
      void policy?.release();
      void adaptation?.release();
      return ManagedResult.Success;
    },
  };
  function saveLibrary(): void {
    try {
      if (adaptation?.save()) node.log.info({ memoryFile: adaptation.memoryFile, regimes: adaptation.adapter.memory.size }, 'regime library saved');
    } catch (err) {
      node.log.error({ memoryFile: adaptation?.memoryFile, err: (err as Error).message }, 'regime library not saved (the previous file is kept)');
    }
  }
}

const RosSimConfigSchema = SimNodeFileSchema;

/** The embedded sim as a plain node, stepped in real time in small batches so ROS callbacks run between them. */
function runSim(transport: RosTransport): void {
  const node = transport.createNode(KINDS.sim);
  const files = fileParameters(node, DEFAULT_CONFIG.sim, '');
  const cfg = new RosConfigParameters(node, RosSimConfigSchema, loadConfigFile(RosSimConfigSchema, files.config), { readOnly: ['robot.', 'sim.', 'simNode.'] }).config;
  const model = loadUrdfFile(files.urdf !== '' ? files.urdf : fromRoot(cfg.robot.urdf));
  const sim = new MujocoSim({ model, config: cfg.sim });
  const simNode = new SimNode({ node, sim, ...cfg.simNode });
  const stepNs = BigInt(Math.round(sim.timestepS * 1e9));
  const maxBatch = 50;
  let t0 = monotonicNs();
  let steps = 0n;
  let timer: NodeJS.Timeout | undefined;
  const pump = (): void => {
    const due = (monotonicNs() - t0) / stepNs;
    let n = due - steps;
    if (n > BigInt(maxBatch)) {
      // fell behind: run slower than real time rather than burst (the clock stays continuous)
      t0 += (n - BigInt(maxBatch)) * stepNs;
      n = BigInt(maxBatch);
    }
    try {
      for (let i = 0n; i < n; i++) simNode.advance();
    } catch (error) {
      // A MuJoCo error inside a step (the addon turns it into an exception): stop publishing, say why, exit 1.
      node.log.fatal({ err: error, simTimeS: sim.time }, 'embedded sim stopped: a physics step failed');
      void transport.shutdown().finally(() => process.exit(1));
      return;
    }
    steps += n;
    timer = setTimeout(pump, 1);
  };
  transport.onShutdownSignal(() => clearTimeout(timer));
  simNode.publishState();
  node.log.info({ urdf: model.name, timestepS: sim.timestepS }, 'embedded sim running in real time');
  pump();
}

async function main(argv: string[]): Promise<number> {
  const kind = argv[2];
  if (kind !== 'shield' && kind !== 'policy' && kind !== 'sim') {
    console.error('usage: ros-node.js <shield|policy|sim> [--ros-args ...]');
    return 2;
  }
  let transport: RosTransport;
  try {
    // AEGIS_ROS_CDR=0: rclnodejs's message classes for every type (for comparisons; docs/ros.md "Rates and CPU").
    transport = await RosTransport.open({ argv, rawMessages: process.env['AEGIS_ROS_CDR'] !== '0' });
  } catch (error) {
    if (error instanceof RosEnvironmentError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (kind === 'sim') runSim(transport);
  else await RosManagedNode.start(transport, KINDS[kind], kind === 'shield' ? shieldHooks : policySlotHooks);
  return 0;
}

main(process.argv).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
