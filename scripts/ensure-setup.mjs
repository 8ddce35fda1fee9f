#!/usr/bin/env node
/**
 * The set-up that `npm start` and `npm test` run first: does whatever is
 * missing, in order, and nothing when everything is in place (then it takes
 * well under a second and prints nothing).
 *
 *   1. system packages: MuJoCo 2.2.2 headers and library, g++, make, python3
 *      (only needed to build the MuJoCo addon). As root with apt-get they are
 *      installed; otherwise one line says exactly which command to run.
 *   2. npm dependencies: `npm ci --ignore-scripts` when node_modules is missing
 *      or does not match package-lock.json. Install scripts stay off: rclnodejs
 *      needs ROS 2 for its own (with ROS 2 sourced they run), and ONNX Runtime
 *      ships its CPU binary (its CUDA download is switched off with
 *      ONNXRUNTIME_NODE_INSTALL=skip, which its install script reads).
 *   3. the MuJoCo addon (native/) when it is missing, older than its sources,
 *      or does not load (e.g. built for another Node version).
 *   4. the TypeScript build (dist/) when a source is newer than the last build.
 *   5. the model files in models/: each ONNX model has a contract (beside it, or a bundle file naming it).
 *
 * Only Node's own modules are used: this runs before node_modules exists.
 * Build output is hidden and shown only when a step fails.
 *
 * Usage: node scripts/ensure-setup.mjs [--check]
 *   --check  change nothing; list what would be done; exit 1 when something would.
 * AEGIS_SKIP_SETUP=1 skips everything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHECK = process.argv.includes('--check');
const APT_PACKAGES = ['libmujoco-dev', 'g++', 'make', 'python3'];
const ADDON = join(ROOT, 'native', 'build', 'Release', 'aegis_mujoco.node');
const TS_STAMP = join(ROOT, 'dist', '.build-stamp');

const say = (line) => process.stderr.write(`set-up: ${line}\n`);
const todo = [];

if (process.env.AEGIS_SKIP_SETUP === '1') process.exit(0);
const t0 = performance.now();

/** Newest modification time (ms) of the files under `paths` (folders walked), 0 when none. */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(join(ROOT, p));
  return newest;
}

const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

/**
 * Runs a command with its output captured; on failure prints the output's
 * tail and the command, and exits with its status.
 */
function run(what, cmd, args, env = {}) {
  if (CHECK) {
    todo.push(what);
    return;
  }
  process.stderr.write(`set-up: ${what} ...`);
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const secs = ((performance.now() - start) / 1000).toFixed(1);
  if (r.status === 0) {
    process.stderr.write(` done (${secs} s)\n`);
    return;
  }
  process.stderr.write(` FAILED (${secs} s)\n`);
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trimEnd().split('\n');
  process.stderr.write(`${out.slice(-60).join('\n')}\n`);
  say(`the failing command was: ${[cmd, ...args].join(' ')} (run in ${ROOT})`);
  process.exit(r.status ?? 1);
}

// ---- 1. system packages --------------------------------------------------------------------------

const addonSources = ['native/src', 'native/binding.gyp'];
const addonLoads = () => {
  try {
    createRequire(import.meta.url)(ADDON);
    return true;
  } catch {
    return false;
  }
};
const addonStale = !existsSync(ADDON) || mtime(ADDON) < newestMtime(addonSources) || !addonLoads();

function missingSystemPackages() {
  const missing = [];
  if (!existsSync('/usr/include/mujoco/mujoco.h')) missing.push('libmujoco-dev');
  if (!onPath('g++')) missing.push('g++');
  if (!onPath('make')) missing.push('make');
  if (!onPath('python3')) missing.push('python3');
  return missing;
}

if (addonStale) {
  const missing = missingSystemPackages();
  if (missing.length > 0) {
    const root = process.getuid?.() === 0;
    if (root && onPath('apt-get')) {
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      run('apt-get update', 'apt-get', ['update', '-qq'], env);
      run(`apt-get install ${missing.join(' ')}`, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], env);
    } else if (CHECK) {
      todo.push(`system packages ${missing.join(' ')}`);
    } else {
      const cmd = onPath('apt-get')
        ? `sudo apt-get install -y ${APT_PACKAGES.join(' ')}`
        : `install MuJoCo 2.2.2 (headers in /usr/include/mujoco, libmujoco.so), g++, make and python3 (Debian/Ubuntu: apt-get install -y ${APT_PACKAGES.join(' ')})`;
      say(`missing ${missing.join(', ')} (needed to build the MuJoCo addon); run: ${cmd}`);
      process.exit(1);
    }
  }
}

// ---- 2. npm dependencies -------------------------------------------------------------------------

const LOCK = join(ROOT, 'package-lock.json');
const NODE_MODULES = join(ROOT, 'node_modules');
const HIDDEN_LOCK = join(NODE_MODULES, '.package-lock.json');

