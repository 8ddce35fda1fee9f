/**
 * ROS 2 topic-level tests: the aegis nodes run as separate processes started
 * with `--ros-args` (as `ros2 launch` starts them), observed and driven over
 * real DDS topics, services and lifecycle services through rclnodejs (the
 * adapter under test, in this process). They run where ROS 2 is sourced and
 * the project is built; elsewhere the suite is skipped with the reason
 * printed. How to run them on Jazzy or Humble: docs/ros.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { RegimeMemoryFileSchema } from '../../src/adaptation/regime-memory.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { makeImu, makeJointState, makeJointTrajectory, setTimeSeconds } from '../../src/transport/messages.js';
import { checkRosEnvironment, RosTransport, type RosTransportNode } from '../../src/transport/ros/index.js';

const root = join(import.meta.dirname, '..', '..');
const entry = join(root, 'dist', 'cli', 'ros-node.js');
const addon = join(root, 'native', 'build', 'Release', 'aegis_mujoco.node');
const ros = checkRosEnvironment(process.env);
const skipReason = !ros.ok
  ? `ROS 2 is not sourced (${ros.missing.join(' and ')} unset): source /opt/ros/jazzy/setup.bash (or humble) to run it`
  : existsSync(entry)
    ? null
    : 'dist/cli/ros-node.js is missing: run npm run build first';
if (skipReason) console.log(`[tests/ros/topic-level.test.ts] ROS topic-level suite skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

/** A domain of our own, so other ROS traffic on the machine cannot interfere. */
const DOMAIN = String(40 + (process.pid % 50));
const limits = jointLimitArrays(loadUrdfFile(join(root, 'urdf', 'g1_29dof.urdf')));
const names = limits.names;
const mid = Float64Array.from(names, (_, i) => ((limits.lower[i] ?? 0) + (limits.upper[i] ?? 0)) / 2);

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}
const procs: Proc[] = [];

