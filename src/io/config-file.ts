/**
 * Reading configuration files: YAML (or JSON) parsed safely, then validated
 * with a zod schema. Every problem is reported at once, by file and field path.
 *
 * YAML tags beyond the core schema (e.g. `!!python/object`, `!js/function`)
 * are rejected, never interpreted.
 */
import { readFileSync, statSync } from 'node:fs';
import { isScalar, parseDocument, visit } from 'yaml';
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
export function formatIssues(error: z.ZodError, schema?: z.ZodType): string[] {
  return describeIssues(error, schema);
}

/** Parses YAML text with the core schema only; unknown tags are errors. */
export function parseYamlStrict(text: string, file: string): unknown {
  // Duplicate keys are found in one linear pass below: the yaml library's own check compares
  // every pair of keys in a map (a 10 000-key junk file took 10 s).
  const doc = parseDocument(text, { schema: 'core', strict: true, uniqueKeys: false, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) =>
    e.code === 'TAG_RESOLVE_FAILED' ? `unsupported YAML tag (${e.message.split('\n')[0]}); tags are never executed` : e.message.split('\n')[0] ?? e.code,
  );
  if (problems.length === 0) {
    const lines = new LineCounter(text);
    visit(doc, {
      Map(_, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          const key = isScalar(pair.key) ? pair.key.value : pair.key;
          if (seen.has(key)) {
            const at = isScalar(pair.key) && pair.key.range ? ` at line ${lines.linePos(pair.key.range[0]).line}` : '';
            problems.push(`Map keys must be unique: '${String(key)}'${at}`);
          }
          seen.add(key);
        }
      },
    });
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Line numbers of offsets in a text. */
class LineCounter {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  linePos(offset: number): { line: number } {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1 };
  }
}

/** Validates parsed data against a schema, reporting every field problem. */
export function validateConfig<S extends z.ZodType>(schema: S, data: unknown, file: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error, schema));
  return result.data as z.output<S>;
}

/** Largest config file read, bytes: configs are small; a huge file is refused before parsing. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Reads and parses a YAML/JSON file (no validation). */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigError(file, [`the file is ${(size / 1048576).toFixed(1)} MB; a config file is at most ${MAX_CONFIG_BYTES / 1048576} MB (is this the right file?)`]);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseYamlStrict(text, file);
}

/** Reads, parses and validates a YAML/JSON config file. */
export function loadConfigFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  return validateConfig(schema, readYamlFile(file), file);
}

/** Reads a file the run needs; a missing or unreadable file is a ConfigError naming it and what it is. */
export function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(path, [`cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
}
