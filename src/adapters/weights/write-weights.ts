import * as path from 'node:path';
import { InvarlockError } from '../../errors/index.js';
import {
  collectSessionExternalData,
  encodeTensorPayload,
  findTensor,
  payloadByteLength,
  transposeMatrix,
  writeModel,
  type ExternalDataEntry,
  type ModelFileSet,
  type TensorEdit,
  type TensorRecord,
} from '../../onnx/index.js';
import type { EditedGraph, EditedModel, GraphRole, LoadedGraph, LoadedModel, WeightFormat, WeightRecord } from '../types.js';
import { graphOf, selectRecords } from './read-weights.js';

/** Options of {@link writeWeights}. */
export interface WriteWeightsOptions {
  /**
   * `copy` leaves the loaded model untouched and returns new bytes; `in-place` patches the loaded
   * model's bytes and external buffers (same-size edits; take a snapshot first to undo them).
   * @default 'copy'
   */
  readonly mode?: 'copy' | 'in-place';
}

/** Defaults of {@link WriteWeightsOptions}. */
export const WRITE_WEIGHTS_DEFAULTS = Object.freeze({ mode: 'copy' } as const);

const WRITABLE: Partial<Record<WeightFormat, 'FLOAT' | 'FLOAT16' | 'BFLOAT16' | 'DOUBLE'>> = {
  fp32: 'FLOAT',
  fp16: 'FLOAT16',
  bf16: 'BFLOAT16',
  fp64: 'DOUBLE',
};

/**
 * Writes float32 `[rows, cols]` weights (PyTorch orientation) back into their initializers, in the
 * initializer's orientation and element type (fp32, fp16 and bf16 rounded to nearest even, fp64),
 * and returns model bytes plus `externalData` ready for `InferenceSession.create(bytes, { externalData })`:
 * nothing is written to disk. A key whose weight shares its initializer with another (tied
 * embeddings) writes both; giving both keys different values is an error.
 *
 * @throws InvarlockError `E_DTYPE_UNSUPPORTED` when a weight is stored quantized (the baseline must be
 *   a float model to be edited; `details.tensor`, `details.actual` name the format);
 *   `E_TENSOR_RANGE` when data has the wrong length; `E_GRAPH_EDIT` for unknown keys or conflicting
 *   tied values, and the onnx writer's errors.
 */
export function writeWeights(model: LoadedModel, changed: ReadonlyMap<string, Float32Array>, options: WriteWeightsOptions = {}): EditedModel {
  const mode = options.mode ?? WRITE_WEIGHTS_DEFAULTS.mode;
  const { edits, records } = planWeightEdits(model, changed);
  const main = writeGraph(model.graph, edits.get('main'), mode);
  const encoder = model.encoder === null ? null : writeGraph(model.encoder, edits.get('encoder'), mode);
  return { ...main, encoder, written: records.map((r) => r.key) };
}

/** A `replace` edit of one initializer. */
export type WeightReplacement = Extract<TensorEdit, { kind: 'replace' }>;

/** The `replace` edits of each graph: the main graph's, and a seq2seq model's encoder's. */
export interface WeightReplacements {
  readonly main: readonly WeightReplacement[];
  readonly encoder: readonly WeightReplacement[];
}

/**
 * The `replace` edits that write float32 `[rows, cols]` weights into each graph's initializers
 * (same conversions, checks and errors as {@link writeWeights}), for session graphs that keep the
 * unchanged weights on disk (`writeSessionModel`): no model bytes are copied.
 */
export function weightReplacements(model: LoadedModel, changed: ReadonlyMap<string, Float32Array>): WeightReplacements {
  const { edits } = planWeightEdits(model, changed);
  const of = (role: GraphRole): WeightReplacement[] =>
    [...(edits.get(role) ?? new Map<TensorRecord, { payload: Uint8Array }>()).entries()].map(([tensor, { payload }]) => ({ kind: 'replace', tensor, payload }));
  return { main: of('main'), encoder: of('encoder') };
}

/** Where a loaded graph's weights are, for `writeSessionModel` and `createScorer`. */
export function graphFiles(graph: LoadedGraph<unknown>): ModelFileSet {
  return { directory: path.dirname(graph.path), modelFile: path.basename(graph.path), data: graph.store.source };
}

