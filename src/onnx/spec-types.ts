/**
 * Specs of new ONNX messages, shared by the model builder, the splice writer (added tensors) and
 * graph surgery (added inputs, nodes, outputs).
 */
import type { DataTypeName } from './data-types.js';
import type { TensorValues } from './tensor-encode.js';
import type { ExternalDataEntry, ShapeDim } from './types.js';

export type { TensorValues } from './tensor-encode.js';

interface TensorSpecBase {
  readonly name: string;
  readonly dataType: DataTypeName;
  readonly dims: readonly number[];
  /**
   * Storage form: `raw_data` (what exporters write) or the type's own repeated field
   * (`float_data`, `int32_data`, `int64_data`, `double_data`, `uint64_data`, see DATA_TYPES).
   * @default 'raw_data'
   */
  readonly storage?: 'raw_data' | 'typed_data';
  /** For `typed_data`: one packed field (proto default) or one field per value. @default 'packed' */
  readonly packing?: 'packed' | 'unpacked';
  /** `external` writes the data to the external data file (see `BuildModelOptions`). @default 'inline' */
  readonly placement?: 'inline' | 'external';
  readonly docString?: string;
}

/**
 * A new TensorProto: give either `values` (encoded per `encodeTensorPayload`) or an already encoded
 * `raw_data`-layout `payload`. Payload length must match the dims (`E_TENSOR_RANGE` otherwise).
 */
export type TensorSpec = TensorSpecBase & ({ readonly values: TensorValues; readonly payload?: never } | { readonly payload: Uint8Array; readonly values?: never });

/** A node attribute to write. int64 values may be bigints (e.g. INT64_MAX for `Slice` ends). */
export type AttributeSpec =
  | { readonly name: string; readonly kind: 'int'; readonly value: number | bigint }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'ints'; readonly values: readonly (number | bigint)[] }
  | { readonly name: string; readonly kind: 'floats'; readonly values: readonly number[] }
  | { readonly name: string; readonly kind: 'strings'; readonly values: readonly string[] }
  | { readonly name: string; readonly kind: 'tensor'; readonly tensor: TensorSpec }
  | { readonly name: string; readonly kind: 'graph'; readonly graph: GraphSpec };

/** A new NodeProto. */
export interface NodeSpec {
  readonly opType: string;
  /** `''` (default) is `ai.onnx`; contrib ops use `com.microsoft`. */
  readonly domain?: string;
  readonly name?: string;
  /** Input value names; `''` skips an optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly AttributeSpec[];
  /** NodeProto `metadata_props` (field 9). */
  readonly metadataProps?: readonly { readonly key: string; readonly value: string }[];
}

/**
 * A graph input, output or value_info entry. Without `elemType` the entry has no type at all;
 * without `shape` the rank is unknown.
 */
export interface ValueInfoSpec {
  readonly name: string;
  readonly elemType?: DataTypeName;
  readonly shape?: readonly ShapeDim[];
}

/** A GraphProto to build (main graph or an If/Loop body). */
export interface GraphSpec {
  readonly name?: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly TensorSpec[];
  readonly inputs?: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
  readonly valueInfo?: readonly ValueInfoSpec[];
}

/** A ModelProto to build. */
export interface ModelSpec {
  /** @default 10 */
  readonly irVersion?: number;
  /** @default 'invarlock' */
  readonly producerName?: string;
  /** @default '' */
  readonly producerVersion?: string;
  /** @default [{ domain: '', version: 17 }] */
  readonly opsetImports?: readonly { readonly domain: string; readonly version: number }[];
  readonly metadataProps?: readonly { readonly key: string; readonly value: string }[];
  readonly docString?: string;
  readonly graph: GraphSpec;
}

/** Options of `buildModel`. */
export interface BuildModelOptions {
  /** `location` written for tensors placed `external`. @default 'model.onnx_data' */
  readonly externalDataLocation?: string;
  /** Offsets of external tensors are multiples of this. @default 64 */
  readonly externalAlignmentBytes?: number;
}

/** A built model: bytes plus the external data files it refers to (ready for `InferenceSession.create`). */
export interface BuiltModel {
  readonly modelBytes: Uint8Array;
  readonly externalData: readonly ExternalDataEntry[];
}

/** A built model as a chunk list (for writing big models without one contiguous copy). */
export interface BuiltModelChunks {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
  /** Each external file as a chunk list. */
  readonly externalData: readonly { readonly path: string; readonly chunks: readonly Uint8Array[]; readonly byteLength: number }[];
}
