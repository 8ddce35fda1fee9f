/**
 * The standalone diffusion scenario: one policy config (DiffusionPolicySchema,
 * YAML), the diffusion node on an embedded bus with its sampling worker (the
 * bundle loaded and checked there), and episodes of the arm-detour task: the
 * task's observation is published on /diffusion/observation, the node's
 * JointTrajectory on /policy/joint_command is rolled out kinematically
 * through the shield core; no trajectory (a safe outcome) holds the start
 * pose and is scored as such. Prints one line per episode, the mean return
 * and success, and the node's /diagnostics status.
 *
 * Usage: node dist/cli/diffusion-scenario.js [--config config/diffusion_arm_detour.yaml] [--episodes 20]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../io/config-file.js';
import { loadDiffusionBundle } from '../io/diffusion-files.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { DiffusionWorkerClient } from '../inference/diffusion-client.js';
import { DiffusionNode } from '../nodes/diffusion-node.js';
import { ArmDetourTask, HORIZON, observe, Q_START, sampleContext, WAYPOINT_S } from '../policy/diffusion/arm-detour.js';
import { DiffusionPolicySchema } from '../policy/diffusion/config.js';
import { Rng } from '../training/rng.js';
import { EmbeddedBus } from '../transport/bus/index.js';
import { makeFloat64MultiArray, type DiagnosticArray, type JointTrajectory } from '../transport/messages.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: 'config/diffusion_arm_detour.yaml' }, episodes: { type: 'string', default: '20' } },
  });
  const root = process.cwd();
  const config = loadConfigFile(DiffusionPolicySchema, resolve(values.config));
  const { contract } = loadDiffusionBundle(config.contractPath, root);
  const episodes = Number(values.episodes);
  const task = new ArmDetourTask(loadUrdfFile(resolve(root, 'urdf/g1_29dof_fixed.urdf')));
  const n = config.sampling.strategy.kind === 'single' ? 1 : config.sampling.strategy.n;
  const client = await DiffusionWorkerClient.start({ config, root, maxCandidates: n });

  const bus = new EmbeddedBus({ validateMessages: true });
  const seed0 = config.sampling.seed ?? Date.now() % 0x7fffffff;
  const node = new DiffusionNode(bus.createNode('diffusion_policy'), client, contract, {
    waypointS: WAYPOINT_S, seed: seed0, ...(config.sampling.deadlineMs !== undefined ? { deadlineMs: config.sampling.deadlineMs } : {}),
  });
  const io = bus.createNode('scenario');
  let received: JointTrajectory | null = null;
  let diagnostics = '';
  io.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', (m) => { received = structuredClone(m); });
  io.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m: DiagnosticArray) => {
    const s = m.status[0]!;
    diagnostics = `level ${s.level} (${s.message}): ${s.values.map((v) => `${v.key}=${v.value}`).join(' ')}`;
  });
  const pub = io.createPublisher('std_msgs/msg/Float64MultiArray', '/diffusion/observation');
  const obsMsg = makeFloat64MultiArray(contract.obsWidth);

  const D = contract.actionDim;
  const chunk = new Float32Array(HORIZON * D);
  const rng = new Rng(77);
  let sum = 0;
  let ok = 0;
  for (let e = 0; e < episodes; e++) {
    const ctx = sampleContext(rng);
    obsMsg.data.set(observe(ctx));
    received = null;
    const t0 = performance.now();
    pub.publish(obsMsg);
    await bus.settle();
    const ms = performance.now() - t0;
    const traj = received as JointTrajectory | null;
    for (let h = 0; h < HORIZON; h++) {
      for (let j = 0; j < D; j++) {
        const q = traj ? traj.points[h]!.positions[j]! : Q_START[j]!;
        chunk[h * D + j] = (q - contract.jointCentre[j]!) / contract.jointHalfRange[j]!;
      }
    }
    const r = task.rollout(ctx, chunk);
    sum += r.ret;
    if (r.success) ok++;
    console.log(`episode ${String(e).padStart(3)}  ${traj ? 'trajectory' : 'safe (hold)'}  ${ms.toFixed(2)} ms  return ${r.ret.toFixed(3)}  ${r.success ? 'reached' : 'failed'}`);
  }
  bus.advanceTo(1_000_000_000n); // one /diagnostics report (1 Hz)
  console.log(`mean return ${(sum / episodes).toFixed(3)}, success ${ok}/${episodes}; dropped observations ${node.droppedBusy}`);
  console.log(`/diagnostics ${diagnostics}`);
  await client.close();
}

await main();
