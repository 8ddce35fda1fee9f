/**
 * Issue 16, Done when: "The hardware launch refuses to drive with an
 * unadmitted model (test with the embedded bus standing in for hardware) and
 * accepts after admission; the override is logged."
 *
 * The policy node is composed as src/cli/ros-node.ts composes it (the real
 * loader, the admission source hashing the loaded files, the parameters
 * applied through the ROS parameter path) with the parameters the bringup
 * launch files give it, read from those files: if the launch stops requiring
 * admission, the refusals below fail. The files are copies in a temp folder
 * (a changed byte stays there).
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env['AEGIS_LOG_LEVEL'] = 'warn'; // src/log.ts reads the level at import: warn lines are captured below
});

import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AdmissionRecordInput } from '../../src/admission/record.js';
import { admissionRecordPath, codeVersion, hashAdmissionFiles, policyAdmissionFiles, sha256File, writeAdmissionRecord } from '../../src/io/admission-record-file.js';
import { loadConfigFile } from '../../src/io/config-file.js';
import { loadPolicy } from '../../src/io/policy-files.js';
import { sendLogsTo } from '../../src/log.js';
import { ADMISSION_RUN_SERVICE, type AdmissionSource } from '../../src/nodes/admission-wiring.js';
import { PolicyNode } from '../../src/nodes/policy-node.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { admissionSource } from '../../src/runtime/admission-source.js';
import { G1_JOINTS } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { DiagnosticLevel, type DiagnosticStatus } from '../../src/transport/messages.js';
import { applyParameterChanges } from '../../src/transport/ros/param-changes.js';
import { describeParameters } from '../../src/transport/ros/param-descriptors.js';
import { pythonPolicyParams, xmlInclude, type LaunchParams } from '../helpers/launch-params.js';
import { fakeRobotSensors, ROOT } from '../policy/helpers.js';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { actuatedJoints } from '../../src/robot/model.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { sharedData, sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';
import { runCli } from '../helpers/cli.js';

interface LogLine {
  level: number;
  msg: string;
  node?: string;
  mode?: string;
}
const logs: LogLine[] = [];
sendLogsTo({ write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
const PINO_WARN = 40;

const tmp = mkdtempSync(join(tmpdir(), 'aegis-gate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Copies of the shipped policy config, model, contract and URDF (same layout: the config's relative paths hold). */
function workspace(): { cfg: string; model: string; urdf: string; record: string } {
  const dir = mkdtempSync(join(tmp, 'ws-'));
  const put = (rel: string): string => {
    const to = join(dir, rel);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(ROOT, rel), to);
    return to;
  };
  const cfg = put('config/policy_upper_body.yaml');
  const model = put('models/g1_upper_body.onnx');
  put('models/g1_upper_body.contract.json');
  const urdf = put('urdf/g1_29dof.urdf');
  return { cfg, model, urdf, record: admissionRecordPath(cfg) };
}

/** The policy node's parameters in the hardware bringup (the XML twin includes the Python file). */
function bringupParams(): LaunchParams {
  expect(xmlInclude('launch/bringup.launch.xml').file).toBe('bringup.launch.py');
  return pythonPolicyParams('launch/bringup.launch.py');
}

interface Rig {
  bus: EmbeddedBus;
  node: PolicyNode;
  tNs: bigint;
  diag: DiagnosticStatus | null;
  step: () => void;
  release: () => Promise<void>;
}
let rig: Rig | null = null;
afterEach(async () => {
  if (!rig) return;
  rig.node.destroy();
  await rig.bus.shutdown();
  await rig.release();
  rig = null;
});

type TrialCommand = (runConfig: string, recordPath: string | null) => string[];

