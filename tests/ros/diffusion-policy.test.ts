/**
 * The diffusion policy selected on the ROS path: `ros-node.js policy` (what
 * aegis_policy_node and the launch files start) with a `config_file` that
 * says `kind: diffusion` runs the diffusion node and its sampling worker in
 * the policy node's place, as a managed node, observed over real DDS topics
 * and lifecycle services from this process; a bad diffusion policy file (or
 * one whose models disagree with it, or a launch that requires an admission
 * record) stops start-up with one clear message. And embedded_sim.launch.py's
 * `policy_file` argument becomes the policy node's `config_file` (the launch
 * description evaluated with ROS 2's own launch library). Runs where ROS 2 is
 * sourced and the project is built; skipped elsewhere with the reason.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { makeJointState, setTimeSeconds } from '../../src/transport/messages.js';
import { checkRosEnvironment, RosTransport, type RosTransportNode } from '../../src/transport/ros/index.js';

const root = join(import.meta.dirname, '..', '..');
const entry = join(root, 'dist', 'cli', 'ros-node.js');
const ros = checkRosEnvironment(process.env);
const skipReason = !ros.ok
  ? `ROS 2 is not sourced (${ros.missing.join(' and ')} unset): source /opt/ros/jazzy/setup.bash (or humble) to run it`
  : !existsSync(entry) || !existsSync(join(root, 'dist', 'inference', 'diffusion-worker.js'))
    ? 'dist/ is missing: run npm run build first'
    : null;
if (skipReason) console.log(`[tests/ros/diffusion-policy.test.ts] ROS diffusion policy suite skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

const DOMAIN = String(110 + (process.pid % 50));
/** ROS 2's Python launch library needs the system python3 (not a pyenv shim). */
const PATH = `/usr/bin:${process.env['PATH'] ?? ''}`;
const POLICY_FILE = 'config/diffusion_arm_detour.yaml';
const ARM = (JSON.parse(readFileSync(join(root, 'models', 'arm_detour.diffusion.json'), 'utf8')) as { jointNames: string[] }).jointNames;
const limits = jointLimitArrays(loadUrdfFile(join(root, 'urdf', 'g1_29dof_fixed.urdf')));

interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}
const procs: Proc[] = [];

