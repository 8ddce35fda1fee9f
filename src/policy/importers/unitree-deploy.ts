/**
 * unitree_rl_lab `deploy.yaml` → our policy config (pure: parsed data in,
 * config data out; the CLI reads and writes the files).
 *
 * Which list is in which order (unitree_rl_lab's exporter and C++ deploy):
 * - `joint_ids_map[i]` = robot (SDK motor) index of policy joint i;
 * - `default_joint_pos`, `actions.JointPositionAction.scale/offset/clip` and
 *   every observation term are in the POLICY order;
 * - `stiffness` / `damping` are in the ROBOT (SDK) order: indexed by the SDK
 *   id when the list covers it, else by the joint's rank among the mapped ids
 *   (a compact list such as g1_23dof's 23 gains for 29 motor slots).
 * Policy joint names come from the robot's SDK joint names through the map.
 *
 * Observation terms map to our sources (unknown terms are errors naming the
 * term); histories are per term (Isaac Lab term-major); `gait_phase` is
 * advanced before its first use in unitree's runtime, hence `offsetS = step_dt`.
 */
import { z } from 'zod';
import type { PolicyConfigInput } from '../policy-config.js';
import type { ObservationSpecInput } from '../observation-spec.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused
const pair = z.tuple([finite, finite]);
const scaleSchema = z.union([finite, z.array(finite).min(1)]).nullable().optional();

export const UnitreeDeploySchema = z.object({
  joint_ids_map: z.array(z.number().int().min(0)).min(1),
  step_dt: finite.positive(),
  stiffness: z.array(finite.nonnegative()).optional(),
  damping: z.array(finite.nonnegative()).optional(),
  default_joint_pos: z.array(finite).min(1),
  commands: z
    .object({
      base_velocity: z
        .object({ ranges: z.object({ lin_vel_x: pair.nullish(), lin_vel_y: pair.nullish(), ang_vel_z: pair.nullish() }).loose() })
        .loose()
        .optional(),
    })
    .loose()
    .optional(),
  actions: z
    .object({
      JointPositionAction: z
        .object({
          clip: z.union([pair, z.array(pair)]).nullable().optional(),
          scale: z.union([finite, z.array(finite).min(1)]),
          offset: z.union([finite, z.array(finite).min(1)]).nullable().optional(),
          joint_ids: z.array(z.number().int()).nullable().optional(),
        })
        .loose(),
    })
    .loose(),
  observations: z.record(
    z.string(),
    z
      .object({
        params: z.record(z.string(), z.unknown()).nullable().optional(),
        clip: pair.nullable().optional(),
        scale: scaleSchema,
        history_length: z.number().int().min(1).default(1),
      })
      .loose(),
  ),
});
export type UnitreeDeploy = z.infer<typeof UnitreeDeploySchema>;

export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, 20);
    if (problems.length > 20) shown.push(`… and ${problems.length - 20} more problems`);
    super(`cannot import ${file}:\n  - ${shown.join('\n  - ')}`);
    this.name = 'ImportError';
  }
}

export interface UnitreeImportOptions {
  /** Robot (SDK motor) joint names in SDK order; joint_ids_map indexes this list. */
  robotJointNames: readonly string[];
  /** modelPath to write into the config. */
  modelPath: string;
  name?: string;
  /** For messages. */
  file?: string;
}

type Term = ObservationSpecInput['terms'][number];

function perTermScale(scale: number | number[] | null | undefined): number | number[] {
  if (scale === null || scale === undefined) return 1;
  if (Array.isArray(scale) && scale.every((v) => v === scale[0])) return scale[0]!;
  return scale;
}

