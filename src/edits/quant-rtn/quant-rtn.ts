import { InvarlockError } from '../../errors/index.js';
import { buildEditResult } from '../edit-result.js';
import type { EditResult, QuantRtnConfig, QuantScope, WeightMatrix } from '../types.js';
import { resolveQuantRtnConfig } from './quant-rtn-config.js';
import { quantizeRtn } from './rtn-kernel.js';

/**
 * The `quant_rtn` edit (ALGORITHMS.md §6): symmetric round-to-nearest of every in-scope matrix, per
 * output channel (row) or per group of `groupSize` input columns, in the order given (graph order)
 * up to `maxModules`. A tied lm_head/embedding pair is quantized once and both keys get the same
 * new array, so the tie holds. 1-D weights (norms, biases: `rows = 1` or role `norm`) are never edited.
 * @param config a partial configuration, completed with `QUANT_RTN_DEFAULTS`.
 * @throws InvarlockError `E_EDIT_CONFIG` for an invalid configuration; `E_EDIT_SCOPE` when the scope
 *   matches no weight (a role an inferred interface did not find); `E_INTERNAL` when a tie joins matrices of different shapes.
 */
export function applyQuantRtn(matrices: readonly WeightMatrix[], config: Partial<QuantRtnConfig> = {}): EditResult {
  const resolved = resolveQuantRtnConfig(config);
  const byKey = new Map(matrices.map((matrix) => [matrix.key, matrix]));
  const changed = new Map<string, Float32Array>();
  const modulesTouched: string[] = [];
  for (const matrix of matrices) {
    if (resolved.maxModules > 0 && modulesTouched.length >= resolved.maxModules) break;
    if (changed.has(matrix.key) || !isInScope(matrix, resolved.scope)) continue;
    const quantized = quantizeRtn(matrix.data, matrix.rows, matrix.cols, resolved).data;
    changed.set(matrix.key, quantized);
    modulesTouched.push(matrix.module);
    const partner = matrix.tiedWith === undefined ? undefined : byKey.get(matrix.tiedWith);
    if (partner !== undefined) {
      if (partner.rows !== matrix.rows || partner.cols !== matrix.cols) {
        throw new InvarlockError('E_INTERNAL', `tied matrices ${matrix.key} and ${partner.key} differ in shape`, {
          details: { tensor: matrix.key, expected: `${matrix.rows}x${matrix.cols}`, actual: `${partner.rows}x${partner.cols}` },
        });
      }
      changed.set(partner.key, quantized);
    }
  }
  if (matrices.length > 0 && !matrices.some((m) => hasScopeRole(m, resolved.scope))) {
    // An inferred interface may lack a family; an edit that silently changed nothing would certify as a noop.
    const families = [...new Set(matrices.map((m) => m.family))].sort();
    throw new InvarlockError('E_EDIT_SCOPE', `quant_rtn scope '${resolved.scope}' matches no weight: the model's weights have families ${families.join(', ')}`, {
      details: { field: 'edit.config.scope', expected: resolved.scope === 'all' ? 'attn, ffn, experts or lm_head weights' : `${resolved.scope} weights`, actual: families.join(', ') },
      hint: 'The model interface found no weight of this role (see describe: interface warnings; a mixture-of-experts model keeps its routed experts in scope experts, not ffn). Choose another scope, or give a model_interface naming the module paths.',
    });
  }
  return buildEditResult({ name: 'quant_rtn', config: { ...resolved }, changed, modulesTouched, inputs: matrices });
}

function isInScope(matrix: WeightMatrix, scope: QuantScope): boolean {
  if (matrix.role === 'norm' || matrix.rows < 2 || matrix.cols < 1) return false;
  return hasScopeRole(matrix, scope);
}

function hasScopeRole(matrix: WeightMatrix, scope: QuantScope): boolean {
  switch (scope) {
    case 'ffn':
      return matrix.family === 'ffn';
    case 'experts':
      return matrix.family === 'experts';
    case 'attn':
      return matrix.family === 'attn' || matrix.family === 'cross_attn';
    case 'all':
      return matrix.family === 'ffn' || matrix.family === 'experts' || matrix.family === 'attn' || matrix.family === 'cross_attn' || matrix.role === 'lm_head';
    default: {
      const unreachable: never = scope;
      return unreachable;
    }
  }
}
