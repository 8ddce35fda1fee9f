/**
 * An ONNX policy on onnxruntime-node (CPU). Created from model bytes (file
 * reading is the caller's, in src/io or a CLI): the model's tensors and
 * metadata are checked against the resolved config (and contract) before a
 * session exists, then the session is created, warmed up, and `run` reuses
 * one input and one output tensor per call. Every problem found at
 * configure time is reported at once in a {@link PolicyCompatibilityError}.
 *
 * Inference goes through {@link SyncOrtSession} (one synchronous native call
 * on pre-bound buffers, `runSync`); only when the installed onnxruntime-node
 * lacks that path does it fall back to the public asynchronous
 * `InferenceSession.run` (`usesSyncPath` tells which).
 */
import * as ort from 'onnxruntime-node';
import { SyncOrtSession, SyncOrtUnavailableError } from './ort-sync-session.js';
import { checkContractAgainstConfig, checkModelAgainstConfig } from '../policy/compatibility.js';
import type { PolicyContract } from '../policy/contract.js';
import { readOnnxModelInfo, type OnnxModelInfo } from '../policy/onnx-model-info.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { extraOutputWidth } from '../policy/reference.js';
import { PolicyCompatibilityError, type Policy } from '../policy/policy-port.js';

export { PolicyCompatibilityError, type Policy };

export interface OnnxPolicyOptions {
  /** Model bytes (ModelProto). */
  model: Uint8Array;
  /** Where the bytes came from, for messages. */
  source?: string;
  config: ResolvedPolicyConfig;
  contract?: PolicyContract;
}

export class OnnxPolicy implements Policy {
  readonly obsWidth: number;
  readonly actionWidth: number;
  readonly input: Float32Array;
  readonly output: Float32Array;
  readonly extraInputs = new Map<string, Float32Array>();
  readonly extraOutputs = new Map<string, Float32Array>();
  /** Warm-up inference time, ms per run (mean over the warm-up runs; NaN when none ran). */
  warmupMsPerRun = NaN;
  lastRunMs = NaN;
  /** The synchronous native session, when the installed onnxruntime-node offers it. */
  private readonly sync: SyncOrtSession | undefined;
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly fetches: Record<string, ort.Tensor>;
  /** Extra outputs as parallel arrays (indexed loops: iterating the Map would allocate an iterator per run). */
  private readonly extraOutputNames: string[] = [];
  private readonly extraOutputBufs: Float32Array[] = [];

  private constructor(
    private readonly session: ort.InferenceSession | SyncOrtSession,
    readonly info: OnnxModelInfo,
    private readonly outputName: string,
    inputName: string,
    obsWidth: number,
    actionWidth: number,
    extraInputNames: readonly string[] = [],
    extraOutputs: readonly { name: string; width: number }[] = [],
  ) {
    this.obsWidth = obsWidth;
    this.actionWidth = actionWidth;
    this.input = new Float32Array(obsWidth);
    this.output = new Float32Array(actionWidth);
    this.feeds = { [inputName]: new ort.Tensor('float32', this.input, [1, obsWidth]) };
    this.fetches = { [outputName]: new ort.Tensor('float32', this.output, [1, actionWidth]) };
    for (const name of extraInputNames) {
      const buf = new Float32Array(1);
      this.extraInputs.set(name, buf);
      this.feeds[name] = new ort.Tensor('float32', buf, [1, 1]);
    }
    for (const { name, width } of extraOutputs) {
      const buf = new Float32Array(width);
      this.extraOutputs.set(name, buf);
      this.extraOutputNames.push(name);
      this.extraOutputBufs.push(buf);
      this.fetches[name] = new ort.Tensor('float32', buf, [1, width]);
    }
    if (session instanceof SyncOrtSession) {
      this.sync = session;
      const bound = (tensors: Record<string, ort.Tensor>): { name: string; data: Float32Array; dims: readonly number[] }[] =>
        Object.entries(tensors).map(([name, t]) => ({ name, data: t.data as Float32Array, dims: t.dims }));
      session.bind(bound(this.feeds), bound(this.fetches));
      this.runSync = () => this.runBound(session);
    }
  }

