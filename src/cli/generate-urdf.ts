/**
 * Writes the shipped G1-class humanoid URDFs:
 *   urdf/g1_29dof.urdf        floating base (root link `pelvis`)
 *   urdf/g1_29dof_fixed.urdf  `world` link + fixed joint `pelvis_weld` at z = 0.793 m
 *
 * Usage: node dist/cli/generate-urdf.js [outDir=urdf]
 *
 * Kinematics and limits follow the Unitree G1 29-DoF (joint names, order,
 * axes: pitch about y, roll about x, yaw about z; limits, efforts, speeds), but
 * the zero pose is straight: legs vertical, arms hanging down. The wrist
 * frames are turned by pitch π/2 so that wrist roll (x) runs along the
 * hanging forearm, as it runs along the G1 forearm. Geometry is primitive
 * (no meshes); each link's inertia is that of its solid collision primitive
 * with the link's mass, so it is positive definite and obeys the triangle
 * inequality. Masses sum to ≈ 35 kg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type V3 = [number, number, number];
type Shape =
  | { kind: 'box'; size: V3 }
  | { kind: 'cylinder'; radius: number; length: number }
  | { kind: 'sphere'; radius: number };

interface LinkSpec { name: string; /** kg */ mass: number; shape: Shape; /** Shape centre in the link frame, m. */ at: V3 }
interface JointSpec {
  name: string; type: 'revolute' | 'fixed'; parent: string; child: string;
  /** m */ xyz: V3; /** rad */ rpy?: V3; axis?: V3;
  /** [lower rad, upper rad, effort N·m, velocity rad/s] */ limit?: [number, number, number, number];
  /** [damping N·m·s/rad, friction N·m] */ dyn?: [number, number];
}

const X: V3 = [1, 0, 0], Y: V3 = [0, 1, 0], Z: V3 = [0, 0, 1];
/** Elbow axis: with the arm hanging at zero, positive elbow angles flex the forearm forward (+x), as a human elbow. */
const NEG_Y: V3 = [0, -1, 0];
const box = (x: number, y: number, z: number): Shape => ({ kind: 'box', size: [x, y, z] });
const cyl = (radius: number, length: number): Shape => ({ kind: 'cylinder', radius, length });
const sph = (radius: number): Shape => ({ kind: 'sphere', radius });
const LEG_DYN: [number, number] = [0.1, 0.05];
const ARM_DYN: [number, number] = [0.05, 0.02];
const WRIST_DYN: [number, number] = [0.02, 0.01];
/** Pelvis origin height above the soles when standing in the zero pose, m. */
const PELVIS_HEIGHT = 0.793;

function leg(side: 'left' | 'right'): { links: LinkSpec[]; joints: JointSpec[] } {
  const s = side === 'left' ? 1 : -1;
  const roll = (lo: number, hi: number): [number, number] => (s > 0 ? [lo, hi] : [-hi, -lo]);
  const p = `${side}_`;
  // Vertical offsets sum to 0.752193 m pelvis → ankle roll; the sole is 0.040807 m lower.
  const sole = PELVIS_HEIGHT - (0.1027 + 0.030465 + 0.12412 + 0.17734 + 0.30001 + 0.017558);
  return {
    links: [
      { name: `${p}hip_pitch_link`, mass: 1.35, shape: sph(0.045), at: [0, s * 0.026, -0.015] },
      { name: `${p}hip_roll_link`, mass: 1.52, shape: cyl(0.045, 0.08), at: [0.0125, 0, -0.07] },
      { name: `${p}hip_yaw_link`, mass: 1.702, shape: cyl(0.055, 0.14), at: [-0.0125, 0, -0.09] },
      { name: `${p}knee_link`, mass: 1.932, shape: cyl(0.045, 0.24), at: [0, 0, -0.15] },
      { name: `${p}ankle_pitch_link`, mass: 0.074, shape: sph(0.02), at: [0, 0, 0] },
      { name: `${p}ankle_roll_link`, mass: 0.608, shape: box(0.22, 0.075, 0.04), at: [0.035, 0, -(sole - 0.02)] },
    ],
    joints: [
      { name: `${p}hip_pitch_joint`, type: 'revolute', parent: 'pelvis', child: `${p}hip_pitch_link`, xyz: [0, s * 0.064452, -0.1027], axis: Y, limit: [-2.5307, 2.8798, 88, 32], dyn: LEG_DYN },
      { name: `${p}hip_roll_joint`, type: 'revolute', parent: `${p}hip_pitch_link`, child: `${p}hip_roll_link`, xyz: [0, s * 0.052, -0.030465], axis: X, limit: [...roll(-0.5236, 2.9671), 139, 20], dyn: LEG_DYN },
      { name: `${p}hip_yaw_joint`, type: 'revolute', parent: `${p}hip_roll_link`, child: `${p}hip_yaw_link`, xyz: [0.025001, 0, -0.12412], axis: Z, limit: [-2.7576, 2.7576, 88, 32], dyn: LEG_DYN },
      { name: `${p}knee_joint`, type: 'revolute', parent: `${p}hip_yaw_link`, child: `${p}knee_link`, xyz: [-0.025001, 0, -0.17734], axis: Y, limit: [-0.087267, 2.8798, 139, 20], dyn: LEG_DYN },
      { name: `${p}ankle_pitch_joint`, type: 'revolute', parent: `${p}knee_link`, child: `${p}ankle_pitch_link`, xyz: [0, 0, -0.30001], axis: Y, limit: [-0.87267, 0.5236, 50, 37], dyn: LEG_DYN },
      { name: `${p}ankle_roll_joint`, type: 'revolute', parent: `${p}ankle_pitch_link`, child: `${p}ankle_roll_link`, xyz: [0, 0, -0.017558], axis: X, limit: [-0.2618, 0.2618, 50, 37], dyn: LEG_DYN },
    ],
  };
}

