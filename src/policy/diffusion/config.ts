/**
 * Configuration of value-guided diffusion sampling (validated with zod,
 * strict: an unknown key is an error naming its path), and its normal form:
 * a {@link SamplingPlan} (candidates, filters at denoising steps, final pick).
 */
import { z } from 'zod';

const count = z.number().int().min(1).max(256);

const FilterSchema = z
  .object({
    /** Denoising step before which the filter runs: 0 = at the noise level (the seeds), k = after k DDIM steps. */
    atStep: z.number().int().min(0).describe('Denoising step before which the filter runs: 0 = at the noise level (the seeds), k = after k DDIM steps'),
    /** Candidates kept (the top ones by the denoise critic Q_dn). */
    keep: count.describe('Candidates kept (the top ones by the denoise critic Q_dn)'),
  })
  .strict();

export const StrategySchema = z.discriminatedUnion('kind', [
  z.object({
    /** One seed, denoised; no critic. */
    kind: z.literal('single'),
  }).strict(),
  z.object({
    /** Denoise all n seeds, pick the argmax of Q_a. */
    kind: z.literal('best_of_n'),
    /** Seeds sampled. */
    n: count.default(8).describe('Seeds sampled'),
  }).strict(),
  z.object({
    /** FASTER: score the n seeds with Q_dn at the noise level, denoise the top `keep`, pick by Q_a. */
    kind: z.literal('faster'),
    /** Seeds sampled. */
    n: count.default(8).describe('Seeds sampled'),
    /** Seeds kept after the noise-level filter. */
    keep: count.default(1).describe('Seeds kept after the noise-level filter'),
  }).strict(),
  z.object({
    /** Filters at chosen denoising steps (e.g. 8 → 2 at step 0, 2 → 1 at step 3), pick by Q_a among the rest. */
    kind: z.literal('schedule'),
    /** Seeds sampled. */
    n: count.default(8).describe('Seeds sampled'),
    /** Filters, by increasing step, each keeping fewer than the one before. */
    filters: z.array(FilterSchema).min(1).describe('Filters, by increasing step, each keeping fewer than the one before'),
  }).strict(),
]);
export type Strategy = z.infer<typeof StrategySchema>;

export const DiffusionSamplingSchema = z
  .object({
    /** Sampling strategy. */
    strategy: StrategySchema.default({ kind: 'faster', n: 8, keep: 1 }).describe('Sampling strategy'),
    /** DDIM steps T (η = 0). */
    steps: z.number().int().min(1).max(1000).default(10).describe('DDIM steps T (η = 0)'),
    /** Time budget per decision, ms: the plan is cut (harder filtering, then single-sample, then the safe action) to fit it; a result arriving later is discarded. */
    deadlineMs: z.number().positive().optional()
      .describe('Time budget per decision, ms: the plan is cut (harder filtering, then single-sample, then the safe action) to fit it; a result arriving later is discarded'),
    /** Seed of decision 0; decision i uses seed + i (deterministic). Absent: seeds from the clock. */
    seed: z.number().int().min(0).max(0xffffffff).optional().describe('Seed of decision 0; decision i uses seed + i (deterministic). Absent: seeds from the clock'),
  })
  .strict();
export type DiffusionSampling = z.infer<typeof DiffusionSamplingSchema>;

/** Execution of a sampled chunk as a stream of single-point joint targets (the shield takes one point per message). */
export const ChunkCommandSchema = z
  .object({
    /** Rate of the streamed joint targets, Hz (each interpolated one period ahead, as in the rollouts the critics were trained on). */
    rateHz: z.number().positive().max(1000).default(50)
      .describe('Rate of the streamed joint targets, Hz (each interpolated one period ahead, as in the rollouts the critics were trained on)'),
    /** Time between the chunk's waypoints, s (as the bundle was trained: arm_detour 0.25). */
    waypointS: z.number().positive().max(10).default(0.25).describe("Time between the chunk's waypoints, s (as the bundle was trained: arm_detour 0.25)"),
  })
  .strict();

