import type { WeightMatrix } from '../../edits/index.js';
import { InvarlockError } from '../../errors/index.js';

/** The original data of every matrix VE scaled, copied, so restoring is bit-exact whatever happens to the scaled arrays. */
export interface VeSnapshot {
  readonly originals: ReadonlyMap<string, Float32Array>;
}

/**
 * Multiplies each matrix named in `scales` by its α (W' = fround(α·W), so the tap output scales by α)
 * and returns new records plus a snapshot of the originals; the input is not mutated. A bias of the
 * same layer is scaled only if the caller passes it as a record and names it in `scales`.
 * @throws InvarlockError `E_INTERNAL` when a key in `scales` names no matrix or α is not finite and positive.
 */
export function applyVeScales(matrices: readonly WeightMatrix[], scales: ReadonlyMap<string, number>): { readonly matrices: WeightMatrix[]; readonly snapshot: VeSnapshot } {
  const keys = new Set(matrices.map((m) => m.key));
  for (const [key, alpha] of scales) {
    if (!keys.has(key) || !(alpha > 0) || !Number.isFinite(alpha)) {
      throw new InvarlockError('E_INTERNAL', `VE scale ${alpha} for ${key} cannot be applied`, { details: { tensor: key, actual: String(alpha) } });
    }
  }
  const originals = new Map<string, Float32Array>();
  const out = matrices.map((matrix) => {
    const alpha = scales.get(matrix.key);
    if (alpha === undefined) return matrix;
    originals.set(matrix.key, matrix.data.slice());
    const data = new Float32Array(matrix.data.length);
    for (let i = 0; i < data.length; i++) data[i] = alpha * matrix.data[i];
    return { ...matrix, data };
  });
  return { matrices: out, snapshot: { originals } };
}

/**
 * Puts back the snapshot's original data (bit-for-bit) into the matching records.
 * @throws InvarlockError `E_SNAPSHOT` (`details.tensor`) when a snapshot key is missing or has another size.
 */
export function restoreVeScales(matrices: readonly WeightMatrix[], snapshot: VeSnapshot): WeightMatrix[] {
  const byKey = new Map(matrices.map((m) => [m.key, m]));
  for (const [key, data] of snapshot.originals) {
    const matrix = byKey.get(key);
    if (matrix === undefined || matrix.data.length !== data.length) {
      throw new InvarlockError('E_SNAPSHOT', `cannot restore ${key}: it is missing or has another size`, { details: { tensor: key } });
    }
  }
  return matrices.map((matrix) => {
    const original = snapshot.originals.get(matrix.key);
    return original === undefined ? matrix : { ...matrix, data: original.slice() };
  });
}
