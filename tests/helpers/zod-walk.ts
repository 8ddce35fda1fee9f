/**
 * Walks a zod (v3) schema and lists the paths of object schemas that accept
 * unknown keys (not `.strict()`): every config file kind must refuse typos.
 */
import { z } from 'zod';

export function nonStrictObjects(schema: z.ZodTypeAny, path = '(root)', seen = new Set<z.ZodTypeAny>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema._def as { typeName: string } & Record<string, unknown>;
  const walk = (s: unknown, p: string): string[] => nonStrictObjects(s as z.ZodTypeAny, p, seen);
  switch (def.typeName) {
    case 'ZodObject': {
      const o = schema as z.AnyZodObject;
      const own = o._def.unknownKeys === 'strict' ? [] : [path];
      return [...own, ...Object.entries(o.shape as Record<string, z.ZodTypeAny>).flatMap(([k, v]) => walk(v, `${path}.${k}`))];
    }
    case 'ZodOptional':
    case 'ZodNullable':
      return walk(def['innerType'], path);
    case 'ZodDefault':
      return walk(def['innerType'], path);
    case 'ZodEffects':
      return walk(def['schema'], path);
    case 'ZodArray':
      return walk(def['type'], `${path}[]`);
    case 'ZodRecord':
      return walk(def['valueType'], `${path}.*`);
    case 'ZodTuple':
      return (def['items'] as z.ZodTypeAny[]).flatMap((it, i) => walk(it, `${path}[${i}]`));
    case 'ZodUnion':
      return (def['options'] as z.ZodTypeAny[]).flatMap((it, i) => walk(it, `${path}|${i}`));
    case 'ZodDiscriminatedUnion':
      return (def['options'] as z.ZodTypeAny[]).flatMap((it, i) => walk(it, `${path}|${i}`));
    case 'ZodLazy':
      return walk((def['getter'] as () => z.ZodTypeAny)(), path);
    default:
      return [];
  }
}
