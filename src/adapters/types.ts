/**
 * The contract of the adapters layer: how a model directory becomes a {@link LoadedModel} (graph
 * index, configs, IO names the scorer feeds), how its weights are mapped to roles by a model
 * interface ({@link WeightRecord}), read as float32 ({@link ModelWeight}), written back
 * ({@link EditedModel}) and snapshotted ({@link ModelSnapshot}).
 */
import type { DataSource, DataTypeName, ExternalDataEntry, ModelIndex, ShapeDim, WeightFormat } from '../onnx/index.js';
import type { LoadedTokenizer } from './tokenizer/index.js';

export type { WeightFormat } from '../onnx/index.js';

/** The adapters, as users spell them in `adapter:` (`auto` picks one of these). */
export const ADAPTER_NAMES = ['onnx_causal', 'onnx_mlm', 'onnx_seq2seq', 'onnx_cls'] as const;
/** One adapter name. */
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/**
 * What a weight does in the model, from the model interface. `qkv` is a fused query/key/value
 * projection (GPT-2 `c_attn`, GPT-NeoX `query_key_value`), `gate_up` a fused gate+up projection
 * (Phi-3); `up`/`gate`/`down` are the MLP projections; `norm` a normalisation scale. In a
 * mixture-of-experts block, `router` is the small `[n_experts, hidden]` matrix that scores the
 * experts (Mixtral `block_sparse_moe.gate`), and `expert_gate`/`expert_up`/`expert_down` are one
 * routed expert's projections (Mixtral `w1`/`w3`/`w2`); a shared expert that every token runs
 * (Qwen2-MoE `shared_expert`) is a dense MLP and keeps `up`/`gate`/`down`.
 */
export type WeightRole =
  | 'embed_tokens'
  | 'embed_positions'
  | 'q'
  | 'k'
  | 'v'
  | 'o'
  | 'qkv'
  | 'up'
  | 'gate'
  | 'gate_up'
  | 'down'
  | 'router'
  | 'expert_gate'
  | 'expert_up'
  | 'expert_down'
  | 'lm_head'
  | 'norm'
  | 'other';

/**
 * What named a weight, in order of trust (issue #11): its initializer's PyTorch parameter name, the
 * dynamo exporter's node metadata, the TorchScript node scope (or a quantized initializer named
 * after that node), or its position in the graph's structure.
 */
export const NAMING_SOURCES = ['parameter', 'metadata', 'scope', 'position'] as const;
/** One naming source. */
export type NamingSource = (typeof NAMING_SOURCES)[number];

/** How a model's weights were named: the source that named the most, and how many each named. */
export interface WeightNaming {
  readonly source: NamingSource;
  readonly counts: Readonly<Record<NamingSource, number>>;
}

/** A warning about how a model's weights were mapped. */
export interface InterfaceWarning {
  readonly code: 'interface_inferred' | 'interface_incomplete';
  readonly message: string;
}

/** Where a model interface came from: the bundled table, the user's config, or inferred from the graph. */
export type InterfaceProvenance = 'bundled' | 'user' | 'inferred';

/** One initializer read by several weights (a deduplicated bias or norm scale, a tied embedding): edited once, guarded per use. */
export interface SharedTensor {
  readonly tensor: string;
  readonly graph: GraphRole;
  /** The keys of the weights reading it, in model order. */
  readonly keys: readonly string[];
}

/**
 * Guard family of a weight: `attn` (q/k/v/qkv/o of self-attention), `cross_attn` (the same roles
 * in an encoder–decoder's cross-attention: it reads the encoder's states, so its spectra and
 * activations are judged apart from self-attention's), `ffn` (the dense MLP: up/gate/gate_up/down),
 * `experts` (routed experts' projections), `embed`, `other` (lm_head, norms, MoE routers, unmapped).
 */
export type WeightFamily = 'attn' | 'cross_attn' | 'ffn' | 'experts' | 'embed' | 'other';

