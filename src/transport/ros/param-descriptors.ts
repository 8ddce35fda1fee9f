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
function unwrap(schema: z.ZodType): { inner: z.ZodType; description: string | undefined; optional: boolean } {
  let s = schema;
  let description = s.description;
  let optional = false;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      optional = true;
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodCatch || s instanceof z.ZodReadonly || s instanceof z.ZodNonOptional) s = s.unwrap() as z.ZodType;
    // A transform or preprocess is a pipe; the parameter carries what the pipe takes in (a transform's own end has no ROS type).
    else if (s instanceof z.ZodPipe) s = (s.in instanceof z.ZodTransform ? s.out : s.in) as z.ZodType;
    else break;
    description ??= s.description;
  }
  return { inner: s, description, optional };
}

/** Bounds `.int()` implies (the safe-integer range): not a bound the config's author wrote. */
const IMPLIED_INT_BOUND = Number.MAX_SAFE_INTEGER;

function numberLeaf(s: z.ZodNumber): Omit<Leaf, 'description'> {
  // The bounds as zod 4 reports them in JSON Schema: minimum/maximum inclusive, exclusiveMinimum/exclusiveMaximum not.
  const json = z.toJSONSchema(s, { unrepresentable: 'any' }) as {
    type?: string;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    exclusiveMaximum?: number;
  };
  const isInt = json.type === 'integer';
  const implied = (v: number): boolean => isInt && Math.abs(v) === IMPLIED_INT_BOUND;
  const bound = (inclusive: number | undefined, exclusive: number | undefined): { value: number; inclusive: boolean } | undefined =>
    exclusive !== undefined ? { value: exclusive, inclusive: false } : inclusive !== undefined && !implied(inclusive) ? { value: inclusive, inclusive: true } : undefined;
  const min = bound(json.minimum, json.exclusiveMinimum);
  const max = bound(json.maximum, json.exclusiveMaximum);
  const constraints: string[] = [];
  if (min && !min.inclusive) constraints.push(`> ${min.value}`);
  if (max && !max.inclusive) constraints.push(`< ${max.value}`);
  if (min && !max && min.inclusive) constraints.push(`>= ${min.value}`);
  if (max && !min && max.inclusive) constraints.push(`<= ${max.value}`);
  const kind: ParamKind = isInt ? 'integer' : 'double';
  const range = min && max ? { from: min.value, to: max.value, step: isInt ? 1 : 0 } : undefined;
  return range ? { kind, constraints, range } : { kind, constraints };
}

function scalarLeaf(s: z.ZodType): Omit<Leaf, 'description'> | string {
  if (s instanceof z.ZodNumber) return numberLeaf(s);
  if (s instanceof z.ZodBoolean) return { kind: 'bool', constraints: [] };
  if (s instanceof z.ZodString) return { kind: 'string', constraints: [] };
  if (s instanceof z.ZodEnum) return { kind: 'string', constraints: [`one of: ${s.options.map(String).join(', ')}`] };
  if (s instanceof z.ZodLiteral && s.values.size === 1 && typeof s.value === 'string') return { kind: 'string', constraints: [`must be '${s.value}'`] };
  return `${typeLabel(s)} is not representable as a ROS parameter`;
}

/** `ZodRecord`, `ZodDiscriminatedUnion`, …: the schema's class name as zod names it (for skip reasons). */
function typeLabel(s: z.ZodType): string {
  if (s instanceof z.ZodDiscriminatedUnion) return 'ZodDiscriminatedUnion';
  return s.type ? `Zod${s.type.replace(/(^|_)([a-z])/g, (_, __: string, c: string) => c.toUpperCase())}` : 'this type';
}

function leafOf(schema: z.ZodType): { leaf: Leaf; optional: boolean } | string {
  const { inner, description, optional } = unwrap(schema);
  if (inner instanceof z.ZodArray) {
    const element = scalarLeaf(unwrap(inner.element as z.ZodType).inner);
    if (typeof element === 'string') return `array element: ${element}`;
    const kind = `${element.kind}_array` as ParamKind;
    return { leaf: { kind, description, constraints: element.constraints.map((c) => `each ${c}`) }, optional };
  }
  const leaf = scalarLeaf(inner);
  if (typeof leaf === 'string') return leaf;
  return { leaf: { ...leaf, description }, optional };
}

function walk(
  schema: z.ZodType,
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
    const shape = inner.shape as Record<string, z.ZodType>;
    const obj = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    for (const key of Object.keys(shape)) walk(shape[key]!, [...path, key], obj[key], options, specs, skipped);
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
  schema: z.ZodType,
  config: unknown,
  options: DescribeOptions = {},
): { specs: ParameterSpec[]; skipped: SkippedField[] } {
  const specs: ParameterSpec[] = [];
  const skipped: SkippedField[] = [];
  walk(schema, [], config, options, specs, skipped);
  return { specs, skipped };
}
