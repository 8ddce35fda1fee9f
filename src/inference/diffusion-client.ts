/**
 * The node-side handle of the sampling worker: posts a decision request and
 * resolves with the worker's chunk only if it arrives before the deadline;
 * otherwise (deadline passed, worker failed, worker died, NaN) with the safe
 * outcome — the caller holds / STANDs — and the event counted in `counters`
 * (for /diagnostics). The event loop is never blocked: the only work here is
 * a postMessage and a timer.
 */
import { Worker } from 'node:worker_threads';
import type { Strategy } from '../policy/diffusion/config.js';
import type { CostModel } from '../policy/diffusion/port.js';
import { countDecision, makeCounters, type DecisionResult, type DiffusionCounters, type SafeReason } from '../policy/diffusion/sampler.js';
import type { CallTimes } from './diffusion-call-times.js';
import type { DecideRequest, MeasureRequest, WorkerInit } from './diffusion-worker.js';

export interface ClientDecision extends Omit<DecisionResult, 'action'> {
  /** The chunk (sampled) or null (safe). */
  action: Float32Array | null;
  /** Wall time from request to answer on this thread, ms. */
  latencyMs: number;
  /** Sampling time inside the worker, ms (NaN when no answer came). */
  computeMs: number;
}

export interface ClientOptions extends WorkerInit {
  /** The worker script (default: ./diffusion-worker.js beside this module, i.e. dist/). */
  workerUrl?: URL;
  /** Give up starting after this long, ms. */
  startTimeoutMs?: number;
}

interface Pending {
  resolve: (d: ClientDecision) => void;
  timer: ReturnType<typeof setTimeout> | null;
  t0: number;
}

function safe(reason: SafeReason, latencyMs: number): ClientDecision {
  return {
    outcome: 'safe', safeReason: reason, degradation: 'none', action: null, selectedSeed: -1, selectedQ: NaN,
    denoiserRows: 0, denoiserCalls: 0, criticRows: 0, criticCalls: 0, droppedNaN: 0, nanScores: 0, latencyMs, computeMs: NaN,
  };
}

/** Slots of the ring of node-thread work durations ({@link DiffusionWorkerClient.nodeThreadWorkMs}). */
const WORK_RING = 4096;

