#!/usr/bin/env node
/**
 * Stages what the installed ROS package needs at run time, for CMake's install
 * step (CMakeLists.txt): the production npm dependencies only (no typescript,
 * vitest, esbuild, …), ONNX Runtime's native library for this platform only,
 * rclnodejs without other platforms' prebuilds and build intermediates, and
 * the MuJoCo addon without its object files. Prints the staged size.
 *
 * Usage: node scripts/stage-runtime.mjs <dest>
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dest = process.argv[2];
if (!dest) {
  process.stderr.write('usage: node scripts/stage-runtime.mjs <dest>\n');
  process.exit(2);
}
const modules = join(root, 'node_modules');
if (!existsSync(modules)) {
  process.stderr.write(`${modules} is missing: run npm ci first\n`);
  process.exit(1);
}

/** Paths of the production dependency tree (npm exits 1 on an absent optional dependency; its list is still right). */
function productionPackages() {
  let out;
  try {
    out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    out = err.stdout ?? '';
  }
  return out.split('\n').filter((p) => p.startsWith(modules + sep));
}

const platform = process.platform;
const arch = process.arch;
/** Whether a file or folder inside a package is left out of the install. */
function excluded(rel) {
  const parts = rel.split(sep);
  // Nested node_modules are staged as packages of their own (when production).
  if (parts.includes('node_modules', 1)) return true;
  if (parts[0] === 'onnxruntime-node' && parts[1] === 'bin' && parts.length >= 4) {
    if (parts[3] !== platform) return true;
    if (parts.length >= 5 && parts[4] !== arch) return true;
  }
  if (parts[0] === 'rclnodejs') {
    if (parts[1] === 'prebuilds' && parts.length >= 3 && parts[2] !== `${platform}-${arch}`) return true;
    if (parts[1] === 'build' && parts.includes('obj.target')) return true;
    if (parts[1] === 'src' || parts[1] === 'web' || parts[1] === 'rosocket') return true;
  }
  // zod's TypeScript sources (only its '@zod/source' export condition, which Node never sets)
  if (parts[0] === 'zod' && parts[1] === 'src') return true;
  // docs, source maps and type declarations: nothing a running node loads
  return /\.(md|map)$/i.test(rel) || /\.d\.[cm]?ts$/i.test(rel);
}

rmSync(dest, { recursive: true, force: true });
const destModules = join(dest, 'node_modules');
mkdirSync(destModules, { recursive: true });
let packages = 0;
for (const pkg of productionPackages()) {
  const relPkg = relative(modules, pkg);
  cpSync(pkg, join(destModules, relPkg), {
    recursive: true,
    filter: (src) => {
      const rel = relative(modules, src);
      return rel === relPkg || !excluded(rel);
    },
  });
  packages++;
}
const addon = join(root, 'native', 'build', 'Release', 'aegis_mujoco.node');
if (existsSync(addon)) {
  mkdirSync(join(dest, 'native', 'build', 'Release'), { recursive: true });
  cpSync(addon, join(dest, 'native', 'build', 'Release', 'aegis_mujoco.node'));
}

function size(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of readdirSync(path)) total += size(join(path, e));
  return total;
}
process.stdout.write(`staged ${packages} production packages${existsSync(addon) ? ' and the MuJoCo addon' : ''} in ${dest}: ${(size(dest) / 1e6).toFixed(1)} MB\n`);
