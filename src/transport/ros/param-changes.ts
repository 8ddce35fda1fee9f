/**
 * Live parameter changes routed through the config's zod schema. Pure: given
 * the current config and the requested ROS values, returns the new config or
 * the reason the change is refused (the node then keeps its old value).
 *
 * Refused: unknown or read-only parameters, values of the wrong type, values
 * the schema rejects (ranges, enums, cross-field rules — which is where a
 * limit above the URDF's is caught), and anything the optional `guard` says
 * is unsafe given the previous config.
 */
import type { z } from 'zod';
import type { ParamKind, ParameterSpec } from './param-descriptors.js';

export type ParamValue = boolean | bigint | number | string | boolean[] | bigint[] | number[] | string[];
export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

export interface ParameterChange {
  name: string;
  /** The value as rclnodejs holds it (integers as bigint). */
  value: unknown;
}

export type ChangeResult<T> = { ok: true; config: T; changed: string[] } | { ok: false; reason: string };

/** Extra check on a schema-valid candidate: a reason to refuse, or null. */
export type ChangeGuard<T> = (candidate: T, previous: T) => string | null;

const isNumber = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

function scalarToConfig(kind: ParamKind, v: unknown): Converted {
  switch (kind) {
    case 'bool':
    case 'bool_array':
      return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, reason: 'expected a bool' };
    case 'string':
    case 'string_array':
      return typeof v === 'string' ? { ok: true, value: v } : { ok: false, reason: 'expected a string' };
    case 'integer':
    case 'integer_array':
      if (typeof v === 'bigint') return { ok: true, value: Number(v) };
      return typeof v === 'number' && Number.isInteger(v) ? { ok: true, value: v } : { ok: false, reason: 'expected an integer' };
    case 'double':
    case 'double_array':
      // `-p x:=1` arrives as an integer; a double parameter takes it.
      return isNumber(v) ? { ok: true, value: Number(v) } : { ok: false, reason: 'expected a double' };
  }
}

/** A ROS parameter value → the config's value (bigint → number, typed arrays → arrays). */
export function fromRosValue(spec: ParameterSpec, value: unknown): Converted {
  if (!spec.kind.endsWith('_array')) return scalarToConfig(spec.kind, value);
  const items = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value;
  if (!Array.isArray(items)) return { ok: false, reason: `expected a ${spec.kind.replace('_', ' ')}` };
  const out: unknown[] = [];
  for (const item of items) {
    const c = scalarToConfig(spec.kind, item);
    if (!c.ok) return { ok: false, reason: `${c.reason} in every element` };
    out.push(c.value);
  }
  return { ok: true, value: out };
}

/** A config value → the ROS parameter value (integers as bigint, arrays as plain arrays). */
export function toRosValue(spec: ParameterSpec, value: unknown): ParamValue {
  const list = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value;
  switch (spec.kind) {
    case 'integer':
      return BigInt(value as number);
    case 'integer_array':
      return (list as number[]).map((v) => BigInt(v));
    case 'double_array':
      return (list as number[]).map(Number);
    default:
      return (Array.isArray(list) ? [...list] : list) as ParamValue;
  }
}

/** The value at `path` in a config object. */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(config)'}: ${i.message}`).join('; ');
}

/**
 * Applies a set of changes atomically: all accepted, or none with the reason.
 * `allowReadOnly`: the start-up declaration, where read-only parameters take
 * their `-p`/params-file values.
 */
export function applyParameterChanges<S extends z.ZodType>(
  schema: S,
  current: z.output<S>,
  specs: ReadonlyMap<string, ParameterSpec>,
  changes: readonly ParameterChange[],
  guard?: ChangeGuard<z.output<S>>,
  options: { allowReadOnly?: boolean } = {},
): ChangeResult<z.output<S>> {
  const candidate = structuredClone(current) as Record<string, unknown>;
  const changed: string[] = [];
  for (const change of changes) {
    const spec = specs.get(change.name);
    if (!spec) return { ok: false, reason: `${change.name}: not a parameter of this node` };
    if (spec.readOnly && !options.allowReadOnly) return { ok: false, reason: `${change.name}: read-only (a live change is unsafe; restart with the new value)` };
    const converted = fromRosValue(spec, change.value);
    if (!converted.ok) return { ok: false, reason: `${change.name}: ${converted.reason}` };
    setPath(candidate, spec.path, converted.value);
    changed.push(change.name);
  }
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reason: `refused ${changed.join(', ')}: ${formatIssues(parsed.error)}` };
  const config = parsed.data as z.output<S>;
  const unsafe = guard?.(config, current) ?? null;
  if (unsafe !== null) return { ok: false, reason: `refused ${changed.join(', ')}: ${unsafe}` };
  return { ok: true, config, changed };
}
