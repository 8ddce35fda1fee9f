/** Safe continual adaptation (pure core): change detection, RLS residual correction, PID-Lagrangian cost budget, regime memory. */
export { PageHinkley, PageHinkleyConfigSchema, type DetectorVerdict, type PageHinkleyConfig } from './change-detector.js';
export { Rls } from './rls.js';
export { PidLagrangian, PidLagrangianConfigSchema, type PidLagrangianConfig } from './pid-lagrangian.js';
export { addCorrection, blendToward, nearLimitCost, tiltMarginCostInto, TILT_COST_START, trustRegionStep } from './safety-gate.js';
export { CHARGED_CONSTRAINTS, SHAPING_CONSTRAINTS, SHIELD_STATUS_SUFFIX, ShieldCostMeter } from './shield-cost.js';
export { RegimeMemory, RegimeMemoryFileSchema, REGIME_MEMORY_FORMAT, REGIME_MEMORY_VERSION, type RegimeEntry, type RegimeMemoryFile } from './regime-memory.js';
export { AdaptationConfigSchema, type AdaptationConfig, type AdaptationConfigInput } from './config.js';
export { ResidualAdapter, type AdapterEvent, type AdapterState, type AdapterStats } from './residual-adapter.js';
