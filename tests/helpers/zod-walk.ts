/**
 * Walks a zod 4 schema and lists the paths of object schemas that accept
 * unknown keys (not strict): every config file kind must refuse typos.
 * Uses zod 4's public schema classes; an object is strict when its catchall
 * is `z.never()` (what `.strict()` / `z.strictObject` set).
 */
import { z } from 'zod';

export function nonStrictObjects(schema: z.ZodType, path = '(root)', seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const walk = (s: z.core.SomeType, p: string): string[] => nonStrictObjects(s as z.ZodType, p, seen);
  if (schema instanceof z.ZodObject) {
    const own = schema.def.catchall instanceof z.ZodNever ? [] : [path];
    return [...own, ...Object.entries(schema.shape).flatMap(([k, v]) => walk(v, `${path}.${k}`))];
  }
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodLazy
  ) return walk(schema.unwrap(), path);
  // refine/superRefine are checks on the schema itself; transform and preprocess are pipes.
  if (schema instanceof z.ZodPipe) return [...walk(schema.in, path), ...walk(schema.out, path)];
  if (schema instanceof z.ZodArray) return walk(schema.element, `${path}[]`);
  if (schema instanceof z.ZodRecord) return walk(schema.valueType, `${path}.*`);
  if (schema instanceof z.ZodTuple) return schema.def.items.flatMap((it, i) => walk(it, `${path}[${i}]`));
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((it, i) => walk(it, `${path}|${i}`));
  if (schema instanceof z.ZodIntersection) return [...walk(schema.def.left, path), ...walk(schema.def.right, path)];
  return [];
}
