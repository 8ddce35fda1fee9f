/**
 * Regime memory: a bounded library of dynamics regimes the adapter has met.
 * Each entry holds what is needed to recall the regime instantly: its
 * correction model (per adapted joint: RLS weights and covariance — the
 * covariance's inverse is the precision the EWC anchor uses), the model's
 * noise level, and a signature (mean one-step residual of the anchor model in
 * that regime, per joint: a human-readable fingerprint, stored and shown).
 *
 * Matching is by fit: the caller scores every entry on a window of recent
 * samples (mean normalised squared prediction error) and {@link RegimeMemory.bestMatch}
 * picks the lowest score under a threshold.
 *
 * Eviction (bounded size `capacity`): when an entry must be created in a full
 * library, the least recently used entry is removed, never a pinned one (the
 * anchor/nominal regime) nor the one in use (`protectId`). If every entry is
 * pinned or protected, creation fails (returns null) and the caller adapts
 * without storing.
 *
 * The schema of the persisted form is {@link RegimeMemoryFileSchema}.
 */
import { z } from 'zod';

export interface RegimeEntry {
  id: number;
  label: string;
  /** Mean anchor-model residual per adapted joint in this regime, rad. */
  signature: Float64Array;
  /** RLS weights, joint-major [joints × features]. */
  params: Float64Array;
  /** RLS covariance per joint, joint-major [joints × features × features]. */
  covariance: Float64Array;
  /** One-step residual variance per joint, rad². */
  noiseVar: Float64Array;
  /** The dynamics context of the regime (per group (a, m, b); empty without a context estimator). */
  context: Float64Array;
  /** Times this regime was entered (created or recalled). */
  visits: number;
  /** The library's use counter when last entered or consolidated (LRU). */
  lastUsed: number;
  /** Never evicted (the anchor regime). */
  pinned: boolean;
}

export interface RegimeShape {
  joints: number;
  features: number;
  /** Context values per entry (0: none). */
  context?: number;
}

export class RegimeMemory {
  private readonly list: RegimeEntry[] = [];
  private nextId = 0;
  private useCounter = 0;
  /** Entries evicted so far. */
  evictions = 0;

  constructor(
    readonly shape: RegimeShape,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RegimeMemory: capacity must be a positive integer (got ${capacity})`);
  }

  /** Context values per entry. */
  get contextSize(): number {
    return this.shape.context ?? 0;
  }

  get entries(): readonly RegimeEntry[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  get(id: number): RegimeEntry | undefined {
    return this.list.find((e) => e.id === id);
  }

  /**
   * A new entry (copies of the arrays), evicting the LRU unpinned entry other
   * than `protectId` if full; null when nothing can be evicted.
   */
  create(init: { label?: string; params: ArrayLike<number>; covariance: ArrayLike<number>; noiseVar: ArrayLike<number>; signature?: ArrayLike<number>; context?: ArrayLike<number>; pinned?: boolean }, protectId = -1): RegimeEntry | null {
    if (this.list.length >= this.capacity) {
      let victim = -1;
      for (let i = 0; i < this.list.length; i++) {
        const e = this.list[i]!;
        if (e.pinned || e.id === protectId) continue;
        if (victim < 0 || e.lastUsed < this.list[victim]!.lastUsed) victim = i;
      }
      if (victim < 0) return null;
      this.list.splice(victim, 1);
      this.evictions++;
    }
    const { joints, features } = this.shape;
    const id = this.nextId++;
    const e: RegimeEntry = {
      id,
      label: init.label ?? `regime-${id}`,
      signature: copyOf(init.signature ?? new Float64Array(joints), joints, 'signature'),
      params: copyOf(init.params, joints * features, 'params'),
      covariance: copyOf(init.covariance, joints * features * features, 'covariance'),
      noiseVar: copyOf(init.noiseVar, joints, 'noiseVar'),
      context: copyOf(init.context ?? new Float64Array(this.contextSize), this.contextSize, 'context'),
      visits: 1,
      lastUsed: ++this.useCounter,
      pinned: init.pinned ?? false,
    };
    this.list.push(e);
    return e;
  }

  /** Marks an entry as entered again (recall). */
  recall(id: number): RegimeEntry | undefined {
    const e = this.get(id);
    if (e) {
      e.visits++;
      e.lastUsed = ++this.useCounter;
    }
    return e;
  }

  /** Stores what was learnt in a regime when it is left (arrays copied in place). */
  consolidate(id: number, params: ArrayLike<number>, covariance: ArrayLike<number>, noiseVar: ArrayLike<number>, signature?: ArrayLike<number>, context?: ArrayLike<number>): boolean {
    const e = this.get(id);
    if (!e) return false;
    if (context) e.context.set(context as ArrayLike<number>);
    e.params.set(params as ArrayLike<number>);
    e.covariance.set(covariance as ArrayLike<number>);
    e.noiseVar.set(noiseVar as ArrayLike<number>);
    if (signature) e.signature.set(signature as ArrayLike<number>);
    e.lastUsed = ++this.useCounter;
    return true;
  }

  /** The entry with the lowest finite score ≤ threshold (null when none). */
  bestMatch(score: (e: RegimeEntry) => number, threshold: number, excludeId = -1): { entry: RegimeEntry; score: number } | null {
    let best: { entry: RegimeEntry; score: number } | null = null;
    for (const e of this.list) {
      if (e.id === excludeId) continue;
      const s = score(e);
      if (Number.isFinite(s) && s <= threshold && (best === null || s < best.score)) best = { entry: e, score: s };
    }
    return best;
  }

  /** Plain-data form for persistence. */
  toJSON(fingerprint: string): RegimeMemoryFile {
    return {
      format: REGIME_MEMORY_FORMAT,
      version: REGIME_MEMORY_VERSION,
      fingerprint,
      joints: this.shape.joints,
      features: this.shape.features,
      context: this.contextSize,
      capacity: this.capacity,
      nextId: this.nextId,
      useCounter: this.useCounter,
      entries: this.list.map((e) => ({
        id: e.id,
        label: e.label,
        signature: Array.from(e.signature),
        params: Array.from(e.params),
        covariance: Array.from(e.covariance),
        noiseVar: Array.from(e.noiseVar),
        context: Array.from(e.context),
        visits: e.visits,
        lastUsed: e.lastUsed,
        pinned: e.pinned,
      })),
    };
  }

  /** Rebuilds a library from validated file data; throws when its shape or fingerprint is not this adapter's. */
  static fromJSON(f: RegimeMemoryFile, expected: { fingerprint: string; shape: RegimeShape; capacity: number }): RegimeMemory {
    const problems: string[] = [];
    if (f.fingerprint !== expected.fingerprint) problems.push(`fingerprint '${f.fingerprint}' is not this adapter's '${expected.fingerprint}' (another robot, joint set or feature layout)`);
    if (f.joints !== expected.shape.joints || f.features !== expected.shape.features || f.context !== (expected.shape.context ?? 0)) {
      problems.push(`shape ${f.joints} joints × ${f.features} features + ${f.context} context values, expected ${expected.shape.joints} × ${expected.shape.features} + ${expected.shape.context ?? 0}`);
    }
    if (problems.length > 0) throw new Error(`regime memory does not fit this adapter:\n  - ${problems.join('\n  - ')}`);
    const m = new RegimeMemory(expected.shape, Math.max(expected.capacity, 1));
    // keep the most recently used entries when the configured capacity is smaller than the file's
    const kept = [...f.entries].sort((a, b) => b.lastUsed - a.lastUsed).slice(0, m.capacity).sort((a, b) => a.id - b.id);
    for (const e of kept) {
      m.list.push({
        ...e,
        signature: Float64Array.from(e.signature),
        params: Float64Array.from(e.params),
        covariance: Float64Array.from(e.covariance),
        noiseVar: Float64Array.from(e.noiseVar),
        context: Float64Array.from(e.context),
      });
    }
    m.nextId = Math.max(f.nextId, ...f.entries.map((e) => e.id + 1));
    m.useCounter = f.useCounter;
    return m;
  }
}

