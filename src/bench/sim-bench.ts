/**
 * Physics throughput of the embedded MuJoCo sim on the G1 models: steps per
 * second (1 ms Euler step, PD servos holding the zero pose; one native call
 * of N steps, physics only), steps per second through the sim node
 * (`SimNode.advance` per step: the JS↔C++ crossing, state reads and
 * publishing on a capture node; first model only), and heap bytes
 * per step of the sim node (`SimNode.advance`: step, then /clock,
 * /joint_states and /imu filled at their rates) on a capture node, so the
 * figure is the node's own work (target 0). The node figure is taken for the
 * first model only: a process runs one sim node, and a second one in the same
 * process sends V8's optimised code of the shared classes through
 * deoptimisation into polymorphic code, which is not what runs in production.
 * Printed figures only; the lead's `npm run bench` calls {@link benchSim}.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadUrdfFile } from '../io/urdf-file.js';
import { MujocoSim } from '../sim/simulation.js';
import { mujocoAvailability } from '../sim/addon.js';
import { SimNode } from '../sim/sim-node.js';
import { CaptureNode } from './capture-node.js';
import { heapBytesPerCall } from './heap.js';

const MODELS = { g1_floating: 'urdf/g1_29dof.urdf', g1_fixed: 'urdf/g1_29dof_fixed.urdf' } as const;

/** Figures keyed `<model>_<figure>`; empty when the addon or the URDFs are missing. */
export async function benchSim(options: { steps?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const steps = options.steps ?? 20_000;
  const root = options.repoRoot ?? process.cwd();
  const out: Record<string, number> = {};
  if (!mujocoAvailability().available) return out;
  for (const [name, rel] of Object.entries(MODELS)) {
    const path = resolve(root, rel);
    if (!existsSync(path)) continue;
    const sim = new MujocoSim({ model: loadUrdfFile(path) });
    try {
      sim.step(500); // settle contacts before timing
      const t0 = process.hrtime.bigint();
      sim.step(steps);
      const s = Number(process.hrtime.bigint() - t0) * 1e-9;
      out[`${name}_steps_per_s`] = Math.round(steps / s);
      out[`${name}_realtime_factor`] = Number(((steps * sim.timestepS) / s).toFixed(1));
      if (Object.keys(out).length === 2) {
        const node = new SimNode({ node: new CaptureNode('sim_bench'), sim });
        const advance = (): void => node.advance();
        for (let i = 0; i < 5000; i++) advance(); // JIT warm-up
        // Through the node: one JS→C++ crossing per step, the state read and /clock, /joint_states, /imu
        // published (to a capture node) at their rates; the figure above is one native call of `steps` steps.
        const n0 = process.hrtime.bigint();
        for (let i = 0; i < steps; i++) advance();
        out[`${name}_sim_node_steps_per_s`] = Math.round(steps / (Number(process.hrtime.bigint() - n0) * 1e-9));
        out[`${name}_sim_node_bytes_per_step`] = Math.round(await heapBytesPerCall(advance, 2000));
        node.destroy();
      }
    } finally {
      sim.dispose();
    }
  }
  return out;
}