/** Simulation only: a stand-in for perception that publishes sampled task contexts as the diffusion node's observation. */
export const EmbeddedObservationSchema = z
  .object({
    /** The task whose contexts are published (its observation encoding). */
    task: z.literal('arm_detour').describe('The task whose contexts are published (its observation encoding)'),
    /** A new context every this many seconds of sim time (the first at periodS). */
    periodS: z.number().positive().max(3600).default(1.5).describe('A new context every this many seconds of sim time (the first at periodS)'),
    /** Seed of the sampled contexts. */
    seed: z.number().int().min(0).max(0xffffffff).default(77).describe('Seed of the sampled contexts'),
  })
  .strict();

export const DiffusionPolicySchema = z
  .object({
    /** Marks the file as a diffusion policy: a run config whose `policy` names it, or the ROS policy node's `config_file`, runs the diffusion node instead of the ONNX policy node. */
    kind: z.literal('diffusion').optional()
      .describe("Marks the file as a diffusion policy: a run config whose `policy` names it, or the ROS policy node's `config_file`, runs the diffusion node instead of the ONNX policy node"),
    /** Diffusion bundle contract JSON (names the denoiser and critic ONNX files beside it). */
    contractPath: z.string().min(1).describe('Diffusion bundle contract JSON (names the denoiser and critic ONNX files beside it)'),
    /** Observation width the policy feeds (checked against every model at configure time). */
    obsWidth: z.number().int().min(1).describe('Observation width the policy feeds (checked against every model at configure time)'),
    /** Action chunk horizon H (steps). */
    horizon: z.number().int().min(1).describe('Action chunk horizon H (steps)'),
    /** Action dimension D per chunk step. */
    actionDim: z.number().int().min(1).describe('Action dimension D per chunk step'),
    /** ONNX Runtime intra-op threads in the sampling worker. */
    threads: z.number().int().min(1).max(16).default(1).describe('ONNX Runtime intra-op threads in the sampling worker'),
    sampling: DiffusionSamplingSchema.prefault({}),
    command: ChunkCommandSchema.prefault({}),
    /** A stand-in for perception (simulation): publish sampled task contexts as the observation, in an embedded run or from the ROS policy node (absent: another node publishes it). */
    embeddedObservation: EmbeddedObservationSchema.optional()
      .describe('A stand-in for perception (simulation): publish sampled task contexts as the observation, in an embedded run or from the ROS policy node (absent: another node publishes it)'),
  })
  .strict();
export type DiffusionPolicyConfig = z.infer<typeof DiffusionPolicySchema>;
export type DiffusionPolicyConfigInput = z.input<typeof DiffusionPolicySchema>;

/** A strategy in normal form. */
export interface SamplingPlan {
  /** Seeds drawn. */
  readonly n: number;
  /** Filters by increasing step; each keeps fewer than the live count before it. */
  readonly filters: readonly { atStep: number; keep: number }[];
  /** Pick the final action by Q_a (false: the single remaining candidate). */
  readonly pickByQa: boolean;
}

/** Normal form of a strategy for T DDIM steps; throws naming the problem (configure time). */
export function planOf(strategy: Strategy, steps: number): SamplingPlan {
  switch (strategy.kind) {
    case 'single':
      return { n: 1, filters: [], pickByQa: false };
    case 'best_of_n':
      return { n: strategy.n, filters: [], pickByQa: strategy.n > 1 };
    case 'faster':
      if (strategy.keep > strategy.n) throw new Error(`strategy.keep (${strategy.keep}) exceeds strategy.n (${strategy.n})`);
      return { n: strategy.n, filters: strategy.keep < strategy.n ? [{ atStep: 0, keep: strategy.keep }] : [], pickByQa: strategy.keep > 1 };
    case 'schedule': {
      let live = strategy.n;
      let step = -1;
      strategy.filters.forEach((f, i) => {
        if (f.atStep >= steps) throw new Error(`strategy.filters.${i}.atStep: ${f.atStep} is not before the last of ${steps} DDIM steps`);
        if (f.atStep <= step) throw new Error(`strategy.filters.${i}.atStep: steps must increase (${f.atStep} after ${step})`);
        if (f.keep >= live) throw new Error(`strategy.filters.${i}.keep: ${f.keep} must be fewer than the ${live} candidates before it`);
        step = f.atStep;
        live = f.keep;
      });
      return { n: strategy.n, filters: strategy.filters.map((f) => ({ ...f })), pickByQa: live > 1 };
    }
  }
}
