import { findTensor, readTensorPayload, type DataSource, type ModelIndex } from '../../onnx/index.js';
import type { WeightRecord } from '../types.js';

/** Bytes per element of the float types whose data can be compared bit for bit. */
const WIDTH: Partial<Record<string, number>> = { FLOAT: 4, FLOAT16: 2, BFLOAT16: 2, DOUBLE: 8 };

/** The graph a record lives in, with a reader for its data. */
export interface TyingGraph {
  readonly index: ModelIndex;
  readonly source: DataSource;
}

/**
 * Marks lm_head ↔ token embedding tying on both records (`tiedWith`), decided from the data, never
 * from names: the two read one initializer, or two float initializers of the same type whose
 * values are bit-identical at the same `[out, in]` position (a transposed `onnx::MatMul_*` copy of
 * `wte` included). The comparison stops at the first differing element. Only main-graph weights
 * are considered; other records are returned as they are.
 */
export function detectTying(records: readonly WeightRecord[], graph: TyingGraph): WeightRecord[] {
  const embed = records.find((r) => r.role === 'embed_tokens' && r.graph === 'main');
  const head = records.find((r) => r.role === 'lm_head' && r.graph === 'main');
  if (embed === undefined || head === undefined || !isTied(embed, head, graph)) return [...records];
  return records.map((r) => (r === embed ? { ...r, tiedWith: head.key } : r === head ? { ...r, tiedWith: embed.key } : r));
}

function isTied(embed: WeightRecord, head: WeightRecord, graph: TyingGraph): boolean {
  if (embed.initializers[0] === head.initializers[0]) return true;
  if (embed.rows !== head.rows || embed.cols !== head.cols || embed.storedType !== head.storedType) return false;
  const width = WIDTH[embed.storedType];
  if (width === undefined) return false;
  const a = readTensorPayload(graph.index, findTensor(graph.index, embed.initializers[0] ?? ''), graph.source);
  const b = readTensorPayload(graph.index, findTensor(graph.index, head.initializers[0] ?? ''), graph.source);
  if (a.length !== b.length) return false;
  if (embed.storedOrientation === head.storedOrientation) return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
  // One is stored [out, in], the other [in, out]: compare element (r, c) with (c, r).
  const [aRows, aCols] = embed.storedOrientation === 'out-in' ? [embed.rows, embed.cols] : [embed.cols, embed.rows];
  for (let r = 0; r < aRows; r++) {
    for (let c = 0; c < aCols; c++) {
      const i = (r * aCols + c) * width;
      const j = (c * aRows + r) * width;
      for (let k = 0; k < width; k++) if (a[i + k] !== b[j + k]) return false;
    }
  }
  return true;
}
