/**
 * Strict config schemas: every object, however deeply nested (defaults,
 * optionals, arrays, records, unions, refinements, pipes), refuses unknown
 * keys, and an unknown key is reported by path with the nearest known key as
 * a hint. Pure zod 4 (the classic `zod` API); usable by core and adapters alike.
 *
 * The walks use zod 4's public schema classes (`instanceof z.ZodObject`, …) and
 * their accessors (`.shape`, `.element`, `.options`, `.unwrap()`, `.in`/`.out`,
 * `.keyType`/`.valueType`); only a tuple's items and an object's catchall are
 * read from the schema's `def`, which has no other public accessor.
 */
import { z } from 'zod';

/** A copy of `schema` whose every nested object schema is strict; descriptions, defaults and refinements kept. */
export function deepStrict<T extends z.ZodType>(schema: T): T {
  return strictOf(schema, new Map()) as T;
}

/**
 * A copy of `schema` with `patch` merged into its definition. The copy keeps the
 * original as its metadata parent, so `.describe()`/`.meta()` texts carry over
 * (zod 4 keeps them in a registry keyed by schema instance, not in the def);
 * refinements (checks) live in the def and are kept as they are. The def is
 * copied by property descriptor, not spread: a default's value is a getter that
 * hands out a fresh copy on every parse, and a spread would freeze one shared value.
 */
function rebuilt(schema: z.ZodType, patch: Record<string, unknown>): z.ZodType {
  const def: unknown = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(schema.def), ...Object.getOwnPropertyDescriptors(patch) });
  return schema.clone(def as typeof schema.def, { parent: true });
}

function strictOf(schema: z.ZodType, memo: Map<z.ZodType, z.ZodType>): z.ZodType {
  const hit = memo.get(schema);
  if (hit) return hit;
  const sub = (s: z.core.SomeType): z.ZodType => strictOf(s as z.ZodType, memo);
  let out: z.ZodType;
  if (schema instanceof z.ZodObject) {
    const next = Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => [k, sub(v)]));
    out = rebuilt(schema, { shape: next, catchall: z.never() });
  } else if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodReadonly
  ) {
    out = rebuilt(schema, { innerType: sub(schema.unwrap()) });
  } else if (schema instanceof z.ZodPipe) {
    out = rebuilt(schema, { in: sub(schema.in), out: sub(schema.out) });
  } else if (schema instanceof z.ZodArray) {
    out = rebuilt(schema, { element: sub(schema.element) });
  } else if (schema instanceof z.ZodRecord) {
    out = rebuilt(schema, { valueType: sub(schema.valueType) });
  } else if (schema instanceof z.ZodTuple) {
    const def = schema.def;
    out = rebuilt(schema, { items: def.items.map(sub), rest: def.rest ? sub(def.rest) : null });
  } else if (schema instanceof z.ZodUnion) {
    // A discriminated union is a ZodUnion too; its discriminator lookup is rebuilt from the new options.
    out = rebuilt(schema, { options: schema.options.map(sub) });
  } else if (schema instanceof z.ZodIntersection) {
    out = rebuilt(schema, { left: sub(schema.def.left), right: sub(schema.def.right) });
  } else out = schema;
  memo.set(schema, out);
  return out;
}

/** The schemas a value at the same place is checked by, through wrappers, pipes, unions and intersections. */
function unwrapped(s: z.ZodType): z.ZodType[] {
  if (
    s instanceof z.ZodOptional ||
    s instanceof z.ZodNullable ||
    s instanceof z.ZodDefault ||
    s instanceof z.ZodPrefault ||
    s instanceof z.ZodNonOptional ||
    s instanceof z.ZodCatch ||
    s instanceof z.ZodReadonly
  ) return unwrapped(s.unwrap() as z.ZodType);
  if (s instanceof z.ZodPipe) return [...unwrapped(s.in as z.ZodType), ...unwrapped(s.out as z.ZodType)];
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrapped);
  if (s instanceof z.ZodIntersection) return [...unwrapped(s.def.left as z.ZodType), ...unwrapped(s.def.right as z.ZodType)];
  if (s instanceof z.ZodLazy) return unwrapped(s.unwrap() as z.ZodType);
  return [s];
}

/** Keys an object schema at `path` (through wrappers, arrays, records, unions) accepts. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType[] = [schema];
  for (const step of path) {
    current = current.flatMap(unwrapped).flatMap((s): z.ZodType[] => {
      if (s instanceof z.ZodObject && typeof step === 'string') {
        const v = (s.shape as Record<string, z.ZodType>)[step];
        return v ? [v] : [];
      }
      if (s instanceof z.ZodArray && typeof step === 'number') return [s.element as z.ZodType];
      if (s instanceof z.ZodTuple && typeof step === 'number') {
        const it = s.def.items[step] ?? s.def.rest;
        return it ? [it as z.ZodType] : [];
      }
      if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
      return [];
    });
  }
  const keys = new Set<string>();
  for (const s of current.flatMap(unwrapped)) if (s instanceof z.ZodObject) for (const k of Object.keys(s.shape)) keys.add(k);
  return [...keys];
}

function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n]!;
}

/** The known key nearest to `key` (case-insensitive edit distance ≤ max(2, length/3)), or undefined. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase()) + (key === k ? 0 : key.toLowerCase() === k.toLowerCase() ? 0.5 : 0);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Unknown keys of one object that get their own line (the rest are counted). */
const MAX_KEYS_PER_OBJECT = 20;

/** `path: message` lines for zod issues; unknown keys name each key's full path and the nearest known key. */
export function describeIssues(error: z.ZodError, schema?: z.ZodType): string[] {
  const lines: string[] = [];
  // zod 4 runs length and size checks on any value that has a length, even after a type error at the same
  // place (`regimes: 'x'` would also get "expected string to have >=2 characters"): the type error says it all.
  const wrongType = new Set(error.issues.filter((i) => i.code === 'invalid_type').map((i) => i.path.map(String).join('.')));
  for (const i of error.issues) {
    const at = i.path.length ? i.path.map(String).join('.') : '(root)';
    if (i.code !== 'invalid_type' && wrongType.has(i.path.map(String).join('.'))) continue;
    if (i.code === 'unrecognized_keys' && schema) {
      const known = knownKeysAt(schema, i.path);
      const shown = i.keys.slice(0, MAX_KEYS_PER_OBJECT);
      if (i.keys.length > shown.length) lines.push(`${at}: ${i.keys.length} unknown keys (the first ${shown.length} follow)`);
      for (const key of shown) {
        const near = didYouMean(key, known);
        const full = [...i.path, key].map(String).join('.');
        lines.push(`${full}: unknown key${near ? ` (did you mean '${near}'?)` : known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}`);
      }
    } else lines.push(`${at}: ${i.message}`);
  }
  return lines;
}
