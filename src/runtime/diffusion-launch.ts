/**
 * The diffusion policy in an embedded run: selected by the run's policy file
 * (`kind: diffusion`, DiffusionPolicySchema), launched instead of the ONNX
 * policy node. Loading checks the file and the bundle's contract up front
 * (nothing is started on a bad file); starting spawns the sampling worker
 * (which loads the three models and checks them against the config and the
 * contract: configure-time errors reject here), the diffusion node, and —
 * when the file asks for it (`embeddedObservation`) — a stand-in for
 * perception that publishes sampled task contexts as the node's observation.
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
import type { TransportNode } from '../transport/port.js';

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
  const config = loadConfigFile(DiffusionPolicySchema, resolve(path));
  const { contract } = loadDiffusionBundle(config.contractPath, root);
  return { config, contract, root };
}

export interface RunningDiffusionPolicy {
  node: DiffusionNode;
  client: DiffusionWorkerClient;
  /** Observations published by the stand-in (0 without one). */
  readonly observationsPublished: number;
  /** Stops the stand-in's timer and the worker. */
  close(): Promise<void>;
}

export async function startDiffusionPolicy(
  p: LoadedDiffusionPolicy,
  opts: { createNode: (name: string) => TransportNode; jointStateTopic?: string; workerUrl?: URL },
): Promise<RunningDiffusionPolicy> {
  const { config, contract } = p;
  const s = config.sampling;
  const client = await DiffusionWorkerClient.start({
    config, root: p.root, maxCandidates: s.strategy.kind === 'single' ? 1 : s.strategy.n, ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}),
  });
  const node = new DiffusionNode(opts.createNode('diffusion_policy'), client, contract, {
    waypointS: config.command.waypointS, commandRateHz: config.command.rateHz, seed: s.seed ?? Date.now() % 0x7fffffff,
    ...(s.deadlineMs !== undefined ? { deadlineMs: s.deadlineMs } : {}),
    ...(opts.jointStateTopic ? { jointStateTopic: opts.jointStateTopic } : {}),
  });
  let published = 0;
  const eo = config.embeddedObservation;
  if (eo) {
    const task = opts.createNode('diffusion_task');
    const pub = task.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
    const msg = makeFloat64MultiArray(contract.obsWidth);
    const rng = new Rng(eo.seed);
    task.createTimer(BigInt(Math.round(eo.periodS * 1e9)), () => {
      msg.data.set(observe(sampleContext(rng)));
      pub.publish(msg);
      published++;
    });
  }
  let closed: Promise<void> | null = null;
  return {
    node, client, get observationsPublished() { return published; },
    close: () => (closed ??= client.close()),
  };
}
