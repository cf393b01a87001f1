/**
 * Public records of the ONNX model layer. Everything here is plain, readonly data; byte offsets are
 * 0-based positions in the model file (`ModelIndex.bytes`), ranges are half-open `[start, end)`.
 */
import type { DataTypeName } from './data-types.js';

export type { DataTypeName, TypedDataField } from './data-types.js';

/**
 * Where one length-delimited protobuf field sits in the file: `[start, lengthStart)` is its tag,
 * `[lengthStart, payloadStart)` its varint length prefix and `[payloadStart, end)` its payload.
 * The splice writer rewrites the length prefix of every enclosing message whose payload changes size.
 */
export interface MessageSpan {
  readonly start: number;
  readonly lengthStart: number;
  readonly payloadStart: number;
  readonly end: number;
}

/** Repeated-field storage forms of tensor data other than `raw_data` (named as in onnx.proto). */
export type TypedStorage = 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';

/**
 * Where a tensor's data lives. Ranges never copy the data:
 * - `raw`: the `raw_data` payload is `[start, end)` of the model file (little-endian, sub-byte types packed);
 * - a typed field: `packed` means `[start, end)` is the one packed payload of that field; `scattered`
 *   means the field occurs several times or unpacked, and `[start, end)` spans whole fields of the
 *   TensorProto from the first occurrence to the last (other fields in between are skipped when decoding);
 * - `external`: `data_location = EXTERNAL`; `location` is relative to the model's directory, `length`
 *   is `undefined` when the file did not give one (then the shape decides);
 * - `none`: no data field at all (an empty tensor, or a malformed one; decoding checks the size).
 */
export type TensorDataRef =
  | { readonly storage: 'raw'; readonly start: number; readonly end: number }
  | { readonly storage: TypedStorage; readonly encoding: 'packed' | 'scattered'; readonly start: number; readonly end: number }
  | {
      readonly storage: 'external';
      readonly location: string;
      readonly offset: number;
      readonly length: number | undefined;
      readonly checksum: string | undefined;
    }
  | { readonly storage: 'none' };

/** How a tensor record was reached: a graph initializer, or a tensor-valued node attribute (e.g. `Constant.value`). */
export type TensorOrigin =
  | { readonly kind: 'initializer' }
  | { readonly kind: 'attribute'; readonly node: string; readonly nodePosition: number; readonly attribute: string };

/** One indexed TensorProto (initializer or attribute tensor). Holds ranges, never data. */
export interface TensorRecord {
  /** `TensorProto.name`; may be empty for attribute tensors (use the Constant node's output name then). */
  readonly name: string;
  /** Shape; int64 dims above 2^53 are rejected while indexing. */
  readonly dims: readonly number[];
  /** Element type name, or `UNKNOWN` for a code onnx.proto does not define (see `dataTypeCode`). */
  readonly dataType: DataTypeName | 'UNKNOWN';
  /** The raw `TensorProto.data_type` code. */
  readonly dataTypeCode: number;
  /** Product of `dims` (1 for a scalar). */
  readonly elementCount: number;
  readonly data: TensorDataRef;
  /** `data_location`: `external` when the data is in another file. */
  readonly dataLocation: 'default' | 'external';
  /** The whole TensorProto field (tag, length and message). */
  readonly span: MessageSpan;
  /** Enclosing messages, outermost first: the main graph, then for nested ones node, attribute, graph … */
  readonly enclosing: readonly MessageSpan[];
  /** Id of the graph the tensor belongs to (0 = main graph). */
  readonly graphId: number;
  readonly origin: TensorOrigin;
}

/** An attribute of a node. int64 values beyond ±2^53 lose precision (they are read as the nearest double). */
export type AttributeRecord =
  | { readonly kind: 'int'; readonly name: string; readonly value: number }
  | { readonly kind: 'float'; readonly name: string; readonly value: number }
  | { readonly kind: 'string'; readonly name: string; readonly value: string }
  | { readonly kind: 'ints'; readonly name: string; readonly values: readonly number[] }
  | { readonly kind: 'floats'; readonly name: string; readonly values: readonly number[] }
  | { readonly kind: 'strings'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'tensor'; readonly name: string; readonly tensor: TensorRecord }
  | { readonly kind: 'tensors'; readonly name: string; readonly tensors: readonly TensorRecord[] }
  | { readonly kind: 'graph'; readonly name: string; readonly graphId: number }
  | { readonly kind: 'graphs'; readonly name: string; readonly graphIds: readonly number[] }
  /** Sparse tensors, type protos, attribute references: recorded, not interpreted. */
  | { readonly kind: 'other'; readonly name: string; readonly typeCode: number };

/** One NodeProto. */
export interface NodeRecord {
  readonly name: string;
  readonly opType: string;
  /** Operator domain; `''` is the default ONNX domain (`ai.onnx`). */
  readonly domain: string;
  /** Input value names; `''` marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly AttributeRecord[];
  readonly graphId: number;
  /** Position of the node within its graph (0-based, file order). */
  readonly position: number;
  readonly span: MessageSpan;
  readonly enclosing: readonly MessageSpan[];
  /** NodeProto `metadata_props` (e.g. the dynamo exporter's `pkg.torch.onnx.name_scopes`); absent when the node has none. */
  readonly metadataProps?: readonly MetadataEntry[];
}

