/** Human motion → humanoid references, pure: BVH parsing, skeleton-agnostic keypoints, retargeting. */
export * from './bvh.js';
export * from './human.js';
