#!/usr/bin/env node
/**
 * Rates, ACTIVE share and CPU per node of `ros2 launch aegis_control
 * embedded_sim.launch.py`, measured over a window of wall time.
 *
 *   source /opt/ros/jazzy/setup.bash    # or any sourced ROS 2 Jazzy
 *   npm run build && node scripts/ros-rates.mjs [--seconds 60] [--ws DIR] [--topics] [--json] [name:=value ...]
 *
 * - Builds the package with colcon into a temporary workspace (or into
 *   `--ws DIR`, kept afterwards: rebuilds are incremental), launches it on a
 *   private ROS_DOMAIN_ID, waits until the shield reports ACTIVE, then measures
 *   for `--seconds` of wall time (default 60).
 * - Rates come from the nodes' own cumulative counters on /diagnostics (1 Hz:
 *   cheap to observe, so the observer does not load the machine it measures):
 *   sim steps and real-time factor, commands the sim applied, shield ticks and
 *   commands published, policy ticks and inferences, each per second of sim
 *   time against its configured rate. `--topics` also counts /clock,
 *   /joint_states, /imu, the candidate and the command topic in this process
 *   (costs CPU: the observer is one more rclnodejs process).
 * - ACTIVE share: the shield's time_in_state_s.ACTIVE over the window's sim
 *   time, and the share of its diagnostics reports that say ACTIVE.
 * - CPU per process: utime+stime from /proc/<pid>/stat over the same window
 *   (% of one core), with the load average at the start and end.
 * - `name:=value` arguments go to the launch file, e.g.
 *   `shield_prefix:='chrt -f 80 taskset -c 1'`.
 * - Ctrl-C (SIGINT to the launch's process group) at the end; anything still
 *   running after 10 s is killed. Exit 0 when every check holds, 1 otherwise.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const SECONDS = Number(opt('--seconds', '60'));
const TOPICS = args.includes('--topics');
const JSON_OUT = args.includes('--json');
const WS_ARG = opt('--ws', '');
const TOLERANCE = 0.1;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const say = (line) => process.stderr.write(`[ros-rates] ${line}\n`);

if (!process.env.AMENT_PREFIX_PATH || !process.env.ROS_DISTRO) {
  console.error('ROS 2 is not sourced: source /opt/ros/<distro>/setup.bash first');
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'cli', 'ros-node.js'))) {
  console.error('dist/ is missing: run npm run build first');
  process.exit(2);
}
const { RosTransport } = await import(join(root, 'dist', 'transport', 'ros', 'index.js'));

// colcon's CMake step runs ament's Python helpers: the system python3 first (pyenv shims lack catkin_pkg).
const PATH = `/usr/bin:${process.env.PATH ?? ''}`;
const ws = WS_ARG || mkdtempSync(join(tmpdir(), 'aegis-rates-'));
say(`colcon build into ${ws}`);
execFileSync('colcon', ['build', '--base-paths', root, '--event-handlers', 'console_direct-'], { cwd: ws, env: { ...process.env, PATH }, stdio: 'ignore' });
const DOMAIN = String(160 + (process.pid % 40));
process.env.ROS_DOMAIN_ID = DOMAIN;

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const groupPids = (pgid) => {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => /^\s*(\d+)\s+(.*)$/.exec(l)).filter(Boolean).map((m) => ({ pid: Number(m[1]), args: m[2] }));
};
const nameOf = (a) => /ros-node\.js (sim|shield|policy)/.exec(a)?.[1]?.replace(/^/, 'aegis_')
  ?? (/robot_state_publisher/.test(a) ? 'robot_state_publisher' : /ros2 launch|launch/.test(a) ? 'ros2_launch' : null);
const cpuTicks = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
};

const launchArgs = args.filter((a) => a.includes(':='));
/** Scheduling of a process: policy and real-time priority (/proc/<pid>/stat fields 40, 41) and allowed CPUs. */
const POLICIES = ['OTHER', 'FIFO', 'RR', 'BATCH', 'ISO', 'IDLE', 'DEADLINE'];
const schedOf = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const cpus = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
    const policy = POLICIES[Number(f[38])] ?? f[38];
    return `${policy}${policy === 'FIFO' || policy === 'RR' ? ` ${f[37]}` : ''}, cpus ${cpus}`;
  } catch {
    return '?';
  }
};

