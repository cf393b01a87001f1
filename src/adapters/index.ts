/**
 * The adapters layer: turns a model directory into a loaded model (configs, ONNX graphs, IO names
 * for the scorer, tokenizer), maps its weights to roles through model interfaces, reads and writes
 * them as float32, and snapshots them. The only door to `src/adapters`.
 */
export type {
  AdapterCapabilities,
  AdapterName,
  AdapterSelection,
  EditedGraph,
  EditedModel,
  EncoderIo,
  FloatElemType,
  GenaiConfig,
  GraphRole,
  GraphStore,
  IdsElemType,
  InterfaceProvenance,
  InterfaceWarning,
  IoTensor,
  LoadedGraph,
  LoadedModel,
  LoadOptions,
  ModelAdapter,
  ModelConfig,
  ModelDescription,
  ModelInterface,
  ModelIo,
  ModelLocation,
  ModelQuantization,
  ModelSnapshot,
  ModelWeight,
  NamingSource,
  PastKeyValues,
  SharedTensor,
  SnapshotOptions,
  SnapshotRegion,
  ThresholdFamily,
  WeightFamily,
  WeightFormat,
  WeightNaming,
  WeightRecord,
  WeightRole,
} from './types.js';
export { ADAPTER_NAMES, NAMING_SOURCES } from './types.js';

// Adapters, selection and loading
export { allAdapters, getAdapter } from './registry/adapters.js';
export { adapterCapabilities, listAdapters, type AdapterListing, type AdapterReadiness, type ListAdaptersOptions } from './registry/capabilities.js';
export { supportMatrix, type EvidenceTier, type SupportedFamily } from './registry/support-matrix.js';
export { selectAdapter, type AdapterChoice } from './select/select-adapter.js';
export { chooseAdapter, type AdapterEvidence } from './select/choose-adapter.js';
export { chooseGraphFiles, type GraphFiles } from './files/choose-graph-files.js';
export { LOAD_DEFAULTS, loadModel, toModelLocation, type LoadModelOptions } from './load/load-model.js';
export { sessionInput } from './load/session-input.js';
export { parseModelConfig, readModelConfig } from './config/model-config.js';
export { parseGenaiConfig, readGenaiConfig } from './config/genai-config.js';

// Interfaces, description and weights
export { THRESHOLD_FAMILY, WEIGHT_FAMILIES } from './interfaces/classify-module.js';
export { hasBundledInterface, inferredInterface, listBundledInterfaces, resolveModelInterface, type ResolveInterfaceOptions } from './interfaces/interface-table.js';
export { mapModelWeights, namingOf, type MappedWeights, type MapWeightsOptions } from './weights/map-weights.js';
export { describeModel, sharedTensors, summarizeQuantization } from './describe/describe-model.js';
export { structureHash } from './describe/structure-hash.js';
export { iterateWeights, quantizedBits, readWeight, readWeights, weightStorageKey } from './weights/read-weights.js';
export { WRITE_WEIGHTS_DEFAULTS, graphFiles, weightReplacements, writeWeights, type WeightReplacement, type WeightReplacements, type WriteWeightsOptions } from './weights/write-weights.js';
export { pairWeights, type WeightPair } from './weights/pair-weights.js';
export { restoreSnapshot, SNAPSHOT_DEFAULTS, takeSnapshot } from './snapshot/take-snapshot.js';

// Tokenizers (src/adapters/tokenizer)
export * from './tokenizer/index.js';
