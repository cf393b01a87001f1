/**
 * Public records of model writing: tensor edits, graph surgery and their results.
 */
import type { DataTypeName } from './data-types.js';
import type { NodeSpec, TensorSpec, ValueInfoSpec } from './spec-types.js';
import type { TensorRef } from './tensor-decode.js';
import type { ExternalDataEntry, OpsetImport } from './types.js';

/**
 * One change to a model's tensors.
 * - `replace`: new data for an initializer or Constant tensor, in `raw_data` layout (see
 *   `encodeTensorPayload`), optionally with a new type and dims. `placement`: `keep` (default)
 *   leaves inline tensors inline and sends edited external tensors to the new external file;
 *   `inline` / `external` force one.
 * - `remove`: drops an initializer that no node reads (and a graph input of the same name).
 * - `add`: a new initializer in graph `graphId` (default 0, the main graph).
 * - `reference`: the tensor's data is read from `length` bytes at `offset` of the external file
 *   `location` (relative to the directory the written model is loaded from); nothing is copied. Used
 *   to point a small session graph at weights that stay on disk.
 */
export type TensorEdit =
  | {
      readonly kind: 'replace';
      readonly tensor: TensorRef;
      readonly payload: Uint8Array;
      readonly dataType?: DataTypeName;
      readonly dims?: readonly number[];
      readonly placement?: 'keep' | 'inline' | 'external';
    }
  | { readonly kind: 'remove'; readonly tensor: TensorRef }
  | { readonly kind: 'add'; readonly tensor: TensorSpec; readonly graphId?: number }
  | {
      readonly kind: 'reference';
      readonly tensor: TensorRef;
      readonly location: string;
      readonly offset: number;
      readonly length: number;
      readonly dataType?: DataTypeName;
      readonly dims?: readonly number[];
    };

/** Options of `spliceModel` / `writeModel` / `applyGraphSurgery`. */
export interface ModelEditOptions {
  /**
   * `copy` leaves the input bytes untouched; `in-place` patches `index.bytes` directly (same-size
   * edits only; the index stays valid).
   * @default 'copy'
   */
  readonly mode?: 'copy' | 'in-place';
  /** `location` of the new external data file for edited external tensors. @default 'invarlock-edits.onnx_data' */
  readonly externalDataLocation?: string;
  /** Alignment of tensors in the new external file. @default 64 */
  readonly externalAlignmentBytes?: number;
}

/** How the writer produced its output. */
export type WriteStrategy = 'unchanged' | 'patched' | 'spliced';

/** A written model as chunks (views of the original bytes plus new pieces). */
export interface ModelSplice {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
  /** New external data files (edited external tensors), for `InferenceSession.create(bytes, { externalData })`. */
  readonly externalData: readonly ExternalDataEntry[];
  /**
   * External files of the original model that the output still refers to; loading the output from
   * bytes needs them too (`collectSessionExternalData`).
   */
  readonly referencedExternalFiles: readonly string[];
  readonly strategy: WriteStrategy;
}

/** A written model as one byte array. */
export interface ModelWriteResult {
  readonly modelBytes: Uint8Array;
  readonly externalData: readonly ExternalDataEntry[];
  readonly referencedExternalFiles: readonly string[];
  readonly strategy: WriteStrategy;
}

/**
 * Additions to the main graph (and its model), e.g. a loss head or activation taps. Nodes are
 * appended after the existing ones in the given order, so they may read values produced by earlier
 * added nodes. Values inside If/Loop bodies cannot be graph outputs.
 */
export interface GraphSurgery {
  /** New graph inputs; `elemType` is required. */
  readonly addInputs?: readonly ValueInfoSpec[];
  /** New (small) initializers, e.g. `axes` tensors. */
  readonly addInitializers?: readonly TensorSpec[];
  readonly addNodes?: readonly NodeSpec[];
  /**
   * New graph outputs for existing or added values. Without `elemType`/`shape` they are taken from
   * the model's value info, initializers or graph inputs when known; otherwise the output is written
   * without a type and onnxruntime infers it.
   */
  readonly addOutputs?: readonly ValueInfoSpec[];
  /** Graph outputs to drop (e.g. `logits` once a loss head replaces them). */
  readonly removeOutputs?: readonly string[];
  /** Opset imports to add when the domain is missing (e.g. `{ domain: 'com.microsoft', version: 1 }`). */
  readonly addOpsetImports?: readonly OpsetImport[];
}