/** One dimension of a value's shape: a size, a symbolic name (`batch_size`) or `null` when unknown. */
export type ShapeDim = number | string | null;

/** A graph input, output or value_info entry. */
export interface ValueInfoRecord {
  readonly name: string;
  /** What kind of value the TypeProto describes; `none` when the entry carries no type. */
  readonly kind: 'tensor' | 'sparse_tensor' | 'sequence' | 'map' | 'optional' | 'other' | 'none';
  /** Element type of a tensor value; `undefined` when not given. */
  readonly elemType: DataTypeName | 'UNKNOWN' | undefined;
  /** Shape of a tensor value; `undefined` when the rank is unknown. */
  readonly shape: readonly ShapeDim[] | undefined;
  readonly span: MessageSpan;
}

/** Field numbers of GraphProto after whose last occurrence new fields are inserted. */
export type GraphFieldName = 'node' | 'name' | 'initializer' | 'doc_string' | 'input' | 'output' | 'value_info';

/** One GraphProto: the main graph (id 0) or a subgraph held by a node attribute (If/Loop/Scan bodies). */
export interface GraphRecord {
  /** 0 for the main graph; subgraphs are numbered in file order. */
  readonly id: number;
  /** Id of the graph whose node holds this subgraph; `undefined` for the main graph. */
  readonly parentId: number | undefined;
  /** `''` for the main graph, else `<node name>/<attribute>` segments joined by `/`, e.g. `If_0/then_branch`. */
  readonly path: string;
  readonly name: string;
  readonly nodes: readonly NodeRecord[];
  readonly initializers: readonly TensorRecord[];
  /** Names of `sparse_initializer` entries (recorded, not decoded). */
  readonly sparseInitializerNames: readonly string[];
  readonly inputs: readonly ValueInfoRecord[];
  readonly outputs: readonly ValueInfoRecord[];
  readonly valueInfo: readonly ValueInfoRecord[];
  readonly span: MessageSpan;
  readonly enclosing: readonly MessageSpan[];
  /** End offset of the last occurrence of each GraphProto field present, used as insertion points. */
  readonly lastFieldEnd: Readonly<Partial<Record<GraphFieldName, number>>>;
}

/** An `opset_import` entry; domain `''` is `ai.onnx`. */
export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** A `metadata_props` entry. */
export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * The index of one ModelProto: every message the model layer needs, as ranges into `bytes`.
 * Made by `indexModel`; it keeps a reference to (not a copy of) the model bytes.
 */
export interface ModelIndex {
  /** File name or label used in error details. */
  readonly source: string;
  /** The model bytes the ranges point into. */
  readonly bytes: Uint8Array;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsetImports: readonly OpsetImport[];
  readonly metadataProps: readonly MetadataEntry[];
  /** Number of model-local functions (`functions`); their bodies are not indexed. */
  readonly functionCount: number;
  /** The main graph (same object as `graphs[0]`). */
  readonly graph: GraphRecord;
  /** All graphs: main first, then subgraphs in file order. */
  readonly graphs: readonly GraphRecord[];
  /** End offset of the last `opset_import` field (insertion point for new imports); `undefined` when none. */
  readonly lastOpsetImportEnd: number | undefined;
}

/** Options of `indexModel`. */
export interface IndexModelOptions {
  /** File name or label for error details. @default '<memory>' */
  readonly source?: string;
}

/** An external data file handed to onnxruntime-node: `InferenceSession.create(bytes, { externalData })`. */
export interface ExternalDataEntry {
  /** Must equal the `location` written in the model. */
  readonly path: string;
  readonly data: Uint8Array;
}

/**
 * Resolves `external_data` locations. Made by `createDataSource`. Reads go through `fs.readSync` in
 * chunks (files may exceed 2 GiB); every returned array is a fresh, 0-offset copy.
 */
export interface DataSource {
  /**
   * Reads `length` bytes at `offset` of `location`. Throws `E_EXTERNAL_DATA_MISSING` when the file
   * is not found, `E_TENSOR_RANGE` when the range is outside it, `E_MODEL_PARSE` when the location
   * escapes the model directory. `tensor` names the tensor in error details.
   */
  readRange(request: { readonly location: string; readonly offset: number; readonly length: number; readonly tensor: string }): Uint8Array;
  /** Size in bytes of `location` (same errors as `readRange`). */
  sizeOf(location: string, tensor: string): number;
  /** Reads a whole external file (e.g. to hand it to onnxruntime as `externalData`). */
  readFile(location: string): Uint8Array;
  /** Closes open file descriptors; the source can still be used afterwards (files reopen). */
  close(): void;
}

/** Options of `createDataSource`. */
export interface DataSourceOptions {
  /** Directory that external `location`s are relative to (the model file's directory). */
  readonly directory?: string;
  /** In-memory external files, consulted before `directory` (e.g. a builder's or writer's `externalData`). */
  readonly files?: readonly ExternalDataEntry[];
  /** Bytes per `fs.readSync` call. @default 67108864 (64 MiB) */
  readonly chunkBytes?: number;
}
