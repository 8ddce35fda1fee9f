/** Value-guided diffusion sampling (FASTER), pure core: see docs/diffusion.md. */
export * from './arm-detour.js';
export * from './config.js';
export * from './contract.js';
export * from './filter.js';
export * from './health.js';
export type * from './port.js';
export * from './sampler.js';
export * from './schedule.js';
export * from './chunk-executor.js';