function planWeightEdits(model: LoadedModel, changed: ReadonlyMap<string, Float32Array>) {
  const records = selectRecords(model, [...changed.keys()]);
  const edits = new Map<GraphRole, Map<TensorRecord, { payload: Uint8Array; key: string; values: Float32Array }>>();
  for (const record of records) {
    const values = changed.get(record.key)!;
    const dataType = WRITABLE[record.format];
    if (dataType === undefined) {
      throw new InvarlockError('E_DTYPE_UNSUPPORTED', `weight ${record.key} is stored as ${record.format}; only float weights (fp32, fp16, bf16, fp64) can be rewritten`, {
        details: { field: record.key, tensor: record.initializers[0] ?? '', actual: record.format, expected: 'fp32, fp16, bf16 or fp64' },
        hint: 'Edit a float baseline (e.g. quant_rtn on the fp32 export), or certify the quantized export as a given subject.',
      });
    }
    if (values.length !== record.rows * record.cols) {
      throw new InvarlockError('E_TENSOR_RANGE', `new values for ${record.key} have ${values.length} elements, ${record.rows}×${record.cols} needs ${record.rows * record.cols}`, {
        details: { field: record.key, expected: String(record.rows * record.cols), actual: String(values.length) },
      });
    }
    const graph = graphOf(model, record);
    const tensor = findTensor(graph.index, initializerOf(graph, record));
    const perGraph = edits.get(record.graph) ?? new Map();
    edits.set(record.graph, perGraph);
    const previous = perGraph.get(tensor);
    if (previous !== undefined) {
      if (previous.values !== values && !sameBits(previous.values, values)) {
        throw new InvarlockError('E_GRAPH_EDIT', `${previous.key} and ${record.key} share initializer '${tensor.name}' but were given different values`, {
          details: { tensor: tensor.name, problems: [previous.key, record.key] },
        });
      }
      continue;
    }
    const stored = record.storedOrientation === 'in-out' ? transposeMatrix(values, record.rows, record.cols) : values;
    perGraph.set(tensor, { payload: encodeTensorPayload(dataType, stored, { name: tensor.name }), key: record.key, values });
  }
  return { edits, records };
}

function initializerOf(graph: LoadedGraph<unknown>, record: WeightRecord): string {
  const name = record.initializers[0];
  if (name === undefined) throw new InvarlockError('E_INTERNAL', `weight ${record.key} has no initializer`, { details: { file: graph.path, field: record.key } });
  return name;
}

function writeGraph(graph: LoadedGraph<unknown>, edits: ReadonlyMap<TensorRecord, { payload: Uint8Array }> | undefined, mode: 'copy' | 'in-place'): EditedGraph {
  const entries = [...(edits ?? new Map<TensorRecord, { payload: Uint8Array }>()).entries()];
  if (mode === 'in-place') {
    // onnx patches inline tensors in place; external tensors are patched in this graph's loaded buffers.
    const inline: TensorEdit[] = [];
    for (const [tensor, { payload }] of entries) {
      if (tensor.data.storage === 'external') patchExternal(graph, tensor, payload);
      else inline.push({ kind: 'replace', tensor, payload });
    }
    const written = writeModel(graph.index, inline, { mode: 'in-place' });
    return { bytes: written.modelBytes, externalData: sessionExternalData(graph) };
  }
  const written = writeModel(
    graph.index,
    entries.map(([tensor, { payload }]) => ({ kind: 'replace', tensor, payload })),
    { mode: 'copy' },
  );
  return { bytes: written.modelBytes, externalData: collectSessionExternalData(written, graph.store.source) };
}

function patchExternal(graph: LoadedGraph<unknown>, tensor: TensorRecord, payload: Uint8Array): void {
  if (tensor.data.storage !== 'external') return;
  const buffer = graph.store.externalBuffer(tensor.data.location);
  const length = tensor.data.length ?? payloadByteLength(tensor.dataType === 'UNKNOWN' ? 'FLOAT' : tensor.dataType, tensor.elementCount) ?? -1;
  if (length !== payload.length || tensor.data.offset + length > buffer.length) {
    throw new InvarlockError('E_TENSOR_RANGE', `in-place write of '${tensor.name}' needs ${length} bytes at ${tensor.data.offset} of '${tensor.data.location}' (${buffer.length} bytes), got ${payload.length}`, {
      details: { tensor: tensor.name, file: tensor.data.location, offset: tensor.data.offset, expected: String(length), actual: String(payload.length) },
    });
  }
  buffer.set(payload, tensor.data.offset);
}

/** Every external file of the graph, from its (possibly patched) buffers. */
function sessionExternalData(graph: LoadedGraph<unknown>): ExternalDataEntry[] {
  return graph.store.externalLocations.map((location) => ({ path: location, data: graph.store.externalBuffer(location) }));
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