/** The policy node as ros-node.ts composes it: config file + parameters, loaded policy, admission source of the loaded files. */
async function compose(ws: { cfg: string; urdf: string; joints?: readonly string[] }, params: LaunchParams, trialCommand?: TrialCommand, wrap: (s: AdmissionSource) => AdmissionSource = (s) => s): Promise<Rig> {
  const fileConfig = loadConfigFile(PolicyConfigSchema, ws.cfg);
  const specs = new Map(describeParameters(PolicyConfigSchema, fileConfig).specs.map((s) => [s.name, s]));
  const changes = Object.entries(params).map(([name, value]) => ({ name, value }));
  const applied = applyParameterChanges(PolicyConfigSchema, fileConfig, specs, changes, undefined, { allowReadOnly: true });
  if (!applied.ok) throw new Error(applied.reason);
  const config = applied.config;
  const loaded = await loadPolicy(config, dirname(ws.cfg));
  const admission = admissionSource({ policyConfigPath: ws.cfg, config, fileConfig, urdfPath: ws.urdf, loadedModelSha256: loaded.modelSha256, ...(trialCommand ? { trialCommand } : {}) });
  const bus = new EmbeddedBus({ validateMessages: true });
  const joints = ws.joints ?? G1_JOINTS;
  const node = new PolicyNode({ node: bus.createNode('aegis_policy'), config: resolvePolicyConfig(config), policy: loaded.policy, robotJointNames: joints, admission: wrap(admission) });
  const robot = fakeRobotSensors(bus.createNode('fake_robot'), joints);
  const r: Rig = { bus, node, tNs: 0n, diag: null, step: robot.publish, release: () => loaded.policy.release() };
  bus.createNode('operator').createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => {
    const s = m.status.find((x) => x.name.startsWith('aegis_policy'));
    if (s) r.diag = structuredClone(s);
  });
  rig = r;
  return r;
}

async function advance(r: Rig, seconds: number): Promise<void> {
  for (let k = 0; k < Math.round(seconds / 0.005); k++) {
    r.step();
    r.tNs += 5_000_000n;
    r.bus.advanceTo(r.tNs);
    await r.bus.settle();
  }
}

/** Calls a mode service as an operator does. */
async function requestMode(r: Rig, mode: string): Promise<{ success: boolean; message: string }> {
  const client = r.bus.createNode(`op_${mode}_${r.tNs}`).createClient('std_srvs/srv/Trigger', `/policy/set_mode/${mode}`);
  return client.call({});
}

/** Fresh diagnostics (one report period and a bit). */
async function diagnostics(r: Rig): Promise<{ level: number; message: string; values: Record<string, string> }> {
  await advance(r, 1.05);
  expect(r.diag).not.toBeNull();
  return { level: r.diag!.level, message: r.diag!.message, values: Object.fromEntries(r.diag!.values.map((v) => [v.key, v.value])) };
}

function record(ws: { cfg: string; urdf: string }, over: Partial<AdmissionRecordInput> = {}): Omit<AdmissionRecordInput, 'format'> {
  return {
    verdict: 'admitted',
    date: new Date().toISOString(),
    codeVersion: codeVersion(),
    files: hashAdmissionFiles(policyAdmissionFiles(ws.cfg, undefined, ws.urdf)),
    summary: 'test record',
    ...over,
  };
}

/** From PASSIVE (the bringup start mode): STAND, then a gated mode; returns the gated request's answer. */
async function standThen(r: Rig, mode: 'policy' | 'motion'): Promise<{ success: boolean; message: string }> {
  await advance(r, 0.1);
  expect(r.node.mode).toBe('PASSIVE');
  expect(await requestMode(r, 'stand')).toMatchObject({ success: true });
  await advance(r, 0.3);
  return requestMode(r, mode);
}

