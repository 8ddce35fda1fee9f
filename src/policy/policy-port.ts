/**
 * The policy port: what the policy node needs from any policy (the ONNX
 * session adapter lives in src/inference, outside the pure core), and the
 * configure-time error every implementation reports mismatches with.
 */
/** What the policy node needs from any policy. */
export interface Policy {
  readonly obsWidth: number;
  readonly actionWidth: number;
  /** The observation buffer the next `run` reads (assemble straight into it). */
  readonly input: Float32Array;
  /** Buffers of the extra [1, 1] inputs, by model input name (written before each run). */
  readonly extraInputs?: ReadonlyMap<string, Float32Array>;
  /** Buffers of the extra outputs, by model output name (valid after each run). */
  readonly extraOutputs?: ReadonlyMap<string, Float32Array>;
  /** Wall time of the last completed `run`, ms (NaN before the first); the timing lives here, beside the inference it measures. */
  readonly lastRunMs: number;
  /** Runs on `obs` (copied into `input` unless it is `input`); resolves to a reused output view. */
  run(obs: Float32Array): Promise<Float32Array>;
  /**
   * Present only when the implementation can infer synchronously: runs on
   * `input` and returns the reused output view, throwing on failure. The node
   * then finishes the tick within the call (no promise, no event-loop turn).
   */
  readonly runSync?: () => Float32Array;
  release(): Promise<void>;
}

export class PolicyCompatibilityError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`policy model ${source} does not match its configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyCompatibilityError';
  }
}

/** Throws naming both widths when the policy's observation or action width differs from its config's. */
export function checkPolicyWidths(policy: Pick<Policy, 'obsWidth' | 'actionWidth'>, config: { observationWidth: number; joints: readonly string[]; config: { name: string } }): void {
  const n = config.joints.length;
  if (policy.obsWidth !== config.observationWidth || policy.actionWidth !== n) {
    throw new Error(
      `policy '${config.config.name}' takes ${policy.obsWidth} observations and gives ${policy.actionWidth} actions; config expects ${config.observationWidth} and ${n}`,
    );
  }
}
