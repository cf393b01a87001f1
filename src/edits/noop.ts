import { buildEditResult } from './edit-result.js';
import type { EditResult, WeightMatrix } from './types.js';

/** The `noop` edit: nothing changes, so every guard must pass on its result (ALGORITHMS.md §6). */
export function applyNoop(matrices: readonly WeightMatrix[]): EditResult {
  return buildEditResult({ name: 'noop', config: {}, changed: new Map(), modulesTouched: [], inputs: matrices });
}