function arm(side: 'left' | 'right'): { links: LinkSpec[]; joints: JointSpec[] } {
  const s = side === 'left' ? 1 : -1;
  const roll = (lo: number, hi: number): [number, number] => (s > 0 ? [lo, hi] : [-hi, -lo]);
  const p = `${side}_`;
  return {
    links: [
      { name: `${p}shoulder_pitch_link`, mass: 0.718, shape: sph(0.035), at: [0, s * 0.03, -0.007] },
      { name: `${p}shoulder_roll_link`, mass: 0.643, shape: cyl(0.035, 0.07), at: [0, s * 0.005, -0.055] },
      { name: `${p}shoulder_yaw_link`, mass: 0.734, shape: cyl(0.032, 0.06), at: [0, 0, -0.04] },
      { name: `${p}elbow_link`, mass: 0.6, shape: cyl(0.03, 0.08), at: [0, 0, -0.05] },
      // Wrist frames: local x points down the forearm.
      { name: `${p}wrist_roll_link`, mass: 0.085, shape: sph(0.022), at: [0.019, 0, 0] },
      { name: `${p}wrist_pitch_link`, mass: 0.484, shape: sph(0.028), at: [0.023, 0, 0] },
      { name: `${p}wrist_yaw_link`, mass: 0.254, shape: sph(0.025), at: [0.02, 0, 0] },
      { name: `${p}rubber_hand`, mass: 0.079, shape: sph(0.035), at: [0.03, 0, 0] },
    ],
    joints: [
      { name: `${p}shoulder_pitch_joint`, type: 'revolute', parent: 'torso_link', child: `${p}shoulder_pitch_link`, xyz: [0.0039563, s * 0.10022, 0.23778], axis: Y, limit: [-3.0892, 2.6704, 25, 37], dyn: ARM_DYN },
      { name: `${p}shoulder_roll_joint`, type: 'revolute', parent: `${p}shoulder_pitch_link`, child: `${p}shoulder_roll_link`, xyz: [0, s * 0.06, -0.013831], axis: X, limit: [...roll(-1.5882, 2.2515), 25, 37], dyn: ARM_DYN },
      { name: `${p}shoulder_yaw_joint`, type: 'revolute', parent: `${p}shoulder_roll_link`, child: `${p}shoulder_yaw_link`, xyz: [0, s * 0.01, -0.1032], axis: Z, limit: [-2.618, 2.618, 25, 37], dyn: ARM_DYN },
      { name: `${p}elbow_joint`, type: 'revolute', parent: `${p}shoulder_yaw_link`, child: `${p}elbow_link`, xyz: [0, 0, -0.080518], axis: NEG_Y, limit: [-1.0472, 2.0944, 25, 37], dyn: ARM_DYN },
      { name: `${p}wrist_roll_joint`, type: 'revolute', parent: `${p}elbow_link`, child: `${p}wrist_roll_link`, xyz: [0, 0, -0.1], rpy: [0, Math.PI / 2, 0], axis: X, limit: [-1.9722, 1.9722, 25, 37], dyn: ARM_DYN },
      { name: `${p}wrist_pitch_joint`, type: 'revolute', parent: `${p}wrist_roll_link`, child: `${p}wrist_pitch_link`, xyz: [0.038, 0, 0], axis: Y, limit: [-1.6144, 1.6144, 5, 22], dyn: WRIST_DYN },
      { name: `${p}wrist_yaw_joint`, type: 'revolute', parent: `${p}wrist_pitch_link`, child: `${p}wrist_yaw_link`, xyz: [0.046, 0, 0], axis: Z, limit: [-1.6144, 1.6144, 5, 22], dyn: WRIST_DYN },
      { name: `${p}hand_palm_joint`, type: 'fixed', parent: `${p}wrist_yaw_link`, child: `${p}rubber_hand`, xyz: [0.0415, 0, 0] },
    ],
  };
}

