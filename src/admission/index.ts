/**
 * Pre-arm admission (pure core): the trial plan, the observation/action
 * envelope, the base-motion measurement, the verdict and the diagnosis
 * variants. The runtime that runs trials in the embedded sim is
 * src/runtime/admission-trial.ts and src/runtime/admission.ts; the CLI is
 * src/cli/admit.ts.
 */
export * from './plan.js';
export * from './envelope.js';
export * from './base-motion.js';
export * from './verdict.js';
export * from './variants.js';
export * from './sweep.js';