/**
 * The families the tier policy sets thresholds for (κ, ε in contracts/tiers.json). `experts` and
 * `cross_attn` are not among them: each expert is an FFN and cross-attention is attention, so they
 * are held to `ffn`'s and `attn`'s thresholds (see `THRESHOLD_FAMILY`); the policy, and with it
 * every certificate's policy digest, stays what it was.
 */
export type ThresholdFamily = Exclude<WeightFamily, 'experts' | 'cross_attn'>;

/**
 * The quantization of a whole model: the one weight format every matrix uses, a quantized format
 * whose only companions are float matrices (e.g. int4 MatMulNBits with an fp32 embedding), or `mixed`.
 */
export type ModelQuantization = WeightFormat | 'mixed';

/** A model element type as onnxruntime-node names tensor types. */
export type IdsElemType = 'int32' | 'int64';
/** Element type of float tensors the scorer feeds or fetches. */
export type FloatElemType = 'float32' | 'float16';

/** One graph input the scorer feeds: its name, element type and declared shape. */
export interface IoTensor<T extends string> {
  readonly name: string;
  readonly elemType: T;
  /** Declared dims: numbers, symbolic names (`batch_size`) or null when unknown. */
  readonly shape: readonly ShapeDim[];
}

/**
 * Past key/value inputs. `split`: one input per layer for keys and one for values
 * (`past_key_values.{i}.key`, shape `[batch, kv_heads, past, head_dim]`); `fused`: ORT-converted
 * GPT-2's `past_{i}` of shape `[2, batch, heads, past, head_dim]`; `none`: no cache inputs.
 * `heads`/`headDim` are the numeric dims when the graph states them, else null.
 */
export type PastKeyValues =
  | { readonly layout: 'none' }
  | {
      readonly layout: 'split';
      readonly elemType: FloatElemType;
      /** `self` caches; a seq2seq decoder also has `cross` ones (`past_key_values.{i}.encoder.key`). */
      readonly layers: readonly {
        readonly layer: number;
        readonly attention: 'self' | 'cross';
        readonly key: IoTensor<FloatElemType>;
        readonly value: IoTensor<FloatElemType>;
      }[];
      readonly heads: number | null;
      readonly headDim: number | null;
    }
  | {
      readonly layout: 'fused';
      readonly elemType: FloatElemType;
      readonly layers: readonly { readonly layer: number; readonly input: IoTensor<FloatElemType> }[];
      readonly heads: number | null;
      readonly headDim: number | null;
    };

/**
 * The IO of one graph, derived once from its declared inputs and outputs: everything the scorer
 * needs to build feeds (ONNX.md §3.2–3.3). Inputs the adapter does not recognise are listed in
 * `otherInputs` (the scorer must refuse a graph whose other inputs it cannot feed).
 */
export interface ModelIo {
  readonly inputIds: IoTensor<IdsElemType>;
  readonly attentionMask: IoTensor<IdsElemType> | null;
  readonly positionIds: IoTensor<IdsElemType> | null;
  readonly tokenTypeIds: IoTensor<IdsElemType> | null;
  readonly pastKeyValues: PastKeyValues;
  /** `use_cache_branch` bool[1] of optimum merged decoders: feed `false` for full-sequence scoring. */
  readonly useCacheBranch: IoTensor<'bool'> | null;
  /** Encoder output fed to a seq2seq decoder (`encoder_hidden_states`). */
  readonly encoderHiddenStates: IoTensor<FloatElemType> | null;
  /** The encoder's mask fed to a seq2seq decoder (`encoder_attention_mask`). */
  readonly encoderAttentionMask: IoTensor<IdsElemType> | null;
  /** The logits output: `[batch, seq, vocab]` (LMs) or `[batch, labels]` (classifiers). */
  readonly logits: IoTensor<FloatElemType>;
  readonly otherInputs: readonly { readonly name: string; readonly elemType: string; readonly shape: readonly ShapeDim[] }[];
}

/**
 * Byte storage of one graph: the model bytes (`index.bytes`) and its external data files, loaded
 * whole into memory on first need and then shared by reads, in-place writes, snapshots and sessions.
 */
