import { sha256Hex } from '../../contracts/index.js';
import type { WeightRecord } from '../types.js';

/**
 * The logical structure hash: sha256 (hex) of the sorted lines `role:layer:rows×cols` (layer `-`
 * outside the blocks), joined by `\n`. Names, storage types and quantization do not enter, so a
 * model and its quantized twins hash alike while a pruned or re-shaped model does not.
 */
export function structureHash(weights: readonly Pick<WeightRecord, 'role' | 'layer' | 'rows' | 'cols'>[]): string {
  const lines = weights.map((w) => `${w.role}:${w.layer === null ? '-' : String(w.layer)}:${w.rows}×${w.cols}`).sort();
  return sha256Hex(lines.join('\n'));
}
