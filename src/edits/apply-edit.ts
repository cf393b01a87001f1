import { mergeLora } from './lora/lora-merge.js';
import { applyNoop } from './noop.js';
import { applyQuantRtn } from './quant-rtn/quant-rtn.js';
import type { EditPlan, EditResult, WeightMatrix } from './types.js';

/**
 * Runs one edit on the given matrices (graph order) and returns what changed; the input is never mutated.
 * @throws InvarlockError the codes of the edit: `E_EDIT_CONFIG` (quant_rtn, lora), `E_LORA_INVALID` (lora).
 */
export function applyEdit(plan: EditPlan, matrices: readonly WeightMatrix[]): EditResult {
  switch (plan.name) {
    case 'quant_rtn':
      return applyQuantRtn(matrices, plan.config);
    case 'lora':
      return mergeLora(matrices, plan.config);
    case 'noop':
      return applyNoop(matrices);
    default: {
      const unreachable: never = plan;
      return unreachable;
    }
  }
}
