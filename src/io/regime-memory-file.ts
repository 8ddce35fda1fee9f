/**
 * The regime library on disk (JSON, {@link RegimeMemoryFileSchema}).
 *
 * Save is atomic: the JSON goes to `<file>.tmp-<pid>`, is flushed (fsync),
 * then renamed over `<file>` — a reader sees the old file or the new one,
 * never a half-written one; the previous file, when it was valid, is kept as `<file>.prev`.
 * Load validates with zod: unreadable, not JSON, a foreign format, another
 * version or a wrong shape → {@link RegimeMemoryFileError} naming the file and
 * the field; the file is left as it is (nothing is overwritten on a failed load).
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { RegimeMemoryFileSchema, type RegimeMemoryFile } from '../adaptation/regime-memory.js';
import { formatIssues } from './config-file.js';

export class RegimeMemoryFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`regime memory file ${file} is unusable (left untouched):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegimeMemoryFileError';
  }
}

export function loadRegimeMemoryFile(file: string): RegimeMemoryFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RegimeMemoryFileError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RegimeMemoryFileError(file, [`not JSON (corrupt or truncated): ${(err as Error).message}`]);
  }
  const r = RegimeMemoryFileSchema.safeParse(data);
  if (!r.success) throw new RegimeMemoryFileError(file, formatIssues(r.error));
  return r.data;
}

/** Atomic replace (tmp + fsync + rename); the previous file, if any, is kept as `<file>.prev`. */
export function saveRegimeMemoryFile(file: string, data: RegimeMemoryFile): void {
  const checked = RegimeMemoryFileSchema.parse(data); // never write what load would refuse
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(checked) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (existsSync(file) && isGood(file)) copyFileSync(file, `${file}.prev`); // a corrupt old file is not kept as the backup
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function isGood(file: string): boolean {
  try {
    loadRegimeMemoryFile(file);
    return true;
  } catch {
    return false;
  }
}
