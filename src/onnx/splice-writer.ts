/**
 * Writes a model with replaced, removed or added tensors without re-encoding it: same-size edits
 * patch the data bytes, size-changing edits re-encode only the changed TensorProtos (keeping
 * their other fields byte for byte) and fix the length prefix of every enclosing message (graph,
 * model, and node/attribute/graph levels of If/Loop bodies). Edited external tensors go to a new
 * external data buffer.
 */
import { InvarlockError } from '../errors/index.js';
import { ChunkWriter, concatChunks } from './chunk-writer.js';
import { payloadByteLength } from './data-types.js';
import { getGraphLookup } from './graph-lookup.js';
import { listTensors } from './model-index.js';
import { ExternalDataBuffer, encodeTensor } from './proto-encoder.js';
import { applySplices, type Splice } from './splice-plan.js';
import { findTensor } from './tensor-decode.js';
import { reencodeTensor } from './tensor-reencode.js';
import type { ModelEditOptions, ModelSplice, ModelWriteResult, TensorEdit } from './edit-types.js';
import type { ModelIndex, TensorRecord } from './types.js';

/** Defaults of {@link ModelEditOptions}. */
export const MODEL_EDIT_DEFAULTS = Object.freeze({
  mode: 'copy',
  externalDataLocation: 'invarlock-edits.onnx_data',
  externalAlignmentBytes: 64,
} as const);

/**
 * Applies tensor edits and returns the new model as chunks that reference the original bytes
 * (no whole-model copy): write them with `writeModelFiles`, or join them with {@link writeModel}.
 * In `in-place` mode every edit must be a same-size patch; the index's bytes are patched and stay
 * a valid index of the result.
 * Throws `E_GRAPH_EDIT` (unknown, duplicate or still-consumed tensors, a name clash on add, a
 * non-patchable edit in `in-place` mode, an external file name already used by the model),
 * `E_TENSOR_RANGE` (payload size does not match dims and type), `E_TENSOR_NOT_FOUND`.
 */
export function spliceModel(index: ModelIndex, edits: readonly TensorEdit[], options: ModelEditOptions = {}): ModelSplice {
  const mode = options.mode ?? MODEL_EDIT_DEFAULTS.mode;
  const location = options.externalDataLocation ?? MODEL_EDIT_DEFAULTS.externalDataLocation;
  const allTensors = listTensors(index);
  if (allTensors.some((t) => t.data.storage === 'external' && t.data.location === location)) {
    throw editError(index, `the model already uses '${location}' for external data; choose another externalDataLocation`, { file: location });
  }
  const external = new ExternalDataBuffer(location, options.externalAlignmentBytes ?? MODEL_EDIT_DEFAULTS.externalAlignmentBytes);
  const touched = new Set<TensorRecord>();
  const splices: Splice[] = [];
  const patches: { start: number; payload: Uint8Array }[] = [];
  const notPatchable: string[] = [];
  const referenced = new Set<string>();

  const added = new Set<string>();
  for (const edit of edits) {
    if (edit.kind === 'add') {
      if (added.has(edit.tensor.name)) throw editError(index, `tensor '${edit.tensor.name}' is added twice`, { tensor: edit.tensor.name });
      added.add(edit.tensor.name);
      splices.push(addTensorSplice(index, edit.tensor.name, edit.graphId ?? 0, encodeTensor(edit.tensor, external)));
      continue;
    }
    const tensor = findTensor(index, edit.tensor);
    if (touched.has(tensor)) throw editError(index, `tensor '${tensor.name}' is edited twice`, { tensor: tensor.name });
    touched.add(tensor);
    if (edit.kind === 'remove') {
      splices.push(...removeTensorSplices(index, tensor));
      continue;
    }
    if (edit.kind === 'reference') {
      splices.push(referenceTensorSplice(index, tensor, edit));
      referenced.add(edit.location);
      notPatchable.push(tensor.name);
      continue;
    }
    const dataType = edit.dataType ?? tensor.dataType;
    const dims = edit.dims ?? tensor.dims;
    if (dataType === 'UNKNOWN') throw editError(index, `tensor '${tensor.name}' has an unknown data type; give dataType`, { tensor: tensor.name });
    const expected = payloadByteLength(dataType, dims.reduce((a, b) => a * b, 1));
    if (expected !== edit.payload.length) {
      throw new InvarlockError('E_TENSOR_RANGE', `new data of tensor '${tensor.name}' has ${edit.payload.length} bytes; [${dims.join(', ')}] of ${dataType} needs ${String(expected)}`, {
        details: { file: index.source, tensor: tensor.name, expected: String(expected), actual: String(edit.payload.length) },
      });
    }
    const range = patchableRange(tensor);
    const placement = edit.placement ?? 'keep';
    const isSameShape = dataType === tensor.dataType && dims.length === tensor.dims.length && dims.every((d, i) => d === tensor.dims[i]);
    if (range !== undefined && isSameShape && placement !== 'external' && range.end - range.start === edit.payload.length) {
      patches.push({ start: range.start, payload: edit.payload });
      splices.push({ start: range.start, end: range.end, chunks: [edit.payload], enclosing: [] });
      continue;
    }
    notPatchable.push(tensor.name);
    const toExternal = placement === 'external' || (placement === 'keep' && tensor.dataLocation === 'external');
    const body = reencodeTensor(index.bytes, tensor, { dataType, dims, payload: edit.payload, external: toExternal ? external : undefined });
    splices.push({ start: tensor.span.payloadStart, end: tensor.span.end, chunks: body, enclosing: [...tensor.enclosing, tensor.span] });
  }

  const externalData = external.length === 0 ? [] : [{ path: location, data: concatChunks(external.chunks) }];
  for (const t of allTensors) if (!touched.has(t) && t.data.storage === 'external') referenced.add(t.data.location);
  const referencedExternalFiles = [...referenced].sort();
  if (mode === 'in-place') {
    if (notPatchable.length > 0 || splices.length !== patches.length) {
      throw editError(index, `in-place mode needs same-size edits; these change the file layout: ${notPatchable.join(', ') || 'added or removed tensors'}`, { problems: notPatchable });
    }
    for (const { start, payload } of patches) index.bytes.set(payload, start);
    return { chunks: [index.bytes], byteLength: index.bytes.length, externalData, referencedExternalFiles, strategy: patches.length === 0 ? 'unchanged' : 'patched' };
  }
  const result = applySplices(index.bytes, splices);
  const strategy = splices.length === 0 ? 'unchanged' : splices.length === patches.length ? 'patched' : 'spliced';
  return { chunks: result.chunks, byteLength: result.byteLength, externalData, referencedExternalFiles, strategy };
}

