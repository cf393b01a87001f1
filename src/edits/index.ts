/**
 * The edits layer: built-in weight edits (`quant_rtn`, `lora`, `noop`) over plain
 * {@link WeightMatrix} records in PyTorch orientation, and the PEFT/safetensors readers LoRA needs.
 * `WeightMatrix` is defined here and shared with the guards layer (which imports it through this door);
 * edits never import guards. Binding records to ONNX initializers is the caller's job.
 */
export type {
  DenseTensor,
  EditName,
  EditPlan,
  EditResult,
  LoraAdapter,
  LoraAdapterUse,
  LoraEditConfig,
  LoraModuleUpdate,
  PeftLoraConfig,
  PeftTargetModules,
  QuantRtnConfig,
  QuantScope,
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsFile,
  ThresholdFamily,
  WeightFamily,
  WeightMatrix,
  WeightRole,
} from './types.js';
export { EDIT_NAMES, QUANT_SCOPES } from './types.js';
export { THRESHOLD_FAMILY, WEIGHT_FAMILIES } from '../adapters/index.js';
export { applyEdit } from './apply-edit.js';
export { applyEditResult } from './edit-result.js';
export { applyNoop } from './noop.js';
export { applyQuantRtn } from './quant-rtn/quant-rtn.js';
export { QUANT_RTN_DEFAULTS, resolveQuantRtnConfig } from './quant-rtn/quant-rtn-config.js';
export { quantizeRtn, type RtnKernelOptions, type RtnKernelResult } from './quant-rtn/rtn-kernel.js';
export { mergeLora } from './lora/lora-merge.js';
export { loadPeftAdapter } from './lora/load-peft-adapter.js';
export { parsePeftAdapter, type PeftAdapterBytes } from './lora/peft-adapter.js';
export { parsePeftLoraConfig, type ParsePeftConfigOptions } from './lora/peft-config.js';
export { parseSafetensors, type ParseSafetensorsOptions } from './lora/safetensors-reader.js';
