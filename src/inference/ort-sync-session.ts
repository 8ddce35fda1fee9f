/**
 * Synchronous ONNX Runtime inference on the native binding that
 * onnxruntime-node ships.
 *
 * `InferenceSession.run` of onnxruntime-node defers the binding's own
 * synchronous native call to a `setImmediate` inside a promise, and
 * onnxruntime-common checks the feeds and builds a result map of new Tensor
 * objects around it: ~10 µs per call, more than a small policy's whole
 * inference. A policy tick is one small inference on the calling thread, so
 * this adapter loads the package's own binding module (`dist/binding.js`,
 * which loads `bin/napi-v6/<platform>/<arch>/onnxruntime_binding.node`),
 * creates the native session with the same session options, binds the
 * input buffers once (plain tensor objects, no per-call checks) and calls the
 * native `run` directly, copying each output into its caller-owned buffer.
 * The binding itself still returns a result map with a fresh copy of each
 * output, a few hundred bytes of young-generation garbage per call
 * (onnxruntime-node 1.23–1.30 offer no call without it; a pre-allocated
 * output is copied the same way, and measured slower).
 *
 * When the installed package does not have that layout (a future release may
 * move it), {@link SyncOrtSession.create} throws {@link SyncOrtUnavailableError}
 * and the caller keeps the public asynchronous API.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

/** The installed onnxruntime-node does not offer the synchronous native path this adapter expects. */
export class SyncOrtUnavailableError extends Error {
  constructor(reason: string) {
    super(`onnxruntime-node's synchronous native path is not available: ${reason}`);
    this.name = 'SyncOrtUnavailableError';
  }
}

/** The part of the native `InferenceSession` (onnxruntime-node's binding) this adapter uses. */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, NativeTensor>, fetches: Record<string, null>, options: object): Record<string, { data?: unknown } | undefined>;
  dispose(): void;
  readonly inputMetadata: readonly { name: string }[];
  readonly outputMetadata: readonly { name: string }[];
}

interface BindingModule {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
}

let bindingModule: BindingModule | Error | undefined;

/** onnxruntime-node's `dist/binding.js` (loaded once), or why it cannot be used. */
function loadBindingModule(): BindingModule | Error {
  if (bindingModule) return bindingModule;
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('onnxruntime-node'); // …/onnxruntime-node/dist/index.js
    const mod = require(join(dirname(entry), 'binding.js')) as Partial<BindingModule>;
    if (typeof mod.initOrt !== 'function' || typeof mod.binding?.InferenceSession !== 'function') {
      bindingModule = new Error(`${entry}: dist/binding.js exports no binding.InferenceSession and initOrt`);
    } else {
      mod.initOrt();
      bindingModule = mod as BindingModule;
    }
  } catch (err) {
    bindingModule = err as Error;
  }
  return bindingModule;
}

/** One float32 tensor bound to a caller-owned buffer. */
export interface BoundTensor {
  name: string;
  data: Float32Array;
  dims: readonly number[];
}

/** The plain tensor shape the native `run` reads for an input (no onnxruntime-common Tensor getters on the hot path). */
interface NativeTensor {
  type: 'float32';
  dims: readonly number[];
  data: Float32Array;
  location: 'cpu';
}

/**
 * A native ONNX Runtime session with its inputs bound to caller-owned
 * Float32Arrays and its outputs copied into caller-owned Float32Arrays;
 * {@link run} is one synchronous native call.
 */
export class SyncOrtSession {
  private feeds: Record<string, NativeTensor> = {};
  /** Output names → null: ONNX Runtime allocates each output in its arena (measured faster than binding a JS buffer, which the binding copies from anyway). */
  private fetches: Record<string, null> = {};
  private outputNamesBound: string[] = [];
  private outputBufs: Float32Array[] = [];
  private readonly runOptions = {};
  private released = false;

  private constructor(private readonly native: NativeSession) {}

  /** Loads `model` with `options` (as for `InferenceSession.create`). Throws SyncOrtUnavailableError when the binding cannot be used, or ONNX Runtime's load error. */
  static create(model: Uint8Array, options: InferenceSession.SessionOptions): SyncOrtSession {
    const mod = loadBindingModule();
    if (mod instanceof Error) throw new SyncOrtUnavailableError(mod.message);
    const native = new mod.binding.InferenceSession();
    native.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
    return new SyncOrtSession(native);
  }

  get inputNames(): string[] {
    return this.native.inputMetadata.map((m) => m.name);
  }

  get outputNames(): string[] {
    return this.native.outputMetadata.map((m) => m.name);
  }

  /**
   * Binds the buffers every later {@link run} reads and writes, then runs
   * once to check that the binding answers each output as a float32 array of
   * the buffer's length (throws SyncOrtUnavailableError if not; ONNX
   * Runtime's own errors are thrown as they are).
   */
  bind(inputs: readonly BoundTensor[], outputs: readonly BoundTensor[]): void {
    this.feeds = {};
    this.fetches = {};
    for (const t of inputs) this.feeds[t.name] = { type: 'float32', dims: [...t.dims], data: t.data, location: 'cpu' };
    for (const t of outputs) this.fetches[t.name] = null;
    this.outputNamesBound = outputs.map((t) => t.name);
    this.outputBufs = outputs.map((t) => t.data);
    const result = this.native.run(this.feeds, this.fetches, this.runOptions);
    for (const t of outputs) {
      const data = result[t.name]?.data;
      if (!(data instanceof Float32Array) || data.length !== t.data.length) {
        throw new SyncOrtUnavailableError(`output '${t.name}' came back as ${data instanceof Float32Array ? `${data.length} floats, not ${t.data.length}` : typeof data}`);
      }
      t.data.set(data);
    }
  }

  /** One inference on the bound buffers (synchronous; ONNX Runtime's errors are thrown). */
  run(): void {
    const result = this.native.run(this.feeds, this.fetches, this.runOptions);
    for (let i = 0; i < this.outputBufs.length; i++) this.outputBufs[i]!.set(result[this.outputNamesBound[i]!]!.data as Float32Array);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.native.dispose();
  }
}