/** Converts parsed deploy.yaml data. Throws ImportError listing every problem. */
export function importUnitreeDeploy(data: unknown, opts: UnitreeImportOptions): { config: PolicyConfigInput; notes: string[] } {
  const file = opts.file ?? 'deploy.yaml';
  const parsed = UnitreeDeploySchema.safeParse(data);
  if (!parsed.success) throw new ImportError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const d = parsed.data;
  const problems: string[] = [];
  const notes: string[] = [];
  const ids = d.joint_ids_map;
  const n = ids.length;
  const robot = opts.robotJointNames;
  ids.forEach((id, i) => {
    if (id >= robot.length) problems.push(`joint_ids_map.${i}: SDK index ${id} but the robot has ${robot.length} joints`);
  });
  if (new Set(ids).size !== n) problems.push('joint_ids_map: an SDK index appears twice');
  const joints = ids.map((id) => robot[id] ?? `sdk_joint_${id}`);
  if (d.default_joint_pos.length !== n) problems.push(`default_joint_pos: ${d.default_joint_pos.length} values for ${n} policy joints`);

  // gains: robot (SDK) order → policy order
  const rank = new Map([...ids].sort((a, b) => a - b).map((id, r) => [id, r]));
  const gains = (key: 'stiffness' | 'damping'): number[] | undefined => {
    const v = d[key];
    if (!v) return undefined;
    const byId = ids.every((id) => id < v.length);
    if (!byId && v.length !== n) {
      problems.push(`${key}: ${v.length} values cover neither the SDK ids (max ${Math.max(...ids)}) nor the ${n} policy joints`);
      return undefined;
    }
    if (!byId) notes.push(`${key}: compact list (${v.length} values) read in SDK-id rank order`);
    return ids.map((id) => v[byId ? id : rank.get(id)!]!);
  };
  const stiffness = gains('stiffness');
  const damping = gains('damping');

  // action
  const act = d.actions.JointPositionAction;
  if (act.joint_ids && act.joint_ids.length !== n) problems.push('actions.JointPositionAction.joint_ids: actions on a joint subset are not supported');
  let clip: number | [number, number] | null = null;
  if (act.clip) {
    const pairs = Array.isArray(act.clip[0]) ? (act.clip as [number, number][]) : [act.clip as [number, number]];
    const [lo, hi] = pairs[0]!;
    if (pairs.some(([a, b]) => a !== lo || b !== hi)) problems.push('actions.JointPositionAction.clip: per-joint clip ranges that differ are not supported');
    clip = -lo === hi ? hi : [lo, hi];
  }
  const expand = (v: number | number[], what: string): number[] => {
    const arr = typeof v === 'number' ? Array<number>(n).fill(v) : v;
    if (arr.length !== n) problems.push(`${what}: ${arr.length} values for ${n} policy joints`);
    return arr;
  };
  const scale = perTermScale(expand(act.scale, 'actions.JointPositionAction.scale'));
  const offset = act.offset === null || act.offset === undefined ? 'default_joint_pos' : expand(act.offset, 'actions.JointPositionAction.offset');
  const offsetIsDefault = Array.isArray(offset) && offset.every((v, i) => v === d.default_joint_pos[i]);

  // observations
  const ranges = d.commands?.base_velocity?.ranges;
  const terms: Term[] = [];
  for (const [name, t] of Object.entries(d.observations)) {
    const base = { name, scale: perTermScale(t.scale), history: t.history_length, ...(t.clip ? { clip: t.clip } : {}) };
    const subset = (t.params as { asset_cfg?: { joint_ids?: unknown } } | null | undefined)?.asset_cfg?.joint_ids;
    if (subset !== undefined && subset !== null) problems.push(`observations.${name}: joint subsets (params.asset_cfg.joint_ids) are not supported`);
    switch (name) {
      case 'base_ang_vel':
      case 'projected_gravity':
      case 'joint_pos_rel':
        terms.push({ ...base, source: name });
        break;
      case 'joint_vel_rel':
        terms.push({ ...base, source: 'joint_vel' });
        break;
      case 'last_action':
        terms.push({ ...base, source: 'last_action', mode: 'raw' });
        break;
      case 'velocity_commands':
      case 'keyboard_velocity_commands': { // unitree_rl_lab's newer name
        const r = ranges && ranges.lin_vel_x && ranges.lin_vel_y && ranges.ang_vel_z ? { ranges: [ranges.lin_vel_x, ranges.lin_vel_y, ranges.ang_vel_z] as [[number, number], [number, number], [number, number]] } : {};
        if (!('ranges' in r)) notes.push(`${name}: no commands.base_velocity.ranges; the command is not clamped`);
        terms.push({ ...base, source: 'velocity_command', ...r });
        break;
      }
      case 'gait_phase': {
        const period = Number((t.params as { period?: unknown } | null | undefined)?.period);
        if (!(period > 0)) problems.push(`observations.gait_phase.params.period: expected a positive number`);
        terms.push({ ...base, source: 'phase', periodS: period > 0 ? period : 1, feet: 1, offsetS: d.step_dt });
        break;
      }
      default:
        problems.push(
          `observations.${name}: unsupported observation term '${name}' (supported: base_ang_vel, projected_gravity, velocity_commands, joint_pos_rel, joint_vel_rel, last_action, gait_phase)`,
        );
    }
  }
  if (problems.length > 0) throw new ImportError(file, problems);
  const config: PolicyConfigInput = {
    name: opts.name ?? 'imported_policy',
    modelPath: opts.modelPath,
    rateHz: Number((1 / d.step_dt).toFixed(9)),
    joints,
    defaultJointPos: d.default_joint_pos,
    observation: { termOrder: 'as_listed', historyLayout: 'term_major', historyOrder: 'oldest_first', historyInit: 'repeat_first', clipOrder: 'clip_then_scale', terms },
    action: { scale, clip, offset: offset === 'default_joint_pos' || offsetIsDefault ? 'default_joint_pos' : offset, lowPassAlpha: 1 },
    ...(stiffness ? { stiffness } : {}),
    ...(damping ? { damping } : {}),
  };
  return { config, notes };
}

/**
 * The robot's motor order for a deploy file whose indices refer to it: the
 * `--motor-order` flag, else the robot profile's. Never the URDF's joint order
 * (true on the G1, false on the Go2 and H1): with neither, the import is
 * refused rather than guessed. `urdfJoints` (actuated, any order) checks the names.
 */
export function motorOrderFor(opts: { flag?: readonly string[]; profile?: readonly string[]; urdfJoints?: readonly string[]; file: string }): string[] {
  const order = opts.flag ?? opts.profile;
  if (!order) {
    throw new ImportError(opts.file, [
      "joint_ids_map and stiffness/damping index the robot's motor (SDK) order, which this import was not given: " +
        'name a robot profile (--robot config/robots/<robot>.yaml, its motorOrder) or list it (--motor-order a,b,…). ' +
        "The URDF's joint order is not assumed to be the motor order (it is not on the Go2 or the H1).",
    ]);
  }
  const problems: string[] = [];
  if (new Set(order).size !== order.length) problems.push('motor order: a joint appears twice');
  if (opts.urdfJoints) {
    const known = new Set(opts.urdfJoints);
    for (const n of order) if (!known.has(n)) problems.push(`motor order: '${n}' is not an actuated joint of the URDF`);
  }
  if (problems.length > 0) throw new ImportError(opts.file, problems);
  return [...order];
}