  /** Whether inference runs on the synchronous native path ({@link runSync}). */
  get usesSyncPath(): boolean {
    return this.sync !== undefined;
  }

  /** Checks, creates the session and warms it up. Throws PolicyCompatibilityError naming every mismatch. */
  static async create(opts: OnnxPolicyOptions): Promise<OnnxPolicy> {
    const source = opts.source ?? `'${opts.config.config.modelPath}'`;
    let info: OnnxModelInfo;
    try {
      info = readOnnxModelInfo(opts.model);
    } catch (err) {
      throw new PolicyCompatibilityError(source, [`cannot parse the model: ${(err as Error).message}`]);
    }
    const problems = checkModelAgainstConfig(info, opts.config);
    if (opts.contract) problems.push(...checkContractAgainstConfig(opts.contract, opts.config));
    if (problems.length > 0) throw new PolicyCompatibilityError(source, problems);
    const { config } = opts;
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: config.config.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    const c = config.config;
    const make = (session: ort.InferenceSession | SyncOrtSession): OnnxPolicy => new OnnxPolicy(session, info, c.outputName, c.inputName, config.observationWidth, config.joints.length, c.extraInputs.map((e) => e.name), c.extraOutputs.map((e) => ({ name: e.name, width: extraOutputWidth(e.target, config.joints.length) })));
    let sync: SyncOrtSession | undefined;
    try {
      sync = SyncOrtSession.create(opts.model, sessionOptions);
    } catch (err) {
      if (!(err instanceof SyncOrtUnavailableError)) throw new PolicyCompatibilityError(source, [`onnxruntime cannot load the model: ${(err as Error).message}`]);
    }
    let policy: OnnxPolicy | undefined;
    if (sync) {
      try {
        policy = make(sync); // binds the buffers and runs once
      } catch (err) {
        sync.release();
        if (!(err instanceof SyncOrtUnavailableError)) throw new PolicyCompatibilityError(source, [`warm-up inference failed: ${(err as Error).message}`]);
      }
    }
    if (!policy) {
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(opts.model, sessionOptions);
      } catch (err) {
        throw new PolicyCompatibilityError(source, [`onnxruntime cannot load the model: ${(err as Error).message}`]);
      }
      policy = make(session);
    }
    await policy.warmUp(config.config.warmupRuns, source);
    return policy;
  }

  private async warmUp(runs: number, source: string): Promise<void> {
    this.input.fill(0);
    const t0 = performance.now();
    try {
      for (let k = 0; k < runs; k++) await this.run(this.input);
    } catch (err) {
      await this.release();
      throw new PolicyCompatibilityError(source, [`warm-up inference failed: ${(err as Error).message}`]);
    }
    if (runs > 0) this.warmupMsPerRun = (performance.now() - t0) / runs;
    this.output.fill(0);
  }

  /**
   * One synchronous inference on {@link input}; returns the reused output
   * view; ONNX Runtime's errors are thrown. Present only on the synchronous
   * path ({@link usesSyncPath}).
   */
  readonly runSync?: () => Float32Array;

  private runBound(sync: SyncOrtSession): Float32Array {
    const t0 = performance.now();
    sync.run();
    this.lastRunMs = performance.now() - t0;
    return this.output;
  }

  async run(obs: Float32Array): Promise<Float32Array> {
    if (obs !== this.input) this.input.set(obs);
    if (this.sync) return this.runBound(this.sync);
    const session = this.session as ort.InferenceSession;
    const t0 = performance.now();
    const result = await session.run(this.feeds, this.fetches);
    this.lastRunMs = performance.now() - t0;
    const out = result[this.outputName];
    // onnxruntime writes into the pre-allocated fetch; copy only if it did not.
    if (out && out.data !== this.output) this.output.set(out.data as Float32Array);
    for (let i = 0; i < this.extraOutputBufs.length; i++) {
      const buf = this.extraOutputBufs[i]!;
      const t = result[this.extraOutputNames[i]!];
      if (t && t.data !== buf) buf.set(t.data as Float32Array);
    }
    return this.output;
  }

  async release(): Promise<void> {
    if (this.session instanceof SyncOrtSession) this.session.release();
    else await this.session.release();
  }
}