/** Starts `ros-node.js <kind>` as a ROS node named `name`, with `-p` parameters. */
function startNode(kind: 'shield' | 'policy' | 'sim', name: string, params: Record<string, string | number | boolean>, paramsFile?: string): Proc {
  const args = [entry, kind, '--ros-args', '-r', `__node:=${name}`, ...(paramsFile ? ['--params-file', paramsFile] : []), ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}:=${String(v)}`])];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ROS_DOMAIN_ID: DOMAIN, AEGIS_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const p = { name, child, output, exited };
  procs.push(p);
  return p;
}

async function stopNode(p: Proc, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => `--- ${p.name}\n${p.output.join('')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A perfectly servoing fake robot: /joint_states follow the last command, /imu is level. */
function fakeRobot(node: RosTransportNode, commandTopic = '/forward_position_controller/commands') {
  const js = makeJointState(names);
  js.position.set(mid);
  const imu = makeImu('imu_in_pelvis');
  const commands: number[][] = [];
  const jsPub = node.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
  const imuPub = node.createPublisher('sensor_msgs/msg/Imu', '/imu', { preset: 'sensor_data' });
  const sub = node.createSubscription('std_msgs/msg/Float64MultiArray', commandTopic, (m) => {
    commands.push(Array.from(m.data));
    if (m.data.length === names.length) js.position.set(m.data);
  }, { preset: 'reliable' });
  const timer = setInterval(() => {
    const t = node.nowSeconds();
    setTimeSeconds(js.header.stamp, t);
    setTimeSeconds(imu.header.stamp, t);
    jsPub.publish(js);
    imuPub.publish(imu);
  }, 5);
  return { commands, stop: () => (clearInterval(timer), sub.destroy()) };
}

/** Streams one-point candidates (mid + offset, one joint far above its URDF limit). */
function candidateStream(node: RosTransportNode, outOfLimitJoint: number) {
  const msg = makeJointTrajectory(names);
  const point = msg.points[0]!;
  point.positions.set(mid);
  for (let i = 0; i < names.length; i++) point.positions[i] = (mid[i] ?? 0) + 0.05;
  point.positions[outOfLimitJoint] = (limits.upper[outOfLimitJoint] ?? 0) + 1;
  setTimeSeconds(point.time_from_start, 0.02);
  const pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', { preset: 'reliable' });
  const timer = setInterval(() => {
    setTimeSeconds(msg.header.stamp, node.nowSeconds());
    pub.publish(msg);
  }, 20);
  return () => clearInterval(timer);
}

function expectWithinUrdfLimits(commands: number[][]): void {
  for (const c of commands) {
    expect(c).toHaveLength(names.length);
    c.forEach((v, i) => {
      expect(v, names[i]).toBeGreaterThanOrEqual((limits.lower[i] ?? 0) - 1e-9);
      expect(v, names[i]).toBeLessThanOrEqual((limits.upper[i] ?? 0) + 1e-9);
    });
  }
}

suite('ROS 2 topic level (nodes in separate processes)', () => {
  let transport: RosTransport;
  let obs: RosTransportNode;

  beforeAll(async () => {
    process.env['ROS_DOMAIN_ID'] = DOMAIN;
    transport = await RosTransport.open({ argv: ['node', 'topic-level-test'], handleSignals: false });
    obs = transport.createNode('aegis_topic_level_observer');
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => stopNode(p, 'SIGTERM')));
  });
  afterAll(async () => {
    await transport?.shutdown();
  });

  it('shield: every command has the 29 controller joints inside the URDF limits, even for an out-of-limit candidate; an e-stop holds it', async () => {
    startNode('shield', 'aegis_shield_t1', { autostart: true });
    const robot = fakeRobot(obs);
    const stopCandidates = candidateStream(obs, names.indexOf('left_knee_joint'));
    await waitUntil('100 shield commands', () => robot.commands.length >= 100);
    expectWithinUrdfLimits(robot.commands);

    obs.createPublisher('std_msgs/msg/Bool', '/estop', { preset: 'reliable' }).publish({ data: true });
    await new Promise((r) => setTimeout(r, 300));
    const from = robot.commands.length;
    await waitUntil('commands after the e-stop', () => robot.commands.length >= from + 20);
    const held = robot.commands.slice(from);
    for (const c of held) expect(c).toEqual(held[0]);
    stopCandidates();
    robot.stop();
  });

  it('parameters: an unsafe value is refused with the reason and the old value kept; lifecycle services configure and activate', async () => {
    startNode('shield', 'aegis_shield_t2', { autostart: false });
    const raw = obs.raw;
    const params = raw.createParameterClient('aegis_shield_t2', { timeout: 10_000 });
    await waitUntil('the shield parameter service', () => raw.countServices('/aegis_shield_t2/set_parameters') > 0);
    const refused = await params.setParameter('limits.velocityScale', 1.5);
    expect(refused.successful).toBe(false);
    expect(refused.reason).toMatch(/limits\.velocityScale/);
    expect((await params.getParameter('limits.velocityScale')).value).toBe(1);
    expect((await params.setParameter('limits.velocityScale', 0.5)).successful).toBe(true);

    const change = raw.createClient('lifecycle_msgs/srv/ChangeState', '/aegis_shield_t2/change_state');
    const getState = raw.createClient('lifecycle_msgs/srv/GetState', '/aegis_shield_t2/get_state');
    expect(await change.waitForService(10_000)).toBe(true);
    expect((await getState.sendRequestAsync({})).current_state.label).toBe('unconfigured');
    // `ros2 lifecycle list` names each transition's start and goal state (rclnodejs alone sent them empty).
    const listed = spawnSync('ros2', ['lifecycle', 'list', '/aegis_shield_t2'], { env: { ...process.env, ROS_DOMAIN_ID: DOMAIN }, encoding: 'utf8', timeout: 20_000 });
    expect(listed.stdout).toMatch(/configure \[1\]\s+Start: unconfigured\s+Goal: configuring/);
    expect(listed.stdout).toMatch(/shutdown \[5\]\s+Start: unconfigured\s+Goal: shuttingdown/);
    for (const id of [1, 3]) {
      const r = await change.sendRequestAsync({ transition: { id, label: '' } });
      expect(r.success, `transition ${id}`).toBe(true);
    }
    expect((await getState.sendRequestAsync({})).current_state.label).toBe('active');
    const whileActive = await params.setParameter('limits.velocityScale', 0.4);
    expect(whileActive).toMatchObject({ successful: false, reason: expect.stringMatching(/node is active/) });

    // Ranges reach the ROS CLI (rclnodejs alone drops them: see describedRangeClass).
    const described = spawnSync('ros2', ['param', 'describe', '/aegis_shield_t2', 'core.rateHz', 'limits.velocityScale'], {
      env: { ...process.env, ROS_DOMAIN_ID: DOMAIN },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(described.stdout).toMatch(/core\.rateHz[\s\S]*Min value: 500\.0\s+Max value: 1000\.0/);
    expect(described.stdout).toMatch(/limits\.velocityScale[\s\S]*Min value: 0\.0\s+Max value: 1\.0/);
    // A refusal reads as ours, naming the field and the reason.
    const tooFast = await params.setParameter('core.rateHz', 2000);
    expect(tooFast.successful).toBe(false);
    expect(tooFast.reason).toMatch(/core\.rateHz.*1000/);
  });

  it('shield: SIGINT takes the lifecycle shutdown transition (its hold) and exits 0', async () => {
    const shield = startNode('shield', 'aegis_shield_t3', { autostart: true });
    const robot = fakeRobot(obs);
    const stopCandidates = candidateStream(obs, 0);
    await waitUntil('shield commands', () => robot.commands.length >= 20);
    expect(await stopNode(shield, 'SIGINT')).toBe(0);
    const log = shield.output.join('');
    expect(log).toMatch(/"msg":"shutdown on signal"/);
    expect(log).toMatch(/"result":"success"[^\n]*"msg":"shutdown on signal"/);
    expectWithinUrdfLimits(robot.commands);
    stopCandidates();
    robot.stop();
  });

  it('a node whose launcher is killed (SIGKILL, no signal reaches it) holds and exits by itself', async () => {
    // bash stands in for `ros2 launch`: it starts the shield and is then killed outright.
    const args = [entry, 'shield', '--ros-args', '-r', '__node:=aegis_shield_t5', '-p', 'autostart:=true'].map((a) => `'${a}'`).join(' ');
    const launcher = spawn('bash', ['-c', `'${process.execPath}' ${args} & echo "pid $!"; wait`], {
      cwd: root, env: { ...process.env, ROS_DOMAIN_ID: DOMAIN, AEGIS_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    launcher.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    launcher.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const robot = fakeRobot(obs);
    const stopCandidates = candidateStream(obs, 0);
    await waitUntil('the shield to command', () => robot.commands.length >= 20);
    const pid = Number(/pid (\d+)/.exec(output.join(''))?.[1]);
    expect(pid).toBeGreaterThan(0);
    launcher.kill('SIGKILL');
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitUntil('the orphaned shield to exit', () => !alive(), 10_000);
    const log = output.join('');
    expect(log).toMatch(/"signal":"parent_gone"/);
    expect(log).toMatch(/"msg":"shutdown on signal"/);
    stopCandidates();
    robot.stop();
  });

  it.skipIf(!existsSync(addon))('closed loop on sim time: embedded sim + shield + policy drive the robot for 30 s of sim time, the shield ACTIVE throughout', async () => {
    const fixed = join(root, 'urdf', 'g1_29dof_fixed.urdf');
    const paramsFile = join(root, 'config', 'ros', 'aegis.yaml');
    startNode('sim', 'aegis_sim', { urdf_file: fixed }, paramsFile);
    startNode('shield', 'aegis_shield', { autostart: true, use_sim_time: true, urdf_file: fixed }, paramsFile);
    startNode('policy', 'aegis_policy', { autostart: true, use_sim_time: true, urdf_file: fixed }, paramsFile);
    const clocks: number[] = [];
    const commands: number[][] = [];
    const candidates: number[] = [];
    /** The shield's state in each /diagnostics report, with the sim time it arrived at. */
    const states: { t: number; state: string; message: string }[] = [];
    const now = () => clocks.at(-1) ?? 0;
    obs.createSubscription('rosgraph_msgs/msg/Clock', '/clock', (m) => void clocks.push(m.clock.sec + m.clock.nanosec * 1e-9), { preset: 'sensor_data' });
    obs.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', (m) => void commands.push(Array.from(m.data)), { preset: 'reliable' });
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m) => void candidates.push(m.points.length), { preset: 'reliable' });
    obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
      for (const st of m.status) {
        if (!st.name.startsWith('aegis_shield:')) continue;
        const state = st.values.find((kv) => kv.key === 'state')?.value ?? '?';
        states.push({ t: now(), state, message: st.message });
      }
    }, { preset: 'reliable' });
    await waitUntil('the shield ACTIVE', () => states.some((s) => s.state === 'ACTIVE'), 60_000);
    const t0 = now();
    const from = { commands: commands.length, candidates: candidates.length, states: states.length };
    await waitUntil('30 s of sim time', () => now() - t0 >= 30, 120_000);
    const span = now() - t0;
    const window = states.slice(from.states);
    const active = window.filter((s) => s.state === 'ACTIVE').length;
    const rates = { commandsHz: (commands.length - from.commands) / span, candidatesHz: (candidates.length - from.candidates) / span };
    console.log(`[closed loop] ${span.toFixed(1)} s of sim time: shield ACTIVE in ${active}/${window.length} reports; commands ${rates.commandsHz.toFixed(0)} Hz (shield 500), candidates ${rates.candidatesHz.toFixed(1)} Hz (policy 50)`);
    // The shield drove: a shield stuck in HOLD (e.g. inputs rejected as from the future) fails here.
    // One report a second; at most 10 % of them may catch a transient non-ACTIVE state.
    expect(window.length).toBeGreaterThanOrEqual(25);
    const notActive = window.filter((s) => s.state !== 'ACTIVE');
    expect(notActive.length, `reports not ACTIVE: ${JSON.stringify(notActive)}`).toBeLessThanOrEqual(Math.floor(window.length / 10));
    expect(window.at(-1)?.state, 'the shield at the end').toBe('ACTIVE');
    // The command follows the policy: it changes, and stays inside the URDF limits.
    const driven = commands.slice(from.commands);
    // it changes at least at half the policy's 50 Hz (a reached target repeats between policy steps)
    const distinct = new Set(driven.map((c) => c.join(','))).size;
    expect(distinct).toBeGreaterThanOrEqual(25 * span);
    expectWithinUrdfLimits(driven);
  }, 240_000);

  it.skipIf(!existsSync(addon))('online adaptation on ROS: the policy node with an adaptation_file learns its anchor in the closed loop, reads the shield\'s interventions from /diagnostics, runs its adaptation module, reports on /diagnostics and saves the regime library on shutdown', async () => {
    const fixed = join(root, 'urdf', 'g1_29dof_fixed.urdf');
    const paramsFile = join(root, 'config', 'ros', 'aegis.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'aegis-ros-adaptation-'));
    const adapter = (parse(readFileSync(join(root, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: unknown }).adapter;
    const adaptationFile = join(dir, 'adaptation.yaml');
    // the context from the learnt adaptation module (ONNX, its own 10 Hz timer in the node)
    const ctx = (adapter as { context: object }).context;
    writeFileSync(adaptationFile, stringify({ adapter: { ...(adapter as object), context: { ...ctx, source: 'module' } }, memoryFile: 'library.json', module: join(root, 'models', 'g1_arm_context.contract.json') }));
    startNode('sim', 'aegis_sim', { urdf_file: fixed }, paramsFile);
    startNode('shield', 'aegis_shield', { autostart: true, use_sim_time: true, urdf_file: fixed }, paramsFile);
    const policy = startNode('policy', 'aegis_policy', { autostart: true, use_sim_time: true, urdf_file: fixed, adaptation_file: adaptationFile }, paramsFile);
    const adaptation: string[] = [];
    let shieldReports = 0;
    let moduleAccepted = 0;
    obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
      for (const st of m.status) {
        if (!st.name.startsWith('aegis_policy:')) continue;
        const state = st.values.find((kv) => kv.key === 'adaptation_state')?.value;
        if (state) adaptation.push(state);
        shieldReports = Math.max(shieldReports, Number(st.values.find((kv) => kv.key === 'adaptation_shield_reports')?.value ?? 0));
        moduleAccepted = Math.max(moduleAccepted, Number(st.values.find((kv) => kv.key === 'adaptation_module_accepted')?.value ?? 0));
      }
    }, { preset: 'reliable' });
    // 150 policy ticks (3 s) of the nominal regime learn the anchor; then the adapter corrects ("tracking")
    await waitUntil('the adapter tracking after its anchor', () => adaptation.includes('tracking'), 120_000);
    expect(adaptation[0]).toBe('learning_anchor');
    // the shield's /diagnostics reach the adapter's cost budget (its limit interventions are charged)
    await waitUntil('the shield status read by the adapter', () => shieldReports >= 2, 30_000);
    await waitUntil('the adaptation module running', () => moduleAccepted >= 10, 30_000);
    expect(await stopNode(policy)).toBe(0);
    const lib = RegimeMemoryFileSchema.parse(JSON.parse(readFileSync(join(dir, 'library.json'), 'utf8')));
    expect(lib.entries.map((e) => e.label)).toEqual(['anchor']);
    expect(lib.context).toBe(6);
    expect(policy.output.join('')).toMatch(/"msg":"regime library saved"/);
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);

  it('a policy node that requires an admission record (the hardware bringup) refuses an adaptation_file: the record does not cover it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-ros-adaptation-'));
    const adapter = (parse(readFileSync(join(root, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: unknown }).adapter;
    const adaptationFile = join(dir, 'adaptation.yaml');
    writeFileSync(adaptationFile, stringify({ adapter, memoryFile: null }));
    const p = startNode('policy', 'aegis_policy_t7', { autostart: true, 'admission.required': true, adaptation_file: adaptationFile, urdf_file: join(root, 'urdf', 'g1_29dof_fixed.urdf') });
    expect(await p.exited).toBe(1);
    expect(p.output.join('')).toMatch(/does not cover online adaptation/);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