/** `ros-node.js policy` as the launch files start it (node name aegis_policy), with `-p` parameters. */
function startPolicySlot(params: Record<string, string | number | boolean>): Proc {
  const args = [entry, 'policy', '--ros-args', '-r', '__node:=aegis_policy', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}:=${String(v)}`])];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ROS_DOMAIN_ID: DOMAIN, AEGIS_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const p = { child, output, exited };
  procs.push(p);
  return p;
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.output.join('')).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

suite('ROS 2: a diffusion policy file in the policy slot', () => {
  let transport: RosTransport;
  let obs: RosTransportNode;
  let tmp: string;

  beforeAll(async () => {
    process.env['ROS_DOMAIN_ID'] = DOMAIN;
    transport = await RosTransport.open({ argv: ['node', 'diffusion-policy-test'], handleSignals: false });
    obs = transport.createNode('aegis_diffusion_observer');
    tmp = mkdtempSync(join(tmpdir(), 'aegis-ros-diffusion-'));
  }, 60_000);

  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGINT');
      await p.exited;
    }
  });

  afterAll(async () => {
    await transport?.shutdown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the diffusion node with its sampling worker instead of the ONNX policy node: chunks sampled, single-point targets streamed; deactivate stops the stream', async () => {
    const chunks: { names: string[]; points: number }[] = [];
    const targets: { names: string[]; points: number }[] = [];
    const statuses: string[] = [];
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', (m) => void chunks.push({ names: [...m.joint_names], points: m.points.length }), { preset: 'reliable' });
    obs.createSubscription('trajectory_msgs/msg/JointTrajectory', '/policy/joint_command', (m) => void targets.push({ names: [...m.joint_names], points: m.points.length }), { preset: 'reliable' });
    obs.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
      for (const st of m.status) if (st.name.startsWith('aegis_policy')) statuses.push(st.name);
    }, { preset: 'reliable' });
    // the arm's measured pose: mid-range of every joint
    const js = makeJointState(limits.names);
    limits.names.forEach((_, i) => (js.position[i] = ((limits.lower[i] ?? 0) + (limits.upper[i] ?? 0)) / 2));
    const jsPub = obs.createPublisher('sensor_msgs/msg/JointState', '/joint_states', { preset: 'sensor_data' });
    const jsTimer = setInterval(() => {
      setTimeSeconds(js.header.stamp, obs.nowSeconds());
      jsPub.publish(js);
    }, 10);
    try {
      const p = startPolicySlot({ config_file: POLICY_FILE, autostart: true });
      // the file's stand-in publishes a task context every 1.5 s: each becomes one decision in the worker
      await waitUntil('two sampled chunks', () => chunks.length >= 2, 60_000);
      await waitUntil('streamed targets', () => targets.length >= 20);
      await waitUntil('diagnostics', () => statuses.length >= 1);
      const log = p.output.join('');
      expect(log).toMatch(/diffusion policy file: the diffusion node runs in the policy node's place/);
      expect(log).toMatch(/"synchronous":(true|false)[^\n]*diffusion policy loaded, sampling worker ready/);
      expect(log).not.toMatch(/"msg":"policy loaded"/); // the ONNX policy node's prepare never ran
      expect(new Set(statuses)).toEqual(new Set(['aegis_policy: diffusion sampling']));
      for (const c of chunks) expect(c).toEqual({ names: ARM, points: 4 });
      for (const t of targets) expect(t).toEqual({ names: ARM, points: 1 }); // the shield takes one point per message

      // deactivate: the node stops (no target after it), the worker stays; activate again: it runs again
      const change = obs.raw.createClient('lifecycle_msgs/srv/ChangeState', '/aegis_policy/change_state');
      const getState = obs.raw.createClient('lifecycle_msgs/srv/GetState', '/aegis_policy/get_state');
      expect(await change.waitForService(10_000)).toBe(true);
      expect((await getState.sendRequestAsync({})).current_state.label).toBe('active');
      expect((await change.sendRequestAsync({ transition: { id: 4, label: '' } })).success).toBe(true); // deactivate
      await new Promise((r) => setTimeout(r, 300)); // targets already on the wire arrive
      const stopped = { targets: targets.length, chunks: chunks.length };
      await new Promise((r) => setTimeout(r, 2000)); // longer than the stand-in's period
      expect(targets.length).toBe(stopped.targets);
      expect(chunks.length).toBe(stopped.chunks);
      expect((await change.sendRequestAsync({ transition: { id: 3, label: '' } })).success).toBe(true); // activate
      await waitUntil('a chunk after re-activation', () => chunks.length > stopped.chunks, 30_000);

      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
    } finally {
      clearInterval(jsTimer);
    }
  }, 180_000);

  it('a diffusion policy file with an unknown key stops start-up with one message naming it', async () => {
    const bad = join(tmp, 'bad_key.yaml');
    writeFileSync(bad, readFileSync(join(root, POLICY_FILE), 'utf8').replace('steps: 10', 'steps: 10\n  stepz: 3'));
    const p = startPolicySlot({ config_file: bad, autostart: true });
    expect(await p.exited).toBe(1);
    const log = p.output.join('');
    expect(log).toMatch(/sampling\.stepz|stepz/);
    expect(log).toContain(bad);
    expect(log).not.toMatch(/sampling worker ready/);
  }, 60_000);

  it('a diffusion policy file whose models disagree with it stops start-up (the worker\'s configure-time check), naming the mismatch', async () => {
    const bad = join(tmp, 'bad_width.yaml');
    writeFileSync(bad, readFileSync(join(root, POLICY_FILE), 'utf8').replace('obsWidth: 6', 'obsWidth: 7'));
    const p = startPolicySlot({ config_file: bad, autostart: true });
    expect(await p.exited).toBe(1);
    const log = p.output.join('');
    expect(log).toMatch(/obsWidth|observation width/i);
    expect(log).toMatch(/7/);
    expect(log).not.toMatch(/sampling worker ready/);
  }, 60_000);

  it('a launch that requires an admission record (the hardware bringup) refuses a diffusion policy, which has none', async () => {
    const p = startPolicySlot({ config_file: POLICY_FILE, autostart: true, 'admission.required': true });
    expect(await p.exited).toBe(1);
    const log = p.output.join('');
    expect(log).toMatch(/a diffusion policy has no admission record/);
    expect(log).not.toMatch(/sampling worker ready/);
  }, 60_000);

  it('embedded_sim.launch.py: policy_file becomes the policy node\'s config_file, in a params file after the params file; empty leaves the params file\'s', () => {
    const code = [
      'import importlib.util, json, sys, yaml',
      'from launch import LaunchContext',
      'from launch.actions import OpaqueFunction',
      'from launch.utilities import perform_substitutions',
      "spec = importlib.util.spec_from_file_location('l', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      'out = {}',
      "for value in ['', sys.argv[2]]:",
      '    ctx = LaunchContext()',
      "    ctx.launch_configurations.update({'policy_file': value, 'policy': 'true', 'params_file': 'PARAMS_FILE', 'autostart': 'true', 'urdf': '/robot.urdf'})",
      '    ld = m.generate_launch_description()',
      '    opaque = [e for e in ld.entities if isinstance(e, OpaqueFunction)]',
      '    nodes = [n for o in opaque for n in o.execute(ctx)]',
      '    path = lambda p: perform_substitutions(ctx, list(p.param_file)) if hasattr(p, "param_file") else perform_substitutions(ctx, list(p))',
      '    files = lambda n: [path(p) for p in n._Node__parameters if not isinstance(p, dict)]',
      "    content = lambda f: f if f == 'PARAMS_FILE' else yaml.safe_load(open(f))",
      "    out[value or 'empty'] = [{'exe': n.node_executable, 'files': [content(f) for f in files(n)]} for n in nodes]",
      'print(json.dumps(out))',
    ].join('\n');
    const r = JSON.parse(execFileSync('python3', ['-c', code, join(root, 'launch', 'embedded_sim.launch.py'), POLICY_FILE], { encoding: 'utf8', env: { ...process.env, PATH } })) as
      Record<string, { exe: string; files: unknown[] }[]>;
    // after the params file, under the node's name (launch/node_params.py): it overrides the params file's
    // aegis_policy entries (a dict or -p would not, in rclnodejs)
    const launchValues = { use_sim_time: true, autostart: true, urdf_file: '/robot.urdf' };
    expect(r[POLICY_FILE]).toEqual([{ exe: 'aegis_policy_node', files: ['PARAMS_FILE', { aegis_policy: { ros__parameters: { ...launchValues, config_file: POLICY_FILE } } }] }]);
    expect(r['empty']).toEqual([{ exe: 'aegis_policy_node', files: ['PARAMS_FILE', { aegis_policy: { ros__parameters: launchValues } }] }]);
  });
});
