/** The safety shield core: pure limit math, input checks and the state-machine sequencer. No platform imports. */
export * from './band.js';
export * from './barrier.js';
export * from './barrier-stage.js';
export * from './capsules.js';
export * from './clock.js';
export * from './collision-model.js';
export * from './input-stage.js';
export * from './segment-distance.js';
export * from './config.js';
export * from './inputs.js';
export * from './interpolation.js';
export * from './joint-stages.js';
export * from './limits.js';
export * from './report.js';
export * from './shield.js';
export * from './status.js';
