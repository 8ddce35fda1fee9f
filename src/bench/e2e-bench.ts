/**
 * End-to-end latency on the embedded bus, in the real embedded run
 * (config/embedded.yaml: MuJoCo sim node, policy node, shield): wall time
 * from the sim node's `/joint_states` publication to the shield's next
 * published actuator command, µs. The bus delivers synchronously, so this is
 * the in-process chain with no transport delay: the state reaching the nodes,
 * the timers that fire at that sim time and the shield's stages. Two figures:
 * - `e2e_joint_states_to_shield_command`: every shield command, from the
 *   latest `/joint_states` before it;
 * - `e2e_through_policy`: from the `/joint_states` the policy inferred on to
 *   the first shield command after the policy's candidate
 *   (`/policy/joint_command`) arrived: state → inference → candidate → shield
 *   → command. The shield ticks before the policy at equal sim times (node
 *   creation order), so this includes the physics step in between.
 * Not paced (`--realtime` off): the chain's own cost, not the scheduler's.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runEmbedded } from '../runtime/embedded-run.js';
import { percentile } from './stats.js';

export async function benchEndToEnd(options: { repoRoot: string; durationS?: number }): Promise<Record<string, number>> {
  const cap = 1 << 20;
  const all = new Float64Array(cap);
  const withInference = new Float64Array(cap);
  let nAll = 0;
  let nInf = 0;
  let stateWallMs = NaN;
  let candidateFromMs = NaN;
  const run = await runEmbedded({
    configPath: resolve(options.repoRoot, 'config', 'embedded.yaml'),
    root: options.repoRoot,
    durationS: options.durationS ?? 5,
    extraNodes: (createNode) => {
      const probe = createNode('latency_probe');
      const subs = [
        probe.createSubscription('sensor_msgs/msg/JointState', '/joint_states', () => {
          stateWallMs = performance.now();
        }, { preset: 'sensor_data' }),
        probe.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', () => {
          candidateFromMs = stateWallMs;
        }, { preset: 'reliable' }),
        probe.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', () => {
          if (Number.isNaN(stateWallMs) || nAll >= cap) return;
          const now = performance.now();
          all[nAll++] = (now - stateWallMs) * 1000;
          if (!Number.isNaN(candidateFromMs)) withInference[nInf++] = (now - candidateFromMs) * 1000;
          candidateFromMs = NaN;
        }),
      ];
      return { destroy: () => subs.forEach((s) => s.destroy()) };
    },
  });
  if (nAll === 0) throw new Error('end-to-end bench: the shield published no command after a /joint_states message');
  const a = all.subarray(0, nAll);
  const w = withInference.subarray(0, nInf);
  const r = (x: number): number => Number(x.toFixed(2));
  return {
    e2e_joint_states_to_shield_command_p50_us: r(percentile(a, 0.5)),
    e2e_joint_states_to_shield_command_p99_us: r(percentile(a, 0.99)),
    e2e_through_policy_p50_us: r(percentile(w, 0.5)),
    e2e_through_policy_p99_us: r(percentile(w, 0.99)),
    e2e_commands: nAll,
    e2e_commands_after_a_candidate: nInf,
    e2e_sim_steps_per_wall_s: Math.round(run.lockstep.steps / run.lockstep.wallTimeS),
    e2e_load1: Number(loadavg()[0]!.toFixed(2)),
  };
}
