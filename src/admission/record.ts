/**
 * The admission record: a small JSON file written beside a policy config after
 * an admission trial (src/cli/admit.ts), saying which exact files were tried
 * (role, path, sha256), the verdict, the date and the code version. Pure:
 * plain data in, plain data out (hashing and file I/O are
 * src/io/admission-record-file.ts), so the policy node's gate
 * ({@link checkAdmission}) is decided here and tested without files.
 *
 * A record admits a set of *current* files (the ones a node has loaded) when
 * its verdict is `admitted` and, for every current file, it holds an entry of
 * the same role with the same sha256. Paths are informational (the robot may
 * install the files elsewhere than where they were tried); hashes decide.
 */
import { z } from 'zod';

/** What a file is to the run. */
export const ADMISSION_FILE_ROLES = [
  'run_config',
  'policy_config',
  'model',
  'contract',
  'reference_motion',
  'robot_profile',
  'shield_config',
  'urdf',
] as const;
export type AdmissionFileRole = (typeof ADMISSION_FILE_ROLES)[number];

/** Format tag of the record file (bumped when the schema changes incompatibly). */
export const ADMISSION_RECORD_FORMAT = 'aegis-admission-record/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 lower-case hex digits');

export const AdmissionFileSchema = z
  .object({
    /** What the file is to the run. */
    role: z.enum(ADMISSION_FILE_ROLES),
    /** Absolute path where the file was hashed (informational: matching is by role and hash). */
    path: z.string().min(1),
    /** sha256 of the file's bytes, hex. */
    sha256,
  })
  .strict();
export type AdmissionFile = z.infer<typeof AdmissionFileSchema>;

export const CodeVersionSchema = z
  .object({
    /** npm package name. */
    package: z.string().min(1),
    /** npm package version. */
    version: z.string().min(1),
    /** Git commit of the checkout that ran the trial; null when not a git checkout (an installed package). */
    gitCommit: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
    /** Uncommitted changes in tracked files at trial time; null when unknown. */
    gitDirty: z.boolean().nullable(),
  })
  .strict();
export type CodeVersion = z.infer<typeof CodeVersionSchema>;

export const AdmissionRecordSchema = z
  .object({
    format: z.literal(ADMISSION_RECORD_FORMAT),
    /** The trial's verdict: only `admitted` lets a gated node enter POLICY/MOTION. */
    verdict: z.enum(['admitted', 'refused']),
    /** When the trial finished (ISO 8601, UTC). */
    date: z.string().datetime(),
    codeVersion: CodeVersionSchema,
    /** The exact files the trial ran (one entry per role). */
    files: z.array(AdmissionFileSchema).min(1),
    /** One line for operators (e.g. "12/12 scenario runs passed"). */
    summary: z.string(),
    /** Every failed criterion, naming what failed and where (empty when admitted). */
    failures: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.files.forEach((f, i) => {
      if (seen.has(f.role)) ctx.addIssue({ code: 'custom', path: ['files', i, 'role'], message: `role '${f.role}' is listed twice` });
      seen.add(f.role);
    });
    if (r.verdict === 'refused' && r.failures.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['failures'], message: 'a refused verdict names at least one failed criterion' });
    }
  });
export type AdmissionRecord = z.infer<typeof AdmissionRecordSchema>;
export type AdmissionRecordInput = z.input<typeof AdmissionRecordSchema>;

/** A record file as looked up: parsed, or why it cannot be used (missing, unreadable, corrupt, invalid). */
export type RecordLookup = { found: true; path: string; record: AdmissionRecord } | { found: false; path: string; reason: string };

/** The gate's answer for a set of current files. */
export type AdmissionCheck =
  | { admitted: true; recordPath: string; record: AdmissionRecord }
  | {
      admitted: false;
      /** One line naming what is missing or different (file role, path and hash where one is to blame). */
      reason: string;
      /** The current file whose hash no passing record covers, when one is to blame. */
      file?: AdmissionFile;
    };

/** First 12 hex digits of a hash, for messages. */
export const shortHash = (h: string): string => h.slice(0, 12);

/** Why `record` does not cover `file`, or null when it does (same role, same hash). */
export function uncovered(record: AdmissionRecord, file: AdmissionFile): string | null {
  const entry = record.files.find((f) => f.role === file.role);
  if (!entry) return `the admission record does not cover the ${file.role} ${file.path} (sha256 ${shortHash(file.sha256)})`;
  if (entry.sha256 !== file.sha256) {
    return `the ${file.role} ${file.path} (sha256 ${shortHash(file.sha256)}) is not the admitted one (sha256 ${shortHash(entry.sha256)}, tried as ${entry.path})`;
  }
  return null;
}

/**
 * The gate's decision: are the `current` files (those the node runs) admitted by the record found?
 * Refused, with the reason: no record, a corrupt record, a refused verdict, or any current file
 * whose role is missing from the record or whose hash differs.
 */
export function checkAdmission(current: readonly AdmissionFile[], lookup: RecordLookup): AdmissionCheck {
  if (current.length === 0) return { admitted: false, reason: 'no files to check (the node named none)' };
  if (!lookup.found) return { admitted: false, reason: `no usable admission record: ${lookup.reason}` };
  const { record, path } = lookup;
  if (record.verdict !== 'admitted') {
    const first = (record.failures[0] ?? record.summary).replace(/\s*\n\s*/g, ' ');
    return { admitted: false, reason: `the admission record ${path} refused these files on ${record.date}: ${first}` };
  }
  for (const file of current) {
    const why = uncovered(record, file);
    if (why !== null) return { admitted: false, reason: `${why} (record ${path}, ${record.date})`, file };
  }
  return { admitted: true, recordPath: path, record };
}

/** Parses a record file's text; a corrupt or partial file is a reason, never an exception. */
export function parseAdmissionRecord(text: string, path: string): RecordLookup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { found: false, path, reason: `${path} is not valid JSON (corrupt or partly written): ${(err as Error).message}` };
  }
  const parsed = AdmissionRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(record)'}: ${i.message}`);
    return { found: false, path, reason: `${path} is not a valid admission record: ${issues.join('; ')}` };
  }
  return { found: true, path, record: parsed.data };
}
