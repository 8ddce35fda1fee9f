/**
 * Strict config schemas: every object, however deeply nested (defaults,
 * optionals, arrays, records, unions, refinements), refuses unknown keys, and
 * an unknown key is reported by path with the nearest known key as a hint.
 * Pure zod (v3); usable by core and adapters alike.
 */
import { z } from 'zod';

type AnyDef = { typeName: string } & Record<string, unknown>;

/** A copy of `schema` whose every nested object schema is `.strict()`; descriptions, defaults and refinements kept. */
export function deepStrict<T extends z.ZodTypeAny>(schema: T): T {
  return strictOf(schema, new Map()) as T;
}

function strictOf(schema: z.ZodTypeAny, memo: Map<z.ZodTypeAny, z.ZodTypeAny>): z.ZodTypeAny {
  const hit = memo.get(schema);
  if (hit) return hit;
  const def = schema._def as AnyDef;
  const clone = (patch: Record<string, unknown>): z.ZodTypeAny => {
    const Ctor = schema.constructor as new (d: unknown) => z.ZodTypeAny;
    return new Ctor({ ...def, ...patch });
  };
  const sub = (s: unknown): z.ZodTypeAny => strictOf(s as z.ZodTypeAny, memo);
  let out: z.ZodTypeAny;
  switch (def.typeName) {
    case 'ZodObject': {
      const shape = (schema as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      const next = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, sub(v)]));
      out = clone({ shape: () => next, unknownKeys: 'strict' });
      break;
    }
    case 'ZodOptional':
    case 'ZodNullable':
    case 'ZodDefault':
    case 'ZodCatch':
    case 'ZodReadonly':
      out = clone({ innerType: sub(def['innerType']) });
      break;
    case 'ZodEffects':
      out = clone({ schema: sub(def['schema']) });
      break;
    case 'ZodArray':
      out = clone({ type: sub(def['type']) });
      break;
    case 'ZodRecord':
      out = clone({ valueType: sub(def['valueType']) });
      break;
    case 'ZodTuple':
      out = clone({ items: (def['items'] as z.ZodTypeAny[]).map(sub), rest: def['rest'] ? sub(def['rest']) : null });
      break;
    case 'ZodUnion':
      out = clone({ options: (def['options'] as z.ZodTypeAny[]).map(sub) });
      break;
    case 'ZodDiscriminatedUnion': {
      const options = (def['options'] as z.AnyZodObject[]).map((o) => sub(o) as z.AnyZodObject);
      const rebuilt = z.discriminatedUnion(def['discriminator'] as string, options as [z.AnyZodObject, ...z.AnyZodObject[]]);
      out = def['description'] !== undefined ? rebuilt.describe(def['description'] as string) : rebuilt;
      break;
    }
    default:
      out = schema;
  }
  memo.set(schema, out);
  return out;
}

/** Keys an object schema at `path` (through wrappers, arrays, records, unions) accepts. */
export function knownKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] {
  let current: z.ZodTypeAny[] = [schema];
  const unwrap = (s: z.ZodTypeAny): z.ZodTypeAny[] => {
    const def = s._def as AnyDef;
    switch (def.typeName) {
      case 'ZodOptional':
      case 'ZodNullable':
      case 'ZodDefault':
      case 'ZodCatch':
      case 'ZodReadonly':
        return unwrap(def['innerType'] as z.ZodTypeAny);
      case 'ZodEffects':
        return unwrap(def['schema'] as z.ZodTypeAny);
      case 'ZodUnion':
      case 'ZodDiscriminatedUnion':
        return (def['options'] as z.ZodTypeAny[]).flatMap(unwrap);
      default:
        return [s];
    }
  };
  for (const step of path) {
    current = current.flatMap(unwrap).flatMap((s): z.ZodTypeAny[] => {
      const def = s._def as AnyDef;
      if (def.typeName === 'ZodObject' && typeof step === 'string') {
        const v = ((s as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>)[step];
        return v ? [v] : [];
      }
      if (def.typeName === 'ZodArray' && typeof step === 'number') return [def['type'] as z.ZodTypeAny];
      if (def.typeName === 'ZodTuple' && typeof step === 'number') {
        const it = (def['items'] as z.ZodTypeAny[])[step];
        return it ? [it] : [];
      }
      if (def.typeName === 'ZodRecord') return [def['valueType'] as z.ZodTypeAny];
      return [];
    });
  }
  const keys = new Set<string>();
  for (const s of current.flatMap(unwrap)) if ((s._def as AnyDef).typeName === 'ZodObject') for (const k of Object.keys((s as z.AnyZodObject).shape)) keys.add(k);
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
export function describeIssues(error: z.ZodError, schema?: z.ZodTypeAny): string[] {
  const lines: string[] = [];
  for (const i of error.issues) {
    const at = i.path.length ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys' && schema) {
      const known = knownKeysAt(schema, i.path);
      const shown = i.keys.slice(0, MAX_KEYS_PER_OBJECT);
      if (i.keys.length > shown.length) lines.push(`${at}: ${i.keys.length} unknown keys (the first ${shown.length} follow)`);
      for (const key of shown) {
        const near = didYouMean(key, known);
        const full = [...i.path, key].join('.');
        lines.push(`${full}: unknown key${near ? ` (did you mean '${near}'?)` : known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}`);
      }
    } else lines.push(`${at}: ${i.message}`);
  }
  return lines;
}