describe('admission gate on the hardware bringup (embedded bus for the hardware)', () => {
  it('the bringup launches require admission; the embedded sim launch and the embedded default run do not', () => {
    expect(bringupParams()).toMatchObject({ 'admission.required': true, 'modes.initial': 'PASSIVE' });
    expect(pythonPolicyParams('launch/embedded_sim.launch.py')['admission.required']).toBeUndefined();
    const embeddedPolicy = loadConfigFile(PolicyConfigSchema, join(ROOT, 'config/policy_upper_body.yaml'));
    expect(embeddedPolicy.admission).toMatchObject({ required: false, override: false });
  });

  it('refuses POLICY and MOTION without a record (ERROR on /diagnostics, error log), accepts after admission, refuses again after one changed byte of the model or config', async () => {
    const ws = workspace();
    let r = await compose(ws, bringupParams());
    const refused = await standThen(r, 'policy');
    expect(refused.success).toBe(false);
    expect(refused.message).toContain('POLICY refused: no passing admission');
    expect(refused.message).toContain(`no admission record at ${ws.record}`);
    expect(await requestMode(r, 'motion')).toMatchObject({ success: false, message: expect.stringContaining('MOTION refused: no passing admission') });
    expect(r.node.mode).toBe('STAND');
    let d = await diagnostics(r);
    expect(d.level).toBe(DiagnosticLevel.ERROR);
    expect(d.message).toContain('admission: POLICY/MOTION refused');
    expect(d.values['admission_state']).toBe('closed');
    expect(d.values['admission_loaded']).toMatch(/^policy_config [0-9a-f]{12}, model [0-9a-f]{12}, contract [0-9a-f]{12}, urdf [0-9a-f]{12}$/);
    expect(logs.some((l) => l.level >= 50 && l.msg.startsWith('POLICY refused: no passing admission'))).toBe(true);
    expect(r.node.stats.inferences).toBe(0); // the model never ran

    // admitted: the record is read again on the next request (no restart)
    writeAdmissionRecord(ws.record, record(ws));
    expect(await requestMode(r, 'policy')).toMatchObject({ success: true });
    expect(r.node.mode).toBe('POLICY');
    d = await diagnostics(r);
    expect(d.level).toBe(DiagnosticLevel.OK);
    expect(d.values['admission_state']).toBe('admitted');
    expect(d.values['admission_record']).toContain(ws.record);
    expect(r.node.stats.inferences).toBeGreaterThan(40);
    r.node.destroy();
    await r.bus.shutdown();
    await r.release();
    rig = null;

    // one byte of the model changed (a weight's low bits: it still loads): refused, naming the model
    const bytes = readFileSync(ws.model);
    const original = Buffer.from(bytes);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(ws.model, bytes);
    r = await compose(ws, bringupParams());
    const changedModel = await standThen(r, 'policy');
    expect(changedModel.success).toBe(false);
    expect(changedModel.message).toContain(`the model ${ws.model}`);
    expect(changedModel.message).toContain('is not the admitted one');
    d = await diagnostics(r);
    expect(d.level).toBe(DiagnosticLevel.ERROR);
    expect(d.values['admission_file']).toMatch(new RegExp(`^model ${ws.model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sha256 [0-9a-f]{64}$`));
    r.node.destroy();
    await r.bus.shutdown();
    await r.release();
    rig = null;

    // the model restored, one byte appended to the config (a comment): refused, naming the config
    writeFileSync(ws.model, original);
    appendFileSync(ws.cfg, '#');
    r = await compose(ws, bringupParams());
    const changedConfig = await standThen(r, 'policy');
    expect(changedConfig.success).toBe(false);
    expect(changedConfig.message).toContain(`the policy_config ${ws.cfg}`);
  });

  it('admission.override: POLICY without a record, a warn line on every entry and WARN on /diagnostics', async () => {
    const ws = workspace();
    const r = await compose(ws, { ...bringupParams(), 'admission.override': true });
    const before = logs.length;
    expect(await standThen(r, 'policy')).toMatchObject({ success: true });
    await advance(r, 0.2);
    expect(await requestMode(r, 'stand')).toMatchObject({ success: true });
    expect(await requestMode(r, 'policy')).toMatchObject({ success: true });
    const warns = logs.slice(before).filter((l) => l.level === PINO_WARN && l.msg === 'admission override: entering POLICY without a passing admission record');
    expect(warns).toHaveLength(2);
    expect(warns[0]!.node).toBe('aegis_policy');
    const d = await diagnostics(r);
    expect(d.level).toBe(DiagnosticLevel.WARN);
    expect(d.message).toContain('admission overridden (development)');
    expect(d.values['admission_state']).toBe('override');
    expect(d.values['admission_override']).toBe('true');
  });

  it('a refused record does not admit, even with every hash matching', async () => {
    const ws = workspace();
    writeAdmissionRecord(ws.record, record(ws, { verdict: 'refused', summary: '3/12 runs fell', failures: ['walk_forward seed 2: fell at 1.24 s'] }));
    const r = await compose(ws, bringupParams());
    const res = await standThen(r, 'policy');
    expect(res.success).toBe(false);
    expect(res.message).toContain('refused these files');
    expect(res.message).toContain('walk_forward seed 2: fell at 1.24 s');
  });

  it('a corrupt or partly written record is no record, with the reason', async () => {
    const ws = workspace();
    writeAdmissionRecord(ws.record, record(ws));
    const text = readFileSync(ws.record, 'utf8');
    writeFileSync(ws.record, text.slice(0, text.length - 40));
    const r = await compose(ws, bringupParams());
    const res = await standThen(r, 'policy');
    expect(res.success).toBe(false);
    expect(res.message).toContain('not valid JSON (corrupt or partly written)');
  });

  it('a record check that throws (an unexpected I/O error) refuses, never crashes the node', async () => {
    const ws = workspace();
    writeAdmissionRecord(ws.record, record(ws));
    let fail = false;
    const r = await compose(ws, bringupParams(), undefined, (s) => ({ ...s, check: () => {
      if (fail) throw new Error('EIO: i/o error, read');
      return s.check();
    } }));
    fail = true;
    const res = await standThen(r, 'policy');
    expect(res).toMatchObject({ success: false, message: expect.stringContaining('the admission check failed: EIO: i/o error, read') });
    fail = false;
    expect(await requestMode(r, 'policy')).toMatchObject({ success: true });
  });

  it('a parameter that changes the admitted config file voids the admission, naming it', async () => {
    const ws = workspace();
    writeAdmissionRecord(ws.record, record(ws));
    const r = await compose(ws, { ...bringupParams(), 'modes.faults.maxTiltRad': 0.8 });
    const res = await standThen(r, 'policy');
    expect(res.success).toBe(false);
    expect(res.message).toContain('parameters override the admitted policy config: modes.faults.maxTiltRad');
  });

  it('a config that starts in POLICY starts PASSIVE while the gate is closed', async () => {
    const ws = workspace();
    const r = await compose(ws, { 'admission.required': true }); // the shipped config says modes.initial: POLICY
    await advance(r, 0.2);
    expect(r.node.mode).toBe('PASSIVE');
    expect(r.node.stats.published).toBe(0);
  });

  it('without admission.required (the embedded default) POLICY needs no record', async () => {
    const ws = workspace();
    const r = await compose(ws, { 'modes.initial': 'PASSIVE' });
    expect(await standThen(r, 'policy')).toMatchObject({ success: true });
    const d = await diagnostics(r);
    expect(d.values['admission_state']).toBe('not required');
  });
});

