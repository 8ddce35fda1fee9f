/**
 * The policy node's admission source (src/nodes/admission-wiring.ts) from
 * files: the loaded policy's files hashed once at load (what runs is what was
 * loaded), the record beside the policy config read again on every check, the
 * parameters that changed the config file's values, and the admission trial
 * run as a child process (`admit` CLI) so the control loop never waits on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdmissionCheck, AdmissionFile } from '../admission/record.js';
import { admissionRecordPath, findPassingAdmission, hashAdmissionFiles, policyAdmissionFiles } from '../io/admission-record-file.js';
import type { AdmissionSource } from '../nodes/admission-wiring.js';
import { voidingOverrides } from '../policy/admission-gate.js';
import type { PolicyConfig } from '../policy/policy-config.js';

/** The package root (dist/runtime/ or src/runtime/ → ../..). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Longest admission trial the service waits for before killing it (a trial that cannot finish is a failed trial), ms. */
export const ADMISSION_TRIAL_TIMEOUT_MS = 10 * 60 * 1000;

export interface AdmissionSourceOptions {
  /** The policy config file the node loaded. */
  policyConfigPath: string;
  /** The config in effect (after ROS parameters). */
  config: PolicyConfig;
  /** The config as the file says (to find parameters that void the admission); default: same as `config`. */
  fileConfig?: PolicyConfig;
  /** The URDF the node maps joints with (checked when given). */
  urdfPath?: string;
  /** sha256 of the model bytes the node loaded (src/io/policy-files.ts): checked instead of the file as it is now. */
  loadedModelSha256?: string;
  /**
   * The trial's command line, given the run config and the record path (null: the CLI's default,
   * beside the run's policy config); default {@link defaultTrialCommand}.
   */
  trialCommand?: (runConfig: string, recordPath: string | null) => string[];
  trialTimeoutMs?: number;
}

/**
 * The default trial command: the built `admit` CLI of this package, on one worker (the control loop
 * keeps the other cores), `node <package>/dist/cli/admit.js <run config> --workers 1 --quiet [--record <file>]`.
 */
export function defaultTrialCommand(runConfig: string, recordPath: string | null): string[] {
  return [process.execPath, join(ROOT, 'dist', 'cli', 'admit.js'), runConfig, '--workers', '1', '--quiet', ...(recordPath !== null ? ['--record', recordPath] : [])];
}

/** Niceness of the trial process (lower priority than the control loop). */
export const TRIAL_NICENESS = 10;

/**
 * Runs a command at lower priority; resolves with its exit and a line of its output (never rejects):
 * the admit CLI's `record …` line when there is one, else the last line.
 */
export function runTrialProcess(argv: readonly string[], timeoutMs: number, onChild: (c: ChildProcess | null) => void): Promise<{ ok: boolean; message: string }> {
  return new Promise((done) => {
    const [cmd, ...args] = argv;
    if (!cmd) return done({ ok: false, message: 'empty admission command' });
    const tail: string[] = [];
    const keep = (chunk: Buffer): void => {
      tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - 8));
    };
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onChild(child);
    try {
      if (child.pid !== undefined) setPriority(child.pid, TRIAL_NICENESS);
    } catch {
      // not permitted here: the trial runs at normal priority
    }
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (r: { ok: boolean; message: string }): void => {
      clearTimeout(timer);
      onChild(null);
      done(r);
    };
    child.on('error', (err) => finish({ ok: false, message: `cannot start ${cmd}: ${err.message}` }));
    child.on('close', (code, signal) => {
      const last = tail.find((l) => /^record\s/.test(l)) ?? tail.at(-1) ?? '';
      if (timedOut) finish({ ok: false, message: `did not finish within ${timeoutMs / 1000} s (a failed trial)` });
      else finish({ ok: code === 0, message: `exit ${code ?? signal}${last ? `: ${last.slice(0, 300)}` : ''}` });
    });
  });
}

/** The admission source of a loaded policy. A file that cannot be hashed makes every check a refusal naming it. */
export function admissionSource(opts: AdmissionSourceOptions): AdmissionSource & { recordPath: string } {
  const cfgPath = resolve(opts.policyConfigPath);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(cfgPath), p));
  const gate = opts.config.admission;
  const recordPath = gate.record !== '' ? at(gate.record) : admissionRecordPath(cfgPath);
  let files: AdmissionFile[] = [];
  let hashError: string | null = null;
  try {
    files = hashAdmissionFiles(policyAdmissionFiles(cfgPath, opts.config, opts.urdfPath));
    const loaded = opts.loadedModelSha256;
    if (loaded !== undefined) files = files.map((f) => (f.role === 'model' ? { ...f, sha256: loaded } : f));
  } catch (err) {
    hashError = (err as Error).message;
  }
  let child: ChildProcess | null = null;
  const command = opts.trialCommand ?? defaultTrialCommand;
  return {
    recordPath,
    files,
    overrides: voidingOverrides(opts.fileConfig ?? opts.config, opts.config),
    check: (): AdmissionCheck => (hashError !== null ? { admitted: false, reason: `cannot hash the loaded files: ${hashError}` } : findPassingAdmission(files, recordPath)),
    ...(gate.runConfig !== ''
      ? {
          runTrial: () => runTrialProcess(command(at(gate.runConfig), gate.record !== '' ? recordPath : null), opts.trialTimeoutMs ?? ADMISSION_TRIAL_TIMEOUT_MS, (c) => (child = c)),
          cancelTrial: () => child?.kill('SIGKILL'),
        }
      : {}),
  };
}
