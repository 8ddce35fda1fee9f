/**
 * Diagnosis hints: the known convention mistakes of a policy config, each as
 * a variant that undoes it (in memory: the user's files are never changed).
 * When a trial fails, the runtime re-runs the failing scenario with each
 * variant; a variant that passes names the likely cause.
 *
 * Variants (one change each, everything else as configured):
 *   history_layout    term_major ↔ frame_major (terms with history > 1)
 *   term_order        as_listed ↔ alphabetical
 *   last_action       each other mode of every last_action term (raw, clipped, processed; raw and
 *                     clipped are one variant when the action has no clip)
 *   rate              the policy's control step halved and doubled (a decimation mistake)
 *   joint_order       the `joints` names in the URDF's actuated order, or in the robot's motor
 *                     order (per-joint arrays kept: they index the policy's order)
 *   joint_swap        one left/right pair of names swapped in `joints`
 * The IMU quaternion order is no variant: it is fixed by the ROS Imu message
 * (x, y, z, w) and converted by the adapters, never configured.
 */
import type { PolicyConfig } from '../policy/policy-config.js';

export interface ConventionVariant {
  /** Short id, e.g. `history_layout=frame_major`. */
  id: string;
  /** The cause this variant would confirm, in words. */
  cause: string;
  apply(config: PolicyConfig): PolicyConfig;
}

export interface VariantContext {
  /** The URDF's actuated joints, in URDF order. */
  urdfOrder: readonly string[];
  /** The robot's motor (SDK) order. */
  motorOrder: readonly string[];
}

const clone = (c: PolicyConfig): PolicyConfig => structuredCloneJson(c);
/** A deep copy of plain config data (JSON-safe: the config came from YAML). */
function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
const sameOrder = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => b[i] === x);

/** The left/right mirror of a joint name (`left_knee_joint` ↔ `right_knee_joint`), or null. */
export function mirrorName(name: string): string | null {
  const m = /(^|_)(left|right)(_|$)/.exec(name);
  if (!m) return null;
  const other = m[2] === 'left' ? 'right' : 'left';
  return name.slice(0, m.index) + m[1] + other + m[3] + name.slice(m.index + m[0].length);
}

export function conventionVariants(config: PolicyConfig, ctx: VariantContext): ConventionVariant[] {
  const out: ConventionVariant[] = [];
  const obs = config.observation;
  const layout = obs.historyLayout;
  const histories = obs.terms.map((t) => t.history);
  if (histories.some((h) => h > 1)) {
    const other = layout === 'term_major' ? 'frame_major' : 'term_major';
    if (other === 'term_major' || histories.every((h) => h === histories[0])) {
      out.push({
        id: `history_layout=${other}`,
        cause: `history layout: the model expects \`historyLayout: ${other}\` (the config says ${layout})`,
        apply: (c) => {
          const n = clone(c);
          n.observation.historyLayout = other;
          return n;
        },
      });
    }
  }
  const order = obs.termOrder === 'as_listed' ? 'alphabetical' : 'as_listed';
  out.push({
    id: `term_order=${order}`,
    cause: `term order: the model expects \`termOrder: ${order}\` (the config says ${obs.termOrder})`,
    apply: (c) => {
      const n = clone(c);
      n.observation.termOrder = order;
      return n;
    },
  });
  // without an action clip, raw and clipped are the same values: one variant for both
  const modes = config.action.clip === null ? (['raw', 'processed'] as const) : (['raw', 'clipped', 'processed'] as const);
  obs.terms.forEach((t, i) => {
    if (t.source !== 'last_action') return;
    const current = config.action.clip === null && t.mode === 'clipped' ? 'raw' : t.mode;
    for (const mode of modes) {
      if (mode === current) continue;
      out.push({
        id: `last_action=${mode}`,
        cause: `last action: the model expects \`mode: ${mode}\` for term '${t.name}' (the config says ${t.mode})`,
        apply: (c) => {
          const n = clone(c);
          const term = n.observation.terms[i]!;
          if (term.source === 'last_action') term.mode = mode;
          return n;
        },
      });
    }
  });
  for (const factor of [0.5, 2]) {
    const rate = config.rateHz * factor;
    out.push({
      id: `rateHz=${rate}`,
      cause: `control step: the model was trained at ${rate} Hz (the config says ${config.rateHz} Hz; a decimation mistake)`,
      apply: (c) => ({ ...clone(c), rateHz: rate }),
    });
  }
  const joints = config.joints;
  const orders: [string, readonly string[]][] = [['URDF', ctx.urdfOrder], ['motor', ctx.motorOrder]];
  const seen: (readonly string[])[] = [];
  for (const [what, names] of orders) {
    if (!sameSet(names, joints) || sameOrder(names, joints) || seen.some((s) => sameOrder(s, names))) continue;
    seen.push(names);
    out.push({
      id: `joints=${what}_order`,
      cause: `joint order: the model's joints are in the robot's ${what} order, not the order listed in \`joints\``,
      apply: (c) => ({ ...clone(c), joints: [...names] }),
    });
  }
  joints.forEach((a, i) => {
    const b = mirrorName(a);
    const k = b === null ? -1 : joints.indexOf(b);
    if (k <= i) return;
    out.push({
      id: `swap=${a},${b}`,
      cause: `joint names: \`${a}\` and \`${b}\` are swapped in \`joints\``,
      apply: (c) => {
        const n = clone(c);
        n.joints[i] = b!;
        n.joints[k] = a;
        return n;
      },
    });
  });
  return out;
}