describe('admission source', () => {
  it('checks the model bytes the node loaded, not the file as it is after loading', async () => {
    const ws = workspace();
    const config = loadConfigFile(PolicyConfigSchema, ws.cfg);
    const loaded = await loadPolicy(config, dirname(ws.cfg));
    await loaded.policy.release();
    expect(loaded.modelSha256).toBe(sha256File(ws.model));
    writeAdmissionRecord(ws.record, record(ws)); // admits the loaded files
    const bytes = readFileSync(ws.model);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(ws.model, bytes); // replaced on disk after loading
    const source = admissionSource({ policyConfigPath: ws.cfg, config, urdfPath: ws.urdf, loadedModelSha256: loaded.modelSha256 });
    expect(source.check()).toMatchObject({ admitted: true });
    writeAdmissionRecord(ws.record, record(ws)); // now the record covers the new file, which is not what runs
    const c = source.check();
    expect(c.admitted).toBe(false);
    if (!c.admitted) expect(c.reason).toContain(`the model ${ws.model} (sha256 ${loaded.modelSha256.slice(0, 12)}) is not the admitted one`);
  });
});

describe('admission service', () => {
  it('is refused without admission.runConfig', async () => {
    const r = await compose(workspace(), bringupParams());
    const res = await r.bus.createNode('op').createClient('std_srvs/srv/Trigger', ADMISSION_RUN_SERVICE).call({});
    expect(res).toEqual({ success: false, message: 'no admission trial configured (set admission.runConfig)' });
  });

  it('runs the trial in a child process while the node keeps ticking, then reads the record again and admits', async () => {
    const ws = workspace();
    const staged = join(dirname(ws.record), 'staged.json');
    writeAdmissionRecord(staged, record(ws));
    const seen: (string | null)[][] = [];
    // stands in for `admit`: writes the record after 300 ms of wall time
    const fake: TrialCommand = (runConfig, recordPath) => {
      seen.push([runConfig, recordPath]);
      return [process.execPath, '-e', `setTimeout(() => { require('fs').copyFileSync(${JSON.stringify(staged)}, ${JSON.stringify(ws.record)}); console.log('admitted 12/12'); }, 300)`];
    };
    const r = await compose(ws, { ...bringupParams(), 'admission.runConfig': 'run.yaml' }, fake);
    expect(await standThen(r, 'policy')).toMatchObject({ success: false });
    const client = r.bus.createNode('op').createClient('std_srvs/srv/Trigger', ADMISSION_RUN_SERVICE);
    const t0 = Date.now();
    expect(await client.call({})).toMatchObject({ success: true, message: expect.stringContaining('admission trial started') });
    expect(Date.now() - t0).toBeLessThan(250); // answered before the trial ends
    expect(await client.call({})).toEqual({ success: false, message: 'an admission trial is already running' });
    expect(seen).toEqual([[join(dirname(ws.cfg), 'run.yaml'), null]]); // the CLI's default record path: beside the policy config
    const ticks = r.node.stats.ticks;
    await advance(r, 0.2); // the control loop runs while the trial does (STAND at the 50 Hz command rate)
    expect(r.node.stats.ticks - ticks).toBe(10);
    for (let i = 0; i < 100 && r.diag?.values.find((v) => v.key === 'admission_trial')?.value.startsWith('passed') !== true; i++) {
      await new Promise((done) => setTimeout(done, 50));
      await advance(r, 0.2);
    }
    const d = await diagnostics(r);
    expect(d.values['admission_trial']).toBe('passed: exit 0: admitted 12/12');
    expect(d.values['admission_state']).toBe('admitted');
    expect(await requestMode(r, 'policy')).toMatchObject({ success: true });
  });

  it('a failed trial leaves the gate closed and says so', async () => {
    const ws = workspace();
    const fake: TrialCommand = () => [process.execPath, '-e', "console.error('refused: term joint_vel out of range 38 % of ticks'); process.exit(1)"];
    const r = await compose(ws, { ...bringupParams(), 'admission.runConfig': 'run.yaml' }, fake);
    await standThen(r, 'policy');
    expect(await r.bus.createNode('op').createClient('std_srvs/srv/Trigger', ADMISSION_RUN_SERVICE).call({})).toMatchObject({ success: true });
    for (let i = 0; i < 100 && r.diag?.values.find((v) => v.key === 'admission_trial')?.value.startsWith('failed') !== true; i++) {
      await new Promise((done) => setTimeout(done, 50));
      await advance(r, 0.2);
    }
    const d = await diagnostics(r);
    expect(d.values['admission_trial']).toBe('failed: exit 1: refused: term joint_vel out of range 38 % of ticks');
    expect(d.level).toBe(DiagnosticLevel.ERROR);
    expect(await requestMode(r, 'policy')).toMatchObject({ success: false });
  });
});

