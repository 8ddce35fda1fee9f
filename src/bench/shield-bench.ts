/**
 * Per-tick cost of the safety shield on the 29-joint G1 humanoid (floating
 * base, 500 Hz): joint limits only; with self-collision (every checked
 * capsule pair, every tick) and a hands-above-floor workspace, on a smooth
 * stream; and on an adversarial stream of random far targets that keeps the
 * barriers active. Figures: p50/p99/max µs per tick, checked pairs, and heap
 * bytes allocated per tick (./heap.ts: GC-free windows, no timers in the step;
 * the clock is set through `shield.clock`, so no boxed time argument).
 * Limits and collision settings are the shipped ones (config/shield.yaml).
 * Printed figures only; the lead's `npm run bench` calls {@link benchShield}.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadUrdfFile } from '../io/urdf-file.js';
import { actuatedJoints, jointLimitArrays, type RobotModel } from '../robot/model.js';
import { CollisionModel } from '../safety/collision-model.js';
import { ShieldCoreConfigSchema, ShieldNodeConfigSchema, WorkspaceConfigSchema, type ShieldNodeConfig } from '../safety/config.js';
import { loadConfigFile } from '../io/config-file.js';
import type { NamedCandidate, NamedJointState } from '../safety/inputs.js';
import { shieldLimitsOrThrow } from '../safety/limits.js';
import { Shield } from '../safety/shield.js';
import { gainsFor, SimConfigSchema } from '../sim/config.js';
import { heapBytesPerCall } from './heap.js';
import { percentile } from './stats.js';

type Stream = 'smooth' | 'adversarial';

function makeShield(model: RobotModel, collision: boolean, shipped: ShieldNodeConfig): { shield: Shield; pairs: number } {
  const names = actuatedJoints(model).map((j) => j.name);
  // The servo gains the sim runs by default (the run config's sim.gains), as the embedded run hands them over.
  const sim = SimConfigSchema.parse({});
  const gains = Object.fromEntries(names.map((n) => [n, gainsFor(sim, n)]));
  const limits = shieldLimitsOrThrow(jointLimitArrays(model, names), shipped.limits, { gains });
  const core = ShieldCoreConfigSchema.parse({ rateHz: 500, autoActivate: true, inputs: { allowPartialCandidates: true } });
  if (!collision) return { shield: new Shield(limits, core), pairs: 0 };
  const cc = shipped.collision;
  const cm = new CollisionModel(model, names, cc, WorkspaceConfigSchema.parse({
    links: ['left_rubber_hand', 'right_rubber_hand'], minM: [null, null, 0.05], rootPose: { xyz: [0, 0, 0.79] },
  }));
  return { shield: new Shield(limits, core, { source: cm, decayRatePerS: cc.decayRatePerS, maxActive: cc.maxActive }), pairs: cm.pairCount };
}

/** Message objects as classes, so that writing a stamp stores a double in place (no allocation). */
class JointStateView implements NamedJointState {
  stampS = Number.NaN;
  constructor(readonly names: readonly string[], readonly position: Float64Array, readonly velocity: Float64Array) {}
}
class CandidateView implements NamedCandidate {
  stampS = Number.NaN;
  horizonS = Number.NaN;
  constructor(readonly names: readonly string[], readonly positions: Float64Array, readonly velocities: Float64Array,
    readonly effort: Float64Array) {
    this.horizonS = 0;
  }
}

/** A shield on a tracking plant with a 50 Hz candidate stream; `step()` runs one tick and allocates nothing itself. */
function rig(model: RobotModel, collision: boolean, stream: Stream, shipped: ShieldNodeConfig): { shield: Shield; pairs: number; step: () => void } {
  const { shield, pairs } = makeShield(model, collision, shipped);
  const names = shield.limits.names;
  const n = names.length;
  const lo = shield.limits.lower;
  const hi = shield.limits.upper;
  const dt = shield.dtS;
  const js = new JointStateView(names, new Float64Array(n), new Float64Array(n));
  const cand = new CandidateView(names, new Float64Array(n), new Float64Array(0), new Float64Array(0));
  const state = new Float64Array(2); // [0] tick count, [1] LCG seed
  state[1] = 12345;
  const step = (): void => {
    const k = state[0]!;
    const t = k * dt;
    shield.clock.nowS = t;
    js.stampS = t;
    const fresh = k % 10 === 0;
    if (fresh) {
      cand.stampS = t;
      for (let i = 0; i < n; i++) {
        const mid = Math.max(lo[i]!, Math.min(hi[i]!, 0));
        let x: number;
        if (stream === 'smooth') x = mid + 0.3 * Math.sin(2 * Math.PI * 0.5 * t + i);
        else {
          state[1] = (state[1]! * 1103515245 + 12345) % 2147483648;
          x = lo[i]! + (hi[i]! - lo[i]!) * (state[1]! / 2147483648);
        }
        cand.positions[i] = Math.max(lo[i]!, Math.min(hi[i]!, x));
      }
    }
    shield.step(js, fresh ? cand : null);
    for (let i = 0; i < n; i++) {
      js.velocity[i] = (shield.output[i]! - js.position[i]!) / dt;
      js.position[i] = shield.output[i]!;
    }
    state[0] = k + 1;
  };
  return { shield, pairs, step };
}

/** Per-tick µs over `ticks` ticks (after a warm-up), and heap bytes per tick measured without timers. */
async function run(model: RobotModel, collision: boolean, stream: Stream, ticks: number, shipped: ShieldNodeConfig): Promise<{ us: Float64Array; heapPerTick: number; pairs: number }> {
  const { step, pairs } = rig(model, collision, stream, shipped);
  for (let k = 0; k < 3000; k++) step(); // warm-up (JIT)
  const us = new Float64Array(ticks);
  for (let k = 0; k < ticks; k++) {
    const t0 = performance.now();
    step();
    us[k] = (performance.now() - t0) * 1000;
  }
  const heapPerTick = await heapBytesPerCall(step, 2000);
  return { us, heapPerTick, pairs };
}

/** Shield cost per tick on the humanoid, keyed `shield_<case>_{p50,p99,max}_us` plus pairs and heap bytes per tick. */
export async function benchShield(options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const ticks = options.ticks ?? 30_000;
  const root = options.repoRoot ?? process.cwd();
  const model = loadUrdfFile(resolve(root, 'urdf/g1_29dof.urdf'));
  // The shipped limits and collision settings (config/shield.yaml); the workspace is the bench's own (hands above the floor).
  const shipped = loadConfigFile(ShieldNodeConfigSchema, resolve(root, 'config/shield.yaml'));
  const out: Record<string, number> = {};
  const cases: Array<[string, boolean, Stream]> = [
    ['limits', false, 'smooth'],
    ['collision', true, 'smooth'],
    ['collision_adversarial', true, 'adversarial'],
  ];
  for (const [name, collision, stream] of cases) {
    const r = await run(model, collision, stream, ticks, shipped);
    out[`shield_${name}_p50_us`] = percentile(r.us, 0.5);
    out[`shield_${name}_p99_us`] = percentile(r.us, 0.99);
    out[`shield_${name}_max_us`] = percentile(r.us, 1);
    out[`shield_${name}_heap_bytes_per_tick`] = r.heapPerTick;
    if (collision) out['shield_collision_pairs'] = r.pairs;
  }
  return out;
}
