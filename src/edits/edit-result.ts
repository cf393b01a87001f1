import { canonicalJson } from '../contracts/index.js';
import type { EditName, EditResult, WeightMatrix } from './types.js';

/** Inputs of {@link buildEditResult}. */
export interface EditResultParts {
  readonly name: EditName;
  readonly config: Readonly<Record<string, unknown>>;
  readonly changed: ReadonlyMap<string, Float32Array>;
  readonly modulesTouched: readonly string[];
  /** The matrices the edit read, to count changed values against. */
  readonly inputs: readonly WeightMatrix[];
}

/**
 * Assembles an {@link EditResult}: counts values whose bits changed (shared tied data once) and
 * writes the digest input. Bitwise comparison so that NaN payloads and −0 count as they are stored.
 * @internal
 */
export function buildEditResult(parts: EditResultParts): EditResult {
  const byKey = new Map(parts.inputs.map((matrix) => [matrix.key, matrix]));
  const counted = new Set<Float32Array>();
  let paramsChanged = 0;
  for (const [key, data] of parts.changed) {
    if (counted.has(data)) continue;
    counted.add(data);
    const before = byKey.get(key);
    paramsChanged += before === undefined ? data.length : countDifferentBits(before.data, data);
  }
  const touchedKeys = [...parts.changed.keys()];
  return {
    name: parts.name,
    config: parts.config,
    changed: parts.changed,
    modulesTouched: parts.modulesTouched,
    paramsChanged,
    digestInput: canonicalJson({ name: parts.name, config: parts.config, touched: touchedKeys }),
  };
}

function countDifferentBits(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) count++;
  return count;
}

/**
 * The matrices after an edit: each record whose key is in `result.changed` gets the new data,
 * the others are returned as they are. Order is kept.
 */
export function applyEditResult(matrices: readonly WeightMatrix[], result: Pick<EditResult, 'changed'>): WeightMatrix[] {
  return matrices.map((matrix) => {
    const data = result.changed.get(matrix.key);
    return data === undefined ? matrix : { ...matrix, data };
  });
}
