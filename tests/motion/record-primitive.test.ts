/** `record-primitive` (one command): a clip span becomes a validated library entry of token tuples. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrimitiveLibrary } from '../../src/io/motion-files.js';
import { syntheticBvh } from './bvh-fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
const record = (args: string[]) => spawnSync(process.execPath, [viteNode, join(root, 'src', 'cli', 'record-primitive.ts'), '--', ...args], { cwd: root, encoding: 'utf8' });

describe('record-primitive CLI', () => {
  it('records a clip span as tokens into a new library, then replaces the entry; refuses a span past the clip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prim-'));
    const clip = join(dir, 'lift.bvh');
    writeFileSync(clip, syntheticBvh({ frames: 240, frameTime: 1 / 120, unitsPerMetre: 100, leftShoulderDeg: (f) => 60 * Math.sin(f / 20) }));
    const lib = join(dir, 'lib.yaml');
    const r1 = record(['--clip', clip, '--from', '0', '--to', '1.5', '--name', 'lift_left', '--description', 'test', '--library', lib]);
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    const a = loadPrimitiveLibrary(lib);
    expect(a.primitives['lift_left']!.tokens.length).toBe(Math.floor((1.5 - 15 / 50) / (8 / 50) + 1e-9) + 1);
    expect(a.primitives['lift_left']!.tokens.every((t) => t.length === a.stages && t.every((c) => c < a.codebookSize))).toBe(true);
    expect(a.primitives['lift_left']!.source).toEqual({ clip: 'lift.bvh', fromS: 0, toS: 1.5 });
    const r2 = record(['--clip', clip, '--from', '0.5', '--to', '1.5', '--name', 'lift_left', '--library', lib]);
    expect(r2.status).toBe(0);
    expect(loadPrimitiveLibrary(lib).primitives['lift_left']!.source!.fromS).toBe(0.5);
    const bad = record(['--clip', clip, '--from', '0', '--to', '9', '--name', 'x', '--library', lib]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/past the clip's end/);
  }, 120_000);
});
