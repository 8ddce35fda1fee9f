/**
 * The diffusion policy selected by the run's policy file (`kind: diffusion`):
 * the embedded run launches the diffusion node (its sampling worker, the
 * shipped arm-detour bundle) instead of the ONNX policy node; sampled task
 * contexts come in as observations, each chosen chunk is streamed to the real
 * shield as single-point targets (accepted: none refused), the arm follows it
 * in MuJoCo, and the node reports on /diagnostics. A diffusion policy file
 * that disagrees with its bundle, or names an unknown key, stops the run
 * before anything starts. The worker script is bundled from source with
 * esbuild into dist/.test/ (vitest's transform does not reach worker threads).
 */
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEmbedded } from '../../src/runtime/embedded-run.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import type { DiagnosticArray, JointState, JointTrajectory } from '../../src/transport/messages.js';

const ROOT = resolve(import.meta.dirname, '../..');
const mujoco = mujocoAvailability();
if (!mujoco.available) console.warn(`[skipped] embedded diffusion run: ${mujoco.reason}`);
let dir: string;
let workerUrl: URL;

/** A run config beside `policy`, the embedded diffusion run's settings, `durationS` long. */
function runConfig(policy: Record<string, unknown>, durationS: number): string {
  const base = readFileSync(join(ROOT, 'config/embedded_diffusion.yaml'), 'utf8')
    .replace('../urdf/', `${ROOT}/urdf/`).replace('shield: shield.yaml', `shield: ${ROOT}/config/shield.yaml`)
    .replace(/durationS: \d+/, `durationS: ${durationS}`);
  const name = `run-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, `${name}.policy.json`), JSON.stringify(policy));
  writeFileSync(join(dir, `${name}.yaml`), base.replace('policy: diffusion_arm_detour.yaml', `policy: ${name}.policy.json`));
  return join(dir, `${name}.yaml`);
}

const POLICY = {
  kind: 'diffusion', contractPath: 'models/arm_detour.diffusion.json', obsWidth: 6, horizon: 4, actionDim: 4,
  sampling: { strategy: { kind: 'faster', n: 8, keep: 1 }, steps: 10, seed: 3 },
  command: { rateHz: 50, waypointS: 0.25 },
  embeddedObservation: { task: 'arm_detour', periodS: 1.5, seed: 77 },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aegis-embedded-diffusion-'));
  const outDir = join(ROOT, 'dist', '.test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'diffusion-worker.mjs');
  buildSync({
    entryPoints: [join(ROOT, 'src/inference/diffusion-worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    outfile, packages: 'external', logLevel: 'silent',
  });
  workerUrl = pathToFileURL(outfile);
}, 60_000);

describe.skipIf(!mujoco.available)('embedded run with the diffusion policy selected', () => {
  it('launches the diffusion node instead of the policy node; the shield accepts its streamed targets and the arm follows the chunk', async () => {
    let lastChunk: JointTrajectory | null = null;
    let lastState: JointState | null = null;
    const diag: DiagnosticArray['status'] = [];
    const s = await runEmbedded({
      configPath: runConfig(POLICY, 4.4), root: ROOT, validateMessages: true, diffusionWorkerUrl: workerUrl,
      extraNodes: (createNode) => {
        const n = createNode('test_probe');
        n.createSubscription('trajectory_msgs/msg/JointTrajectory', '/diffusion/chunk', (m) => { lastChunk = structuredClone(m); });
        n.createSubscription('sensor_msgs/msg/JointState', '/joint_states', (m) => { lastState = structuredClone(m); }, { preset: 'sensor_data' });
        n.createSubscription('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', (m) => { diag.push(...m.status.filter((x) => x.name.includes('diffusion'))); });
        return { destroy: () => {} };
      },
    });
    expect(s.bus.invalidMessages).toBe(0);
    expect(s.bus.callbackErrors).toBe(0);
    // no ONNX policy node ran; the diffusion node decided on every observation (1.5 s, 3.0 s), all sampled
    expect(s.policy.ticks).toBe(0);
    expect(s.diffusion).toBeDefined();
    const d = s.diffusion!;
    expect(d.observations).toBe(2);
    expect(d.decisions).toBe(2);
    expect(d.sampled).toBe(2);
    expect(d.safe).toBe(0);
    // streamed at 50 Hz from the first decision to the end (≈ 2.9 s), every one accepted by the shield
    expect(d.targetsPublished).toBeGreaterThan(140);
    expect(s.shield.rejectedCandidates).toBe(0);
    expect(s.shield.activations).toBeGreaterThanOrEqual(1);
    expect(s.shield.timeInStateS['ACTIVE']).toBeGreaterThan(2.5);
    expect(s.monitor.violations).toBe(0);
    // the arm went to the last chunk's final waypoint (decided at 3.0 s, due at 4.0 s) from its initial pose: within
    // 0.15 rad per joint (servo sag under gravity and the shield's following bound) and a quarter of the way it came
    const chunk = lastChunk as JointTrajectory | null;
    const state = lastState as JointState | null;
    expect(chunk).not.toBeNull();
    expect(state).not.toBeNull();
    const last = chunk!.points.at(-1)!.positions;
    const initial: Record<string, number> = { right_shoulder_pitch_joint: 0.3, right_shoulder_roll_joint: -0.25, right_shoulder_yaw_joint: 0, right_elbow_joint: 0.97 };
    let left = 0;
    let travel = 0;
    chunk!.joint_names.forEach((name, j) => {
      const q = state!.position[state!.name.indexOf(name)]!;
      expect(Math.abs(q - last[j]!)).toBeLessThan(0.15);
      left += (q - last[j]!) ** 2;
      travel += (initial[name]! - last[j]!) ** 2;
    });
    expect(Math.sqrt(left)).toBeLessThan(0.25 * Math.sqrt(travel));
    // its status on /diagnostics from the sampler's counters
    expect(diag.length).toBeGreaterThanOrEqual(3);
    const st = diag.at(-1)!;
    expect(st.values).toContainEqual({ key: 'decisions', value: '2' });
    expect(st.values).toContainEqual({ key: 'sampled', value: '2' });
  }, 120_000);

  it('a diffusion policy file that disagrees with its bundle, or names an unknown key, stops the run before it starts', async () => {
    await expect(runEmbedded({ configPath: runConfig({ ...POLICY, obsWidth: 7 }, 1), root: ROOT, diffusionWorkerUrl: workerUrl })).rejects.toThrow(/obsWidth|observation width/i);
    await expect(runEmbedded({ configPath: runConfig({ ...POLICY, sampling: { ...POLICY.sampling, stratgy: 'x' } }, 1), root: ROOT, diffusionWorkerUrl: workerUrl }))
      .rejects.toThrow(/stratgy/);
  }, 120_000);
});