function g1(): { links: LinkSpec[]; joints: JointSpec[] } {
  const parts = [leg('left'), leg('right')];
  const trunk = {
    links: [
      { name: 'waist_yaw_link', mass: 0.214, shape: cyl(0.05, 0.03), at: [0, 0, 0.015] as V3 },
      { name: 'waist_roll_link', mass: 0.086, shape: sph(0.03), at: [0, 0, 0.01] as V3 },
      { name: 'torso_link', mass: 8.3, shape: box(0.14, 0.18, 0.27), at: [0, 0, 0.155] as V3 },
    ],
    joints: [
      { name: 'waist_yaw_joint', type: 'revolute', parent: 'pelvis', child: 'waist_yaw_link', xyz: [-0.0039635, 0, 0.054], axis: Z, limit: [-2.618, 2.618, 88, 32], dyn: LEG_DYN },
      { name: 'waist_roll_joint', type: 'revolute', parent: 'waist_yaw_link', child: 'waist_roll_link', xyz: [0, 0, 0.035], axis: X, limit: [-0.52, 0.52, 50, 37], dyn: LEG_DYN },
      { name: 'waist_pitch_joint', type: 'revolute', parent: 'waist_roll_link', child: 'torso_link', xyz: [0, 0, 0.019], axis: Y, limit: [-0.52, 0.52, 50, 37], dyn: LEG_DYN },
    ] as JointSpec[],
  };
  parts.push(trunk, arm('left'), arm('right'));
  const links: LinkSpec[] = [
    { name: 'pelvis', mass: 3.813, shape: box(0.12, 0.2, 0.1), at: [0, 0, -0.045] },
    { name: 'imu_in_pelvis', mass: 0.01, shape: sph(0.01), at: [0, 0, 0] },
    { name: 'head_link', mass: 1.0, shape: sph(0.065), at: [0, 0, 0.065] },
  ];
  const joints: JointSpec[] = [];
  for (const part of parts) { links.push(...part.links); joints.push(...part.joints); }
  joints.push(
    { name: 'imu_in_pelvis_joint', type: 'fixed', parent: 'pelvis', child: 'imu_in_pelvis', xyz: [0.04525, 0, -0.08339] },
    { name: 'head_joint', type: 'fixed', parent: 'torso_link', child: 'head_link', xyz: [0, 0, 0.3] },
  );
  return { links, joints };
}

const f = (v: number): string => {
  const r = Number(v.toPrecision(8));
  return Object.is(r, -0) ? '0' : String(r);
};
const v3 = (v: readonly number[]): string => v.map(f).join(' ');

/** Inertia of a solid primitive about its centre, kg·m² [ixx, iyy, izz]. */
function inertia(m: number, s: Shape): V3 {
  switch (s.kind) {
    case 'box': {
      const [x, y, z] = s.size;
      return [(m * (y * y + z * z)) / 12, (m * (x * x + z * z)) / 12, (m * (x * x + y * y)) / 12];
    }
    case 'cylinder': {
      const i = (m * (3 * s.radius * s.radius + s.length * s.length)) / 12;
      return [i, i, (m * s.radius * s.radius) / 2];
    }
    case 'sphere': {
      const i = 0.4 * m * s.radius * s.radius;
      return [i, i, i];
    }
  }
}

function geometryXml(s: Shape): string {
  switch (s.kind) {
    case 'box': return `<box size="${v3(s.size)}"/>`;
    case 'cylinder': return `<cylinder radius="${f(s.radius)}" length="${f(s.length)}"/>`;
    case 'sphere': return `<sphere radius="${f(s.radius)}"/>`;
  }
}