/**
 * Like {@link spliceModel} but joins the result into one new byte array (in `copy` mode the
 * result never aliases the input; in `in-place` mode it is the patched `index.bytes`).
 * An unchanged model comes back byte-identical.
 */
export function writeModel(index: ModelIndex, edits: readonly TensorEdit[], options: ModelEditOptions = {}): ModelWriteResult {
  const splice = spliceModel(index, edits, options);
  const modelBytes = (options.mode ?? MODEL_EDIT_DEFAULTS.mode) === 'in-place' ? index.bytes : concatChunks(splice.chunks);
  return { modelBytes, externalData: splice.externalData, referencedExternalFiles: splice.referencedExternalFiles, strategy: splice.strategy };
}

/** The splice that turns `tensor` into a reference to bytes of an existing external file. */
function referenceTensorSplice(index: ModelIndex, tensor: TensorRecord, edit: Extract<TensorEdit, { kind: 'reference' }>): Splice {
  const dataType = edit.dataType ?? tensor.dataType;
  const dims = edit.dims ?? tensor.dims;
  if (dataType === 'UNKNOWN') throw editError(index, `tensor '${tensor.name}' has an unknown data type; give dataType`, { tensor: tensor.name });
  const expected = payloadByteLength(dataType, dims.reduce((a, b) => a * b, 1));
  if (expected !== edit.length || !Number.isSafeInteger(edit.offset) || edit.offset < 0) {
    throw new InvarlockError('E_TENSOR_RANGE', `reference of tensor '${tensor.name}' names ${edit.length} bytes at ${edit.offset}; [${dims.join(', ')}] of ${dataType} needs ${String(expected)}`, {
      details: { file: index.source, tensor: tensor.name, expected: String(expected), actual: String(edit.length) },
    });
  }
  const body = reencodeTensor(index.bytes, tensor, { dataType, dims, payload: new Uint8Array(0), external: undefined, reference: edit });
  return { start: tensor.span.payloadStart, end: tensor.span.end, chunks: body, enclosing: [...tensor.enclosing, tensor.span] };
}

/** The file range whose bytes equal the raw payload layout, when the tensor can be patched in place. */
function patchableRange(tensor: TensorRecord): { start: number; end: number } | undefined {
  const data = tensor.data;
  if (data.storage === 'raw') return data;
  const isFixedWidth =
    (data.storage === 'float_data' && tensor.dataType === 'FLOAT') || (data.storage === 'double_data' && tensor.dataType === 'DOUBLE');
  return isFixedWidth && data.encoding === 'packed' ? data : undefined;
}

/** A splice inserting a new initializer field into graph `graphId`. @internal */
export function addTensorSplice(index: ModelIndex, name: string, graphId: number, body: ChunkWriter): Splice {
  const lookup = getGraphLookup(index);
  const graph = lookup.graph(graphId);
  if (lookup.isDefined(name, graphId)) throw editError(index, `cannot add tensor '${name}': a value of that name exists`, { tensor: name });
  const at = graph.lastFieldEnd.initializer ?? graph.lastFieldEnd.name ?? graph.lastFieldEnd.node ?? graph.span.payloadStart;
  const field = new ChunkWriter().messageField(5, body);
  return { start: at, end: at, chunks: field.finish(), enclosing: [...graph.enclosing, graph.span] };
}

function removeTensorSplices(index: ModelIndex, tensor: TensorRecord): Splice[] {
  const lookup = getGraphLookup(index);
  if (tensor.origin.kind !== 'initializer') throw editError(index, `tensor '${tensor.name}' is a node attribute; only initializers can be removed`, { tensor: tensor.name });
  const consumers = lookup.consumers(tensor.name, tensor.graphId);
  if (consumers.length > 0) {
    throw editError(index, `cannot remove initializer '${tensor.name}': ${consumers.length} node(s) still read it`, {
      tensor: tensor.name,
      problems: consumers.slice(0, 20).map((c) => `${c.node.name || c.node.opType} input ${c.slot}`),
    });
  }
  const graph = lookup.graph(tensor.graphId);
  const splices: Splice[] = [{ start: tensor.span.start, end: tensor.span.end, chunks: [], enclosing: tensor.enclosing }];
  // IR < 4 models list initializers as graph inputs too; drop that entry with the tensor.
  for (const input of graph.inputs) {
    if (input.name === tensor.name) splices.push({ start: input.span.start, end: input.span.end, chunks: [], enclosing: [...graph.enclosing, graph.span] });
  }
  return splices;
}

/** An `E_GRAPH_EDIT` error. @internal */
export function editError(index: ModelIndex, message: string, details: Record<string, unknown>): InvarlockError {
  return new InvarlockError('E_GRAPH_EDIT', `${index.source}: ${message}`, { details: { file: index.source, ...details } });
}
