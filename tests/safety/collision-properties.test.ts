/**
 * Property test of the self-collision and workspace barriers on the G1-class
 * humanoid (fixed base): random and adversarial target streams; every output
 * keeps every checked capsule pair at least minDistanceM apart and the hands
 * inside the workspace box (tolerance 1e-6 m), within position and velocity
 * limits. Acceleration may be exceeded only on ticks where a barrier needed
 * it (counted as an acceleration relaxation).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { actuatedJoints, jointLimitArrays } from '../../src/robot/model.js';
import { Constraint } from '../../src/safety/band.js';
import { CollisionModel } from '../../src/safety/collision-model.js';
import {
  CollisionConfigSchema, ShieldCoreConfigSchema, ShieldLimitsConfigSchema, WorkspaceConfigSchema,
} from '../../src/safety/config.js';
import type { NamedCandidate, NamedJointState } from '../../src/safety/inputs.js';
import { shieldLimitsOrThrow } from '../../src/safety/limits.js';
import { Shield } from '../../src/safety/shield.js';
import { Plant, prng, uniform } from './adversary.js';

const model = loadUrdfFile('urdf/g1_29dof_fixed.urdf');
const names = actuatedJoints(model).map((j) => j.name);
const urdf = jointLimitArrays(model, names);
const HANDS = ['left_rubber_hand', 'right_rubber_hand'];

function handFloorAtReference(): number {
  const cm = new CollisionModel(model, names, CollisionConfigSchema.parse({}), WorkspaceConfigSchema.parse({ links: HANDS, minM: [null, null, -100] }));
  cm.measure(new Float64Array(names.length));
  return -100 + cm.minWorkspaceClearanceM;
}
const lowestHandZ = handFloorAtReference();

describe('collision and workspace barriers on the humanoid', () => {
  it('no output brings checked capsules closer than the minimum distance or a hand out of its box', () => {
    const collision = CollisionConfigSchema.parse({});
    const workspace = WorkspaceConfigSchema.parse({ links: HANDS, minM: [-0.6, -0.7, lowestHandZ - 0.05], maxM: [0.6, 0.7, null] });
    let ticks = 0;
    let barrierTicks = 0;
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 25 }), fc.constantFrom(500, 1000), (seed, every, rateHz) => {
      const r = prng(seed);
      const limits = shieldLimitsOrThrow(urdf, ShieldLimitsConfigSchema.parse({ accelerationRadPerS2: 400, decelerationRadPerS2: 200, kpNmPerRad: 60, kdNmSPerRad: 2 }));
      const model1 = new CollisionModel(model, names, collision, workspace);
      const check = new CollisionModel(model, names, collision, workspace);
      const sh = new Shield(limits, ShieldCoreConfigSchema.parse({ rateHz, inputs: { maxConsecutiveRejections: 1000 } }), {
        source: model1, decayRatePerS: collision.decayRatePerS, maxActive: collision.maxActive,
      });
      const plant = new Plant(r, urdf, 60, 2);
      plant.q.fill(0);
      const n = names.length;
      const dt = 1 / rateHz;
      const js: NamedJointState = { stampS: 0, names, position: new Float64Array(n), velocity: new Float64Array(n) };
      const cand: NamedCandidate = { stampS: 0, names, positions: new Float64Array(n), velocities: new Float64Array(0), effort: new Float64Array(0), horizonS: 0 };
      const prev = new Float64Array(n);
      const prev2 = new Float64Array(n);
      let history = 0;
      for (let k = 0; k < 1500; k++) {
        const now = k * dt;
        js.stampS = now;
        js.position.set(plant.q);
        js.velocity.set(plant.qd);
        if (k % every === 0) {
          cand.stampS = now;
          const mode = r();
          for (let i = 0; i < n; i++) {
            cand.positions[i] = mode < 0.7 ? uniform(r, urdf.lower[i]! - 0.3, urdf.upper[i]! + 0.3) : mode < 0.85 ? uniform(r, -50, 50) : 0;
          }
        }
        const relaxedBefore = sh.status.relaxations[Constraint.Acceleration]!;
        sh.tick(now, js, k % every === 0 ? cand : null);
        ticks++;
        if (!sh.hasOutput) continue;
        const out = sh.output;
        check.measure(out);
        if (check.minCollisionClearanceM < -1e-6) throw new Error(`tick ${k}: capsules ${check.minCollisionClearanceM} m inside the minimum distance; relax ${Array.from(sh.status.relaxations)} lastL2 ${sh.status.lastIntervention.l2Rad}`);
        if (check.minWorkspaceClearanceM < -1e-6) throw new Error(`tick ${k}: hand ${check.minWorkspaceClearanceM} m outside the workspace`);
        const barrierNeededAccel = sh.status.relaxations[Constraint.Acceleration]! > relaxedBefore;
        if (barrierNeededAccel) barrierTicks++;
        for (let i = 0; i < n; i++) {
          const x = out[i]!;
          if (!Number.isFinite(x)) throw new Error(`tick ${k} joint ${names[i]}: non-finite output ${x}`);
          if (x < limits.lower[i]! - 1e-12 || x > limits.upper[i]! + 1e-12) {
            if (!(history > 0 && Math.abs(x - prev[i]!) <= limits.velocity[i]! * dt)) throw new Error(`tick ${k} joint ${names[i]}: position ${x} prev ${prev[i]} lower ${limits.lower[i]} history ${history} state ${sh.status.state} relax ${Array.from(sh.status.relaxations)}`);
          }
          if (history > 0 && Math.abs(x - prev[i]!) > limits.velocity[i]! * dt * (1 + 1e-9) + 1e-12) {
            throw new Error(`tick ${k} joint ${names[i]}: velocity ${(x - prev[i]!) / dt}`);
          }
          // Acceleration above the limit only on ticks the shield counted as barrier-forced braking.
          if (history > 1 && !barrierNeededAccel) {
            const a = (x - 2 * prev[i]! + prev2[i]!) / (dt * dt);
            const tolA = 1e-9 * 400 + (16 * Number.EPSILON * (1 + Math.abs(x))) / (dt * dt);
            if (Math.abs(a) > 400 + tolA) throw new Error(`tick ${k} joint ${names[i]}: acceleration ${a} not counted as a barrier relaxation`);
          }
        }
        prev2.set(prev);
        prev.set(out);
        history++;
        plant.step(out, dt, 0);
      }
    }), { numRuns: 24, seed: 99 });
    expect(ticks).toBeGreaterThanOrEqual(24 * 1500);
    // Barrier-forced braking happens (this stream drives the arms into the body) and is always counted.
    expect(barrierTicks).toBeGreaterThan(0);
  });
});
