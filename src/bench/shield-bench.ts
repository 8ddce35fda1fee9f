/**
 * Per-tick cost of the safety shield as `npm start` runs it: the shipped
 * fixed-base profile (config/shield.yaml, 500 Hz, effort stage and a 0.15 rad
 * following-error bound on) on the fixed-base G1 (29 joints), closed around
 * the same embedded MuJoCo sim the embedded run steps (config/embedded.yaml's
 * `sim`: 1 ms Euler steps, gravity, PD servos with the run's gains, the
 * policy's start pose). Each tick: the sim's `/joint_states` (position,
 * velocity, stamp = sim time) and, every 10th tick (50 Hz, like the policy),
 * a candidate go into `shield.step`; the shield's command becomes the servo
 * targets; the sim steps 2 ms. The servos lag and sag under gravity, so the
 * effort stage and the following-error bound see a real measured state.
 *
 * Only `shield.step` is timed (the sim step and the state read are not); in
 * the collision cases it includes the row counter wrapped around the barrier
 * source (a call and four counter updates per tick).
 * Cases: joint limits only (collision off); with self-collision on a smooth
 * stream (each joint ±0.3 rad at 0.5 Hz around the start pose, the legs
 * included: they swing into each other, so barrier rows fill the cap); the
 * same with only the 14 arm joints moving, the rest holding the start pose
 * (as in `npm start`, whose policy commands the arms); with
 * self-collision on an adversarial stream (a uniformly random target inside
 * the limits for every joint at each candidate). Self-collision: the shipped
 * capsule pairs; each tick a pair is measured unless a conservative lower
 * bound on its distance (its last distance minus how far both capsules moved
 * since) already rules it out as a barrier row, so every pair is covered every
 * tick but most are not re-measured. The shipped profile has no workspace box.
 *
 * Figures per case: tick µs p50/p99/max (wall); process CPU µs per tick
 * p50/p99 (getrusage, µs resolution: on a loaded machine the wall p99 is
 * mostly time spent descheduled, the CPU p99 is not); the share of ticks on which the
 * effort, following-error, collision, velocity and acceleration stages were
 * active (changed the command on ≥ 1 joint or were relaxed, ./stage-activity.ts);
 * the share of ticks with ≥ 1 barrier row (the projection with barriers ran)
 * and the mean and most rows then (the shipped cap is `collision.maxActive`, 32); heap bytes per closed-loop tick (shield + sim
 * step + state read; ./heap.ts: GC-free windows, no timers in the step).
 * Empty when the MuJoCo addon is missing.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadUrdfFile } from '../io/urdf-file.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';
import { resolveRunSetup, loadShieldConfig } from '../runtime/run-setup.js';
import { assembleShield } from '../safety/assembly.js';
import type { ShieldNodeConfig } from '../safety/config.js';
import type { NamedCandidate, NamedJointState } from '../safety/inputs.js';
import { Shield } from '../safety/shield.js';
import { ShieldState } from '../safety/status.js';
import { mujocoAvailability } from '../sim/addon.js';
import { servoGainsByJoint, type SimConfig } from '../sim/config.js';
import { MujocoSim } from '../sim/simulation.js';
import { makeJointState } from '../transport/messages.js';
import { heapBytesPerCall } from './heap.js';
import { RowCountingSource, StageActivity } from './stage-activity.js';
import { percentile } from './stats.js';

type Stream = 'smooth' | 'arms' | 'adversarial';

const CASE_CHILD = fileURLToPath(new URL('./shield-case-child.js', import.meta.url));

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

interface Rig {
  shield: Shield;
  pairs: number;
  rows: RowCountingSource | null;
  /** Reads the sim state and sets the candidate (every 10th tick); not timed. */
  sense: () => void;
  /** The shield tick (timed). */
  tick: () => void;
  /** The shield's command to the servos, then 2 ms of physics; not timed. */
  act: () => void;
  dispose: () => void;
}