export interface GraphStore {
  /** Reads tensor data: loaded external buffers first, then the files beside the model. */
  readonly source: DataSource;
  /** The `location`s of external data the model refers to, sorted. */
  readonly externalLocations: readonly string[];
  /** The whole external file `location`, loaded once (later calls return the same array). */
  externalBuffer(location: string): Uint8Array;
}

/** The IO of a seq2seq encoder graph: ids and mask in, hidden states out (`last_hidden_state`). */
export interface EncoderIo {
  readonly inputIds: IoTensor<IdsElemType>;
  readonly attentionMask: IoTensor<IdsElemType> | null;
  readonly output: IoTensor<FloatElemType>;
}

/** One ONNX graph of a model: its file, index, IO and byte storage. */
export interface LoadedGraph<Io = ModelIo> {
  /** Absolute path of the `.onnx` file. */
  readonly path: string;
  readonly index: ModelIndex;
  readonly io: Io;
  readonly store: GraphStore;
}

/** The fields of `config.json` the adapters use, validated; absent optional fields are null. */
export interface ModelConfig {
  /** Absolute path of the file this came from. */
  readonly file: string;
  readonly modelType: string;
  readonly architectures: readonly string[];
  readonly numLayers: number | null;
  readonly numHeads: number | null;
  readonly numKvHeads: number | null;
  readonly hiddenSize: number | null;
  readonly intermediateSize: number | null;
  readonly vocabSize: number | null;
  readonly tieWordEmbeddings: boolean | null;
  readonly isEncoderDecoder: boolean;
  /** `num_labels`, or the size of `id2label` when that is given instead. */
  readonly numLabels: number | null;
  /** The whole parsed JSON object (read-only), for fields this record does not name. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The fields of onnxruntime-genai's `genai_config.json` the adapters use. */
export interface GenaiConfig {
  readonly file: string;
  /** `model.type`, e.g. `llama`, `phi3`, `qwen2`. */
  readonly modelType: string;
  readonly vocabSize: number | null;
  readonly contextLength: number | null;
  /** `model.decoder.*` fields. */
  readonly decoder: {
    readonly filename: string | null;
    readonly numLayers: number | null;
    readonly numHeads: number | null;
    readonly numKvHeads: number | null;
    readonly hiddenSize: number | null;
    readonly headSize: number | null;
    /** `model.decoder.inputs` / `outputs`: logical name → graph name (`%d` stands for the layer). */
    readonly inputs: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string>>;
  };
  /** `model.encoder.filename` of encoder–decoder genai models, else null. */
  readonly encoderFilename: string | null;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** What a model reference resolved to: a directory and its candidate ONNX files, best first (the hub's `ResolvedModel`). */
export interface ModelLocation {
  /** Absolute directory holding config.json, tokenizer.json and the ONNX files. */
  readonly dir: string;
  /** Absolute paths of candidate `.onnx` files, best first; an explicit file reference gives exactly one. */
  readonly onnxFiles: readonly string[];
  /** True when the user named the `.onnx` file (a file path, or `hf:…#file.onnx`): it then wins over every preference. @default false */
  readonly isExplicitFile?: boolean;
}

/** How the adapter was chosen, and from what. */
export interface AdapterSelection {
  readonly adapter: AdapterName;
  /** `config.json` architectures / model_type, `genai_config.json`, the file layout, the graph's IO, or the caller (`adapter:` in the run config). */
  readonly source: 'config.json' | 'genai_config.json' | 'files' | 'graph' | 'caller';
  /** One line saying why, e.g. `architectures: GPT2LMHeadModel`. */
  readonly reason: string;
}

/**
 * A loaded model: configs, graph indexes and IO read once, no weight decoded yet (weights are
 * decoded on demand by `readWeights`). `sessionInput(model)` gives the bytes for onnxruntime.
 */
export interface LoadedModel {
  readonly adapter: AdapterName;
  readonly dir: string;
  /** The main graph: the decoder of a seq2seq model, the only graph otherwise. */
  readonly graph: LoadedGraph;
  /** The encoder of a seq2seq model, else null. */
  readonly encoder: LoadedGraph<EncoderIo> | null;
  /** `config.json`, or null when only `genai_config.json` describes the model. */
  readonly config: ModelConfig | null;
  readonly genaiConfig: GenaiConfig | null;
  /** `model_type` from config.json, else genai_config.json's `model.type`. */
  readonly modelType: string;
  /** The ONNX files considered (absolute), best first; `graph.path` is the one chosen. */
  readonly candidates: readonly string[];
  /** The model interface the weights were resolved with (`provenance: 'inferred'` when the graph's structure stood in for one). */
  readonly modelInterface: ModelInterface;
  /** Which evidence named the weights. */
  readonly naming: WeightNaming;
  /**
   * Why the interface was inferred (`interface_inferred`), and what the inference could not place
   * (`interface_incomplete`); empty for a bundled or user interface that resolved the graph.
   */
  readonly interfaceWarnings: readonly InterfaceWarning[];
  /** Every weight of the main graph (then the encoder), mapped by the interface, in graph order; tying marked from the data. */
  readonly weights: readonly WeightRecord[];
  /** The tokenizer beside the model (null when loading was told to skip it, or it is optional and absent). */
  readonly tokenizer: LoadedTokenizer | null;
  /** How the adapter was chosen (`auto`), or `{ source: 'caller', … }` when the caller named it. */
  readonly selection: AdapterSelection;
  /** Which file(s) were loaded and why (see `chooseGraphFiles`). */
  readonly fileChoice: 'explicit' | 'genai_config.json' | 'ranked' | 'seq2seq pair';
}

/**
 * A model interface after normalisation: every path key is a list of alternatives (empty when the
 * interface leaves the role out). Keys follow `contracts/model_interfaces.json`.
 */
export interface ModelInterface {
  /** Where it came from: `bundled:<model_type>`, `config` (user supplied), `bundled:<model_type>+config` or `inferred`. */
  readonly origin: string;
  /** The kind of origin: `bundled`, `user` (config, alone or over a bundled one) or `inferred` from the graph. */
  readonly provenance: InterfaceProvenance;
  readonly modelType: string;
  readonly weightLayout: 'linear' | 'conv1d';
  readonly embeddings: readonly string[];
  readonly positionEmbeddings: readonly string[];
  readonly layers: readonly string[];
  readonly selfAttn: readonly string[];
  readonly crossAttn: readonly string[];
  readonly q: readonly string[];
  readonly k: readonly string[];
  readonly v: readonly string[];
  readonly qkv: readonly string[];
  readonly o: readonly string[];
  readonly up: readonly string[];
  readonly gate: readonly string[];
  readonly gateUp: readonly string[];
  readonly down: readonly string[];
  /** Mixture of experts, layer-relative: the router (`block_sparse_moe.gate`, `mlp.gate`). */
  readonly router: readonly string[];
  /** The routed experts' container (`block_sparse_moe.experts`); expert `e` lives at `<container>.<e>`. */
  readonly experts: readonly string[];
  /** Expert-relative projections: Mixtral `w1`/`w3`/`w2`, Qwen-MoE and OLMoE `gate_proj`/`up_proj`/`down_proj`. */
  readonly expertGate: readonly string[];
  readonly expertUp: readonly string[];
  readonly expertDown: readonly string[];
  readonly norms: readonly string[];
  readonly finalNorm: readonly string[];
  readonly lmHead: readonly string[];
  /** Default tying when data does not decide; null when the interface does not say. */
  readonly tiedEmbeddings: boolean | null;
}

/** Which graph of a model holds a weight. */
export type GraphRole = 'main' | 'encoder';

/**
 * One weight of the model, mapped to its role (no data). `key` pairs a baseline weight with the
 * subject's by graph position: the module path spelled as the interface spells it (e.g.
 * `model.layers.0.self_attn.q_proj`), whatever the initializer is called and however it is quantized.
 */
export interface WeightRecord {
  readonly key: string;
  /** Module path as found in the graph (node scope or initializer name), quantizer suffixes stripped. */
  readonly module: string;
  readonly role: WeightRole;
  readonly family: WeightFamily;
  /** Block index, or null outside the blocks. */
  readonly layer: number | null;
  /** PyTorch orientation `[out, in]`; a 1-D norm scale has `rows = 1`. */
  readonly rows: number;
  readonly cols: number;
  readonly graph: GraphRole;
  /** The initializer holding the (possibly quantized) data, then its companions (scales, zero points). */
  readonly initializers: readonly string[];
  /**
   * The node that consumes the weight (after any DequantizeLinear/Cast/Transpose chain) and the
   * input slot; `graphId`/`position` locate it in the graph's index (names may repeat across the
   * branches of a merged decoder).
   */
  readonly consumer: { readonly node: string; readonly opType: string; readonly slot: number; readonly graphId: number; readonly position: number };
  readonly format: WeightFormat;
  /** Element type of the stored data initializer (`FLOAT`, `FLOAT16`, `UINT8`, `INT4` …). */
  readonly storedType: DataTypeName | 'UNKNOWN';
  /** `in-out`: the initializer holds the transpose of `[rows, cols]` (MatMul B); `out-in`: the same layout. */
  readonly storedOrientation: 'in-out' | 'out-in';
  /** Key of the weight this one shares data with (lm_head ↔ token embedding), set on both sides. */
  readonly tiedWith?: string;
  /** Which evidence named this weight (see `resolveWeights`). */
  readonly naming?: NamingSource;
}

/**
 * One logical weight as float32 in PyTorch orientation `[out, in]`, row-major. Structurally the
 * edits layer's `WeightMatrix` (adapters sit below edits and cannot import it).
 */
export interface ModelWeight {
  readonly key: string;
  readonly module: string;
  readonly role: WeightRole;
  readonly family: WeightFamily;
  readonly layer: number | null;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
  readonly tiedWith?: string;
}

/** One graph's bytes ready for `InferenceSession.create(bytes, { externalData })`, nothing written to disk. */
export interface EditedGraph {
  readonly bytes: Uint8Array;
  /** External data files by their `location` (ONNX.md §1.6); empty for a self-contained model. */
  readonly externalData: readonly ExternalDataEntry[];
}

/** A model after `writeWeights`: the main graph's bytes, the encoder's for seq2seq, and the keys written. */
export interface EditedModel extends EditedGraph {
  readonly encoder: EditedGraph | null;
  readonly written: readonly string[];
}

/** Facts about a model, from config.json cross-checked with the graph (`describe()`). */
export interface ModelDescription {
  readonly adapter: AdapterName;
  readonly modelType: string;
  readonly nLayer: number;
  readonly nHeads: number | null;
  readonly nKvHeads: number | null;
  readonly hiddenSize: number | null;
  /** Distinct MLP widths (rows of up/gate weights, halves of gate_up), ascending. */
  readonly mlpDims: readonly number[];
  readonly vocabSize: number | null;
  /** True when the lm_head shares its initializer or equal data with the token embedding. */
  readonly tiedEmbeddings: boolean;
  /**
   * Logical parameters: elements of every weight at its dequantized shape plus float biases and
   * other float initializers, tied data counted once, quantization scales and zero points excluded.
   */
  readonly parameterCount: number;
  /** Element types of the stored weight data, with how many weights use each. */
  readonly dtypes: Readonly<Record<string, number>>;
  /** Weight formats found, with how many weights use each. */
  readonly formats: Readonly<Partial<Record<WeightFormat, number>>>;
  readonly quantization: ModelQuantization;
  readonly weights: readonly WeightRecord[];
  /** sha256 (hex) of the sorted `role:layer:rows×cols` lines: equal for a model and its quantized twins. */
  readonly structureHash: string;
  /** The interface's origin and provenance, which evidence named the weights, and why an interface was inferred. */
  readonly interface: {
    readonly origin: string;
    readonly provenance: InterfaceProvenance;
    readonly naming: WeightNaming;
    readonly warnings: readonly InterfaceWarning[];
  };
  /** Initializers read by more than one weight (deduplicated biases and norms, tied embeddings). */
  readonly sharedTensors: readonly SharedTensor[];
}

/**
 * A copy of the bytes an edit may touch, to undo it bit-exactly. `memory` keeps them in memory;
 * `chunked` streams them to files in a directory with a manifest of sha256 per chunk.
 */
export type ModelSnapshot =
  | { readonly kind: 'memory'; readonly regions: readonly SnapshotRegion[]; readonly copies: readonly Uint8Array[] }
  | { readonly kind: 'chunked'; readonly regions: readonly SnapshotRegion[]; readonly dir: string; readonly manifestPath: string };

/** One byte range of a model buffer covered by a snapshot. */
export interface SnapshotRegion {
  /** `model` (the .onnx bytes of `graph`) or an external data `location`. */
  readonly buffer: string;
  readonly graph: GraphRole;
  readonly offset: number;
  readonly length: number;
  readonly sha256: string;
  /** The weight keys whose data lies here. */
  readonly keys: readonly string[];
}

/** An adapter: loads a model of its kind and answers questions about it. */
export interface ModelAdapter {
  readonly name: AdapterName;
  readonly capabilities: AdapterCapabilities;
  /** Loads a model (a resolved location, or a reference string resolved by the hub layer). @throws see `loadModel`. */
  load(location: ModelLocation | string, options?: LoadOptions): Promise<LoadedModel>;
  /** Facts about a loaded model (`describeModel`). */
  describe(model: LoadedModel): ModelDescription;
  /** Copies the bytes an in-place edit may touch (`takeSnapshot`). */
  snapshot(model: LoadedModel, options?: SnapshotOptions): ModelSnapshot;
  /** Puts them back bit-exactly (`restoreSnapshot`). @throws `E_SNAPSHOT` */
  restore(model: LoadedModel, snapshot: ModelSnapshot): void;
}

/** Options of `load`. Defaults live in `LOAD_DEFAULTS`. */
export interface LoadOptions {
  /** A user model interface (config `model_interface`), merged over the bundled one for the model type. */
  readonly modelInterface?: Readonly<Record<string, unknown>> | null;
  /**
   * `required`: load tokenizer.json beside the model (`E_TOKENIZER_MISSING` when absent) and check its
   * ids fit the embedding table; `optional`: the same, but absent is null; `skip`: do not load it.
   * @default 'required'
   */
  readonly tokenizer?: 'required' | 'optional' | 'skip';
}

/** Options of `snapshot`. */
export interface SnapshotOptions {
  /** Weights to cover. @default every weight of the model */
  readonly keys?: readonly string[];
  /** `memory`, or `chunked` into `dir`. @default 'memory' */
  readonly mode?: 'memory' | 'chunked';
  /** Directory for a chunked snapshot (created if absent). Required when `mode` is `chunked`. */
  readonly dir?: string;
  /** Bytes per chunk file of a chunked snapshot. @default 67108864 (64 MiB) */
  readonly chunkBytes?: number;
}

/** What `contracts/adapter_capabilities.json` says about one adapter. */
export interface AdapterCapabilities {
  readonly task: 'causal-lm' | 'masked-lm' | 'seq2seq-lm' | 'sequence-classification';
  readonly description: string;
  readonly status: 'stable' | 'experimental';
  readonly metric: 'ppl' | 'accuracy';
  readonly graphs: readonly string[];
  readonly requiredInputs: readonly string[];
  readonly optionalInputs: readonly string[];
  readonly requiredOutputs: readonly string[];
  readonly weightFormats: readonly WeightFormat[];
  readonly requiredPackages: readonly string[];
  readonly edits: readonly string[];
  readonly snapshots: readonly ('memory' | 'chunked')[];
}
