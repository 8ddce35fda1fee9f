/** The robot model: URDF parsing, schema, rigid-transform math and forward kinematics. Pure (no fs). */
export * from './model.js';
export { parseUrdf, UrdfError, type ParseUrdfOptions, type UrdfProblem } from './urdf.js';
export { KinematicTree } from './kinematics.js';
export * from './math.js';
