import type { ModelWeight } from '../../adapters/index.js';
import type { WeightMatrix } from '../../edits/index.js';

/**
 * The adapters' weight record as the edits and guards layers type it. The only difference is the
 * fused gate+up role of Phi-3, which edits and guards treat as an MLP up projection (same family).
 */
export function toWeightMatrix(weight: ModelWeight): WeightMatrix {
  const { role, tiedWith, ...rest } = weight;
  return { ...rest, role: role === 'gate_up' ? 'up' : role, ...(tiedWith === undefined ? {} : { tiedWith }) };
}
