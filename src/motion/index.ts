/** Human motion → humanoid references, pure: BVH parsing, skeleton-agnostic keypoints, retargeting. */
export * from './bvh.js';
export * from './human.js';
export * from './body-frames.js';
export * from './dls.js';
export * from './retarget-config.js';
export * from './retarget.js';
export * from './retarget-eval.js';
export * from './chunks.js';
export * from './tokens.js';
export * from './token-check.js';
export * from './primitives.js';
export * from './reference-player.js';
export * from './teleop.js';
