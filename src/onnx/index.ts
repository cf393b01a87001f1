/**
 * The ONNX model layer: index a ModelProto without copying weights, read and dequantize tensors,
 * write edited models by splicing, graph surgery, and a small builder. The only door to `src/onnx`.
 */
export type {
  AttributeRecord,
  DataSource,
  DataSourceOptions,
  ExternalDataEntry,
  GraphFieldName,
  GraphRecord,
  IndexModelOptions,
  MessageSpan,
  MetadataEntry,
  ModelIndex,
  NodeRecord,
  OpsetImport,
  ShapeDim,
  TensorDataRef,
  TensorOrigin,
  TensorRecord,
  TypedStorage,
  ValueInfoRecord,
} from './types.js';
export { DATA_TYPES, dataTypeName, isDataTypeName, payloadByteLength, type DataTypeName, type TypedDataField } from './data-types.js';

// Reading
export { externalDataLocations, indexModel, listTensors, opsetVersion } from './model-index.js';
export { getGraphLookup, type GraphLookup, type ValueConsumer, type ValueProducer, type ValueType } from './graph-lookup.js';
export { createDataSource, DATA_SOURCE_DEFAULTS } from './data-source.js';
export { findTensor, readTensorFloat32, readTensorPayload, readTensorTyped, type TensorRef, type TypedTensor } from './tensor-decode.js';
export {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float16ToNumber,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  numberToBfloat16,
  numberToFloat16,
} from './float16.js';

// Weights and dequantization
export {
  describeWeight,
  resolveWeight,
  type ResolvedWeight,
  type WeightDescription,
  type WeightFormat,
  type WeightQuantization,
  type WeightTarget,
} from './resolve-weight.js';
export { denseWeightEdit } from './weight-edit.js';
export { dequantizeLinear, transposeMatrix, type DequantizeLinearInput, type QuantizedValues } from './dequantize-linear.js';
export { dequantizeMatMulNBits, type MatMulNBitsInput } from './dequantize-matmul-nbits.js';
export { dequantizeGatherBlockQuantized, type DequantizedTable, type GatherBlockQuantizedInput } from './dequantize-gather-block.js';

// Writing
export { encodeTensorPayload, type EncodePayloadOptions, type TensorValues } from './tensor-encode.js';
export { MODEL_EDIT_DEFAULTS, spliceModel, writeModel } from './splice-writer.js';
export { applyGraphSurgery, spliceGraphSurgery } from './graph-surgery.js';
export { inlineIfBranch, scoredBranchOf, type IfBranch, type ScoredBranch } from './graph-inline.js';
export { SESSION_DATA_FILE, writeSessionModel, type ModelFileSet, type SessionModel, type SessionModelOptions } from './session-model.js';
export type { GraphSurgery, ModelEditOptions, ModelSplice, ModelWriteResult, TensorEdit, WriteStrategy } from './edit-types.js';
export {
  collectSessionExternalData,
  openModelFile,
  patchTensorInFile,
  writeChunksAtomically,
  writeModelFiles,
  type OpenedModel,
  type PatchTensorInFileOptions,
  type WritableModel,
  type WriteModelFilesOptions,
} from './model-files.js';

// Building
export { BUILD_MODEL_DEFAULTS, buildModel, buildModelChunks } from './model-builder.js';
export type {
  AttributeSpec,
  BuildModelOptions,
  BuiltModel,
  BuiltModelChunks,
  GraphSpec,
  ModelSpec,
  NodeSpec,
  TensorSpec,
  ValueInfoSpec,
} from './spec-types.js';
