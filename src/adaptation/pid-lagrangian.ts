/**
 * PID-Lagrangian multiplier (Stooke, Achiam & Abbeel 2020, "Responsive Safety
 * in RL by PID Lagrangian Methods") against a cost budget d:
 *
 *   e_t = J_t − d                      (J_t: the measured cost, an EMA per tick)
 *   I_t = max(0, I_{t−1} + K_i·e_t)    (integral, never negative: no credit banked)
 *   D_t = K_d·max(0, J_t − J_{t−1})    (reacts to a rising cost only)
 *   λ_t = clamp(K_p·e_t + I_t + D_t, 0, λ_max)
 *
 * λ = 0 while the cost stays under budget; the adapter shrinks its correction
 * by 1/(1 + λ).
 */
import { z } from 'zod';

export const PidLagrangianConfigSchema = z
  .object({
    /** Cost budget d, cost units per tick (see AdaptationConfig.cost). */
    budget: z.number().nonnegative().default(0.05),
    kp: z.number().nonnegative().default(5),
    ki: z.number().nonnegative().default(0.5),
    kd: z.number().nonnegative().default(5),
    /** Upper bound of λ. */
    lambdaMax: z.number().positive().default(100),
    /** EMA time constant of the measured cost J, ticks. */
    costWindowTicks: z.number().min(1).default(10),
  })
  .strict();
export type PidLagrangianConfig = z.infer<typeof PidLagrangianConfigSchema>;

export class PidLagrangian {
  readonly config: PidLagrangianConfig;
  /** Current multiplier λ ≥ 0. */
  lambda = 0;
  /** Smoothed cost J. */
  cost = 0;
  private integral = 0;
  private prevCost = 0;

  constructor(config: z.input<typeof PidLagrangianConfigSchema> = {}) {
    this.config = PidLagrangianConfigSchema.parse(config);
  }

  /** Scalar slots of {@link PidLagrangian.updateSlot}: [0] the cost in, [1] λ out (no float crosses a call boundary). */
  readonly io = new Float64Array(2);

  /** Feeds one tick's measured cost c ≥ 0 (non-finite counts as the budget exceeded ×10); returns λ. */
  update(c: number): number {
    this.io[0] = c;
    this.updateSlot();
    return this.lambda;
  }

  /** {@link PidLagrangian.update} with the cost read from `io[0]` and λ written to `io[1]` (the allocation-free form). */
  updateSlot(): void {
    const c = this.io[0]!;
    const cfg = this.config;
    const x = Number.isFinite(c) && c >= 0 ? c : 10 * Math.max(cfg.budget, 1e-3);
    const a = 1 / cfg.costWindowTicks;
    this.prevCost = this.cost;
    this.cost += a * (x - this.cost); // EMA from 0
    const e = this.cost - cfg.budget;
    this.integral = Math.max(0, this.integral + cfg.ki * e);
    const d = cfg.kd * Math.max(0, this.cost - this.prevCost);
    this.lambda = Math.min(cfg.lambdaMax, Math.max(0, cfg.kp * e + this.integral + d));
    this.io[1] = this.lambda;
  }

  /** True while the smoothed cost is above the budget. */
  get overBudget(): boolean {
    return this.cost > this.config.budget;
  }

  reset(): void {
    this.lambda = 0;
    this.cost = 0;
    this.integral = 0;
    this.prevCost = 0;
  }
}
