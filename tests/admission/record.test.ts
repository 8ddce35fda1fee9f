/**
 * The admission record (src/admission/record.ts) and its file adapter
 * (src/io/admission-record-file.ts): hashing, the files of a policy config and
 * of a run config, the gate's decision, corrupt/partial/refused records, and
 * the atomic write.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdmissionRecordSchema, checkAdmission, type AdmissionFile } from '../../src/admission/record.js';
import {
  admissionRecordPath,
  codeVersion,
  findPassingAdmission,
  hashAdmissionFiles,
  policyAdmissionFiles,
  readAdmissionRecord,
  runAdmissionFiles,
  sha256File,
  writeAdmissionRecord,
} from '../../src/io/admission-record-file.js';
import { ConfigError } from '../../src/io/config-file.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'aegis-admission-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** sha256 test vectors (FIPS 180-2): an oracle independent of the code under test. */
const SHA_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const VERSION = { package: 'aegis-control', version: '0.1.0', gitCommit: null, gitDirty: null };
const DATE = '2026-11-29T15:00:00.000Z';

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function files(): AdmissionFile[] {
  return [
    { role: 'policy_config', path: '/robot/policy.yaml', sha256: SHA_ABC },
    { role: 'model', path: '/robot/policy.onnx', sha256: SHA_EMPTY },
  ];
}

describe('hashing', () => {
  it('sha256File matches the FIPS 180-2 vectors', () => {
    expect(sha256File(file('abc.txt', 'abc'))).toBe(SHA_ABC);
    expect(sha256File(file('empty.txt', ''))).toBe(SHA_EMPTY);
  });

  it('a missing file is a ConfigError naming it and its role', () => {
    const missing = join(tmp, 'nope.onnx');
    expect(() => hashAdmissionFiles([{ role: 'model', path: missing }])).toThrow(ConfigError);
    expect(() => hashAdmissionFiles([{ role: 'model', path: missing }])).toThrow(/nope\.onnx[\s\S]*cannot read the model: ENOENT/);
  });

  it('policyAdmissionFiles names the config, model and contract (relative to the config), and the URDF when given', () => {
    const cfg = join(ROOT, 'config/policy_upper_body.yaml');
    const named = policyAdmissionFiles(cfg, undefined, join(ROOT, 'urdf/g1_29dof.urdf'));
    expect(named).toEqual([
      { role: 'policy_config', path: cfg },
      { role: 'model', path: join(ROOT, 'models/g1_upper_body.onnx') },
      { role: 'contract', path: join(ROOT, 'models/g1_upper_body.contract.json') },
      { role: 'urdf', path: join(ROOT, 'urdf/g1_29dof.urdf') },
    ]);
    const hashed = hashAdmissionFiles(named);
    expect(hashed.map((f) => f.sha256)).toEqual(named.map((f) => sha256File(f.path)));
  });

  it('runAdmissionFiles covers the run config, policy files, robot profile, shield config and URDF', () => {
    const named = runAdmissionFiles(join(ROOT, 'config/embedded.yaml'));
    const roles = named.map((f) => f.role);
    for (const role of ['run_config', 'policy_config', 'model', 'shield_config', 'urdf'] as const) expect(roles).toContain(role);
    for (const f of named) expect(existsSync(f.path), f.path).toBe(true);
  });

  it('runAdmissionFiles of a run on a robot profile: the profile, its URDF and its shield config', () => {
    const run = file('profile-run.yaml', `robot:\n  profile: ${join(ROOT, 'config/robots/g1_29dof.yaml')}\npolicy: ${join(ROOT, 'config/policy_upper_body.yaml')}\n`);
    const named = runAdmissionFiles(run);
    expect(Object.fromEntries(named.map((f) => [f.role, f.path]))).toEqual({
      run_config: run,
      policy_config: join(ROOT, 'config/policy_upper_body.yaml'),
      model: join(ROOT, 'models/g1_upper_body.onnx'),
      contract: join(ROOT, 'models/g1_upper_body.contract.json'),
      urdf: join(ROOT, 'urdf/g1_29dof.urdf'),
      robot_profile: join(ROOT, 'config/robots/g1_29dof.yaml'),
      shield_config: join(ROOT, 'config/shield_g1_floating.yaml'),
    });
  });
});

