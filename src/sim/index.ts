/** The embedded MuJoCo 2.2.2 simulation (adapter folder: fs and the native addon live here). */
export {
  loadMujocoAddon,
  mujocoAvailability,
  AddonLoadError,
  ADDON_PATH,
  type MujocoAddon,
  type MjSimInstance,
  type MjObjType,
  type MjWarnings,
} from './addon.js';
export {
  SimConfigSchema,
  PdGainsSchema,
  DEFAULT_GAINS,
  lookupByNameOrRegex,
  gainsFor,
  servoGainsByJoint,
  armatureFor,
  type SimConfig,
  type SimConfigInput,
  type PdGains,
} from './config.js';
export { buildMjcf, generateMjcf, quatFromRpy, IMU_SITE, IMU_SENSORS, FLOOR_GEOM, DEFAULT_BASE_HEIGHT_M, type MjcfBuild } from './mjcf.js';
export { MujocoSim, type MujocoSimOptions, type TargetWriteResult } from './simulation.js';
export {
  ScenarioEventSchema,
  applyScenarioEvent,
  scenarioEventProblems,
  type ScenarioEvent,
  type ScenarioEventInput,
} from './scenario.js';
export { SimNode, SimNodeConfigSchema, type SimNodeConfig, type SimNodeOptions, type SimNodeStats } from './sim-node.js';
