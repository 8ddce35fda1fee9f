/**
 * Admission records on disk (the record itself and the gate's decision are
 * pure: src/admission/record.ts):
 *
 * - which files a run or a policy node runs ({@link runAdmissionFiles},
 *   {@link policyAdmissionFiles}) and their sha256 ({@link hashAdmissionFiles});
 * - where the record of a policy config lives: beside it, `<name>.admission.json`
 *   ({@link admissionRecordPath});
 * - writing it atomically (a temp file in the same folder, fsync, rename: a
 *   reader sees the old record or the new one, never part of one)
 *   ({@link writeAdmissionRecord}), reading it (a missing, corrupt or partial
 *   file is a reason, not an exception) ({@link readAdmissionRecord}), and the
 *   lookup the gate uses ({@link findPassingAdmission});
 * - the code version the record names ({@link codeVersion}).
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADMISSION_RECORD_FORMAT,
  AdmissionRecordSchema,
  checkAdmission,
  parseAdmissionRecord,
  type AdmissionCheck,
  type AdmissionFile,
  type AdmissionFileRole,
  type AdmissionRecord,
  type AdmissionRecordInput,
  type CodeVersion,
  type RecordLookup,
} from '../admission/record.js';
import { PolicyConfigSchema, type PolicyConfig } from '../policy/policy-config.js';
import { resolveRunSetup } from '../runtime/run-setup.js';
import { ConfigError, loadConfigFile, readInputFile } from './config-file.js';

/** A file to hash: its role in the run and its path (absolute, or relative to the cwd). */
export interface NamedFile {
  role: AdmissionFileRole;
  path: string;
}

/** Largest admission record read, bytes (a record is a few kB). */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** sha256 of a file's bytes (hex); a missing or unreadable file is a ConfigError naming it. */
export function sha256File(path: string, what = 'a file to hash'): string {
  return createHash('sha256').update(readInputFile(path, what)).digest('hex');
}

/** The files with their sha256, paths made absolute. */
export function hashAdmissionFiles(files: readonly NamedFile[]): AdmissionFile[] {
  return files.map((f) => {
    const path = resolve(f.path);
    return { role: f.role, path, sha256: sha256File(path, `the ${f.role.replace('_', ' ')}`) };
  });
}

/**
 * The files of a policy config: the config itself, the model, the contract and the reference
 * motion file when it names them (relative paths: against the config's folder), and the URDF
 * when given (the robot description the node maps joints with).
 */
export function policyAdmissionFiles(policyConfigPath: string, config: PolicyConfig = loadConfigFile(PolicyConfigSchema, resolve(policyConfigPath)), urdfPath?: string): NamedFile[] {
  const file = resolve(policyConfigPath);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const out: NamedFile[] = [{ role: 'policy_config', path: file }, { role: 'model', path: at(config.modelPath) }];
  if (config.contractPath) out.push({ role: 'contract', path: at(config.contractPath) });
  if (config.reference?.source === 'file') out.push({ role: 'reference_motion', path: at(config.reference.path) });
  if (urdfPath !== undefined) out.push({ role: 'urdf', path: resolve(urdfPath) });
  return out;
}

/** Every file an embedded run config runs: itself, the policy's files, the robot profile, the shield config and the URDF. */
export function runAdmissionFiles(runConfigPath: string, urdfOverride?: string): NamedFile[] {
  const setup = resolveRunSetup(runConfigPath, urdfOverride);
  const out: NamedFile[] = [{ role: 'run_config', path: resolve(runConfigPath) }, ...policyAdmissionFiles(setup.policyPath, undefined, setup.urdfPath)];
  if (setup.profile) out.push({ role: 'robot_profile', path: setup.profile.file });
  out.push({ role: 'shield_config', path: setup.shieldPath });
  return out;
}

/** Where the record of a policy config lives: beside it, `<config name>.admission.json`. */
export function admissionRecordPath(policyConfigPath: string): string {
  const file = resolve(policyConfigPath);
  return join(dirname(file), `${basename(file, extname(file))}.admission.json`);
}

/** Test hook of {@link writeAdmissionRecord}: runs after the temp file is complete, before the rename. */
export interface WriteHooks {
  beforeRename?: (tempPath: string) => void;
}

/**
 * Validates a record and writes it atomically to `path` (a temp file in the same folder, fsync,
 * rename over the old one); on any failure the temp file is removed and the old record stays.
 * Returns the parsed record as written.
 */
export function writeAdmissionRecord(path: string, input: Omit<AdmissionRecordInput, 'format'>, hooks: WriteHooks = {}): AdmissionRecord {
  const parsed = AdmissionRecordSchema.safeParse({ format: ADMISSION_RECORD_FORMAT, ...input });
  if (!parsed.success) {
    throw new ConfigError(path, parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`));
  }
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(parsed.data, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    hooks.beforeRename?.(temp);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(target, [`cannot write the admission record: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parsed.data;
}

/** Reads a record file: parsed, or why not (missing, unreadable, too large, corrupt, invalid). */
export function readAdmissionRecord(path: string): RecordLookup {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { found: false, path: file, reason: code === 'ENOENT' ? `no admission record at ${file} (run the admission first)` : `cannot read ${file}: ${code ?? String(err)}` };
  }
  if (bytes.length > MAX_RECORD_BYTES) return { found: false, path: file, reason: `${file} is ${bytes.length} bytes; an admission record is at most ${MAX_RECORD_BYTES}` };
  return parseAdmissionRecord(bytes.toString('utf8'), file);
}

/** The gate's lookup: are these current files (already hashed) admitted by the record at `recordPath`? */
export function findPassingAdmission(current: readonly AdmissionFile[], recordPath: string): AdmissionCheck {
  return checkAdmission(current, readAdmissionRecord(recordPath));
}

/** The package root (dist/io/ or src/io/ → ../..). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The code version: package name and version from package.json, the git commit and dirty flag when the package is a git checkout. */
export function codeVersion(root: string = ROOT): CodeVersion {
  let pkg: { name?: unknown; version?: unknown } = {};
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    // an unreadable package.json leaves 'unknown' below
  }
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', 'HEAD']);
  const gitCommit = commit !== null && /^[0-9a-f]{40}$/.test(commit) ? commit : null;
  const status = gitCommit ? git(['status', '--porcelain', '--untracked-files=no']) : null;
  return {
    package: typeof pkg.name === 'string' && pkg.name !== '' ? pkg.name : 'unknown',
    version: typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : 'unknown',
    gitCommit,
    gitDirty: status === null ? null : status !== '',
  };
}
