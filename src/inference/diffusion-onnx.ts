/**
 * The ONNX adapter of the diffusion models port: three onnxruntime-node
 * sessions (denoiser, Q_a, Q_dn) created from bytes after the configure-time
 * check of config ↔ contract ↔ models ({@link checkDiffusionBundle}); every
 * mismatch is reported at once in a {@link PolicyCompatibilityError}. One
 * call per batch of candidates; input/output buffers are cached per row count.
 * Each call is one synchronous native call ({@link SyncOrtSession}: a native
 * session per model and row count, its buffers bound once, created at the
 * first call with that many rows), or — when the installed onnxruntime-node
 * lacks that path — the public `session.run`. Either way inference blocks the
 * calling thread: run this in the sampling worker (./diffusion-worker.ts),
 * not on a node's event loop.
 */
import * as ort from 'onnxruntime-node';
import type { DiffusionPolicyConfig } from '../policy/diffusion/config.js';
import { checkDiffusionBundle, DIFFUSION_ROLES, type DiffusionContract } from '../policy/diffusion/contract.js';
import type { CostModel, DiffusionModels, DiffusionShapes } from '../policy/diffusion/port.js';
import { readOnnxModelInfo, type OnnxModelInfo } from '../policy/onnx-model-info.js';
import { PolicyCompatibilityError } from '../policy/policy-port.js';
import { SyncOrtSession, SyncOrtUnavailableError } from './ort-sync-session.js';

export interface DiffusionBundleBytes {
  denoiser: Uint8Array;
  qAction: Uint8Array;
  qNoise: Uint8Array;
}

type Role = (typeof DIFFUSION_ROLES)[number];

interface Io {
  feeds: Record<string, ort.Tensor>;
  fetches: Record<string, ort.Tensor>;
  inputs: Float32Array[];
  output: Float32Array;
  /** The native session bound to these buffers (undefined: not yet made, or the synchronous path is unavailable). */
  sync?: SyncOrtSession;
}

class Session {
  private readonly cache = new Map<number, Io>();
  /** Whether calls use the synchronous native path (false after SyncOrtUnavailableError). */
  syncPath = true;
  constructor(
    readonly session: ort.InferenceSession,
    private readonly model: Uint8Array,
    private readonly options: ort.InferenceSession.SessionOptions,
    readonly inputNames: string[],
    readonly inputWidths: number[],
    readonly outputName: string,
    readonly outputWidth: number,
  ) {}

  io(rows: number): Io {
    let io = this.cache.get(rows);
    if (!io) {
      const inputs = this.inputWidths.map((w) => new Float32Array(rows * w));
      const output = new Float32Array(rows * this.outputWidth);
      io = {
        inputs,
        output,
        feeds: Object.fromEntries(this.inputNames.map((n, i) => [n, new ort.Tensor('float32', inputs[i]!, [rows, this.inputWidths[i]!])])),
        fetches: { [this.outputName]: new ort.Tensor('float32', output, [rows, this.outputWidth]) },
      };
      this.cache.set(rows, io);
    }
    return io;
  }

  async run(rows: number, io: Io, out: Float32Array): Promise<void> {
    if (this.syncPath) {
      try {
        io.sync ??= this.bindSync(rows, io);
        io.sync.run();
        out.set(io.output);
        return;
      } catch (err) {
        if (!(err instanceof SyncOrtUnavailableError)) throw err;
        this.syncPath = false;
      }
    }
    const r = await this.session.run(io.feeds, io.fetches);
    const t = r[this.outputName];
    out.set(t && t.data !== io.output ? (t.data as Float32Array) : io.output);
  }

  private bindSync(rows: number, io: Io): SyncOrtSession {
    const sync = SyncOrtSession.create(this.model, this.options);
    try {
      sync.bind(
        this.inputNames.map((name, i) => ({ name, data: io.inputs[i]!, dims: [rows, this.inputWidths[i]!] })),
        [{ name: this.outputName, data: io.output, dims: [rows, this.outputWidth] }],
      );
    } catch (err) {
      sync.release();
      throw err;
    }
    return sync;
  }

  release(): void {
    for (const io of this.cache.values()) io.sync?.release();
  }
}

export class OnnxDiffusionModels implements DiffusionModels {
  private constructor(
    readonly shapes: DiffusionShapes,
    private readonly sessions: Record<Role, Session>,
  ) {}

