/**
 * The online adapter outside the scenario: a run config naming an adaptation file (src/io/adaptation-file.ts)
 * gets the adapter in its policy node, the regime library is saved when the run ends and loaded by the next
 * run; a corrupt library is a start-up error naming the file, which is left as it is. The embedded run of
 * the adaptation scenario (fixed-base G1, shipped policy and shield), 14 s: the 1.5 kg payload at 12 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { RegimeMemoryFileSchema } from '../../src/adaptation/regime-memory.js';
import { RegimeMemoryFileError } from '../../src/io/regime-memory-file.js';
import { loadRun, runEmbedded } from '../../src/runtime/embedded-run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'aegis-adaptation-run-'));

/** The scenario's run config with absolute paths, naming `adaptation`; the adapter settings are the shipped scenario's. */
function files(): { run: string; adaptation: string; memory: string } {
  const run = parse(readFileSync(join(ROOT, 'config', 'embedded-adaptation.yaml'), 'utf8')) as Record<string, unknown> & { robot: { urdf: string } };
  const adapter = (parse(readFileSync(join(ROOT, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: unknown }).adapter;
  const memory = join(dir, 'library.json');
  const adaptation = join(dir, 'adaptation.yaml');
  writeFileSync(adaptation, stringify({ adapter, memoryFile: 'library.json' }));
  const runFile = join(dir, 'run.yaml');
  writeFileSync(runFile, stringify({
    ...run,
    robot: { ...run.robot, urdf: join(ROOT, 'config', run.robot.urdf) },
    policy: join(ROOT, 'config', run.policy as string),
    shield: join(ROOT, 'config', run.shield as string),
    adaptation: 'adaptation.yaml',
  }));
  return { run: runFile, adaptation, memory };
}

describe('a run config naming an adaptation file', () => {
  const f = files();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the policy with the adapter, saves the library at the end, and the next run loads it', async () => {
    const s = await runEmbedded({ configPath: f.run, root: ROOT, durationS: 14 });
    expect(s.monitor.violations).toBe(0);
    const lib = RegimeMemoryFileSchema.parse(JSON.parse(readFileSync(f.memory, 'utf8')));
    expect(lib.context).toBe(6); // two arms × (a, m, b)
    expect(lib.entries.map((e) => e.label)).toContain('anchor');
    expect(lib.entries.length).toBeGreaterThanOrEqual(2); // the anchor and the payload regime
    const payload = lib.entries.find((e) => !e.pinned)!;
    expect(payload.context[4]).toBeGreaterThan(1.2); // the right hand's payload, kg (true 1.5)
    // the next run starts with that library
    const loaded = await loadRun({ configPath: f.run, root: ROOT });
    expect(loaded.adaptation!.adapter.memory.size).toBe(lib.entries.length);
    expect(loaded.adaptation!.adapter.hasAnchor).toBe(true);
    await loaded.policy?.policy.release();
  }, 60_000);

  it('a run whose candidates come from elsewhere (a replay) has no policy node and no adapter: its adaptation file is not set up', async () => {
    const loaded = await loadRun({ configPath: f.run, root: ROOT, candidateSource: () => ({ destroy: () => undefined }) });
    expect(loaded.policy).toBeNull();
    expect(loaded.adaptation).toBeNull();
  });

  it('a corrupt library is a start-up error naming the file, and the file is left as it is', async () => {
    writeFileSync(f.memory, '{"format": "aegis-regime-memory", "version": 1, "trunc');
    const before = readFileSync(f.memory, 'utf8');
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(RegimeMemoryFileError);
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(f.memory);
    expect(readFileSync(f.memory, 'utf8')).toBe(before);
  });

  it('an adaptation file with an unknown key is a config error naming the file and the key', async () => {
    writeFileSync(f.adaptation, readFileSync(f.adaptation, 'utf8') + 'extra: 1\n');
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(/adaptation\.yaml[\s\S]*extra/);
  });
});