/** Why node_modules does not match package-lock.json, or null when it does. */
function dependencyMismatch() {
  if (!existsSync(HIDDEN_LOCK)) return 'node_modules is missing';
  if (mtime(HIDDEN_LOCK) >= mtime(LOCK)) return null;
  // The lock file is newer (a pull, a checkout): compare what is installed with what it asks for.
  const want = JSON.parse(readFileSync(LOCK, 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(HIDDEN_LOCK, 'utf8')).packages ?? {};
  for (const [path, p] of Object.entries(want)) {
    if (path === '' || p.link) continue;
    const h = have[path];
    if (h === undefined) {
      if (!p.optional) return `${path} is not installed`;
    } else if (h.version !== p.version) return `${path} is ${h.version}, package-lock.json asks for ${p.version}`;
  }
  for (const path of Object.keys(have)) if (!(path in want)) return `${path} is installed but not in package-lock.json`;
  return null;
}

const depsWhy = dependencyMismatch();
if (depsWhy !== null) {
  if (existsSync(NODE_MODULES) && lstatSync(NODE_MODULES).isSymbolicLink()) {
    say(`node_modules is a link to a shared install and ${depsWhy}; not reinstalling through the link`);
  } else {
    // With ROS 2 sourced, rclnodejs's install script generates its message classes (docs/ros.md); without, no scripts.
    const ros = Boolean(process.env.ROS_DISTRO);
    run(`installing npm dependencies (${depsWhy}; npm ci${ros ? ` with install scripts for ROS 2 ${process.env.ROS_DISTRO}` : ''}, about a minute)`, 'npm',
      ['ci', ...(ros ? [] : ['--ignore-scripts']), '--no-audit', '--no-fund', '--loglevel=error'],
      { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  }
}

// ---- 3. MuJoCo addon -----------------------------------------------------------------------------

if (addonStale) {
  run('building the MuJoCo addon (native/, about 20 s)', process.execPath,
    [join(NODE_MODULES, 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild', '--directory', 'native']);
  if (!CHECK && !addonLoads()) {
    say(`${ADDON} was built but does not load: check that libmujoco.so (MuJoCo 2.2.2) is installed`);
    process.exit(1);
  }
}

// ---- 4. TypeScript -------------------------------------------------------------------------------

const tsInputs = ['src', 'types', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
if (!existsSync(join(ROOT, 'dist', 'cli', 'run.js')) || mtime(TS_STAMP) < newestMtime(tsInputs)) {
  run('linking the ROS 2 interface typings', process.execPath, [join(ROOT, 'scripts', 'check-ros-files.mjs')]);
  run('compiling TypeScript (dist/, about 20 s)', process.execPath,
    [join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  if (!CHECK) {
    mkdirSync(dirname(TS_STAMP), { recursive: true });
    writeFileSync(TS_STAMP, `${new Date().toISOString()}\n`);
  }
}

// ---- 5. models -----------------------------------------------------------------------------------

const modelsDir = join(ROOT, 'models');
const files = existsSync(modelsDir) ? readdirSync(modelsDir) : [];
const problems = [];
const models = files.filter((f) => f.endsWith('.onnx'));
if (models.length === 0) problems.push('no .onnx model in models/');
// Contracts: `<model>.contract.json` beside one model, or a bundle file (any JSON here) naming its models.
const contracts = new Map();
for (const f of files.filter((x) => x.endsWith('.json'))) {
  try {
    contracts.set(f, JSON.stringify(JSON.parse(readFileSync(join(modelsDir, f), 'utf8'))));
  } catch (err) {
    problems.push(`models/${f} is not valid JSON (${err.message})`);
  }
}
const namedBy = (m) => [...contracts].filter(([f, text]) => f === m.replace(/\.onnx$/, '.contract.json') || text.includes(`"${m}"`)).map(([f]) => f);
for (const m of models) {
  const bytes = statSync(join(modelsDir, m)).size;
  const head = readFileSync(join(modelsDir, m)).subarray(0, 40).toString('latin1');
  if (bytes === 0 || head.startsWith('version https://git-lfs')) problems.push(`models/${m} is empty or a Git LFS pointer`);
  if (namedBy(m).length === 0 && !problems.some((p) => p.includes('is not valid JSON'))) {
    problems.push(`models/${m} has no contract (models/${m.replace(/\.onnx$/, '.contract.json')}, or a bundle file naming it, is missing)`);
  }
}
for (const [f, text] of contracts) {
  const named = [...text.matchAll(/"([^"/]+\.onnx)"/g)].map((x) => x[1]);
  for (const m of named) if (!files.includes(m)) problems.push(`models/${f} names ${m}, which is missing`);
  if (f.endsWith('.contract.json') && named.length === 0 && !files.includes(f.replace(/\.contract\.json$/, '.onnx'))) {
    problems.push(`models/${f} has no model beside it`);
  }
}
if (problems.length > 0) {
  say(`model files: ${problems.join('; ')}. Restore them with git (git checkout -- models) or regenerate them: npm run models`);
  process.exit(1);
}

if (CHECK) {
  if (todo.length > 0) {
    say(`would do: ${todo.join('; ')}`);
    process.exit(1);
  }
  say('nothing to do');
} else if (performance.now() - t0 > 1000) {
  say(`complete (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