  /** Checks the bundle against the config and contract, then creates and warms the sessions. */
  static async create(config: DiffusionPolicyConfig, contract: DiffusionContract, bytes: DiffusionBundleBytes, source = config.contractPath): Promise<OnnxDiffusionModels> {
    const infos = {} as Record<Role, OnnxModelInfo>;
    const problems: string[] = [];
    for (const role of DIFFUSION_ROLES) {
      try {
        infos[role] = readOnnxModelInfo(bytes[role]);
      } catch (err) {
        problems.push(`${role}: cannot parse the model: ${(err as Error).message}`);
      }
    }
    if (problems.length > 0) throw new PolicyCompatibilityError(source, problems);
    problems.push(...checkDiffusionBundle(config, contract, infos));
    if (problems.length > 0) throw new PolicyCompatibilityError(source, problems);
    const sessions = {} as Record<Role, Session>;
    for (const role of DIFFUSION_ROLES) {
      let s: ort.InferenceSession;
      const options: ort.InferenceSession.SessionOptions = {
        intraOpNumThreads: config.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      };
      try {
        s = await ort.InferenceSession.create(bytes[role], options);
      } catch (err) {
        throw new PolicyCompatibilityError(source, [`${role}: onnxruntime cannot load the model: ${(err as Error).message}`]);
      }
      const info = infos[role];
      sessions[role] = new Session(s, bytes[role], options, info.inputs.map((i) => i.name), info.inputs.map((i) => Number(i.shape[1])), info.outputs[0]!.name, Number(info.outputs[0]!.shape[1]));
    }
    const shapes: DiffusionShapes = {
      obsWidth: contract.obsWidth, horizon: contract.horizon, actionDim: contract.actionDim,
      qActionMembers: sessions.qAction.outputWidth, qNoiseMembers: sessions.qNoise.outputWidth,
    };
    return new OnnxDiffusionModels(shapes, sessions);
  }

  private async call(role: Role, obs: Float32Array, parts: Float32Array[], rows: number, out: Float32Array): Promise<void> {
    const s = this.sessions[role];
    const io = s.io(rows);
    const ob = io.inputs[0]!;
    const w = this.shapes.obsWidth;
    for (let r = 0; r < rows; r++) ob.set(obs.subarray(0, w), r * w);
    parts.forEach((p, i) => io.inputs[i + 1]!.set(p.subarray(0, rows * s.inputWidths[i + 1]!)));
    await s.run(rows, io, out);
  }

  denoise(obs: Float32Array, x: Float32Array, t: Float32Array, rows: number, out: Float32Array): Promise<void> {
    return this.call('denoiser', obs, [x, t], rows, out);
  }

  qAction(obs: Float32Array, a: Float32Array, rows: number, out: Float32Array): Promise<void> {
    return this.call('qAction', obs, [a], rows, out);
  }

  qNoise(obs: Float32Array, x: Float32Array, t: Float32Array, rows: number, out: Float32Array): Promise<void> {
    return this.call('qNoise', obs, [x, t], rows, out);
  }

  /** Measures a cost model: mean time of calls with 1 and `rows` candidates (after warm-up), ms. */
  async measureCost(rows: number, repeats = 30): Promise<CostModel> {
    const W = this.shapes.horizon * this.shapes.actionDim;
    const obs = new Float32Array(this.shapes.obsWidth);
    const x = new Float32Array(rows * W);
    const t = new Float32Array(rows).fill(0.5);
    const out = new Float32Array(rows * Math.max(W, this.shapes.qActionMembers, this.shapes.qNoiseMembers));
    const time = async (f: () => Promise<void>): Promise<number> => {
      for (let i = 0; i < 5; i++) await f();
      const t0 = performance.now();
      for (let i = 0; i < repeats; i++) await f();
      return (performance.now() - t0) / repeats;
    };
    const d1 = await time(() => this.denoise(obs, x, t, 1, out));
    const dn = await time(() => this.denoise(obs, x, t, rows, out));
    const c1 = await time(() => this.qNoise(obs, x, t, 1, out));
    const cn = await time(() => this.qNoise(obs, x, t, rows, out));
    const span = Math.max(1, rows - 1);
    const denoiserRowMs = Math.max(0, (dn - d1) / span);
    const criticRowMs = Math.max(0, (cn - c1) / span);
    return { callMs: Math.max(0, d1 - denoiserRowMs, c1 - criticRowMs), denoiserRowMs, criticRowMs };
  }

  /** Whether inference runs on the synchronous native path (every model). */
  get synchronous(): boolean {
    return DIFFUSION_ROLES.every((r) => this.sessions[r].syncPath);
  }

  async release(): Promise<void> {
    for (const role of DIFFUSION_ROLES) {
      this.sessions[role].release();
      await this.sessions[role].session.release();
    }
  }
}
