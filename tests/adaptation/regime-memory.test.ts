import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegimeMemory, RegimeMemoryFileSchema } from '../../src/adaptation/regime-memory.js';
import { loadRegimeMemoryFile, RegimeMemoryFileError, saveRegimeMemoryFile } from '../../src/io/regime-memory-file.js';

const shape = { joints: 2, features: 3 };
const entry = (v: number) => ({ params: new Array(6).fill(v), covariance: new Array(18).fill(v / 10), noiseVar: [1e-4, 1e-4] });

describe('RegimeMemory', () => {
  it('matches the entry with the lowest score under the threshold', () => {
    const m = new RegimeMemory(shape, 4);
    const a = m.create({ ...entry(0), label: 'a' })!;
    m.create({ ...entry(1), label: 'b' });
    m.create({ ...entry(2), label: 'c' });
    const score = (target: number) => (e: { params: Float64Array }) => Math.abs(e.params[0]! - target);
    expect(m.bestMatch(score(1.1), 0.5)?.entry.label).toBe('b');
    expect(m.bestMatch(score(1.9), 0.5)?.entry.label).toBe('c');
    expect(m.bestMatch(score(5), 0.5)).toBeNull(); // nothing close enough → the caller creates a new entry
    expect(m.bestMatch(score(0), 0.5, a.id)).toBeNull(); // excluded
    expect(m.bestMatch(() => NaN, 1)).toBeNull();
  });

  it('evicts the least recently used entry when full, never a pinned one nor the protected one', () => {
    const m = new RegimeMemory(shape, 3);
    const anchor = m.create({ ...entry(0), label: 'anchor', pinned: true })!;
    const b = m.create({ ...entry(1), label: 'b' })!;
    const c = m.create({ ...entry(2), label: 'c' })!;
    m.recall(b.id); // c is now the LRU unpinned entry
    m.create({ ...entry(3), label: 'd' });
    expect(m.entries.map((e) => e.label)).toEqual(['anchor', 'b', 'd']);
    expect(m.evictions).toBe(1);
    // protect b: the LRU candidate would be b (d is newer) → d goes instead
    m.recall(m.entries[2]!.id); // d used after b
    m.create({ ...entry(4), label: 'e' }, b.id);
    expect(m.entries.map((e) => e.label)).toEqual(['anchor', 'b', 'e']);
    void anchor;
    void c;
    // all pinned/protected: creation fails, nothing evicted
    const p = new RegimeMemory(shape, 2);
    p.create({ ...entry(0), pinned: true });
    const q = p.create(entry(1))!;
    expect(p.create(entry(2), q.id)).toBeNull();
    expect(p.size).toBe(2);
  });

  it('consolidates in place and refuses malformed entries', () => {
    const m = new RegimeMemory(shape, 2);
    const e = m.create(entry(1))!;
    m.consolidate(e.id, new Array(6).fill(7), new Array(18).fill(0.7), [2e-4, 3e-4], [0.1, 0.2]);
    expect(Array.from(m.get(e.id)!.params)).toEqual(new Array(6).fill(7));
    expect(Array.from(m.get(e.id)!.signature)).toEqual([0.1, 0.2]);
    expect(() => m.create({ ...entry(1), params: [1, 2] })).toThrow(/params has 2 values, expected 6/);
    expect(() => m.create({ ...entry(1), noiseVar: [NaN, 1] })).toThrow(/noiseVar\[0\] is not finite/);
  });

  it('round-trips through plain data and refuses a library of another adapter', () => {
    const m = new RegimeMemory(shape, 4);
    m.create({ ...entry(0), label: 'anchor', pinned: true });
    m.create({ ...entry(1.5), label: 'payload' });
    const data = RegimeMemoryFileSchema.parse(JSON.parse(JSON.stringify(m.toJSON('fp'))));
    const back = RegimeMemory.fromJSON(data, { fingerprint: 'fp', shape, capacity: 4 });
    expect(back.entries.map((e) => [e.label, e.pinned, e.params[0]])).toEqual([['anchor', true, 0], ['payload', false, 1.5]]);
    expect(back.create(entry(2))!.id).toBe(2); // ids continue
    expect(() => RegimeMemory.fromJSON(data, { fingerprint: 'other', shape, capacity: 4 })).toThrow(/fingerprint 'fp' is not this adapter's 'other'/);
    expect(() => RegimeMemory.fromJSON(data, { fingerprint: 'fp', shape: { joints: 2, features: 4 }, capacity: 4 })).toThrow(/shape 2 joints × 3 features/);
  });
});

describe('regime memory file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aegis-regimes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const library = (v: number) => {
    const m = new RegimeMemory(shape, 4);
    m.create({ ...entry(v), label: 'anchor', pinned: true });
    return m.toJSON('fp');
  };

  it('round-trips', () => {
    const f = join(dir, 'regimes.json');
    saveRegimeMemoryFile(f, library(0.25));
    expect(loadRegimeMemoryFile(f)).toEqual(library(0.25));
  });

  it('replaces atomically: no temporary file left, the previous good file kept as .prev', () => {
    const f = join(dir, 'regimes.json');
    saveRegimeMemoryFile(f, library(1));
    saveRegimeMemoryFile(f, library(2));
    expect(readdirSync(dir).sort()).toEqual(['regimes.json', 'regimes.json.prev']);
    expect(loadRegimeMemoryFile(f).entries[0]!.params[0]).toBe(2);
    expect(loadRegimeMemoryFile(`${f}.prev`).entries[0]!.params[0]).toBe(1);
  });

  it('a failed save leaves the old file as it was (rename onto a directory fails; temporary file removed)', () => {
    const f = join(dir, 'regimes.json');
    mkdirSync(f); // the target is a directory: rename fails after the temporary file was written
    expect(() => saveRegimeMemoryFile(f, library(1))).toThrow();
    expect(readdirSync(dir)).toEqual(['regimes.json']);
    // invalid data is refused before anything is written
    const g = join(dir, 'good.json');
    saveRegimeMemoryFile(g, library(1));
    const bad = { ...library(2), version: 2 } as unknown as ReturnType<typeof library>;
    expect(() => saveRegimeMemoryFile(g, bad)).toThrow();
    expect(loadRegimeMemoryFile(g).entries[0]!.params[0]).toBe(1);
  });

  it('corrupt, truncated, foreign or wrong-version files give a clear error and stay untouched', () => {
    const f = join(dir, 'regimes.json');
    saveRegimeMemoryFile(f, library(1));
    const good = readFileSync(f, 'utf8');
    const cases: [string, RegExp][] = [
      [good.slice(0, good.length / 2), /not JSON \(corrupt or truncated\)/],
      [JSON.stringify({ name: 'g1_upper_body', format: 'aegis-policy-contract/1' }), /format/],
      [JSON.stringify({ ...JSON.parse(good), version: 2 }), /version/],
      [JSON.stringify({ ...JSON.parse(good), surprise: 1 }), /surprise/],
      [good.replace('"noiseVar":[0.0001,0.0001]', '"noiseVar":[0.0001]'), /entries\.0\.noiseVar: has 1 values, expected 2/],
    ];
    for (const [text, why] of cases) {
      writeFileSync(f, text);
      let err: unknown;
      try {
        loadRegimeMemoryFile(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegimeMemoryFileError);
      expect(String((err as Error).message)).toMatch(why);
      expect(String((err as Error).message)).toContain(f);
      expect(readFileSync(f, 'utf8')).toBe(text);
    }
    expect(() => loadRegimeMemoryFile(join(dir, 'missing.json'))).toThrow(/cannot read: ENOENT/);
  });

  it('a corrupt current file is not kept as the backup', () => {
    const f = join(dir, 'regimes.json');
    saveRegimeMemoryFile(f, library(1));
    saveRegimeMemoryFile(f, library(2)); // .prev = 1
    writeFileSync(f, '{ garbage');
    saveRegimeMemoryFile(f, library(3));
    expect(loadRegimeMemoryFile(`${f}.prev`).entries[0]!.params[0]).toBe(1);
    expect(loadRegimeMemoryFile(f).entries[0]!.params[0]).toBe(3);
  });
});
