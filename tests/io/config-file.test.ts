import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfigFile, parseYamlStrict } from '../../src/io/config-file.js';

const Schema = z.object({ rateHz: z.number().positive(), topic: z.string().startsWith('/') }).strict();

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-cfg-'));
  const f = join(dir, 'c.yaml');
  writeFileSync(f, text);
  return f;
}

describe('config files', () => {
  it('loads and validates a YAML file', () => {
    expect(loadConfigFile(Schema, write('rateHz: 50\ntopic: /x\n'))).toEqual({ rateHz: 50, topic: '/x' });
  });

  it('reports every invalid field by path and names the file', () => {
    const f = write('rateHz: -1\ntopic: x\nextra: 1\n');
    try {
      loadConfigFile(Schema, f);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.message).toContain(f);
      expect(e.problems.some((p) => p.startsWith('rateHz:'))).toBe(true);
      expect(e.problems.some((p) => p.startsWith('topic:'))).toBe(true);
      expect(e.problems.some((p) => p.includes('extra'))).toBe(true);
    }
  });

  it('a value of the wrong type is one problem (not also the length check zod 4 runs on anything with a length)', () => {
    const f = write('joints: ab\n');
    try {
      loadConfigFile(z.object({ joints: z.array(z.string()).min(3) }).strict(), f);
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(1);
      expect((err as ConfigError).problems[0]).toMatch(/^joints: .*expected array, received string$/);
    }
  });

  it('rejects unsafe YAML tags instead of executing them', () => {
    expect(() => parseYamlStrict('a: !!python/object/apply:os.system ["rm -rf /"]\n', 'evil.yaml')).toThrow(/unsupported YAML tag/);
    expect(() => parseYamlStrict('a: !js/function "function(){}"\n', 'evil.yaml')).toThrow(ConfigError);
  });

  it('rejects duplicate keys and a missing file with the file named', () => {
    expect(() => parseYamlStrict('a: 1\na: 2\n', 'dup.yaml')).toThrow(/dup\.yaml/);
    expect(() => loadConfigFile(Schema, '/nonexistent/x.yaml')).toThrow(/\/nonexistent\/x\.yaml[\s\S]*ENOENT/);
  });
});
