/**
 * The core/adapter boundary, checked: core folders take plain data and return
 * plain data, so they import no platform module (any Node builtin, with or
 * without `node:`), no native binding (onnxruntime-node, the MuJoCo addon, rclnodejs),
 * no transport implementation, no sim and no file I/O, and touch no `process` global.
 * The ONNX session, files and clocks reach the core through ports.
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
/** The pure core: robot model, shield, policy runtime (diffusion sampling included), motion/retargeting, adaptation, admission. */
const CORE = ['src/robot', 'src/safety', 'src/policy', 'src/motion', 'src/adaptation', 'src/admission'];
/** Adapter folders the core must not reach into by a relative import. */
const ADAPTERS = ['sim', 'transport/bus', 'transport/ros', 'io', 'nodes', 'cli', 'runtime', 'inference', 'bench', 'report', 'record'];
const NATIVE_PACKAGES = ['rclnodejs', 'onnxruntime-node', 'onnxruntime-common', 'onnxruntime-web'];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]!]));
const FORBIDDEN_GLOBAL = /\bprocess\.(env|argv|exit|stdout|stderr|hrtime|on|cwd)\b|\bconsole\.log\b|\brequire\(/;
/** Every module specifier a line names: static/dynamic imports and re-exports (`import type` too). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/g;

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

/** Why a specifier may not appear in a core file (undefined when it may). */
export function forbiddenSpecifier(spec: string): string | undefined {
  if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!)) return 'Node builtin';
  if (NATIVE_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) return 'native binding';
  if (/\.node$/.test(spec) || /native\/build/.test(spec)) return 'native addon';
  if (spec.startsWith('.')) {
    const path = spec.replace(/^(\.\.?\/)+/, '');
    if (ADAPTERS.some((a) => path === a || path.startsWith(`${a}/`))) return 'adapter folder';
  }
  return undefined;
}

function offendersIn(files: string[]): string[] {
  const offenders: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const where = `${relative(root, f)}:${i + 1}: ${line.trim()}`;
        for (const m of line.matchAll(SPECIFIER)) {
          const why = forbiddenSpecifier(m[1]!);
          if (why) offenders.push(`${where} (${why})`);
        }
        if (FORBIDDEN_GLOBAL.test(line)) offenders.push(`${where} (platform global)`);
      });
  }
  return offenders;
}

describe('architecture', () => {
  const files = CORE.flatMap((d) => tsFiles(join(root, d)));

  it('has core files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('keeps platform modules, native bindings, transports, the sim and file I/O out of the core', () => {
    expect(offendersIn(files)).toEqual([]);
  });

  it('catches every kind of forbidden import (the checker itself)', () => {
    for (const bad of ['node:path', 'path', 'fs/promises', 'node:worker_threads', 'crypto', 'perf_hooks', 'onnxruntime-node', 'rclnodejs', '../sim/addon.js', '../../transport/bus/embedded-bus.js', '../io/config-file.js', '../inference/onnx-policy.js', '../../native/build/Release/aegis_mujoco.node']) {
      expect(forbiddenSpecifier(bad), bad).toBeDefined();
    }
    for (const ok of ['zod', './math.js', '../robot/model.js', '../safety/index.js', 'yaml', 'fast-xml-parser']) {
      expect(forbiddenSpecifier(ok), ok).toBeUndefined();
    }
    const lines = [
      "import { posix } from 'node:path';",
      "import type { InferenceSession } from 'onnxruntime-node';",
      "export { x } from '../transport/ros/transport.js';",
      "const m = await import('rclnodejs');",
      "import 'node:worker_threads';",
    ];
    for (const line of lines) expect([...line.matchAll(SPECIFIER)].some((m) => forbiddenSpecifier(m[1]!) !== undefined), line).toBe(true);
  });

  it('imports rclnodejs as a value only inside src/transport/ros', () => {
    const offenders = tsFiles(join(root, 'src'))
      .filter((f) => !f.includes(`${join('src', 'transport', 'ros')}`))
      .filter((f) => /from\s+['"]rclnodejs['"]|import\(\s*['"]rclnodejs['"]\s*\)/.test(readFileSync(f, 'utf8').replace(/import\s+type[^;]+;/g, '')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
