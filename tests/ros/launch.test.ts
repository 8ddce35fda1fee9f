/**
 * `ros2 launch aegis_control embedded_sim.launch.py` for real: the package is
 * built with colcon into a temporary workspace (the lean install CMake makes),
 * launched as a user would, and checked over ROS from this process: every node
 * up, the shield ACTIVE and the command following the policy for 30 s of sim
 * time within the URDF limits, lifecycle and a parameter change, an e-stop
 * that holds, and Ctrl-C (SIGINT to the whole process group, as a terminal
 * sends it) and SIGTERM to the launch process alone bringing everything down
 * with a hold; and with `policy_file:=` a diffusion policy file, the
 * diffusion node in the policy slot driving the arm through the shield.
 * Runs where ROS 2 is sourced and colcon is installed.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { checkRosEnvironment, RosTransport, type RosTransportNode } from '../../src/transport/ros/index.js';

const root = join(import.meta.dirname, '..', '..');
const ros = checkRosEnvironment(process.env);
const hasColcon = spawnSync('colcon', ['--help'], { stdio: 'ignore' }).status === 0;
const skipReason = !ros.ok
  ? `ROS 2 is not sourced (${ros.missing.join(' and ')} unset)`
  : !existsSync(join(root, 'dist', 'cli', 'ros-node.js'))
    ? 'dist/ is missing: run npm run build first'
    : !existsSync(join(root, 'native', 'build', 'Release', 'aegis_mujoco.node'))
      ? 'the MuJoCo addon is not built (npm run build)'
      : !hasColcon
        ? 'colcon is not installed (bash ../shared/ros2/install.sh installs it)'
        : null;
if (skipReason) console.log(`[tests/ros/launch.test.ts] ros2 launch suite skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

const DOMAIN = String(100 + (process.pid % 60));
const limits = jointLimitArrays(loadUrdfFile(join(root, 'urdf', 'g1_29dof_fixed.urdf')));
/** colcon's CMake step runs ament's Python helpers: they need the system python3 (with catkin_pkg), not a pyenv shim. */
const PATH = `/usr/bin:${process.env['PATH'] ?? ''}`;

