/**
 * The contract of the edits layer: the weight record every weight-level computation shares (edits
 * here, guards one layer beside us import it through `src/edits/index.ts`), and the records an edit
 * takes and returns. The ONNX and adapter layers build {@link WeightMatrix} records from initializers;
 * nothing here knows about ONNX.
 */

import type { ModelWeight, ThresholdFamily, WeightFamily, WeightRole } from '../adapters/index.js';

// The weight record and its role and family vocabularies are the adapters' (they read them from the model interface).
export type { ThresholdFamily, WeightFamily, WeightRole };

/**
 * One logical weight matrix, in PyTorch orientation `[out, in]` (rows are output channels), as float32:
 * the adapters' `ModelWeight` record (key, module, role, family, layer, rows, cols, data, tiedWith).
 * Quantized initializers are dequantized to their logical shape before they become a record; a 1-D
 * tensor (norm scale, bias) is a record with `rows = 1`. Never mutated by this layer or the guards.
 */
export type WeightMatrix = ModelWeight;

/**
 * Which weights `quant_rtn` edits: `ffn` the dense MLP (a shared expert included), `experts` the
 * routed experts of a mixture-of-experts model, `attn`, and `all` = attn + ffn + experts + lm_head
 * (a tied embedding follows its lm_head). A MoE router is in none of them (family `other`).
 */
export type QuantScope = 'ffn' | 'experts' | 'attn' | 'all';
/** The quant_rtn scopes, as users spell them. */
export const QUANT_SCOPES: readonly QuantScope[] = ['ffn', 'experts', 'attn', 'all'];

/** Configuration of `quant_rtn` with every field present (see {@link QUANT_RTN_DEFAULTS}). */
export interface QuantRtnConfig {
  /** Bit width, an integer in 2..8. */
  readonly bits: number;
  /** Columns (input features) per scale group; 0 = one scale per row (per output channel). */
  readonly groupSize: number;
  /** Fraction c in [0, 1) of each row clipped before scaling: values outside the c/2 and 1 − c/2 quantiles. 0 = no clip. */
  readonly clampRatio: number;
  readonly scope: QuantScope;
  /** Edit at most this many matrices, in the order given (graph order); 0 = no cap. */
  readonly maxModules: number;
}

/** One LoRA adapter of a `lora` edit, with the weight its update is multiplied by when several are summed. */
export interface LoraAdapterUse {
  readonly adapter: LoraAdapter;
  /** Multiplier of this adapter's update W += weight·s·B·A; 1 for a single adapter. */
  readonly weight: number;
}

/** Configuration of a `lora` edit. */
export interface LoraEditConfig {
  readonly adapters: readonly LoraAdapterUse[];
}

/** What to do: one edit by name, with its configuration. */
export type EditPlan =
  | { readonly name: 'quant_rtn'; readonly config: QuantRtnConfig }
  | { readonly name: 'lora'; readonly config: LoraEditConfig }
  | { readonly name: 'noop'; readonly config: Readonly<Record<string, never>> };

/** The name of a built-in edit, as users spell it. */
export type EditName = EditPlan['name'];

/** The built-in edits, as users spell them (`edit:`, `--edit`, the Action's `edit` input). */
export const EDIT_NAMES = Object.freeze(['quant_rtn', 'lora', 'noop'] as const satisfies readonly EditName[]);

/**
 * What an edit did. `changed` maps a matrix key to its new values (the input matrices are never
 * mutated); two tied keys share one Float32Array. Keys absent from `changed` are unchanged.
 */
export interface EditResult {
  readonly name: EditName;
  /** The configuration as plain JSON (adapters are named by source and digest, not by their tensors). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly changed: ReadonlyMap<string, Float32Array>;
  /** Modules edited, in graph order; a tied pair is listed once, by the module that was edited. */
  readonly modulesTouched: readonly string[];
  /** Number of values whose bits differ from the input (a tied pair's shared data counted once). */
  readonly paramsChanged: number;
  /** Canonical JSON of name, configuration and touched keys: the input of the run's plan digest. */
  readonly digestInput: string;
}

/** A dense float32 tensor decoded from a safetensors file, row-major. */
export interface DenseTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Data types this reader decodes to float32. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/** One tensor's entry in a safetensors header. `dataOffsets` are relative to the byte buffer after the header. */
export interface SafetensorsEntry {
  readonly name: string;
  /** The dtype string as written in the file (`F32`, `I64`, …). */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly dataOffsets: readonly [number, number];
}

/** A parsed safetensors file: its header and a decoder for each tensor. */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  /**
   * Decodes one tensor to float32.
   * @throws InvarlockError `E_SAFETENSORS` when the name is absent; `E_DTYPE_UNSUPPORTED` for dtypes other than F64/F32/F16/BF16.
   */
  readonly decode: (name: string) => DenseTensor;
}

/** `target_modules` of a PEFT config: a list of name suffixes, or one Python regex that must match the whole module name. */
export type PeftTargetModules = { readonly kind: 'list'; readonly names: readonly string[] } | { readonly kind: 'regex'; readonly pattern: string };

/** The fields of `adapter_config.json` this layer uses (PEFT `LoraConfig`). */
export interface PeftLoraConfig {
  readonly peftType: 'LORA';
  readonly r: number;
  readonly loraAlpha: number;
  readonly targetModules: PeftTargetModules;
  /** True when the base layer stored its weight `[in, out]` (GPT-2 Conv1D). Informational here: see `mergeLora`. */
  readonly fanInFanOut: boolean;
  readonly useRslora: boolean;
  readonly modulesToSave: readonly string[];
  /** Per-module rank overrides (PEFT `rank_pattern`): key pattern → r. */
  readonly rankPattern: Readonly<Record<string, number>>;
  /** Per-module alpha overrides (PEFT `alpha_pattern`): key pattern → alpha. */
  readonly alphaPattern: Readonly<Record<string, number>>;
}

/** The low-rank update of one module: `A` is `[r, in]`, `B` is `[out, r]` (PEFT layout, whatever the base layer). */
export interface LoraModuleUpdate {
  /** Module path with PEFT's `base_model.model.` prefix removed. */
  readonly module: string;
  /** `linear`: W += s·B·A; `embedding`: PEFT `lora_embedding_A` `[r, vocab]` and `_B` `[dim, r]`, W += s·(B·A)ᵀ. */
  readonly kind: 'linear' | 'embedding';
  readonly rank: number;
  /** s = alpha/r, or alpha/√r with rsLoRA, after `rank_pattern`/`alpha_pattern`. */
  readonly scaling: number;
  readonly a: DenseTensor;
  readonly b: DenseTensor;
}

/** A loaded PEFT LoRA adapter. */
export interface LoraAdapter {
  /** Where it came from (a directory path, or a caller's label). */
  readonly source: string;
  /** sha256 (hex) over the config bytes and the safetensors bytes. */
  readonly digest: string;
  readonly config: PeftLoraConfig;
  readonly updates: readonly LoraModuleUpdate[];
  /** Full replacement weights of `modules_to_save`, by module path. */
  readonly replacements: ReadonlyMap<string, DenseTensor>;
}
