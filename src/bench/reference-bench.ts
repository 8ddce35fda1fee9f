/**
 * Heap bytes per policy tick of the reference vocabulary (issue 9), at the
 * controller (no ONNX Runtime: the action is a constant array):
 * - a mimic-style policy fed from a file motion, torso anchor by forward kinematics (G1 URDF);
 * - the same fed from topic chunks;
 * - a holosoma-style locomotion observation with pinned sin/cos phases and split commands,
 *   the command switching between walking and standing.
 * Each tick: joint state and IMU in, tick, inference result in.
 */
import { resolve } from 'node:path';
import { loadUrdfFile } from '../io/urdf-file.js';
import { PolicyController } from '../policy/controller.js';
import { PolicyConfigSchema, resolvePolicyConfig, type PolicyConfigInput } from '../policy/policy-config.js';
import { parseReferenceCsv } from '../policy/reference.js';
import { ROOT_NAMES } from '../policy/reference-track.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';
import { heapBytesPerCall } from './heap.js';

const WARMUP_TICKS = 10_000;

function controller(input: PolicyConfigInput, robot: RobotModel, extra: Partial<ConstructorParameters<typeof PolicyController>[2]> = {}): { c: PolicyController; step: () => void } {
  const cfg = resolvePolicyConfig(PolicyConfigSchema.parse(input));
  const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth), { robot, ...extra });
  const n = cfg.joints.length;
  const pos = new Float64Array(n);
  const vel = new Float64Array(n);
  const out = new Float32Array(n).fill(0.01);
  const quat = { x: 0, y: 0.05, z: 0.1, w: Math.sqrt(1 - 0.05 * 0.05 - 0.1 * 0.1) };
  const gyro = { x: 0.1, y: 0, z: 0 };
  // two prebuilt commands: storing a float into a shared-shape object may box it (a harness cost, not the controller's)
  const walk = { x: 0.5, y: 0, z: 0 };
  const stand = { x: 0, y: 0, z: 0 };
  const turn = { x: 0, y: 0, z: 0 };
  const k = new Float64Array(1); // tick counter in a typed slot (a boxed float would allocate)
  const step = (): void => {
    const t = k[0]!++ * 0.02;
    c.clock[0] = t;
    for (let j = 0; j < n; j++) pos[j] = 0.01 * Math.sin(t + j);
    c.intake.acceptJointState(pos, vel);
    c.intake.acceptImu(quat, gyro);
    c.intake.acceptCmdVel((k[0]! & 64) === 0 ? walk : stand, turn); // walk, stand, walk…
    if (c.tick() === 'infer') c.finishInference(out);
  };
  return { c, step };
}

async function measure(step: () => void): Promise<number> {
  for (let i = 0; i < WARMUP_TICKS; i++) step();
  return heapBytesPerCall(step, 2000);
}

export async function benchReference(opts: { repoRoot: string }): Promise<Record<string, number>> {
  const robot = loadUrdfFile(resolve(opts.repoRoot, 'urdf', 'g1_29dof.urdf'));
  const joints = actuatedJoints(robot).map((j) => j.name);
  const n = joints.length;
  const tracking = (reference: PolicyConfigInput['reference']): PolicyConfigInput => ({
    modelPath: 'unused.onnx',
    joints,
    defaultJointPos: Array<number>(n).fill(0),
    reference,
    observation: { terms: [
      { name: 'motion_command', source: 'motion_command' },
      { name: 'motion_anchor_ori_b', source: 'reference_anchor_ori6d' },
      { name: 'joint_pos', source: 'joint_pos_rel' },
      { name: 'actions', source: 'last_action' },
    ] },
    action: { scale: 0.25 },
    modes: { faults: { staleStateS: 1e9 } },
  });
  const frames = 500;
  const csv = Array.from({ length: frames }, (_, i) => [0, 0, 0.75, 0, 0, Math.sin(i / 200), Math.cos(i / 200), ...joints.map((_, j) => 0.1 * Math.sin(i / 30 + j))].join(',')).join('\n');
  const file = controller(tracking({ source: 'file', path: 'bench.csv', fps: 30, anchorBody: 'torso_link', startYaw: 'root' }), robot, {
    referenceMotion: parseReferenceCsv(csv, 30, joints, joints),
  });
  const topic = controller(tracking({ source: 'topic', anchorBody: 'torso_link', startYaw: 'root' }), robot);
  const names = [...joints, ...ROOT_NAMES];
  topic.c.reference.track!.accept({
    header: { stamp: { sec: 0, nanosec: 0 } },
    joint_names: names,
    points: Array.from({ length: 100 }, (_, k) => ({
      positions: names.map((_, j) => (j === n + 6 ? 1 : j >= n ? 0 : 0.01 * k)),
      velocities: [],
      time_from_start: { sec: Math.floor(k * 0.02), nanosec: Math.round(((k * 0.02) % 1) * 1e9) },
    })),
  }, 0);
  const holosoma = controller({
    modelPath: 'unused.onnx',
    joints,
    defaultJointPos: Array<number>(n).fill(0),
    observation: { termOrder: 'alphabetical', terms: [
      { name: 'command_lin_vel', source: 'velocity_command', components: 'linear' },
      { name: 'command_ang_vel', source: 'velocity_command', components: 'angular' },
      { name: 'sin_phase', source: 'phase', output: 'sin', feet: 2, periodS: 1, offsetS: 0.02, pin: {} },
      { name: 'cos_phase', source: 'phase', output: 'cos', feet: 2, periodS: 1, offsetS: 0.02, pin: {} },
      { name: 'dof_pos', source: 'joint_pos_rel' },
      { name: 'actions', source: 'last_action' },
    ] },
    action: { scale: 1, clip: 100 },
    modes: { faults: { staleStateS: 1e9 } },
  }, robot);
  return {
    reference_file_anchor_bytes_per_tick: await measure(file.step),
    reference_topic_anchor_bytes_per_tick: await measure(topic.step),
    holosoma_phase_bytes_per_tick: await measure(holosoma.step),
  };
}