interface Launch {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs: number, launch?: Launch): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${launch ? `\n${launch.output.join('').slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes of the launch's process group: pid, CPU % over their lifetime, command. */
function groupProcesses(pgid: number): { pid: number; cpu: number; args: string }[] {
  const out = spawnSync('ps', ['-o', 'pid=,pcpu=,args=', '-g', String(pgid)], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => /^\s*(\d+)\s+([\d.]+)\s+(.*)$/.exec(l)).filter((m) => m !== null)
    .map((m) => ({ pid: Number(m![1]), cpu: Number(m![2]), args: m![3]! }));
}

suite('ros2 launch aegis_control embedded_sim.launch.py', () => {
  const launches: Launch[] = [];
  let ws: string;
  let transport: RosTransport;
  let obs: RosTransportNode;

  function launch(args: string[] = []): Launch {
    const child = spawn('bash', ['-c', `source '${ws}/install/setup.bash' && exec ros2 launch aegis_control embedded_sim.launch.py ${args.join(' ')}`], {
      env: { ...process.env, PATH, ROS_DOMAIN_ID: DOMAIN, AEGIS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, as a terminal gives it
    });
    const output: string[] = [];
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const l = { child, output, exited };
    launches.push(l);
    return l;
  }

  /** A failed test must not leave its launch running: the whole process group goes, SIGKILL if need be. */
  afterEach(async () => {
    for (const l of launches.splice(0)) {
      const pgid = l.child.pid!;
      if (groupProcesses(pgid).length === 0) continue;
      try { process.kill(-pgid, 'SIGINT'); } catch { /* gone */ }
      const t0 = Date.now();
      while (groupProcesses(pgid).length > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
      for (const p of groupProcesses(pgid)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
  });

  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'aegis-colcon-'));
    execFileSync('colcon', ['build', '--base-paths', root, '--event-handlers', 'console_direct-'], {
      cwd: ws, env: { ...process.env, PATH }, stdio: 'ignore', timeout: 300_000,
    });
    const size = Number(execFileSync('du', ['-sm', join(ws, 'install', 'aegis_control')], { encoding: 'utf8' }).split('\t')[0]);
    console.log(`[launch] colcon install of aegis_control: ${size} MB`);
    expect(size).toBeLessThan(100);
    process.env['ROS_DOMAIN_ID'] = DOMAIN;
    transport = await RosTransport.open({ argv: ['node', 'launch-test'], handleSignals: false });
    obs = transport.createNode('aegis_launch_observer');
  }, 360_000);

  afterAll(async () => {
    await transport?.shutdown();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('drives the robot through the shield for 30 s of sim time; lifecycle, parameters and the e-stop work; Ctrl-C brings everything down with a hold', async () => {
    // A user's params file that names another URDF under each node's name: the launch's urdf:= must
    // still win (rclnodejs lets such an entry beat a launch's parameters dict; launch/node_params.py).
    const userParams = join(ws, 'user-params.yaml');
    const shipped = parseYaml(readFileSync(join(root, 'config', 'ros', 'aegis.yaml'), 'utf8')) as Record<string, { ros__parameters: Record<string, unknown> }>;
    for (const n of ['aegis_sim', 'aegis_shield', 'aegis_policy']) shipped[n] = { ros__parameters: { ...shipped[n]?.ros__parameters, urdf_file: join(root, 'urdf', 'g1_29dof.urdf') } };
    writeFileSync(userParams, stringifyYaml(shipped));
    // the online adapter through the launch argument (the shipped scenario's adapter settings)
    const adaptationFile = join(ws, 'adaptation.yaml');
    const adapter = (parseYaml(readFileSync(join(root, 'config', 'adaptation.yaml'), 'utf8')) as { adapter: unknown }).adapter;
    writeFileSync(adaptationFile, stringifyYaml({ adapter, memoryFile: 'library.json' }));
    const l = launch([`params_file:=${userParams}`, `adaptation_file:=${adaptationFile}`]);
    const pgid = l.child.pid!;
    const clocks: number[] = [];
    const commands: number[][] = [];
    const states: { t: number; state: string }[] = [];
    const adaptation: string[] = [];
    const now = () => clocks.at(-1) ?? 0;
    obs.createSubscription('rosgraph_msgs/msg/Clock', '/clock', (m) => void clocks.push(m.clock.sec + m.clock.nanosec * 1e-9), { preset: 'sensor_data' });
    obs.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', (m) => void commands.push(Array.from(m.data)), { preset: 'reliable' });
    obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
      for (const st of m.status) {
        if (st.name.startsWith('aegis_shield:')) states.push({ t: now(), state: st.values.find((kv) => kv.key === 'state')?.value ?? '?' });
        const a = st.name.startsWith('aegis_policy:') ? st.values.find((kv) => kv.key === 'adaptation_state')?.value : undefined;
        if (a) adaptation.push(a);
      }
    }, { preset: 'reliable' });

    const expected = ['aegis_sim', 'robot_state_publisher', 'aegis_shield', 'aegis_policy'];
    await waitUntil('every node', () => expected.every((n) => obs.raw.getNodeNames().includes(n)), 60_000, l);
    await waitUntil('the shield ACTIVE', () => states.some((s) => s.state === 'ACTIVE'), 60_000, l);
    const t0 = now();
    const from = { commands: commands.length, states: states.length };
    await waitUntil('30 s of sim time', () => now() - t0 >= 30, 120_000, l);
    const span = now() - t0;
    const window = states.slice(from.states);
    const notActive = window.filter((s) => s.state !== 'ACTIVE');
    const cpu = groupProcesses(pgid).filter((p) => /ros-node\.js|aegis_|robot_state_publisher/.test(p.args))
      .map((p) => `${/ros-node\.js (\w+)/.exec(p.args)?.[1]?.replace(/^/, 'aegis_') ?? /robot_state_publisher|ros2 launch/.exec(p.args)?.[0] ?? p.pid} ${p.cpu.toFixed(0)} %`);
    console.log(`[launch] ${span.toFixed(1)} s of sim time: shield ACTIVE in ${window.length - notActive.length}/${window.length} reports; commands ${((commands.length - from.commands) / span).toFixed(0)} Hz (500 configured); CPU ${cpu.join(', ')}`);
    expect(notActive.length, JSON.stringify(notActive)).toBeLessThanOrEqual(Math.floor(window.length / 10));
    // The command follows the policy: it changes at least at half the policy's 50 Hz (the shield
    // repeats a reached target between policy steps, so not every command is new).
    const driven = commands.slice(from.commands);
    expect(new Set(driven.map((c) => c.join(','))).size).toBeGreaterThanOrEqual(25 * span);
    for (const c of driven) {
      expect(c).toHaveLength(limits.names.length);
      c.forEach((v, i) => {
        expect(v, limits.names[i]).toBeGreaterThanOrEqual(limits.lower[i]! - 1e-9);
        expect(v, limits.names[i]).toBeLessThanOrEqual(limits.upper[i]! + 1e-9);
      });
    }

    // Lifecycle and a parameter change: refused while active, taken after a deactivate, active again.
    const raw = obs.raw;
    const params = raw.createParameterClient('aegis_shield', { timeout: 10_000 });
    const change = raw.createClient('lifecycle_msgs/srv/ChangeState', '/aegis_shield/change_state');
    const getState = raw.createClient('lifecycle_msgs/srv/GetState', '/aegis_shield/get_state');
    expect(await change.waitForService(10_000)).toBe(true);
    expect((await getState.sendRequestAsync({})).current_state.label).toBe('active');
    expect((await params.setParameter('limits.velocityScale', 0.5)).successful).toBe(false);
    expect((await change.sendRequestAsync({ transition: { id: 4, label: '' } })).success).toBe(true); // deactivate
    expect((await params.setParameter('limits.velocityScale', 0.5)).successful).toBe(true);
    expect((await params.setParameter('limits.velocityScale', 1.5)).successful).toBe(false);
    expect((await change.sendRequestAsync({ transition: { id: 3, label: '' } })).success).toBe(true); // activate
    expect((await getState.sendRequestAsync({})).current_state.label).toBe('active');
    expect((await params.getParameter('limits.velocityScale')).value).toBe(0.5);
    for (const n of ['aegis_sim', 'aegis_shield', 'aegis_policy']) {
      const client = n === 'aegis_shield' ? params : raw.createParameterClient(n, { timeout: 10_000 });
      expect(String((await client.getParameter('urdf_file')).value), `${n}: urdf_file is the launch's urdf:=`).toMatch(/\/g1_29dof_fixed\.urdf$/);
      if (n === 'aegis_policy') expect(String((await client.getParameter('adaptation_file')).value)).toBe(adaptationFile);
    }
    // the policy ran with the adapter: anchor learnt in the first 3 s, then correcting
    expect(adaptation).toContain('tracking');

    // An e-stop holds the command constant.
    obs.createPublisher('std_msgs/msg/Bool', '/estop', { preset: 'reliable' }).publish({ data: true });
    const tStop = now();
    await waitUntil('0.5 s of sim time after the e-stop', () => now() - tStop >= 0.5, 30_000, l);
    const fromStop = commands.length;
    await waitUntil('commands while latched', () => commands.length >= fromStop + 100, 30_000, l);
    const held = commands.slice(fromStop);
    for (const c of held) expect(c).toEqual(held[0]);

    // Ctrl-C: SIGINT to the whole process group (what a terminal does), then everything is down.
    const nodes = groupProcesses(pgid).filter((p) => p.pid !== pgid);
    process.kill(-pgid, 'SIGINT');
    expect(await l.exited).toBe(0);
    await waitUntil('every node process to exit', () => groupProcesses(pgid).length === 0, 30_000, l);
    const log = l.output.join('');
    expect(log).toMatch(/aegis_shield_node[^\n]*"msg":"shutdown on signal"/);
    expect(log).not.toMatch(/process has died/);
    expect(nodes.length).toBeGreaterThanOrEqual(4);
    // the policy saved its regime library on the way down (memoryFile beside the adaptation file)
    expect(JSON.parse(readFileSync(join(ws, 'library.json'), 'utf8')).entries.map((e: { label: string }) => e.label)).toContain('anchor');
  }, 300_000);

  it('policy_file:= a diffusion policy: the diffusion node and its sampling worker run in the policy slot, not the ONNX policy node; the shield accepts every streamed target', async () => {
    const l = launch(['policy_file:=config/diffusion_arm_detour.yaml']);
    const pgid = l.child.pid!;
    const chunks: string[][] = [];
    const commands: number[][] = [];
    const shield: { state: string; accepted: number; rejected: number }[] = [];
    const policyStatuses = new Set<string>();
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', (m) => void chunks.push([...m.joint_names]), { preset: 'reliable' });
    obs.createSubscription('std_msgs/msg/Float64MultiArray', '/forward_position_controller/commands', (m) => void commands.push(Array.from(m.data)), { preset: 'reliable' });
    obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
      for (const st of m.status) {
        if (st.name.startsWith('aegis_policy')) policyStatuses.add(st.name);
        if (!st.name.startsWith('aegis_shield:')) continue;
        const v = (k: string) => st.values.find((kv) => kv.key === k)?.value;
        const rejected = st.values.filter((kv) => kv.key.startsWith('candidate.rejected.')).reduce((a, kv) => a + Number(kv.value), 0);
        shield.push({ state: v('state') ?? '?', accepted: Number(v('candidate.accepted') ?? NaN), rejected });
      }
    }, { preset: 'reliable' });
    await waitUntil('the diffusion policy loaded', () => l.output.join('').includes('diffusion policy loaded, sampling worker ready'), 90_000, l);
    // the policy file's stand-in publishes a task context every 1.5 s of sim time: each is one decision
    await waitUntil('two sampled chunks', () => chunks.length >= 2, 120_000, l);
    await waitUntil('the shield taking the streamed targets', () => shield.some((s) => s.state === 'ACTIVE' && s.accepted > 0), 60_000, l);
    const log = l.output.join('');
    expect(log).toMatch(/diffusion policy file: the diffusion node runs in the policy node's place/);
    expect(log).not.toMatch(/"msg":"policy loaded"/); // the ONNX policy node's prepare never ran
    expect([...policyStatuses]).toEqual(['aegis_policy: diffusion sampling']);
    for (const c of chunks) expect(c).toEqual(['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_shoulder_yaw_joint', 'right_elbow_joint']);
    const last = shield.at(-1)!;
    expect(last.state).toBe('ACTIVE');
    expect(last.rejected).toBe(0);
    for (const c of commands) {
      c.forEach((v, i) => {
        expect(v, limits.names[i]).toBeGreaterThanOrEqual(limits.lower[i]! - 1e-9);
        expect(v, limits.names[i]).toBeLessThanOrEqual(limits.upper[i]! + 1e-9);
      });
    }
    process.kill(-pgid, 'SIGINT');
    expect(await l.exited).toBe(0);
    await waitUntil('every node process to exit', () => groupProcesses(pgid).length === 0, 30_000, l);
  }, 300_000);

  it('SIGTERM to the launch process alone: our nodes notice and go down with a hold', async () => {
    const l = launch();
    const pgid = l.child.pid!;
    // Up means: each of our nodes has logged from inside its ROS node (the graph may still list the first launch's nodes).
    await waitUntil('every node up', () => ['aegis_sim', 'aegis_shield', 'aegis_policy'].every((n) => l.output.join('').includes(`"node":"${n}"`)), 90_000, l);
    process.kill(pgid, 'SIGTERM');
    await l.exited;
    // ros2 launch (Jazzy) dies on SIGTERM without signalling its children: ours see their parent
    // gone and shut down; robot_state_publisher (rclcpp) is left running, so the test ends it.
    const ours = () => groupProcesses(pgid).filter((p) => p.args.includes('ros-node.js'));
    await waitUntil('our node processes to exit', () => ours().length === 0, 30_000, l);
    for (const p of groupProcesses(pgid)) process.kill(p.pid, 'SIGINT');
  }, 180_000);
});
