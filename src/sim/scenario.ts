/**
 * Scenario events: dynamics changes applied to the running simulation at a
 * given sim time (a heavier link, a payload, joint wear, weaker motors, a push).
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';
import type { MujocoSim } from './simulation.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
/** Sim time at which the event applies, s. */
const atS = finite.nonnegative().default(0);
const target = z.string().min(1);

export const ScenarioEventSchema = deepStrict(z.discriminatedUnion('kind', [
  /** target: link name. Inertia scales with the mass. */
  z.object({ atS, kind: z.literal('set_mass'), target, values: z.object({ massKg: finite.positive() }) }),
  /** target: link name. A point mass at comOffsetM (link frame, relative to the link's centre of mass). */
  z.object({
    atS,
    kind: z.literal('add_payload'),
    target,
    values: z.object({ massKg: finite.positive(), comOffsetM: z.tuple([finite, finite, finite]).default([0, 0, 0]) }),
  }),
  /** target: joint name; N·m·s/rad. */
  z.object({ atS, kind: z.literal('set_damping'), target, values: z.object({ damping: finite.nonnegative() }) }),
  /** target: joint name; Coulomb friction loss, N·m. */
  z.object({ atS, kind: z.literal('set_friction'), target, values: z.object({ friction: finite.nonnegative() }) }),
  /** target: actuated joint name; kp N·m/rad, kd N·m·s/rad. */
  z.object({ atS, kind: z.literal('set_gains'), target, values: z.object({ kp: finite.nonnegative(), kd: finite.nonnegative() }) }),
  /** target: actuated joint name; symmetric torque clip, N·m. */
  z.object({ atS, kind: z.literal('set_effort_limit'), target, values: z.object({ effortNm: finite.positive() }) }),
  /**
   * target: the floating base's root link. An impulse on the whole robot (world frame, N·s): every body's
   * velocity changes by impulse / total mass at once (a shove; admission trials' pushes).
   */
  z.object({ atS, kind: z.literal('push'), target, values: z.object({ impulseNs: z.tuple([finite, finite, finite]) }) }),
]));
export type ScenarioEvent = z.infer<typeof ScenarioEventSchema>;
export type ScenarioEventInput = z.input<typeof ScenarioEventSchema>;

/** Problems with an event's target in this sim (empty when it can be applied). */
export function scenarioEventProblems(sim: MujocoSim, e: ScenarioEvent): string[] {
  switch (e.kind) {
    case 'set_mass':
    case 'add_payload':
      return sim.hasLink(e.target) ? [] : [`${e.kind} at ${e.atS} s: unknown link '${e.target}'`];
    case 'set_damping':
    case 'set_friction':
      return sim.hasJoint(e.target) ? [] : [`${e.kind} at ${e.atS} s: unknown joint '${e.target}'`];
    case 'set_gains':
    case 'set_effort_limit':
      return sim.hasActuatedJoint(e.target) ? [] : [`${e.kind} at ${e.atS} s: '${e.target}' is not an actuated joint`];
    case 'push':
      return sim.build.base === 'floating' && e.target === sim.build.rootBody
        ? []
        : [`push at ${e.atS} s: '${e.target}' is not the floating base's root link${sim.build.base === 'floating' ? ` ('${sim.build.rootBody}')` : ' (the base is fixed)'}`];
  }
}

/** Applies one event now (throws on an unknown target). */
export function applyScenarioEvent(sim: MujocoSim, e: ScenarioEvent): void {
  switch (e.kind) {
    case 'set_mass':
      return sim.setLinkMass(e.target, e.values.massKg);
    case 'add_payload':
      return sim.addPayload(e.target, e.values.massKg, e.values.comOffsetM);
    case 'set_damping':
      return sim.setJointDamping(e.target, e.values.damping);
    case 'set_friction':
      return sim.setJointFriction(e.target, e.values.friction);
    case 'set_gains':
      return sim.setGains(e.target, e.values.kp, e.values.kd);
    case 'set_effort_limit':
      return sim.setEffortLimit(e.target, e.values.effortNm);
    case 'push':
      return sim.pushBase(e.values.impulseNs);
  }
}
