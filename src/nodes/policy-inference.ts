/**
 * One inference of the policy node, and its timing: synchronous when the
 * policy can run on the calling thread (`runSync`), else when its promise
 * settles. A result or failure that arrives after the node was destroyed is
 * dropped, never published; a failure faults the controller (DAMP, counted).
 */
import type { Logger } from '../log.js';
import type { PolicyController } from '../policy/controller.js';
import type { Policy } from '../policy/policy-port.js';

/** Wall time of inferences whose result arrived, ms. */
export interface InferenceTimes {
  lastInferenceMs: number;
  maxInferenceMs: number;
  totalInferenceMs: number;
}

export class PolicyInference {
  readonly times: InferenceTimes = { lastInferenceMs: 0, maxInferenceMs: 0, totalInferenceMs: 0 };
  destroyed = false;

  /** `now` writes the node's time into the controller's clock slot (no float argument to box). */
  constructor(
    private readonly policy: Policy,
    private readonly controller: PolicyController,
    private readonly now: () => void,
    private readonly publish: () => void,
    private readonly log: Logger,
  ) {}

  run(): Promise<void> | void {
    const { runSync } = this.policy;
    if (!runSync) return this.policy.run(this.policy.input).then(this.onResult, this.onError);
    let out: Float32Array;
    try {
      out = runSync();
    } catch (err) {
      return this.onError(err);
    }
    this.onResult(out);
  }

  private readonly onResult = (out: Float32Array): void => {
    if (this.destroyed) return; // deactivated while the inference ran: publish nothing
    const ms = this.policy.lastRunMs;
    const t = this.times;
    t.lastInferenceMs = ms;
    t.totalInferenceMs += ms;
    if (ms > t.maxInferenceMs) t.maxInferenceMs = ms;
    this.now();
    if (this.controller.finishInference(out) === 'publish') this.publish();
  };

  private readonly onError = (err: unknown): void => {
    if (this.destroyed) return;
    if (this.controller.stats.inferenceErrors === 0) this.log.error({ err }, 'inference failed (further failures are counted only)');
    this.now();
    this.controller.inferenceFailed();
  };
}