function linkXml(l: LinkSpec): string {
  const [ixx, iyy, izz] = inertia(l.mass, l.shape);
  return `  <link name="${l.name}">
    <inertial>
      <origin xyz="${v3(l.at)}" rpy="0 0 0"/>
      <mass value="${f(l.mass)}"/>
      <inertia ixx="${f(ixx)}" ixy="0" ixz="0" iyy="${f(iyy)}" iyz="0" izz="${f(izz)}"/>
    </inertial>
    <collision name="${l.name}_collision">
      <origin xyz="${v3(l.at)}" rpy="0 0 0"/>
      <geometry>${geometryXml(l.shape)}</geometry>
    </collision>
  </link>`;
}

function jointXml(j: JointSpec): string {
  const lines = [
    `  <joint name="${j.name}" type="${j.type}">`,
    `    <origin xyz="${v3(j.xyz)}" rpy="${v3(j.rpy ?? [0, 0, 0])}"/>`,
    `    <parent link="${j.parent}"/>`,
    `    <child link="${j.child}"/>`,
  ];
  if (j.axis) lines.push(`    <axis xyz="${v3(j.axis)}"/>`);
  if (j.limit) {
    const [lower, upper, effort, velocity] = j.limit;
    lines.push(`    <limit lower="${f(lower)}" upper="${f(upper)}" effort="${f(effort)}" velocity="${f(velocity)}"/>`);
  }
  if (j.dyn) lines.push(`    <dynamics damping="${f(j.dyn[0])}" friction="${f(j.dyn[1])}"/>`);
  lines.push('  </joint>');
  return lines.join('\n');
}

/**
 * Gazebo (gz-sim Harmonic) tags: the gz_ros2_control system plugin with the
 * controllers file, and the IMU sensor on the pelvis IMU frame. Ignored outside
 * Gazebo. `$(find aegis_control)` is resolved by launch/gz_description.py, which
 * also swaps the <ros2_control> hardware plugin to gz_ros2_control/GazeboSimSystem.
 */
const GAZEBO_TAGS = `  <gazebo>
    <plugin filename="gz_ros2_control-system" name="gz_ros2_control::GazeboSimROS2ControlPlugin">
      <parameters>$(find aegis_control)/config/ros/controllers.yaml</parameters>
    </plugin>
  </gazebo>
  <gazebo reference="imu_in_pelvis">
    <sensor name="imu" type="imu">
      <always_on>true</always_on>
      <update_rate>500</update_rate>
      <topic>imu</topic>
      <gz_frame_id>imu_in_pelvis</gz_frame_id>
    </sensor>
  </gazebo>`;

function ros2ControlXml(joints: readonly JointSpec[]): string {
  const body = joints.filter((j) => j.type === 'revolute').map((j) => `    <joint name="${j.name}">
      <command_interface name="position"/>
      <state_interface name="position"/>
      <state_interface name="velocity"/>
      <state_interface name="effort"/>
    </joint>`);
  return `  <ros2_control name="aegis_g1" type="system">
    <hardware>
      <plugin>mock_components/GenericSystem</plugin>
    </hardware>
${body.join('\n')}
  </ros2_control>`;
}

function g1Urdf(fixedBase: boolean): string {
  const { links, joints } = g1();
  const robotName = fixedBase ? 'g1_29dof_fixed' : 'g1_29dof';
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Generated by src/cli/generate-urdf.ts; do not edit by hand. -->',
    `<robot name="${robotName}">`,
  ];
  if (fixedBase) {
    parts.push('  <link name="world"/>');
    parts.push(jointXml({ name: 'pelvis_weld', type: 'fixed', parent: 'world', child: 'pelvis', xyz: [0, 0, PELVIS_HEIGHT] }));
  }
  parts.push(...links.map(linkXml), ...joints.map(jointXml), ros2ControlXml(joints), GAZEBO_TAGS, '</robot>', '');
  return parts.join('\n');
}

function main(): void {
  const outDir = process.argv[2] ?? 'urdf';
  mkdirSync(outDir, { recursive: true });
  for (const [file, fixed] of [['g1_29dof.urdf', false], ['g1_29dof_fixed.urdf', true]] as const) {
    const path = join(outDir, file);
    writeFileSync(path, g1Urdf(fixed));
    console.log(`wrote ${path}`);
  }
}

main();
