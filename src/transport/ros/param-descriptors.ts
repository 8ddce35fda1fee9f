/**
 * Config schema (zod) → ROS 2 parameter descriptors. Pure: the adapter turns
 * each spec into an `rclnodejs.ParameterDescriptor`.
 *
 * Each leaf of the config object becomes one parameter named by its dotted
 * path (`limits.velocityScale`), typed from the zod type (number → double, or
 * integer with `.int()`; boolean; string/enum; arrays of those), with the
 * range from `.min()`/`.max()` (ROS ranges are inclusive and need both ends;
 * exclusive or one-sided bounds are written into `additional_constraints`),
 * the zod `.describe()` text, and read-only where the caller says a live
 * change is unsafe. Leaves that ROS parameters cannot carry (records, unions,
 * arrays of objects, unset optionals) are returned in `skipped` with the reason.
 */
import { z } from 'zod';

export type ParamKind = 'bool' | 'integer' | 'double' | 'string' | 'bool_array' | 'integer_array' | 'double_array' | 'string_array';

/** rcl_interfaces/msg/ParameterType values. */
export const PARAMETER_TYPE: Readonly<Record<ParamKind, number>> = {
  bool: 1,
  integer: 2,
  double: 3,
  string: 4,
  bool_array: 6,
  integer_array: 7,
  double_array: 8,
  string_array: 9,
};

export interface ParameterSpec {
  /** ROS parameter name: the config path joined with '.'. */
  name: string;
  /** Path of the field in the config object. */
  path: readonly string[];
  kind: ParamKind;
  description: string;
  /** Free-text constraints ROS descriptors cannot express (enum members, exclusive or one-sided bounds). */
  additionalConstraints: string;
  readOnly: boolean;
  /** Inclusive numeric range (both ends known). `step` 0: any value (doubles); 1: any integer. */
  range?: { from: number; to: number; step: number };
}

export interface SkippedField {
  name: string;
  reason: string;
}

export interface DescribeOptions {
  /** Parameter names (or prefixes ending in '.') whose live change is unsafe: declared read-only. */
  readOnly?: readonly string[];
  /** Parameter names (or prefixes ending in '.') not to declare at all. */
  exclude?: readonly string[];
}

interface Leaf {
  kind: ParamKind;
  description: string | undefined;
  constraints: string[];
  range?: { from: number; to: number; step: number };
}

const matches = (name: string, patterns: readonly string[] | undefined): boolean =>
  (patterns ?? []).some((p) => (p.endsWith('.') ? name.startsWith(p) : name === p));

/** Strips wrappers that do not change a field's ROS type; returns the inner schema and the first description found. */
function unwrap(schema: z.ZodTypeAny): { inner: z.ZodTypeAny; description: string | undefined; optional: boolean } {
  let s = schema;
  let description = s.description;
  let optional = false;
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      optional = true;
      s = s._def.innerType;
    } else if (s instanceof z.ZodEffects) s = s._def.schema;
    else if (s instanceof z.ZodBranded) s = s._def.type;
    else if (s instanceof z.ZodCatch) s = s._def.innerType;
    else if (s instanceof z.ZodReadonly) s = s._def.innerType;
    else if (s instanceof z.ZodPipeline) s = s._def.in;
    else break;
    description ??= s.description;
  }
  return { inner: s, description, optional };
}

function numberLeaf(s: z.ZodNumber): Omit<Leaf, 'description'> {
  let min: { value: number; inclusive: boolean } | undefined;
  let max: { value: number; inclusive: boolean } | undefined;
  let isInt = false;
  for (const c of s._def.checks) {
    if (c.kind === 'int') isInt = true;
    else if (c.kind === 'min' && (min === undefined || c.value >= min.value)) min = { value: c.value, inclusive: c.inclusive };
    else if (c.kind === 'max' && (max === undefined || c.value <= max.value)) max = { value: c.value, inclusive: c.inclusive };
  }
  const constraints: string[] = [];
  if (min && !min.inclusive) constraints.push(`> ${min.value}`);
  if (max && !max.inclusive) constraints.push(`< ${max.value}`);
  if (min && !max && min.inclusive) constraints.push(`>= ${min.value}`);
  if (max && !min && max.inclusive) constraints.push(`<= ${max.value}`);
  const kind: ParamKind = isInt ? 'integer' : 'double';
  const range = min && max ? { from: min.value, to: max.value, step: isInt ? 1 : 0 } : undefined;
  return range ? { kind, constraints, range } : { kind, constraints };
}

function scalarLeaf(s: z.ZodTypeAny): Omit<Leaf, 'description'> | string {
  if (s instanceof z.ZodNumber) return numberLeaf(s);
  if (s instanceof z.ZodBoolean) return { kind: 'bool', constraints: [] };
  if (s instanceof z.ZodString) return { kind: 'string', constraints: [] };
  if (s instanceof z.ZodEnum) return { kind: 'string', constraints: [`one of: ${(s.options as string[]).join(', ')}`] };
  if (s instanceof z.ZodLiteral && typeof s.value === 'string') return { kind: 'string', constraints: [`must be '${s.value}'`] };
  return `${s._def.typeName ?? 'this type'} is not representable as a ROS parameter`;
}

function leafOf(schema: z.ZodTypeAny): { leaf: Leaf; optional: boolean } | string {
  const { inner, description, optional } = unwrap(schema);
  if (inner instanceof z.ZodArray) {
    const element = scalarLeaf(unwrap(inner.element).inner);
    if (typeof element === 'string') return `array element: ${element}`;
    const kind = `${element.kind}_array` as ParamKind;
    return { leaf: { kind, description, constraints: element.constraints.map((c) => `each ${c}`) }, optional };
  }
  const leaf = scalarLeaf(inner);
  if (typeof leaf === 'string') return leaf;
  return { leaf: { ...leaf, description }, optional };
}

function walk(
  schema: z.ZodTypeAny,
  path: string[],
  value: unknown,
  options: DescribeOptions,
  specs: ParameterSpec[],
  skipped: SkippedField[],
): void {
  const name = path.join('.');
  if (path.length > 0 && matches(name, options.exclude)) return;
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    const shape = inner.shape as Record<string, z.ZodTypeAny>;
    const obj = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    for (const key of Object.keys(shape)) walk(shape[key] as z.ZodTypeAny, [...path, key], obj[key], options, specs, skipped);
    return;
  }
  if (path.length === 0) throw new Error('a parameter schema must be a zod object');
  const result = leafOf(schema);
  if (typeof result === 'string') {
    skipped.push({ name, reason: result });
    return;
  }
  if (value === undefined || value === null) {
    skipped.push({ name, reason: 'optional field without a value (set it in the config file to make it a parameter)' });
    return;
  }
  const { leaf } = result;
  const spec: ParameterSpec = {
    name,
    path,
    kind: leaf.kind,
    description: leaf.description ?? '',
    additionalConstraints: leaf.constraints.join('; '),
    readOnly: matches(name, options.readOnly),
  };
  if (leaf.range) spec.range = leaf.range;
  specs.push(spec);
}

/**
 * The parameters of a config object schema, for the given current config
 * (its values decide which optional fields exist). Throws if `schema` is not
 * an object schema.
 */
export function describeParameters(
  schema: z.ZodTypeAny,
  config: unknown,
  options: DescribeOptions = {},
): { specs: ParameterSpec[]; skipped: SkippedField[] } {
  const specs: ParameterSpec[] = [];
  const skipped: SkippedField[] = [];
  walk(schema, [], config, options, specs, skipped);
  return { specs, skipped };
}