const child = spawn('bash', ['-c', `source '${ws}/install/setup.bash' && exec ros2 launch aegis_control embedded_sim.launch.py "$@"`, 'bash', ...launchArgs], {
  env: { ...process.env, PATH, ROS_DOMAIN_ID: DOMAIN, AEGIS_LOG_LEVEL: process.env.AEGIS_LOG_LEVEL ?? 'info' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
const pgid = child.pid;
const output = [];
child.stdout.on('data', (d) => output.push(d.toString()));
child.stderr.on('data', (d) => output.push(d.toString()));
const exited = new Promise((res) => child.on('exit', (code) => res(code)));

let transport;
async function stopLaunch() {
  try { process.kill(-pgid, 'SIGINT'); } catch { /* gone */ }
  const t0 = Date.now();
  while (groupPids(pgid).length > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
  for (const p of groupPids(pgid)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
  await transport?.shutdown();
  if (!WS_ARG) rmSync(ws, { recursive: true, force: true });
}
process.on('SIGINT', () => void stopLaunch().finally(() => process.exit(130)));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(what, cond, timeoutMs) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}\n${output.join('').slice(-3000)}`);
    await sleep(50);
  }
}

/** Latest diagnostics values per status-name prefix (aegis_sim, aegis_shield, aegis_policy), with the wall time they arrived. */
const latest = {};
const shieldReports = [];
const counts = { clock: 0, joint_states: 0, imu: 0, candidate: 0, command: 0 };
let result;
try {
  transport = await RosTransport.open({ argv: ['node', 'ros-rates'], handleSignals: false });
  const obs = transport.createNode('aegis_rates_observer');
  obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
    for (const st of m.status) {
      const key = /^(aegis_\w+):/.exec(st.name)?.[1];
      if (!key) continue;
      const values = Object.fromEntries(st.values.map((kv) => [kv.key, kv.value]));
      latest[key] = { wall: performance.now() / 1000, values, message: st.message };
      if (key === 'aegis_shield') shieldReports.push(values.state);
    }
  }, { preset: 'reliable' });
  if (TOPICS) {
    const count = (k) => () => void counts[k]++;
    obs.createSubscription('rosgraph_msgs/msg/Clock', '/clock', count('clock'), { preset: 'sensor_data' });
    obs.createSubscription('sensor_msgs/msg/JointState', '/joint_states', count('joint_states'), { preset: 'sensor_data' });
    obs.createSubscription('sensor_msgs/msg/Imu', '/imu', count('imu'), { preset: 'sensor_data' });
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', count('candidate'), { preset: 'reliable' });
    obs.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', count('command'), { preset: 'reliable' });
  }
  say(`launched (ROS_DOMAIN_ID ${DOMAIN}); waiting for the shield to report ACTIVE`);
  await waitUntil('the shield ACTIVE on /diagnostics', () => latest.aegis_shield?.values.state === 'ACTIVE' && latest.aegis_policy && latest.aegis_sim, 120_000);

  const procs = groupPids(pgid).map((p) => ({ ...p, name: nameOf(p.args) })).filter((p) => p.name);
  const snap = () => ({
    wall: performance.now() / 1000,
    ticks: Object.fromEntries(procs.map((p) => [p.pid, cpuTicks(p.pid)])),
    diag: structuredClone(latest),
    counts: { ...counts },
    reports: shieldReports.length,
  });
  const load0 = loadavg();
  const a = snap();
  say(`measuring for ${SECONDS} s (load average ${load0.join(' ')})`);
  await sleep(SECONDS * 1000);
  await sleep(1100); // one more diagnostics report of every node
  const b = snap();
  const load1 = loadavg();
  const wallS = b.wall - a.wall;

  const num = (snapshot, node, key) => Number(snapshot.diag[node]?.values[key]);
  const delta = (node, key) => num(b, node, key) - num(a, node, key);
  // Counters span the interval between the two reports each node sent closest to the snapshots.
  const simSpan = delta('aegis_sim', 'sim_time_s');
  const simWall = b.diag.aegis_sim.wall - a.diag.aegis_sim.wall;
  const shieldSpan = delta('aegis_shield', 'time_in_state_s.ACTIVE') + ['INACTIVE', 'HOLD', 'ESTOP'].reduce((s, k) => s + (delta('aegis_shield', `time_in_state_s.${k}`) || 0), 0);
  const policyTicks = delta('aegis_policy', 'ticks');
  const policyInferences = delta('aegis_policy', 'inferences');
  // The policy's and shield's counters are read at their own report times; their span in sim time is
  // measured by the shield's state clocks (shield) and by the sim for both when the shield's is unknown.
  const span = (node) => (node === 'aegis_shield' && shieldSpan > 0 ? shieldSpan : simSpan);
  const rows = [
    { node: 'aegis_sim', what: 'physics steps per wall second (real-time factor × 1000)', value: delta('aegis_sim', 'steps') / simWall, configured: 1000 },
    { node: 'aegis_sim', what: 'commands applied per sim second', value: delta('aegis_sim', 'commandsApplied') / simSpan, configured: 500 },
    { node: 'aegis_shield', what: 'ticks per sim second', value: delta('aegis_shield', 'ticks') / span('aegis_shield'), configured: 500 },
    { node: 'aegis_shield', what: 'commands published per sim second', value: delta('aegis_shield', 'published') / span('aegis_shield'), configured: 500 },
    { node: 'aegis_policy', what: 'inferences per sim second', value: policyInferences / simSpan, configured: 50 },
    { node: 'aegis_policy', what: 'ticks per sim second', value: policyTicks / simSpan, configured: 50 },
  ];
  if (TOPICS) {
    const per = (k) => (b.counts[k] - a.counts[k]) / wallS;
    rows.push(
      { node: 'observer', what: '/clock per wall second', value: per('clock'), configured: null },
      { node: 'observer', what: '/joint_states per wall second', value: per('joint_states'), configured: 500 },
      { node: 'observer', what: '/imu per wall second', value: per('imu'), configured: 500 },
      { node: 'observer', what: '/policy/joint_command per wall second', value: per('candidate'), configured: 50 },
      { node: 'observer', what: 'commands per wall second', value: per('command'), configured: 500 },
    );
  }
  const activeShare = delta('aegis_shield', 'time_in_state_s.ACTIVE') / shieldSpan;
  const windowReports = shieldReports.slice(a.reports, b.reports);
  const reportsActive = windowReports.filter((s) => s === 'ACTIVE').length;
  const cpu = procs.map((p) => ({ name: p.name, pid: p.pid, sched: schedOf(p.pid), cpuPercent: (100 * (b.ticks[p.pid] - a.ticks[p.pid])) / CLK_TCK / wallS }));
  const sentByShield = delta('aegis_shield', 'published');
  const applied = delta('aegis_sim', 'commandsApplied');
  result = {
    wallS, simS: simSpan, realTimeFactor: simSpan / simWall, loadAverage: { start: load0, end: load1 }, cores: cpus().length,
    activeShare, shieldReportsActive: `${reportsActive}/${windowReports.length}`,
    shieldAtEnd: Object.fromEntries(['state', 'reason', 'transitions', 'activations', 'last_transition'].map((k) => [k, b.diag.aegis_shield?.values[k]]).filter(([, v]) => v !== undefined)),
    shieldMessage: b.diag.aegis_shield?.message,
    // The shield logs each transition (warn for holds): the whole run's, start-up included.
    shieldTransitions: output.join('').split('\n').filter((l) => /"node":"aegis_shield".*"msg":"shield (hold|e-stop|transition)"/.test(l))
      .map((l) => /\{.*\}/.exec(l)?.[0]).filter(Boolean).map((j) => { try { const o = JSON.parse(j); return `${o.from}>${o.to} ${o.reason} at ${Number(o.atS).toFixed(3)} s`; } catch { return j; } }),
    rates: rows.map((r) => ({ ...r, ok: r.configured === null ? null : Math.abs(r.value / r.configured - 1) <= TOLERANCE })),
    commandsPublished: sentByShield, commandsApplied: applied, commandsSuperseded: delta('aegis_sim', 'commandsSuperseded'),
    // Per sim second (the two nodes report at different instants, so raw counts differ by up to a report's worth).
    commandsNotReceivedPerSimS: delta('aegis_shield', 'published') / span('aegis_shield') - (applied + delta('aegis_sim', 'commandsDroppedWrongLength') + delta('aegis_sim', 'commandsDroppedNonFinite')) / simSpan,
    commandsDropped: { wrongLength: delta('aegis_sim', 'commandsDroppedWrongLength'), nonFinite: delta('aegis_sim', 'commandsDroppedNonFinite') },
    cpu,
  };
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopLaunch();
  process.exit(1);
}
await stopLaunch();

const r = result;
const pct = (x) => `${(100 * x).toFixed(1)} %`;
if (JSON_OUT) console.log(JSON.stringify(r, null, 2));
else {
  console.log(`ros2 launch aegis_control embedded_sim.launch.py: ${r.wallS.toFixed(1)} s wall, ${r.simS.toFixed(1)} s sim (real-time factor ${r.realTimeFactor.toFixed(3)}); load average ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')} on ${r.cores} cores`);
  console.log(`shield ACTIVE ${pct(r.activeShare)} of sim time (reports ACTIVE ${r.shieldReportsActive})  [≥ 99 %: ${r.activeShare >= 0.99 ? 'ok' : 'NOT MET'}]; at the end: ${JSON.stringify(r.shieldAtEnd)} "${r.shieldMessage}"`);
  if (r.shieldTransitions.length > 0) console.log(`  shield transitions (sim time): ${r.shieldTransitions.slice(0, 12).join('; ')}${r.shieldTransitions.length > 12 ? '; …' : ''}`);
  for (const row of r.rates) {
    const target = row.configured === null ? '' : ` of ${row.configured} (${pct(row.value / row.configured)}) ${row.ok ? 'ok' : 'OFF BY > 10 %'}`;
    console.log(`  ${row.node.padEnd(14)} ${row.what.padEnd(58)} ${row.value.toFixed(1).padStart(7)}${target}`);
  }
  console.log(`  commands: the shield published ${r.commandsPublished}, the sim applied ${r.commandsApplied} (${r.commandsSuperseded} of them superseded before a physics step used them), dropped ${r.commandsDropped.wrongLength} wrong length + ${r.commandsDropped.nonFinite} non-finite; published minus received: ${r.commandsNotReceivedPerSimS.toFixed(2)} per sim second`);
  console.log(`CPU (% of one core, /proc utime+stime over the window): ${r.cpu.map((c) => `${c.name} ${c.cpuPercent.toFixed(1)}${c.sched.startsWith('OTHER, cpus ') && c.sched.endsWith(`0-${r.cores - 1}`) ? '' : ` [${c.sched}]`}`).join(', ')}; total ${r.cpu.reduce((s, c) => s + c.cpuPercent, 0).toFixed(1)}`);
}
const ok = r.activeShare >= 0.99 && r.rates.every((row) => row.ok !== false);
process.exit(ok ? 0 : 1);
