/** Policy runtime core: pure data in, data out (the ONNX session adapter is src/inference). */
export { ActionMapper, ActionSpecSchema, checkActionSpec, type ActionResult, type ActionSpec, type ActionSpecInput } from './action.js';
export { checkContractAgainstConfig, checkModelAgainstConfig, diffNames, sameValue } from './compatibility.js';
export { PolicyContractSchema, TensorContractSchema, type PolicyContract, type PolicyContractInput, type TensorContract } from './contract.js';
export { buildPolicyToRobot, JointMapError, JointStateReader } from './joint-map.js';
export {
  createObservationInputs,
  latentWidthOf,
  ObservationAssembler,
  type AssembleStatus,
  type ObservationInputs,
  type TermLayout,
} from './observation.js';
export {
  checkObservationSpec,
  observationWidth,
  ObservationSpecSchema,
  ObservationTermSchema,
  orderedTerms,
  termWidth,
  type ObservationSource,
  type ObservationSpec,
  type ObservationSpecInput,
  type ObservationTerm,
} from './observation-spec.js';
export { metadataList, metadataNumbers, ONNX_FLOAT32, readOnnxModelInfo, type OnnxModelInfo, type OnnxValueInfo } from './onnx-model-info.js';
export { PolicyCompatibilityError, type Policy } from './policy-port.js';
export { projectedGravityXyzw, quatToXyzw, relativeOri6dXyzw, type QuatOrder } from './orientation.js';
export {
  MAX_COMMAND_RATE_HZ,
  PolicyConfigError,
  PolicyConfigSchema,
  PolicyTopicsSchema,
  resolvePolicyConfig,
  type PolicyConfig,
  type PolicyConfigInput,
  type ResolvedPolicyConfig,
} from './policy-config.js';
export { ImportError, importUnitreeDeploy, motorOrderFor, UnitreeDeploySchema, type UnitreeDeploy, type UnitreeImportOptions } from './importers/unitree-deploy.js';
export { importOnnxMetadata, type OnnxImportOptions } from './importers/onnx-metadata.js';
export { PolicyController, type ControllerStats, type ResultPlan, type TickPlan } from './controller.js';
export { JoyComboDetector, type JoyCombo } from './joy-combos.js';
export {
  ALLOWED,
  DRIVING_MODES,
  FAULT_REASONS,
  JoyComboSchema,
  MODE_NAMES,
  ModeMachine,
  ModesConfigSchema,
  parseModeName,
  type FaultReason,
  type ModeName,
  type ModesConfig,
  type ModesConfigInput,
  type Transition,
  type TransitionResult,
} from './modes.js';
export { StandInterpolator } from './stand.js';
export { TargetLowPass } from './low-pass.js';
export { assessHealth, NO_COUNTS, type Health, type HealthCounters, type HealthInput, type HealthLevel } from './health.js';
export { SensorIntake, UNFED_SOURCES, unfedTerms, type IntakeOptions, type IntakeStats, type Quat, type Vec3 } from './sensor-intake.js';
export {
  checkReferenceConfig,
  EXTRA_OUTPUT_TARGETS,
  extraOutputWidth,
  parseReferenceCsv,
  ReferenceConfigSchema,
  ReferenceMotionError,
  sampleFrames,
  type ExtraOutputTarget,
  type ReferenceConfig,
  type ReferenceFrame,
  type ReferenceMotion,
} from './reference.js';
export { ReferenceTrack, ROOT_NAMES, type ChunkRejection, type ReferenceChunk } from './reference-track.js';
export { ReferenceFeed, type ReferenceSources } from './reference-feed.js';
export { AnchorKinematics } from './anchor.js';
