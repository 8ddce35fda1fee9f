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
import type { PolicyNode } from '../../src/nodes/policy-node.js';
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

  it('with the adaptation module as the context source: the module runs in the policy node (its own timer) and its context identifies the payload', async () => {
    const adapter = (parse(readFileSync(join(ROOT, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: { context: object } }).adapter;
    writeFileSync(f.adaptation, stringify({ adapter: { ...adapter, context: { ...adapter.context, source: 'module' } }, memoryFile: null, module: join(ROOT, 'models', 'g1_arm_context.contract.json') }));
    let policy: PolicyNode | null = null;
    const seen: { t: number; z: number[] }[] = [];
    const s = await runEmbedded({
      configPath: f.run, root: ROOT, durationS: 14,
      onNodes: (n) => { policy = n.policy; },
      onStep: (sim) => {
        if (Math.round(sim.time * 1000) % 500 === 0) seen.push({ t: sim.time, z: Array.from(policy!.controller.adapter!.context!.z) });
      },
    });
    expect(s.monitor.violations).toBe(0);
    const at = (t: number): number[] => seen.find((x) => Math.abs(x.t - t) < 1e-6)!.z;
    // before the payload (12 s) the right hand holds nothing; 1 s after, the module says ≈ 1.5 kg (the adapter's context is the module's)
    expect(Math.abs(at(11.5)[4]!)).toBeLessThan(0.3);
    expect(at(13.5)[4]).toBeGreaterThan(1.1);
    expect(at(13.5)[4]).toBeLessThan(1.9);
    expect(Math.abs(at(13.5)[1]!)).toBeLessThan(0.3); // the left hand: nothing
  }, 60_000);

  it('a module that nothing reads, or a module source without a module, is refused at start naming the file', async () => {
    const adapter = (parse(readFileSync(join(ROOT, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: { context: object } }).adapter;
    writeFileSync(f.adaptation, stringify({ adapter, module: join(ROOT, 'models', 'g1_arm_context.contract.json') }));
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(/adaptation\.yaml: module .*\n.*nothing reads its output/);
    writeFileSync(f.adaptation, stringify({ adapter: { ...adapter, context: { ...adapter.context, source: 'module' } } }));
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(/adaptation\.yaml: adapter\.context\.source is 'module' but no module is given/);
  });

  it('an adaptation file with an unknown key is a config error naming the file and the key', async () => {
    writeFileSync(f.adaptation, readFileSync(f.adaptation, 'utf8') + 'extra: 1\n');
    await expect(loadRun({ configPath: f.run, root: ROOT })).rejects.toThrow(/adaptation\.yaml[\s\S]*extra/);
  });
});
