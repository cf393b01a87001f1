/** Runs a model's graph once on onnxruntime (CPU) with the feeds the adapter's IO describes. */
import * as ort from 'onnxruntime-node';
import type { EditedGraph, ModelIo } from '../../../src/adapters/index.js';
import { float16BitsToFloat32 } from '../../../src/onnx/index.js';

/** Logits of `ids` (one row) as float32, full sequence, empty KV cache (ONNX.md §3.3). */
export async function runLogits(input: EditedGraph, io: ModelIo, ids: readonly number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(input.bytes, {
    externalData: input.externalData.map((e) => ({ path: e.path, data: e.data })),
    logSeverityLevel: 4,
    graphOptimizationLevel: 'disabled',
  });
  try {
    const T = ids.length;
    const idsTensor = (elem: 'int32' | 'int64', values: readonly number[]): ort.Tensor =>
      elem === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, T]) : new ort.Tensor('int32', Int32Array.from(values), [1, T]);
    const feeds: Record<string, ort.Tensor> = { [io.inputIds.name]: idsTensor(io.inputIds.elemType, ids) };
    if (io.attentionMask !== null) feeds[io.attentionMask.name] = idsTensor(io.attentionMask.elemType, ids.map(() => 1));
    if (io.positionIds !== null) feeds[io.positionIds.name] = idsTensor(io.positionIds.elemType, ids.map((_, i) => i));
    if (io.tokenTypeIds !== null) feeds[io.tokenTypeIds.name] = idsTensor(io.tokenTypeIds.elemType, ids.map(() => 0));
    if (io.pastKeyValues.layout === 'split') {
      for (const layer of io.pastKeyValues.layers) {
        for (const t of [layer.key, layer.value]) {
          const dims = t.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 0));
          feeds[t.name] = t.elemType === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
        }
      }
    }
    const out = await session.run(feeds, [io.logits.name]);
    const logits = out[io.logits.name]!;
    if (logits.type === 'float32' && logits.data instanceof Float32Array) return Float32Array.from(logits.data);
    if (logits.type === 'float16' && logits.data instanceof Uint16Array) return float16BitsToFloat32(logits.data);
    throw new Error(`unexpected logits type ${logits.type}`);
  } finally {
    await session.release();
  }
}
