import { InvarlockError } from '../../errors/index.js';
import { describeWeight, resolveWeight } from '../../onnx/index.js';
import type { LoadedGraph, LoadedModel, ModelWeight, WeightRecord } from '../types.js';

/** The graph of a model that holds a weight. @internal */
export function graphOf(model: LoadedModel, record: WeightRecord): LoadedGraph<unknown> {
  if (record.graph === 'main') return model.graph;
  if (model.encoder === null) throw new InvarlockError('E_INTERNAL', `weight ${record.key} belongs to an encoder the model does not have`, { details: { field: record.key } });
  return model.encoder;
}

/** The records of `keys` (every record when omitted), in model order. @throws `E_GRAPH_EDIT` for an unknown key. @internal */
export function selectRecords(model: LoadedModel, keys: readonly string[] | undefined): WeightRecord[] {
  if (keys === undefined) return [...model.weights];
  const wanted = new Set(keys);
  const found = model.weights.filter((w) => wanted.has(w.key));
  if (found.length !== wanted.size) {
    const known = new Set(model.weights.map((w) => w.key));
    const unknown = [...wanted].filter((key) => !known.has(key));
    throw new InvarlockError('E_GRAPH_EDIT', `${unknown.length} weight key(s) are not in the model: ${unknown.slice(0, 5).join(', ')}`, {
      details: { problems: unknown.slice(0, 20) },
    });
  }
  return found;
}

/**
 * Decodes one weight to float32 `[rows, cols]` (PyTorch orientation), dequantizing quantized
 * formats with the onnx layer. Throws the onnx layer's read errors (`E_EXTERNAL_DATA_MISSING`,
 * `E_TENSOR_RANGE`, `E_OP_UNSUPPORTED`, `E_DTYPE_UNSUPPORTED`).
 */
export function readWeight(model: LoadedModel, record: WeightRecord): ModelWeight {
  const graph = graphOf(model, record);
  const node = graph.index.graphs[record.consumer.graphId]?.nodes[record.consumer.position];
  if (node === undefined) throw new InvarlockError('E_INTERNAL', `consumer of ${record.key} is not in ${graph.path}`, { details: { file: graph.path, node: record.consumer.node } });
  const resolved = resolveWeight(graph.index, { node, slot: record.consumer.slot }, graph.store.source);
  if (resolved.rows !== record.rows || resolved.cols !== record.cols) {
    throw new InvarlockError('E_INTERNAL', `weight ${record.key}: decoded ${resolved.rows}×${resolved.cols}, described ${record.rows}×${record.cols}`, {
      details: { file: graph.path, tensor: record.initializers[0] ?? '', expected: `${record.rows}×${record.cols}`, actual: `${resolved.rows}×${resolved.cols}` },
    });
  }
  return toModelWeight(record, resolved.data);
}

/**
 * The bits of every weight stored quantized (QDQ, dynamic int8, MatMulNBits, GatherBlockQuantized),
 * by key, read from the graph without decoding data; float weights are absent.
 */
export function quantizedBits(model: LoadedModel): Map<string, number> {
  const bits = new Map<string, number>();
  for (const record of model.weights) {
    if (record.format === 'fp32' || record.format === 'fp16' || record.format === 'bf16' || record.format === 'fp64') continue;
    const graph = graphOf(model, record);
    const node = graph.index.graphs[record.consumer.graphId]?.nodes[record.consumer.position];
    if (node === undefined) continue;
    const found = describeWeight(graph.index, { node, slot: record.consumer.slot }).quantization?.bits;
    if (found !== undefined) bits.set(record.key, found);
  }
  return bits;
}

/**
 * Decodes the weights named by `keys` (all when omitted), in model order. Weights are decoded
 * here, on call, never at load; a tied pair that shares one initializer in the same orientation
 * shares one Float32Array.
 * @throws InvarlockError `E_GRAPH_EDIT` for an unknown key, and the errors of {@link readWeight}.
 */
export function readWeights(model: LoadedModel, keys?: readonly string[]): ModelWeight[] {
  const records = selectRecords(model, keys);
  const shared = new Map<string, Float32Array>();
  return records.map((record) => {
    const storage = weightStorageKey(record);
    const data = shared.get(storage);
    if (data !== undefined) return toModelWeight(record, data);
    const weight = readWeight(model, record);
    shared.set(storage, weight.data);
    return weight;
  });
}

/** Equal for two records that decode to the same values (a tied pair on one initializer, same orientation). */
export function weightStorageKey(record: WeightRecord): string {
  return `${record.graph}:${record.initializers[0] ?? ''}:${record.rows}x${record.cols}:${record.format}:${record.storedOrientation}`;
}

/**
 * Yields the weights one at a time (memory for one decoded matrix at once, plus what the caller keeps).
 * @throws as {@link readWeights}.
 */
export function* iterateWeights(model: LoadedModel, keys?: readonly string[]): Generator<ModelWeight> {
  for (const record of selectRecords(model, keys)) yield readWeight(model, record);
}

function toModelWeight(record: WeightRecord, data: Float32Array): ModelWeight {
  return {
    key: record.key,
    module: record.module,
    role: record.role,
    family: record.family,
    layer: record.layer,
    rows: record.rows,
    cols: record.cols,
    data,
    ...(record.tiedWith === undefined ? {} : { tiedWith: record.tiedWith }),
  };
}
