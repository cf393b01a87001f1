import type { LoadedGraph, LoadedModel } from '../../adapters/index.js';
import type { ModelFootprint } from './memory-plan.js';

const STORED_BITS: Readonly<Record<string, number>> = { FLOAT: 32, DOUBLE: 64, FLOAT16: 16, BFLOAT16: 16, INT8: 8, UINT8: 8, INT4: 4, UINT4: 4, INT2: 2, UINT2: 2 };

/**
 * What the memory planner needs of a loaded model: its graph bytes (held by the index), its tensor
 * bytes (every initializer's stored data, inline or external: what a session loads, whatever the
 * files' sizes with gaps or sparse holes), and its weight matrices' parameters and stored bytes,
 * each storage counted once (a tied lm_head shares the embedding's).
 */
export function modelFootprint(model: LoadedModel): ModelFootprint {
  const graphs: LoadedGraph<unknown>[] = [model.graph, ...(model.encoder === null ? [] : [model.encoder])];
  let graphBytes = 0;
  let tensorBytes = 0;
  for (const graph of graphs) {
    graphBytes += graph.index.bytes.length;
    for (const g of graph.index.graphs) {
      for (const t of g.initializers) {
        const d = t.data;
        // an external entry without a length runs to the end of its file: its shape says how long it is
        tensorBytes += d.storage === 'external' ? (d.length ?? Math.ceil((t.elementCount * (STORED_BITS[t.dataType] ?? 32)) / 8)) : d.storage === 'none' ? 0 : d.end - d.start;
      }
    }
  }
  const seen = new Set<string>();
  let weightParams = 0;
  let weightStoredBytes = 0;
  let largestMatrix = 0;
  let half = 0;
  for (const w of model.weights) {
    const storage = `${w.graph}:${w.initializers[0] ?? w.key}`;
    if (seen.has(storage)) continue;
    seen.add(storage);
    const params = w.rows * w.cols;
    weightParams += params;
    weightStoredBytes += Math.ceil((params * (STORED_BITS[w.storedType] ?? 32)) / 8);
    largestMatrix = Math.max(largestMatrix, params);
    if (w.storedType === 'FLOAT16' || w.storedType === 'BFLOAT16') half += params;
  }
  const last = model.graph.io.logits.shape.at(-1);
  const vocab = typeof last === 'number' ? last : (model.config?.vocabSize ?? 32000);
  return { graphBytes, tensorBytes, weightParams, weightStoredBytes, largestMatrix, vocab, halfPrecision: half * 2 > weightParams };
}
