/**
 * Physics throughput of the embedded MuJoCo sim on the G1 models: steps per
 * second (1 ms Euler step, PD servos holding the zero pose). Printed figures
 * only; the lead's `npm run bench` calls {@link benchSim}.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadUrdfFile } from '../io/urdf-file.js';
import { MujocoSim } from '../sim/simulation.js';
import { mujocoAvailability } from '../sim/addon.js';

const MODELS = { g1_fixed: 'urdf/g1_29dof_fixed.urdf', g1_floating: 'urdf/g1_29dof.urdf' } as const;

/** Steps per second per model, keyed `<model>_steps_per_s`; empty when the addon or the URDFs are missing. */
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
    } finally {
      sim.dispose();
    }
  }
  return out;
}