describe('the gate decision (pure)', () => {
  const record = AdmissionRecordSchema.parse({ format: 'aegis-admission-record/1', verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'ok' });
  const found = { found: true as const, path: '/robot/policy.admission.json', record };

  it('admits the exact files, whatever their paths now', () => {
    const moved = files().map((f) => ({ ...f, path: `/elsewhere${f.path}` }));
    expect(checkAdmission(moved, found)).toMatchObject({ admitted: true });
  });

  it('refuses a file whose hash differs, naming its role, path and both hashes', () => {
    const changed = files();
    changed[1] = { ...changed[1]!, sha256: SHA_ABC };
    const c = checkAdmission(changed, found);
    expect(c.admitted).toBe(false);
    if (c.admitted) return;
    expect(c.file).toEqual(changed[1]);
    expect(c.reason).toContain('the model /robot/policy.onnx (sha256 ba7816bf8f01) is not the admitted one (sha256 e3b0c44298fc');
  });

  it('refuses a file of a role the record does not cover', () => {
    const more: AdmissionFile[] = [...files(), { role: 'urdf', path: '/robot/g1.urdf', sha256: SHA_ABC }];
    const c = checkAdmission(more, found);
    expect(c).toMatchObject({ admitted: false, file: more[2] });
    if (!c.admitted) expect(c.reason).toContain('does not cover the urdf /robot/g1.urdf');
  });

  it('refuses on a refused verdict even when every hash matches', () => {
    const refused = AdmissionRecordSchema.parse({ ...record, verdict: 'refused', failures: ['stand seed 1:\n- fell at 0.42 s'] });
    const c = checkAdmission(files(), { ...found, record: refused });
    expect(c.admitted).toBe(false);
    if (!c.admitted) expect(c.reason).toContain('refused these files');
    if (!c.admitted) expect(c.reason).toContain('stand seed 1: - fell at 0.42 s'); // one line
  });

  it('refuses with no record, and with nothing to check', () => {
    expect(checkAdmission(files(), { found: false, path: '/x', reason: 'no admission record at /x' })).toEqual({ admitted: false, reason: 'no usable admission record: no admission record at /x' });
    expect(checkAdmission([], found).admitted).toBe(false);
  });

  it('the schema refuses unknown keys, a duplicated role and a refused verdict without a failure', () => {
    const base = { format: 'aegis-admission-record/1', verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'ok' };
    expect(AdmissionRecordSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(AdmissionRecordSchema.safeParse({ ...base, files: [...files(), files()[0]] }).success).toBe(false);
    expect(AdmissionRecordSchema.safeParse({ ...base, verdict: 'refused' }).success).toBe(false);
    expect(AdmissionRecordSchema.safeParse({ ...base, files: [{ ...files()[0], sha256: 'ABC' }] }).success).toBe(false);
  });
});

describe('record files', () => {
  it('lives beside the policy config as <name>.admission.json', () => {
    expect(admissionRecordPath('/robot/config/policy_g1.yaml')).toBe('/robot/config/policy_g1.admission.json');
  });

  it('round-trips: written, read back, admits the files it names', () => {
    const p = join(tmp, 'a.admission.json');
    writeAdmissionRecord(p, { verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: '12/12 runs passed' });
    const back = readAdmissionRecord(p);
    expect(back.found).toBe(true);
    expect(findPassingAdmission(files(), p)).toMatchObject({ admitted: true, recordPath: p });
  });

  it('refuses to write an invalid record, naming the field, and leaves no file', () => {
    const p = join(tmp, 'invalid.admission.json');
    expect(() => writeAdmissionRecord(p, { verdict: 'admitted', date: 'yesterday', codeVersion: VERSION, files: files(), summary: '' })).toThrow(/date/);
    expect(existsSync(p)).toBe(false);
  });

  it('a missing, truncated, non-JSON or schema-invalid file is no record, with a clear reason', () => {
    const good = join(tmp, 'good.admission.json');
    writeAdmissionRecord(good, { verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'ok' });
    const text = readFileSync(good, 'utf8');
    const cases: [string, RegExp][] = [
      [join(tmp, 'absent.admission.json'), /no admission record at .*absent\.admission\.json \(run the admission first\)/],
      [file('partial.admission.json', text.slice(0, Math.floor(text.length / 2))), /not valid JSON \(corrupt or partly written\)/],
      [file('garbage.admission.json', '\u0000\u0001binary'), /not valid JSON/],
      [file('wrong.admission.json', JSON.stringify({ ...JSON.parse(text), verdict: 'maybe' })), /not a valid admission record: verdict/],
    ];
    for (const [p, reason] of cases) {
      const r = readAdmissionRecord(p);
      expect(r.found, p).toBe(false);
      if (!r.found) expect(r.reason).toMatch(reason);
      const c = findPassingAdmission(files(), p);
      expect(c.admitted).toBe(false);
      if (!c.admitted) expect(c.reason).toMatch(reason);
    }
  });

  it('writes atomically: before the rename the old record is whole and the new one only in a temp file; none is left behind', () => {
    const dir = mkdtempSync(join(tmp, 'atomic-'));
    const p = join(dir, 'p.admission.json');
    writeAdmissionRecord(p, { verdict: 'refused', date: DATE, codeVersion: VERSION, files: files(), summary: 'fell', failures: ['fell'] });
    const old = readFileSync(p, 'utf8');
    let seen: { at: string; temp: string } | null = null;
    writeAdmissionRecord(
      p,
      { verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'ok' },
      {
        beforeRename: (temp) => {
          seen = { at: readFileSync(p, 'utf8'), temp: readFileSync(temp, 'utf8') };
        },
      },
    );
    expect(seen).not.toBeNull();
    expect(seen!.at).toBe(old);
    expect(JSON.parse(seen!.temp).verdict).toBe('admitted');
    expect(readAdmissionRecord(p)).toMatchObject({ found: true, record: { verdict: 'admitted' } });
    expect(readdirSync(dir)).toEqual(['p.admission.json']);
  });

  it('a write that fails before the rename keeps the old record and removes the temp file', () => {
    const dir = mkdtempSync(join(tmp, 'fail-'));
    const p = join(dir, 'p.admission.json');
    writeAdmissionRecord(p, { verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'first' });
    expect(() =>
      writeAdmissionRecord(p, { verdict: 'admitted', date: DATE, codeVersion: VERSION, files: files(), summary: 'second' }, {
        beforeRename: () => {
          throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        },
      }),
    ).toThrow(/cannot write the admission record: ENOSPC/);
    expect(readdirSync(dir)).toEqual(['p.admission.json']);
    expect(readAdmissionRecord(p)).toMatchObject({ found: true, record: { summary: 'first' } });
  });

  it('the code version names this package and, in a git checkout, a 40-hex commit', () => {
    const v = codeVersion(ROOT);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(v.package).toBe(pkg.name);
    expect(v.version).toBe(pkg.version);
    if (existsSync(join(ROOT, '.git'))) expect(v.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    const bare = mkdtempSync(join(tmp, 'bare-'));
    copyFileSync(join(ROOT, 'package.json'), join(bare, 'package.json'));
    expect(codeVersion(bare)).toMatchObject({ package: pkg.name, gitCommit: null, gitDirty: null });
  });
});