export class DiffusionWorkerClient {
  readonly counters: DiffusionCounters = makeCounters();
  /** Results that arrived after their deadline (discarded). */
  lateResults = 0;
  /** Durations of this client's own work on the node's thread (posting a request, handling an answer), ms: a ring of the last WORK_RING. */
  private readonly work = new Float64Array(WORK_RING);
  private workCount = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly measuring = new Map<number, { resolve: (t: CallTimes) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private dead = false;

  private constructor(
    readonly worker: Worker,
    readonly cost: CostModel,
    /** Whether the worker's inference runs on onnxruntime-node's synchronous native path (else its public async API). */
    readonly synchronous: boolean,
  ) {
    worker.on('message', (m: { type: string; id: number; times?: CallTimes } & Partial<ClientDecision> & { failed?: string }) => {
      if (m.type === 'callTimes') this.measured(m.id, m.times!);
      else this.onMessage(m);
    });
    worker.on('error', () => this.die());
    worker.on('exit', () => this.die());
  }

  /** Starts the worker and waits until it has loaded and checked the bundle (configure-time errors reject here). */
  static start(opts: ClientOptions): Promise<DiffusionWorkerClient> {
    const url = opts.workerUrl ?? new URL('./diffusion-worker.js', import.meta.url);
    const init: WorkerInit = { config: opts.config, root: opts.root, maxCandidates: opts.maxCandidates };
    const worker = new Worker(url, { workerData: init });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`diffusion worker did not start within ${opts.startTimeoutMs ?? 60000} ms`));
      }, opts.startTimeoutMs ?? 60000);
      const onMessage = (m: { type: string; message?: string; cost?: CostModel; synchronous?: boolean }): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        if (m.type === 'ready' && m.cost) resolve(new DiffusionWorkerClient(worker, m.cost, m.synchronous === true));
        else {
          void worker.terminate();
          reject(new Error(m.message ?? 'diffusion worker failed to start'));
        }
      };
      const onExit = (code: number): void => {
        clearTimeout(timer);
        reject(new Error(`diffusion worker exited (code ${code}) while starting`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  }

  /** Whether the worker is gone (every decision is then the safe outcome). */
  get alive(): boolean { return !this.dead; }

  /**
   * One decision. `deadlineMs`: wall budget from now; the worker plans within
   * it and a later answer is discarded. Resolves, never rejects.
   */
  decide(obs: Float32Array, opts: { seed: number; strategy?: Strategy; deadlineMs?: number }): Promise<ClientDecision> {
    const t0 = performance.now();
    if (this.dead) return Promise.resolve(this.finish(safe('worker', 0)));
    const id = this.nextId++;
    const answer = new Promise<ClientDecision>((resolve) => {
      const p: Pending = { resolve, timer: null, t0 };
      if (opts.deadlineMs !== undefined) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          resolve(this.finish(safe('late', performance.now() - t0)));
        }, opts.deadlineMs);
      }
      this.pending.set(id, p);
      const req: DecideRequest = { type: 'decide', id, obs: Float32Array.from(obs), seed: opts.seed };
      if (opts.strategy) req.strategy = opts.strategy;
      if (opts.deadlineMs !== undefined) req.budgetMs = opts.deadlineMs;
      this.worker.postMessage(req);
    });
    this.recordWork(t0);
    return answer;
  }

  /**
   * Time per model call by row count, measured in the worker on the models its sampler uses (the
   * bench's batching floor); queued behind the decisions in flight. Rejects if the worker dies.
   */
  measureCallTimes(opts: { repeats: number; callsPerSample: number }): Promise<CallTimes> {
    if (this.dead) return Promise.reject(new Error('diffusion worker is gone'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.measuring.set(id, { resolve, reject });
      const req: MeasureRequest = { type: 'measure', id, ...opts };
      this.worker.postMessage(req);
    });
  }

  private measured(id: number, times: CallTimes): void {
    this.measuring.get(id)?.resolve(times);
    this.measuring.delete(id);
  }

  /**
   * The node-thread time of each request and answer this client handled
   * (the last 4096), ms: how long this client's code kept the node's thread
   * from its other timers, apart from the OS's scheduling (Node's
   * deserialisation of an answer, before the handler, is not included).
   * Allocates a copy.
   */
  nodeThreadWorkMs(): Float64Array {
    const n = Math.min(this.workCount, WORK_RING);
    return this.work.slice(0, n);
  }

  private recordWork(t0: number): void {
    this.work[this.workCount++ % WORK_RING] = performance.now() - t0;
  }

  private onMessage(m: { type: string; id: number } & Partial<ClientDecision> & { failed?: string }): void {
    if (m.type !== 'result') return;
    const t0 = performance.now();
    this.handle(m);
    this.recordWork(t0);
  }

  private handle(m: { type: string; id: number } & Partial<ClientDecision> & { failed?: string }): void {
    const p = this.pending.get(m.id);
    if (!p) {
      this.lateResults++;
      return;
    }
    this.pending.delete(m.id);
    if (p.timer) clearTimeout(p.timer);
    const latencyMs = performance.now() - p.t0;
    if (m.failed !== undefined) {
      p.resolve(this.finish({ ...safe('worker', latencyMs), computeMs: m.computeMs ?? NaN }));
      return;
    }
    const d = { ...(m as unknown as ClientDecision), latencyMs };
    if (d.outcome !== 'sampled') d.action = null;
    p.resolve(this.finish(d));
  }

  private finish(d: ClientDecision): ClientDecision {
    countDecision(this.counters, { ...d, action: new Float32Array(0) });
    return d;
  }

  private die(): void {
    if (this.dead) return;
    this.dead = true;
    for (const m of this.measuring.values()) m.reject(new Error('diffusion worker is gone'));
    this.measuring.clear();
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve(this.finish(safe('worker', performance.now() - p.t0)));
    }
  }

  /** Stops the worker; pending decisions resolve with the safe outcome. */
  async close(): Promise<void> {
    await this.worker.terminate();
    this.die();
  }
}