/** The shield of `cfg` (collision on or off) closed around a fresh MuJoCo sim of the fixed-base G1. */
function rig(model: RobotModel, simConfig: SimConfig, cfg: ShieldNodeConfig, collision: boolean, stream: Stream): Rig {
  const names = actuatedJoints(model).map((j) => j.name);
  const sim = new MujocoSim({ model, config: simConfig, targetJointOrder: names });
  const shieldCfg: ShieldNodeConfig = collision ? cfg : { ...cfg, collision: { ...cfg.collision, enabled: false } };
  // The node's own assembly (limits, gains check, collision model), then the same Shield with a row-counting source.
  const assembled = assembleShield({
    robot: model, servoGains: servoGainsByJoint(simConfig, names), gainsSource: 'sim.gains', base: sim.build.base,
  }, shieldCfg);
  const cm = assembled.collision;
  const rows = cm && collision ? new RowCountingSource(cm) : null;
  const shield = rows
    ? new Shield(assembled.limits, shieldCfg.core, { source: rows, decayRatePerS: shieldCfg.collision.decayRatePerS, maxActive: shieldCfg.collision.maxActive })
    : assembled.shield;
  if (shield.limits.names.join() !== names.join()) throw new Error('shield bench: the shield and the sim order the joints differently');
  const n = names.length;
  const stepsPerTick = Math.round(shield.dtS / sim.timestepS);
  if (Math.abs(stepsPerTick * sim.timestepS - shield.dtS) > 1e-12) throw new Error('shield bench: the shield period is not a whole number of sim steps');
  const lo = shield.limits.lower;
  const hi = shield.limits.upper;
  const msg = makeJointState(names);
  const js = new JointStateView(msg.name, msg.position, msg.velocity);
  const cand = new CandidateView(names, new Float64Array(n), new Float64Array(0), new Float64Array(0));
  const simTime = new Float64Array(1);
  const state = new Float64Array(3); // [0] tick count, [1] LCG seed, [2] whether this tick has a fresh candidate
  state[1] = 12345;
  sim.readJointState(msg);
  const centre = Float64Array.from(msg.position, (x, i) => Math.max(lo[i]!, Math.min(hi[i]!, x)));
  const arm = Uint8Array.from(names, (name) => (/_(shoulder|elbow|wrist)_/.test(name) ? 1 : 0));
  const sense = (): void => {
    sim.readJointState(msg);
    sim.readTime(simTime);
    const t = simTime[0]!;
    shield.clock.nowS = t;
    js.stampS = t;
    const k = state[0]!;
    state[2] = k % 10 === 0 ? 1 : 0;
    if (state[2] === 1) {
      cand.stampS = t;
      for (let i = 0; i < n; i++) {
        let x: number;
        if (stream === 'smooth' || (stream === 'arms' && arm[i] === 1)) x = centre[i]! + 0.3 * Math.sin(2 * Math.PI * 0.5 * t + i);
        else if (stream === 'arms') x = centre[i]!;
        else {
          state[1] = (state[1]! * 1103515245 + 12345) % 2147483648;
          x = lo[i]! + (hi[i]! - lo[i]!) * (state[1]! / 2147483648);
        }
        cand.positions[i] = Math.max(lo[i]!, Math.min(hi[i]!, x));
      }
    }
    state[0] = k + 1;
  };
  const tick = (): void => {
    shield.step(js, state[2] === 1 ? cand : null);
  };
  const act = (): void => {
    if (shield.hasOutput) sim.setPositionTargets(shield.output);
    sim.step(stepsPerTick);
  };
  return { shield, pairs: cm && collision ? cm.pairCount : 0, rows, sense, tick, act, dispose: () => sim.dispose() };
}

interface CaseResult {
  us: Float64Array;
  /** Process CPU time per tick, µs (whole µs; includes the two clock reads around the tick). */
  cpuUs: Float64Array;
  heapPerTick: number;
  pairs: number;
  activity: StageActivity;
  rows: RowCountingSource | null;
  activeShare: number;
}

async function runCase(model: RobotModel, simConfig: SimConfig, cfg: ShieldNodeConfig, collision: boolean, stream: Stream, ticks: number): Promise<CaseResult> {
  const r = rig(model, simConfig, cfg, collision, stream);
  try {
    const { shield, sense, tick, act } = r;
    for (let k = 0; k < 3000; k++) { sense(); tick(); act(); } // warm-up (JIT), also the start transient
    r.rows?.clear();
    const activity = new StageActivity(shield.status);
    const us = new Float64Array(ticks);
    const cpuUs = new Float64Array(ticks);
    let active = 0;
    for (let k = 0; k < ticks; k++) {
      sense();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      tick();
      us[k] = (performance.now() - t0) * 1000;
      const c = process.cpuUsage(c0);
      cpuUs[k] = c.user + c.system;
      act();
      activity.record(shield.status);
      if (shield.status.state === ShieldState.Active) active++;
    }
    const loop = (): void => { sense(); tick(); act(); };
    const heapPerTick = await heapBytesPerCall(loop, 2000);
    return { us, cpuUs, heapPerTick, pairs: r.pairs, activity, rows: r.rows, activeShare: active / ticks };
  } finally {
    r.dispose();
  }
}

