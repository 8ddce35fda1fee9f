/**
 * Hand-built robot models for the sim tests (no URDF parser): a box "pelvis"
 * with a two-joint arm that sticks out horizontally along +x at q = 0, so
 * gravity pulls both pitch joints (axis +y) towards positive angles.
 */
import { RobotModelSchema, type RobotModel } from '../../src/robot/model.js';
import { mujocoAvailability } from '../../src/sim/addon.js';

const boxInertia = (m: number, x: number, y: number, z: number) => ({
  ixx: (m * (y * y + z * z)) / 12,
  iyy: (m * (x * x + z * z)) / 12,
  izz: (m * (x * x + y * y)) / 12,
  ixy: 0,
  ixz: 0,
  iyz: 0,
});

/**
 * pelvis (5 kg box 0.2 m) → shoulder_pitch (+y, effort 50 N·m) → upper_arm
 * (1 kg, com 0.25 m out) → elbow_pitch (+y, effort 20 N·m) → forearm
 * (0.5 kg, com 0.15 m out) → fixed → hand (no inertial).
 * With `world`: a `world` root link welded to the pelvis at z = 1 m.
 */
export function armModel(opts: { world: boolean }): RobotModel {
  const links = [
    {
      name: 'pelvis',
      inertial: { mass: 5, origin: { xyz: [0, 0, 0], rpy: [0, 0, 0] }, inertia: boxInertia(5, 0.2, 0.2, 0.2) },
      collisions: [{ origin: { xyz: [0, 0, 0], rpy: [0, 0, 0] }, geometry: { kind: 'box', size: [0.2, 0.2, 0.2] } }],
    },
    {
      name: 'upper_arm',
      inertial: { mass: 1, origin: { xyz: [0.25, 0, 0], rpy: [0, Math.PI / 2, 0] }, inertia: { ixx: 0.02, iyy: 0.02, izz: 0.0005, ixy: 0, ixz: 0, iyz: 0 } },
      collisions: [
        { origin: { xyz: [0.25, 0, 0], rpy: [0, Math.PI / 2, 0] }, geometry: { kind: 'cylinder', radius: 0.03, length: 0.4 } },
      ],
    },
    {
      name: 'forearm',
      inertial: { mass: 0.5, origin: { xyz: [0.15, 0, 0], rpy: [0, 0, 0] }, inertia: boxInertia(0.5, 0.3, 0.05, 0.05) },
      collisions: [{ origin: { xyz: [0.3, 0, 0], rpy: [0, 0, 0] }, geometry: { kind: 'sphere', radius: 0.04 } }],
    },
    { name: 'hand', collisions: [] },
  ];
  const joints = [
    {
      name: 'shoulder_pitch',
      type: 'revolute',
      parent: 'pelvis',
      child: 'upper_arm',
      origin: { xyz: [0.15, 0, 0], rpy: [0, 0, 0] },
      axis: [0, 1, 0],
      limit: { lower: -2.5, upper: 2.5, velocity: 10, effort: 50 },
    },
    {
      name: 'elbow_pitch',
      type: 'revolute',
      parent: 'upper_arm',
      child: 'forearm',
      origin: { xyz: [0.5, 0, 0], rpy: [0, 0, 0] },
      axis: [0, 1, 0],
      limit: { lower: -2.5, upper: 2.5, velocity: 10, effort: 20 },
      dynamics: { damping: 0.1, friction: 0.05 },
    },
    { name: 'hand_fixed', type: 'fixed', parent: 'forearm', child: 'hand', origin: { xyz: [0.35, 0, 0], rpy: [0, 0, 0] }, axis: [1, 0, 0] },
  ];
  if (opts.world) {
    links.unshift({ name: 'world', collisions: [] });
    joints.unshift({ name: 'world_joint', type: 'fixed', parent: 'world', child: 'pelvis', origin: { xyz: [0, 0, 1], rpy: [0, 0, 0] }, axis: [1, 0, 0] });
  }
  return RobotModelSchema.parse({
    name: opts.world ? 'arm_fixed' : 'arm_floating',
    links,
    joints,
    rootLink: opts.world ? 'world' : 'pelvis',
    ros2Control: [],
    warnings: [],
  });
}

/** Gains for the arm fixture, N·m/rad and N·m·s/rad. */
export const ARM_GAINS = { shoulder_pitch: { kp: 200, kd: 5 }, elbow_pitch: { kp: 100, kd: 2 } };

const availability = mujocoAvailability();
/** Whether the native addon loads here; prints why not (so a skipped suite says why). */
export const mujocoReady: boolean = availability.available;
if (!availability.available) {
  console.warn(`[tests/sim] MuJoCo tests skipped: ${availability.reason}`);
}
