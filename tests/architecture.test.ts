/**
 * The core/adapter boundary, checked: core folders take plain data and return
 * plain data, so they import no platform module, no transport implementation,
 * no sim and no rclnodejs, and touch no `process` global.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const CORE = ['src/robot', 'src/safety', 'src/policy', 'src/motion', 'src/adaptation'];
const FORBIDDEN_IMPORT = /from\s+['"](node:)?(fs|fs\/promises|child_process|os|net|worker_threads)['"]|from\s+['"]rclnodejs['"]|import\(\s*['"]rclnodejs['"]\s*\)|from\s+['"][./]+\/(sim|transport\/bus|transport\/ros|io|nodes|cli|runtime)\//;
const FORBIDDEN_GLOBAL = /\bprocess\.(env|argv|exit|stdout|stderr|hrtime|on)\b|\bconsole\.log\b/;

function tsFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('architecture', () => {
  const files = CORE.flatMap((d) => tsFiles(join(root, d)));

  it('has core files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('keeps platform modules, transports, the sim and rclnodejs out of the core', () => {
    const offenders: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FORBIDDEN_IMPORT.test(line) || FORBIDDEN_GLOBAL.test(line)) offenders.push(`${relative(root, f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('imports rclnodejs as a value only inside src/transport/ros', () => {
    const offenders = tsFiles(join(root, 'src'))
      .filter((f) => !f.includes(`${join('src', 'transport', 'ros')}`))
      .filter((f) => /from\s+['"]rclnodejs['"]|import\(\s*['"]rclnodejs['"]\s*\)/.test(readFileSync(f, 'utf8').replace(/import\s+type[^;]+;/g, '')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