const CASES: Record<string, [boolean, Stream]> = {
  limits: [false, 'smooth'],
  collision: [true, 'smooth'],
  collision_arms: [true, 'arms'],
  collision_adversarial: [true, 'adversarial'],
};

/** One case's figures (keys `shield_<case>_…`), run in this process. */
export async function benchShieldCase(name: string, options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const c = CASES[name];
  if (!c) throw new Error(`shield bench: unknown case '${name}' (have: ${Object.keys(CASES).join(', ')})`);
  const [collision, stream] = c;
  const ticks = options.ticks ?? 30_000;
  const root = options.repoRoot ?? process.cwd();
  const out: Record<string, number> = {};
  if (!mujocoAvailability().available) return out;
  const setup = resolveRunSetup(resolve(root, 'config/embedded.yaml'));
  const model = loadUrdfFile(setup.urdfPath, { packageDirs: setup.packageDirs });
  const cfg = loadShieldConfig(setup.shieldPath);
  const r3 = (x: number): number => Number(x.toFixed(3));
  const r = await runCase(model, setup.config.sim, cfg, collision, stream, ticks);
  out[`shield_${name}_p50_us`] = percentile(r.us, 0.5);
  out[`shield_${name}_p99_us`] = percentile(r.us, 0.99);
  out[`shield_${name}_max_us`] = percentile(r.us, 1);
  out[`shield_${name}_cpu_p50_us`] = percentile(r.cpuUs, 0.5);
  out[`shield_${name}_cpu_p99_us`] = percentile(r.cpuUs, 0.99);
  out[`shield_${name}_load1`] = Number(loadavg()[0]!.toFixed(2));
  out[`shield_${name}_heap_bytes_per_tick`] = r.heapPerTick;
  out[`shield_${name}_active_state_share`] = r3(r.activeShare);
  for (const stage of ['effort', 'following', 'velocity', 'acceleration'] as const) {
    out[`shield_${name}_${stage}_active_share`] = r3(r.activity.share(stage));
  }
  if (r.rows) {
    out[`shield_${name}_collision_active_share`] = r3(r.activity.share('collision'));
    out[`shield_${name}_barrier_rows_share`] = r3(r.rows.withRows / r.rows.evaluations);
    out[`shield_${name}_barrier_rows_mean_when_any`] = r.rows.withRows === 0 ? 0 : r3(r.rows.rows / r.rows.withRows);
    out[`shield_${name}_barrier_rows_max`] = r.rows.maxRows;
    out['shield_collision_pairs'] = r.pairs;
  }
  return out;
}

/**
 * Shield cost per tick on the fixed-base G1 closed around the MuJoCo sim, keyed
 * `shield_<case>_{p50,p99,max}_us`, `shield_<case>_<stage>_active_share`,
 * `shield_<case>_barrier_rows_share`, heap bytes per tick, and the load average.
 * Each case runs in its own Node process (./shield-case-child.ts): a process
 * runs one shield, and a second rig in the same process makes the harness's
 * shared closures polymorphic (measured: 48 B/tick of the bench's own garbage
 * in the second and third case, 0.1 B/tick when each runs alone).
 */
export async function benchShield(options: { ticks?: number; repoRoot?: string } = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (!mujocoAvailability().available) return out;
  for (const name of Object.keys(CASES)) {
    const args = [...process.execArgv, CASE_CHILD, name, String(options.ticks ?? 30_000), options.repoRoot ?? process.cwd()];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`shield bench case '${name}' exited with ${r.status ?? r.signal}`);
    const figures = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number | null>;
    for (const [k, v] of Object.entries(figures)) out[k] = v ?? Number.NaN;
  }
  return out;
}
