/**
 * The diffusion policy in an embedded run: selected by the run's policy file
 * (`kind: diffusion`, DiffusionPolicySchema), launched instead of the ONNX
 * policy node. Loading checks the file and the bundle's contract up front
 * (nothing is started on a bad file); starting spawns the sampling worker
 * (which loads the three models and checks them against the config and the
 * contract: configure-time errors reject here), the diffusion node, and —
 * when the file asks for it (`embeddedObservation`) — a stand-in for
 * perception that publishes sampled task contexts as the node's observation.
 * The ROS entry point (src/cli/ros-node.ts) uses the same pieces: a policy
 * node whose `config_file` says `kind: diffusion` loads the file and starts
 * the worker at prepare, creates the node at activate
 * ({@link createDiffusionNode}) and stops it at deactivate.
 */
import { resolve } from 'node:path';
import { loadConfigFile, readYamlFile } from '../io/config-file.js';
import { loadDiffusionBundle } from '../io/diffusion-files.js';
import { DiffusionWorkerClient } from '../inference/diffusion-client.js';
import { DiffusionNode } from '../nodes/diffusion-node.js';
import { observe, sampleContext } from '../policy/diffusion/arm-detour.js';
import { DiffusionPolicySchema, type DiffusionPolicyConfig } from '../policy/diffusion/config.js';
import type { DiffusionContract } from '../policy/diffusion/contract.js';
import { Rng } from '../training/rng.js';
import { makeFloat64MultiArray } from '../transport/messages.js';
import type { Timer, TransportNode } from '../transport/port.js';

/** Whether a policy file selects the diffusion policy (`kind: diffusion` at its top level). */
export function isDiffusionPolicyFile(path: string): boolean {
  const raw = readYamlFile(resolve(path));
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'diffusion';
}

export interface LoadedDiffusionPolicy {
  config: DiffusionPolicyConfig;
  contract: DiffusionContract;
  /** Folder the contract path is resolved against (the package root). */
  root: string;
}

/** Validates a diffusion policy file and its bundle's contract (and that its model files exist); throws naming the file and field. */
export function loadDiffusionPolicyFile(path: string, root: string): LoadedDiffusionPolicy {
  return diffusionPolicy(loadConfigFile(DiffusionPolicySchema, resolve(path)), root);
}

/** A validated config with its bundle's contract (checked, model files present). */
export function diffusionPolicy(config: DiffusionPolicyConfig, root: string): LoadedDiffusionPolicy {
  const { contract } = loadDiffusionBundle(config.contractPath, root);
  return { config, contract, root };
}

export interface RunningDiffusionPolicy {
  node: DiffusionNode;
  client: DiffusionWorkerClient;
  /** Observations published by the stand-in (0 without one). */
  readonly observationsPublished: number;
  /** Stops the node, the stand-in's timer and the worker. */
  close(): Promise<void>;
}

/**
 * Spawns the sampling worker, which loads the three models and checks them against the config and the
 * contract (a mismatch rejects here, naming it), sized for the configured strategy.
 */
export function startDiffusionWorker(p: LoadedDiffusionPolicy, opts: { workerUrl?: URL } = {}): Promise<DiffusionWorkerClient> {
  const s = p.config.sampling;
  return DiffusionWorkerClient.start({
    config: p.config, root: p.root, maxCandidates: s.strategy.kind === 'single' ? 1 : s.strategy.n, ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}),
  });
}

export interface DiffusionNodeWiring {
  node: DiffusionNode;
  /** Observations published by the stand-in (0 without one). */
  readonly observationsPublished: number;
  /** Stops the node and the stand-in (the worker stays: its owner closes it). */
  stop(): void;
}

/**
 * The diffusion node on `node` with a running worker's client, and — when the file asks for it
 * (`embeddedObservation`) — the stand-in for perception on `standIn` (the same node will do).
 */
export function createDiffusionNode(
  p: LoadedDiffusionPolicy,
  client: DiffusionWorkerClient,
  opts: { node: TransportNode; standIn: TransportNode; jointStateTopic?: string },
): DiffusionNodeWiring {
  const { config, contract } = p;
  const s = config.sampling;
  const node = new DiffusionNode(opts.node, client, contract, {
    waypointS: config.command.waypointS, commandRateHz: config.command.rateHz, seed: s.seed ?? Date.now() % 0x7fffffff,
    ...(s.deadlineMs !== undefined ? { deadlineMs: s.deadlineMs } : {}),
    ...(opts.jointStateTopic ? { jointStateTopic: opts.jointStateTopic } : {}),
  });
  let published = 0;
  let timer: Timer | undefined;
  const eo = config.embeddedObservation;
  if (eo) {
    const pub = opts.standIn.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
    const msg = makeFloat64MultiArray(contract.obsWidth);
    const rng = new Rng(eo.seed);
    timer = opts.standIn.createTimer(BigInt(Math.round(eo.periodS * 1e9)), () => {
      msg.data.set(observe(sampleContext(rng)));
      pub.publish(msg);
      published++;
    });
  }
  return {
    node, get observationsPublished() { return published; },
    stop: () => {
      timer?.cancel();
      node.destroy();
    },
  };
}

/** The worker, then the node (on a node named diffusion_policy) and the stand-in (diffusion_task): an embedded run's wiring. */
export async function startDiffusionPolicy(
  p: LoadedDiffusionPolicy,
  opts: { createNode: (name: string) => TransportNode; jointStateTopic?: string; workerUrl?: URL },
): Promise<RunningDiffusionPolicy> {
  const client = await startDiffusionWorker(p, opts.workerUrl ? { workerUrl: opts.workerUrl } : {});
  const node = opts.createNode('diffusion_policy');
  const wiring = createDiffusionNode(p, client, {
    node, standIn: p.config.embeddedObservation ? opts.createNode('diffusion_task') : node, ...(opts.jointStateTopic ? { jointStateTopic: opts.jointStateTopic } : {}),
  });
  let closed: Promise<void> | null = null;
  return {
    node: wiring.node, client, get observationsPublished() { return wiring.observationsPublished; },
    close: () => (closed ??= (wiring.stop(), client.close())),
  };
}
