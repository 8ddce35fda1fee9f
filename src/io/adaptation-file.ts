/**
 * A policy's adaptation file (YAML, {@link AdaptationFileSchema}): the online adapter's settings and where
 * its regime library is kept between runs. Named by the run config's `adaptation` (embedded run) or the
 * policy node's `adaptation_file` parameter (ROS).
 */
import { z } from 'zod';
import { AdaptationConfigSchema } from '../adaptation/config.js';

export const AdaptationFileSchema = z
  .object({
    /** The online adapter (src/adaptation/config.ts; docs/adaptation.md). */
    adapter: AdaptationConfigSchema,
    /**
     * The regime library file (JSON; absolute, or relative to this file), or null (not kept). Loaded when the
     * policy starts if it exists — a corrupt, foreign or other-robot file is a start-up error naming it, and
     * is left as it is — and saved (atomic replace, the previous good file kept as `.prev`) when it stops.
     */
    memoryFile: z.string().min(1).nullable().default(null),
    /**
     * The adaptation module's contract (JSON; absolute, or relative to this file; it names its ONNX model), or
     * null (none). Its output is the adapter's context with `adapter.context.source: module`, and the policy's
     * `context_latent` when the policy's observation has one; a module nothing reads is refused.
     */
    module: z.string().min(1).nullable().default(null),
  })
  .strict();
export type AdaptationFile = z.infer<typeof AdaptationFileSchema>;
