/**
 * The ONNX adapter and the sampling worker on a tiny random bundle written
 * by the repo's exporter: configure-time refusal of shape mismatches, batched
 * calls, the worker answering decisions deterministically, and the safe
 * outcome (counted) when the worker dies or the deadline cannot be met.
 * The worker script is bundled from source with esbuild (vitest's own
 * transform does not reach worker threads) into dist/.test/.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionWorkerClient } from '../../src/inference/diffusion-client.js';
import { OnnxDiffusionModels } from '../../src/inference/diffusion-onnx.js';
import { loadDiffusionBundle } from '../../src/io/diffusion-files.js';
import { DiffusionPolicySchema } from '../../src/policy/diffusion/config.js';
import { PolicyCompatibilityError } from '../../src/policy/policy-port.js';
import { ARM_DIFFUSION_CONTRACT_FILE, armDiffusionContract, armDiffusionOnnx } from '../../src/training/diffusion-arm-export.js';
import { createMlp } from '../../src/training/mlp.js';
import { Rng } from '../../src/training/rng.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let workerUrl: URL;
let hungUrl: URL;
const CONFIG = { contractPath: '', obsWidth: 6, horizon: 4, actionDim: 4, sampling: { steps: 10 } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aegis-diffusion-'));
  const rng = new Rng(5);
  const net = (inp: number, out: number) => createMlp([inp, 8, out], 'elu', rng);
  const files = armDiffusionOnnx({ denoiser: net(23, 16), qAction: [net(22, 1), net(22, 1)], qNoise: [net(23, 1), net(23, 1)], stats: {} });
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(dir, f), bytes);
  writeFileSync(join(dir, ARM_DIFFUSION_CONTRACT_FILE), JSON.stringify(armDiffusionContract({ trainSteps: 100, betaMin: 1e-4, betaMax: 0.2 })));
  CONFIG.contractPath = join(dir, ARM_DIFFUSION_CONTRACT_FILE);
  const outDir = join(ROOT, 'dist', '.test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'diffusion-worker.mjs');
  buildSync({
    entryPoints: [join(ROOT, 'src/inference/diffusion-worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    outfile, packages: 'external', logLevel: 'silent',
  });
  workerUrl = pathToFileURL(outfile);
  // A worker that starts but never answers (a hung sampler).
  const hang = join(outDir, 'hung-worker.mjs');
  writeFileSync(hang, "import { parentPort } from 'node:worker_threads';\n" +
    "parentPort.postMessage({ type: 'ready', cost: { callMs: 0, denoiserRowMs: 0, criticRowMs: 0 } });\n" +
    "parentPort.on('message', () => {});\n");
  hungUrl = pathToFileURL(hang);
}, 60_000);

describe('ONNX diffusion adapter', () => {
  it('runs every live candidate in one call per model, with the ensemble members as columns', async () => {
    const config = DiffusionPolicySchema.parse(CONFIG);
    const files = loadDiffusionBundle(config.contractPath, ROOT);
    const m = await OnnxDiffusionModels.create(config, files.contract, files.bytes);
    expect(m.shapes).toEqual({ obsWidth: 6, horizon: 4, actionDim: 4, qActionMembers: 2, qNoiseMembers: 2 });
    const obs = new Float32Array(6).fill(0.1);
    const x = Float32Array.from({ length: 3 * 16 }, (_, i) => Math.sin(i));
    const t = new Float32Array(3).fill(0.5);
    const eps = new Float32Array(3 * 16);
    await m.denoise(obs, x, t, 3, eps);
    const eps1 = new Float32Array(16);
    await m.denoise(obs, x.subarray(16, 32), t, 1, eps1);
    for (let j = 0; j < 16; j++) expect(eps[16 + j]).toBeCloseTo(eps1[j]!, 5); // row 1 of the batch = the row alone
    const q = new Float32Array(6);
    await m.qAction(obs, x, 3, q);
    expect(q.every(Number.isFinite)).toBe(true);
    expect(q[0]).not.toBe(q[1]); // two different members
    await m.release();
  });

  it('runs on the synchronous native path, matching the public API for every row count (buffers bound per row count do not mix)', async () => {
    const config = DiffusionPolicySchema.parse(CONFIG);
    const files = loadDiffusionBundle(config.contractPath, ROOT);
    const m = await OnnxDiffusionModels.create(config, files.contract, files.bytes);
    const ref = await ort.InferenceSession.create(files.bytes.denoiser);
    const rng = new Rng(11);
    for (const rows of [3, 1, 3, 8, 1]) {
      const obs = Float32Array.from({ length: 6 }, () => rng.normal());
      const x = Float32Array.from({ length: rows * 16 }, () => rng.normal());
      const t = Float32Array.from({ length: rows }, () => rng.uniform(0, 1));
      const eps = new Float32Array(rows * 16);
      await m.denoise(obs, x, t, rows, eps);
      const obsRows = new Float32Array(rows * 6);
      for (let r = 0; r < rows; r++) obsRows.set(obs, r * 6);
      const out = await ref.run({
        obs: new ort.Tensor('float32', obsRows, [rows, 6]), x_t: new ort.Tensor('float32', x, [rows, 16]), t: new ort.Tensor('float32', t, [rows, 1]),
      });
      const want = out[ref.outputNames[0]!]!.data as Float32Array;
      for (let i = 0; i < want.length; i++) expect(eps[i]).toBeCloseTo(want[i]!, 5);
    }
    expect(m.synchronous).toBe(true);
    await ref.release();
    await m.release();
  });

  it('refuses shape mismatches at configure time, naming every one', async () => {
    const files = loadDiffusionBundle(CONFIG.contractPath, ROOT);
    const bad = DiffusionPolicySchema.parse({ ...CONFIG, obsWidth: 7, horizon: 5 });
    const err = await OnnxDiffusionModels.create(bad, files.contract, files.bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyCompatibilityError);
    const text = (err as PolicyCompatibilityError).problems.join('\n');
    expect(text).toMatch(/obsWidth: config 7, contract 6/);
    expect(text).toMatch(/horizon: config 5, contract 4/);
    expect(text).toMatch(/denoiser: model input 'obs' has shape \[batch, 6\], expected \[batch, 7\]/);
  });

  it('refuses models that disagree with each other (a critic file swapped for the denoiser)', async () => {
    const config = DiffusionPolicySchema.parse(CONFIG);
    const files = loadDiffusionBundle(config.contractPath, ROOT);
    const err = await OnnxDiffusionModels.create(config, files.contract, { ...files.bytes, qAction: files.bytes.denoiser }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyCompatibilityError);
    expect((err as PolicyCompatibilityError).problems.join('\n')).toMatch(/qAction: model has 3 inputs, expected 2/);
  });
});

describe('sampling worker', () => {
  let client: DiffusionWorkerClient | undefined;
  afterAll(async () => { await client?.close(); });

  it('refuses to start on a mismatched config (the configure-time error reaches the caller)', async () => {
    await expect(DiffusionWorkerClient.start({ config: { ...CONFIG, actionDim: 3 }, root: ROOT, maxCandidates: 8, workerUrl }))
      .rejects.toThrow(/actionDim: config 3, contract 4/);
  }, 60_000);

  it('answers decisions off-thread, deterministically for a seed', async () => {
    client = await DiffusionWorkerClient.start({ config: CONFIG, root: ROOT, maxCandidates: 8, workerUrl });
    const obs = new Float32Array(6).fill(0.2);
    const a = await client.decide(obs, { seed: 9, strategy: { kind: 'faster', n: 8, keep: 1 } });
    const b = await client.decide(obs, { seed: 9, strategy: { kind: 'faster', n: 8, keep: 1 } });
    expect(a.outcome).toBe('sampled');
    expect(a.action).toHaveLength(16);
    expect(Array.from(a.action!)).toEqual(Array.from(b.action!));
    expect(a.denoiserRows).toBe(10);
    expect(a.criticRows).toBe(8);
    expect(a.action!.every((v) => v >= -1 && v <= 1)).toBe(true);
    // the node-thread work of both requests and both answers was recorded (durations, not timed against a target)
    const work = client.nodeThreadWorkMs();
    expect(work).toHaveLength(4);
    expect(work.every((ms) => ms >= 0 && Number.isFinite(ms))).toBe(true);
  }, 60_000);

  it('a deadline no plan can meet → the safe outcome, counted', async () => {
    const c = client!;
    const before = c.counters.safe.deadline + c.counters.safe.late;
    const d = await c.decide(new Float32Array(6), { seed: 1, strategy: { kind: 'best_of_n', n: 8 }, deadlineMs: 1e-6 });
    expect(d.outcome).toBe('safe');
    expect(d.action).toBeNull();
    expect(c.counters.safe.deadline + c.counters.safe.late).toBe(before + 1);
  }, 60_000);

  it('an answer that does not come before the deadline → the safe outcome on time, counted; the late answer is dropped', async () => {
    const hung = await DiffusionWorkerClient.start({ config: CONFIG, root: ROOT, maxCandidates: 8, workerUrl: hungUrl });
    try {
      const t0 = performance.now();
      const d = await hung.decide(new Float32Array(6), { seed: 1, deadlineMs: 30 });
      expect(d.outcome).toBe('safe');
      expect(d.safeReason).toBe('late');
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(hung.counters.safe.late).toBe(1);
    } finally {
      await hung.close();
    }
  }, 60_000);

  it('measures time per model call by row count in the worker (the bench\'s batching floor), queued with the decisions', async () => {
    const c = client!;
    const obs = new Float32Array(6).fill(0.2);
    const before = c.decide(obs, { seed: 9, strategy: { kind: 'faster', n: 8, keep: 1 } });
    const times = await c.measureCallTimes({ repeats: 2, callsPerSample: 1 });
    const after = await c.decide(obs, { seed: 9, strategy: { kind: 'faster', n: 8, keep: 1 } });
    for (const model of ['denoiser', 'qNoise', 'qAction'] as const) {
      expect([...times[model].keys()]).toEqual([1, 4, 8, 16, 32]);
      expect([...times[model].values()].every((ms) => ms > 0 && Number.isFinite(ms))).toBe(true);
    }
    // the measurement left the sampler as it was
    expect(Array.from(after.action!)).toEqual(Array.from((await before).action!));
  }, 60_000);

  it('a dying worker → the pending and every later decision fall back to the safe outcome, counted', async () => {
    const c = client!;
    const obs = new Float32Array(6);
    void c.worker.terminate();
    const pending = c.decide(obs, { seed: 2 });
    const d = await pending;
    expect(d.outcome).toBe('safe');
    expect(d.safeReason).toBe('worker');
    const later = await c.decide(obs, { seed: 3 });
    expect(later.safeReason).toBe('worker');
    expect(c.alive).toBe(false);
    expect(c.counters.safe.worker).toBe(2);
    await expect(c.measureCallTimes({ repeats: 1, callsPerSample: 1 })).rejects.toThrow(/worker is gone/);
  }, 60_000);
});