const cli = runCli;

const g1Missing = sharedDataMissing(UNITREE_G1_VELOCITY.onnx, UNITREE_G1_VELOCITY.deploy, UNITREE_G1_VELOCITY.urdf);
const mujoco = mujocoAvailability();
const realSkip = g1Missing ?? (mujoco.available ? undefined : mujoco.reason);
if (realSkip) process.stderr.write(`[tests/admission/gate.test.ts] real admission skipped: ${realSkip}\n`);

describe.skipIf(realSkip !== undefined)('the gate after a real admission (shared unitree_rl_lab G1 velocity policy)', () => {
  it('imported, admitted by the admit CLI (reduced: stand, one seed, 4 s), then the bringup node accepts POLICY; one byte more in policy.yaml and it refuses', async () => {
    const out = join(mkdtempSync(join(tmp, 'g1-')), 'g1');
    const urdf = sharedData(UNITREE_G1_VELOCITY.urdf);
    const imported = await cli('import.ts', [
      '--robot', join(ROOT, 'config', 'robots', 'unitree_g1_29dof.yaml'), '--urdf', urdf,
      '--deploy', sharedData(UNITREE_G1_VELOCITY.deploy), '--onnx', sharedData(UNITREE_G1_VELOCITY.onnx), '--out', out,
    ]);
    expect(imported.status, imported.stderr).toBe(0);
    const ws = { cfg: join(out, 'policy.yaml'), urdf, joints: actuatedJoints(loadUrdfFile(urdf)).map((j) => j.name) };

    let r = await compose(ws, bringupParams());
    expect(await standThen(r, 'policy')).toMatchObject({ success: false, message: expect.stringContaining('no admission record at') });
    r.node.destroy();
    await r.bus.shutdown();
    await r.release();
    rig = null;

    const admitted = await cli('admit.ts', [join(out, 'run.yaml'), '--seeds', '1', '--scenarios', 'stand', '--duration', '4', '--workers', '1', '--no-diagnose', '--quiet']);
    expect(admitted.status, `${admitted.stdout}${admitted.stderr}`).toBe(0);
    expect(admitted.stdout).toContain(`record              ${admissionRecordPath(ws.cfg)} (admitted)`);

    r = await compose(ws, bringupParams());
    expect(await standThen(r, 'policy')).toMatchObject({ success: true });
    const d = await diagnostics(r);
    expect(d.values['admission_state']).toBe('admitted');
    expect(r.node.mode).toBe('POLICY');
    r.node.destroy();
    await r.bus.shutdown();
    await r.release();
    rig = null;

    appendFileSync(ws.cfg, '\n');
    r = await compose(ws, bringupParams());
    expect(await standThen(r, 'policy')).toMatchObject({ success: false, message: expect.stringContaining(`the policy_config ${ws.cfg}`) });
  }, 120_000);
});
