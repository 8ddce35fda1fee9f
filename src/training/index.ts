/** Offline model generation in TypeScript (no Python): ONNX writer, MLP + Adam, the shipped upper-body policy. */
export { ProtoWriter } from './protobuf-writer.js';
export { encodeOnnxModel, OnnxDataType, type OnnxAttribute, type OnnxInitializer, type OnnxModelSpec, type OnnxNode, type OnnxValueInfo } from './onnx-writer.js';
export { Adam, createMlp, mlpBackward, mlpForward, zeroGrads, type Activation, type Mlp, type MlpGrads, type MlpLayer } from './mlp.js';
export { mlpToOnnxSpec, type MlpOnnxOptions } from './mlp-onnx.js';
export { Rng } from './rng.js';
export * from './g1-upper-body.js';
export { DEFAULT_TRAIN_OPTIONS, evaluateUpperBody, mlpForwardFn, trainUpperBody, UpperBodySampler, type TrainOptions, type TrainResult } from './train-upper-body.js';
export { UPPER_BODY_CONTRACT_FILE, UPPER_BODY_MODEL_FILE, upperBodyContract, upperBodyOnnx } from './upper-body-export.js';
