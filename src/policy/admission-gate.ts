/**
 * The pre-arm admission gate (issue 16): on hardware the policy node enters
 * POLICY or MOTION only with model and config files that a passing admission
 * record covers (src/admission/record.ts). Pure: the settings, the decision
 * from an {@link AdmissionCheck}, the veto on a mode request, the start mode
 * and the parameter overrides that void an admission.
 *
 * The gate is decided on entry: a record deleted while the policy drives does
 * not drop the robot out of POLICY (that would be the unsafe reaction); the
 * next entry is checked again.
 */
import { z } from 'zod';
import type { AdmissionCheck } from '../admission/record.js';
import type { ModeName } from './modes.js';

export const AdmissionGateConfigSchema = z.object({
  /** POLICY and MOTION only with a passing admission record of the loaded model and config files (true on the hardware bringup launch). */
  required: z.boolean().default(false)
    .describe('POLICY and MOTION only with a passing admission record of the loaded model and config files (true on the hardware bringup launch)'),
  /** Enter POLICY/MOTION without a passing record (development only): logged at warn on every entry and shown on /diagnostics. */
  override: z.boolean().default(false)
    .describe('Enter POLICY/MOTION without a passing record (development only): logged at warn on every entry and shown on /diagnostics'),
  /** Admission record file (relative: to the policy config's folder); empty: <policy config name>.admission.json beside the policy config. */
  record: z.string().default('')
    .describe("Admission record file (relative: to the policy config's folder); empty: <policy config name>.admission.json beside the policy config"),
  /** Run config (robot profile, shield) the admission service tries this policy with (relative: to the policy config's folder); empty: the service is refused. */
  runConfig: z.string().default('')
    .describe("Run config (robot profile, shield) the admission service tries this policy with (relative: to the policy config's folder); empty: the service is refused"),
});
export type AdmissionGateConfig = z.infer<typeof AdmissionGateConfigSchema>;

/** Modes that run the policy or play a reference on the motors: gated. */
export const GATED_MODES: readonly ModeName[] = ['POLICY', 'MOTION'];

/**
 * The gate's state: `open` (not required, or admitted), `override` (not admitted, entered anyway:
 * warn), `closed` (not admitted: POLICY/MOTION refused).
 */
export type GateDecision =
  | { state: 'open'; why: 'not required' | 'admitted'; check: AdmissionCheck | null }
  | { state: 'override'; reason: string; check: AdmissionCheck | null }
  | { state: 'closed'; reason: string; check: AdmissionCheck | null };

/**
 * The decision from the settings, the record check (null: no record source in this composition)
 * and the parameter overrides that void an admission ({@link voidingOverrides}).
 */
export function decideGate(cfg: AdmissionGateConfig, check: AdmissionCheck | null, overrides: readonly string[] = []): GateDecision {
  let reason: string | null = null;
  if (check === null) reason = 'admission is required but this node has no admission record source';
  else if (!check.admitted) reason = check.reason;
  else if (overrides.length > 0) reason = `parameters override the admitted policy config: ${overrides.join(', ')} (put them in the config file and admit it)`;
  if (reason === null) return { state: 'open', why: 'admitted', check };
  if (!cfg.required) return { state: 'open', why: 'not required', check };
  return cfg.override ? { state: 'override', reason, check } : { state: 'closed', reason, check };
}

/** The veto on a requested mode: the reason POLICY/MOTION is refused, or null. */
export function gateVeto(to: ModeName, d: GateDecision): string | null {
  if (d.state !== 'closed' || !GATED_MODES.includes(to)) return null;
  return `${to} refused: no passing admission (${d.reason})`;
}

/** The mode the node starts in: a gated start mode becomes PASSIVE while the gate is closed. */
export function gatedStartMode(initial: ModeName, d: GateDecision): ModeName {
  return gateVeto(initial, d) === null ? initial : 'PASSIVE';
}

/**
 * Config fields a parameter may change without voiding the admission of the config file: the
 * start mode, the gate's own settings, topic names, the diagnostics rate, the display name.
 */
export const ADMISSION_NEUTRAL_FIELDS: readonly string[] = ['name', 'modes.initial', 'admission.', 'topics.', 'diagnosticsRateHz'];

/**
 * Dotted paths where the effective config (after ROS parameters) differs from the config file's,
 * outside {@link ADMISSION_NEUTRAL_FIELDS}: the admitted file is not what runs.
 */
export function voidingOverrides(fromFile: unknown, effective: unknown): string[] {
  const out: string[] = [];
  const neutral = (p: string): boolean => ADMISSION_NEUTRAL_FIELDS.some((n) => (n.endsWith('.') ? p.startsWith(n) : p === n));
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (path !== '' && neutral(path)) return;
    const objA = a !== null && typeof a === 'object';
    const objB = b !== null && typeof b === 'object';
    if (objA && objB && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
      return;
    }
    if (!Object.is(a, b)) out.push(path === '' ? '(config)' : path);
  };
  walk(fromFile, effective, '');
  return out;
}