function copyOf(a: ArrayLike<number>, n: number, what: string): Float64Array {
  if (a.length !== n) throw new Error(`RegimeMemory: ${what} has ${a.length} values, expected ${n}`);
  const out = Float64Array.from(a);
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) throw new Error(`RegimeMemory: ${what}[${i}] is not finite`);
  return out;
}

export const REGIME_MEMORY_FORMAT = 'aegis-regime-memory';
export const REGIME_MEMORY_VERSION = 1;

const finiteArray = z.array(z.number());
const EntrySchema = z
  .object({
    id: z.number().int().nonnegative(),
    label: z.string().min(1),
    signature: finiteArray,
    params: finiteArray,
    covariance: finiteArray,
    noiseVar: z.array(z.number().nonnegative()),
    /** The regime's dynamics context (absent in files without one). */
    context: finiteArray.default([]),
    visits: z.number().int().nonnegative(),
    lastUsed: z.number().int().nonnegative(),
    pinned: z.boolean(),
  })
  .strict();

/** The persisted regime library (JSON). */
export const RegimeMemoryFileSchema = z
  .object({
    /** Always 'aegis-regime-memory' (a foreign JSON file is refused). */
    format: z.literal(REGIME_MEMORY_FORMAT),
    /** File format version; only 1 is read. */
    version: z.literal(REGIME_MEMORY_VERSION),
    /** The adapter's joint set and feature layout this library was learnt for. */
    fingerprint: z.string().min(1),
    joints: z.number().int().positive(),
    features: z.number().int().positive(),
    /** Context values per entry (absent = 0). */
    context: z.number().int().nonnegative().default(0),
    capacity: z.number().int().positive(),
    nextId: z.number().int().nonnegative(),
    useCounter: z.number().int().nonnegative(),
    entries: z.array(EntrySchema),
  })
  .strict()
  .superRefine((f, ctx) => {
    const ids = new Set<number>();
    f.entries.forEach((e, i) => {
      const want = { signature: f.joints, params: f.joints * f.features, covariance: f.joints * f.features * f.features, noiseVar: f.joints, context: f.context };
      for (const [k, n] of Object.entries(want)) {
        const got = (e as unknown as Record<string, number[]>)[k]!.length;
        if (got !== n) ctx.addIssue({ code: 'custom', path: ['entries', i, k], message: `has ${got} values, expected ${n}` });
      }
      if (ids.has(e.id)) ctx.addIssue({ code: 'custom', path: ['entries', i, 'id'], message: `duplicate id ${e.id}` });
      ids.add(e.id);
    });
  });
export type RegimeMemoryFile = z.infer<typeof RegimeMemoryFileSchema>;
