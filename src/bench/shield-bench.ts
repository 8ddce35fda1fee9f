/**
 * Per-tick cost of the safety shield on the 29-joint G1 humanoid (floating
 * base, 500 Hz): joint limits only; with self-collision (every checked
 * capsule pair, every tick) and a hands-above-floor workspace, on a smooth
 * stream; and on an adversarial stream of random far targets that keeps the
 * barriers active. Figures: p50/p99/max µs per tick, checked pairs, and heap
 * bytes allocated per tick (windows with a garbage collection discarded).
 * Printed figures only; the lead's `npm run bench` calls {@link benchShield}.
 */
import { resolve } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { loadUrdfFile } from '../io/urdf-file.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../robot/model.js';
import { CollisionModel } from '../safety/collision-model.js';
import {
  CollisionConfigSchema, ShieldCoreConfigSchema, ShieldLimitsConfigSchema, WorkspaceConfigSchema,
} from '../safety/config.js';
import type { NamedCandidate, NamedJointState } from '../safety/inputs.js';
import { shieldLimitsOrThrow } from '../safety/limits.js';
import { Shield } from '../safety/shield.js';
import { percentile } from './stats.js';

type Stream = 'smooth' | 'adversarial';

let gcCount = 0;

function makeShield(model: RobotModel, collision: boolean): { shield: Shield; pairs: number } {
  const names = actuatedJoints(model).map((j) => j.name);
  const limits = shieldLimitsOrThrow(jointLimitArrays(model, names), ShieldLimitsConfigSchema.parse({}));
  const core = ShieldCoreConfigSchema.parse({ rateHz: 500, inputs: { allowPartialCandidates: true } });
  if (!collision) return { shield: new Shield(limits, core), pairs: 0 };
  const cc = CollisionConfigSchema.parse({});
  const cm = new CollisionModel(model, names, cc, WorkspaceConfigSchema.parse({
    links: ['left_rubber_hand', 'right_rubber_hand'], minM: [null, null, 0.05], rootPose: { xyz: [0, 0, 0.79] },
  }));
  return { shield: new Shield(limits, core, { source: cm, decayRatePerS: cc.decayRatePerS, maxActive: cc.maxActive }), pairs: cm.pairCount };
}

/** Runs `ticks` shield ticks on a tracking plant; returns per-tick µs and heap bytes per tick. */
function run(model: RobotModel, collision: boolean, stream: Stream, ticks: number): { us: Float64Array; heapPerTick: number; pairs: number } {
  const { shield, pairs } = makeShield(model, collision);
  const names = shield.limits.names;
  const n = names.length;
  const lo = shield.limits.lower;
  const hi = shield.limits.upper;
  const dt = shield.dtS;
  const js: NamedJointState = { stampS: 0, names, position: new Float64Array(n), velocity: new Float64Array(n) };
  const cand: NamedCandidate = { stampS: 0, names, positions: new Float64Array(n), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const us = new Float64Array(ticks);
  let heapBytes = 0;
  let heapTicks = 0;
  const window = 1000;
  let h0 = 0;
  let gc0 = 0;
  for (let k = 0; k < ticks; k++) {
    const t = k * dt;
    if (k % window === 0) {
      h0 = process.memoryUsage().heapUsed;
      gc0 = gcCount;
    }
    js.stampS = t;
    const fresh = k % 10 === 0;
    if (fresh) {
      cand.stampS = t;
      for (let i = 0; i < n; i++) {
        const mid = Math.max(lo[i]!, Math.min(hi[i]!, 0));
        cand.positions[i] = stream === 'smooth'
          ? Math.max(lo[i]!, Math.min(hi[i]!, mid + 0.3 * Math.sin(2 * Math.PI * 0.5 * t + i)))
          : lo[i]! + (hi[i]! - lo[i]!) * rand();
      }
    }
    const t0 = performance.now();
    shield.tick(t, js, fresh ? cand : null);
    us[k] = (performance.now() - t0) * 1000;
    for (let i = 0; i < n; i++) {
      js.velocity[i] = (shield.output[i]! - js.position[i]!) / dt;
      js.position[i] = shield.output[i]!;
    }
    if (k % window === window - 1) {
      const h1 = process.memoryUsage().heapUsed;
      if (gcCount === gc0 && h1 >= h0) {
        heapBytes += h1 - h0;
        heapTicks += window;
      }
    }
  }
  return { us: us.subarray(Math.floor(ticks / 10)), heapPerTick: heapTicks > 0 ? heapBytes / heapTicks : NaN, pairs };
}

/** Shield cost per tick on the humanoid, keyed `shield_<case>_{p50,p99,max}_us` plus pairs and heap bytes per tick. */
export async function benchShield(options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const ticks = options.ticks ?? 30_000;
  const model = loadUrdfFile(resolve(options.repoRoot ?? process.cwd(), 'urdf/g1_29dof.urdf'));
  const obs = new PerformanceObserver((list) => {
    gcCount += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const out: Record<string, number> = {};
  try {
    const cases: Array<[string, boolean, Stream]> = [
      ['limits', false, 'smooth'],
      ['collision', true, 'smooth'],
      ['collision_adversarial', true, 'adversarial'],
    ];
    for (const [name, collision, stream] of cases) {
      run(model, collision, stream, 2000); // warm-up (JIT)
      const r = run(model, collision, stream, ticks);
      out[`shield_${name}_p50_us`] = percentile(r.us, 0.5);
      out[`shield_${name}_p99_us`] = percentile(r.us, 0.99);
      out[`shield_${name}_max_us`] = percentile(r.us, 1);
      out[`shield_${name}_heap_bytes_per_tick`] = r.heapPerTick;
      if (collision) out['shield_collision_pairs'] = r.pairs;
    }
  } finally {
    obs.disconnect();
  }
  return out;
}
