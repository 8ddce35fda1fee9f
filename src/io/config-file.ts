/**
 * Reading configuration files: YAML (or JSON) parsed safely, then validated
 * with a zod schema. Every problem is reported at once, by file and field path.
 *
 * YAML tags beyond the core schema (e.g. `!!python/object`, `!js/function`)
 * are rejected, never interpreted.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { describeIssues } from '../schema/strict.js';

/** Most problems an error message lists; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;

/** `  - problem` lines, at most MAX_LISTED_PROBLEMS, then how many more there were. */
export function listProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${p.length > 500 ? `${p.slice(0, 500)}…` : p}`);
  if (problems.length > MAX_LISTED_PROBLEMS) shown.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more problems`);
  return shown.join('\n');
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${file}:\n${listProblems(problems)}`);
    this.name = 'ConfigError';
  }
}

/** Formats zod issues as `path.to.field: message` lines; with the schema, unknown keys get a did-you-mean hint. */
export function formatIssues(error: z.ZodError, schema?: z.ZodTypeAny): string[] {
  return describeIssues(error, schema);
}

/** Parses YAML text with the core schema only; unknown tags are errors. */
export function parseYamlStrict(text: string, file: string): unknown {
  const doc = parseDocument(text, { schema: 'core', strict: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) =>
    e.code === 'TAG_RESOLVE_FAILED' ? `unsupported YAML tag (${e.message.split('\n')[0]}); tags are never executed` : e.message.split('\n')[0] ?? e.code,
  );
  if (problems.length > 0) throw new ConfigError(file, problems);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Validates parsed data against a schema, reporting every field problem. */
export function validateConfig<S extends z.ZodTypeAny>(schema: S, data: unknown, file: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error, schema));
  return result.data as z.output<S>;
}

/** Reads and parses a YAML/JSON file (no validation). */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseYamlStrict(text, file);
}

/** Reads, parses and validates a YAML/JSON config file. */
export function loadConfigFile<S extends z.ZodTypeAny>(schema: S, file: string): z.output<S> {
  return validateConfig(schema, readYamlFile(file), file);
}
