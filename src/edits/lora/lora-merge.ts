import { InvarlockError } from '../../errors/index.js';
import { buildEditResult } from '../edit-result.js';
import type { DenseTensor, EditResult, LoraEditConfig, LoraModuleUpdate, WeightMatrix } from '../types.js';
import { findModuleMatrix } from './module-match.js';

/**
 * The `lora` edit: merges PEFT adapters into the base weights, W' = W + Σ_k w_k·s_k·B_k·A_k
 * (ALGORITHMS.md §6), accumulated in float64 and rounded to float32 once per value.
 *
 * Orientation: records are PyTorch `[out, in]` and PEFT stores `A` `[r, in]` and `B` `[out, r]`
 * whatever the base layer, so B·A is added directly. `fan_in_fan_out` (GPT-2 Conv1D, whose stored
 * weight is `[in, out]`) only says how the base was stored; the layer that built the record has
 * already transposed it, so it needs no handling here, and the caller writes the result back in the
 * initializer's own orientation. Embedding LoRA adds s·(B·A)ᵀ to the `[vocab, dim]` table.
 * `modules_to_save` replacements are taken as they are (before the low-rank updates; not weighted);
 * two adapters replacing one module is an error. An update to one side of a tied pair (lm_head ↔
 * embedding) changes the shared data, so both keys get the same array, as PyTorch's shared parameter would.
 * @throws InvarlockError `E_LORA_INVALID` naming the module (`details.module`) when it is missing from
 * the base, when B·A does not have the base's shape, or when two adapters replace the same module;
 * `E_EDIT_CONFIG` when an adapter weight is not finite or there are no adapters.
 */
export function mergeLora(matrices: readonly WeightMatrix[], config: LoraEditConfig): EditResult {
  if (config.adapters.length === 0) {
    throw new InvarlockError('E_EDIT_CONFIG', 'a lora edit needs at least one adapter', { details: { field: 'adapters' } });
  }
  const byKey = new Map(matrices.map((m) => [m.key, m]));
  const storageOf = (matrix: WeightMatrix): WeightMatrix => {
    const partner = matrix.tiedWith === undefined ? undefined : byKey.get(matrix.tiedWith);
    // One side of a tie stands for the shared storage: the lm_head when present, else the smaller key.
    if (partner === undefined) return matrix;
    if (matrix.role === 'lm_head') return matrix;
    if (partner.role === 'lm_head') return partner;
    return matrix.key < partner.key ? matrix : partner;
  };
  const deltas = new Map<string, Float64Array>();
  const replaced = new Map<string, { data: Float32Array; source: string }>();
  const order: WeightMatrix[] = [];
  const touch = (matrix: WeightMatrix): Float64Array => {
    let delta = deltas.get(matrix.key);
    if (delta === undefined) {
      delta = new Float64Array(matrix.rows * matrix.cols);
      deltas.set(matrix.key, delta);
      order.push(matrix);
    }
    return delta;
  };
  config.adapters.forEach((use, index) => {
    if (!Number.isFinite(use.weight)) {
      throw new InvarlockError('E_EDIT_CONFIG', `adapter ${use.adapter.source} has a non-finite weight`, {
        details: { field: `adapters[${index}].weight`, actual: String(use.weight) },
      });
    }
    for (const [module, tensor] of use.adapter.replacements) {
      const target = storageOf(findModuleMatrix(module, matrices, use.adapter.source));
      checkShape(tensor, target, module, use.adapter.source);
      const previous = replaced.get(target.key);
      if (previous !== undefined) {
        throw new InvarlockError('E_LORA_INVALID', `modules_to_save weight ${module} is replaced by two adapters`, {
          details: { module, problems: [previous.source, use.adapter.source] },
        });
      }
      replaced.set(target.key, { data: tensor.data, source: use.adapter.source });
      touch(target);
    }
    for (const update of use.adapter.updates) {
      const target = storageOf(findModuleMatrix(update.module, matrices, use.adapter.source));
      addLowRank(touch(target), target, update, use.weight * update.scaling, use.adapter.source);
    }
  });
  const changed = new Map<string, Float32Array>();
  const modulesTouched: string[] = [];
  const graphOrder = new Map(matrices.map((m, i) => [m.key, i]));
  order.sort((x, y) => (graphOrder.get(x.key) ?? 0) - (graphOrder.get(y.key) ?? 0));
  for (const matrix of order) {
    const delta = deltas.get(matrix.key) ?? new Float64Array(0);
    const base = replaced.get(matrix.key)?.data ?? matrix.data;
    const out = new Float32Array(base.length);
    for (let i = 0; i < out.length; i++) out[i] = base[i] + delta[i];
    changed.set(matrix.key, out);
    modulesTouched.push(matrix.module);
    const partner = matrix.tiedWith === undefined ? undefined : byKey.get(matrix.tiedWith);
    if (partner !== undefined) changed.set(partner.key, out);
  }
  const adapters = config.adapters.map((use) => ({ source: use.adapter.source, digest: use.adapter.digest, weight: use.weight }));
  return buildEditResult({ name: 'lora', config: { adapters }, changed, modulesTouched, inputs: matrices });
}

function checkShape(tensor: DenseTensor, target: WeightMatrix, module: string, source: string): void {
  const [rows, cols] = tensor.shape.length === 1 ? [1, tensor.shape[0]] : tensor.shape;
  if (tensor.shape.length > 2 || rows !== target.rows || cols !== target.cols) {
    throw new InvarlockError('E_LORA_INVALID', `modules_to_save weight ${module} has shape ${JSON.stringify(tensor.shape)}, the base ${target.rows}x${target.cols}`, {
      details: { file: source, module, expected: `${target.rows}x${target.cols}`, actual: tensor.shape.join('x') },
    });
  }
}

/** delta += factor·B·A (linear) or factor·(B·A)ᵀ (embedding), after checking shapes against the base. */
function addLowRank(delta: Float64Array, target: WeightMatrix, update: LoraModuleUpdate, factor: number, source: string): void {
  const rank = update.rank;
  const [bRows] = update.b.shape;
  const [, aCols] = update.a.shape;
  // For an embedding the update is (B·A)ᵀ: A's columns are the vocabulary rows, B's rows the features.
  const [outRows, outCols] = update.kind === 'linear' ? [bRows, aCols] : [aCols, bRows];
  if (outRows !== target.rows || outCols !== target.cols) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA update of ${update.module} is ${outRows}x${outCols}, the base weight ${target.rows}x${target.cols}`, {
      details: { file: source, module: update.module, expected: `${target.rows}x${target.cols}`, actual: `${outRows}x${outCols}` },
    });
  }
  const a = update.a.data;
  const b = update.b.data;
  const rows = target.rows;
  const cols = target.cols;
  if (update.kind === 'linear') {
    for (let i = 0; i < rows; i++) {
      const rowBase = i * cols;
      for (let c = 0; c < rank; c++) {
        const coefficient = factor * b[i * rank + c];
        if (coefficient === 0) continue;
        const aBase = c * cols;
        for (let j = 0; j < cols; j++) delta[rowBase + j] += coefficient * a[aBase + j];
      }
    }
    return;
  }
  // delta[v, d] += factor·Σ_c B[d, c]·A[c, v]
  for (let v = 0; v < rows; v++) {
    const rowBase = v * cols;
    for (let c = 0; c < rank; c++) {
      const coefficient = factor * a[c * rows + v];
      if (coefficient === 0) continue;
      for (let d = 0; d < cols; d++) delta[rowBase + d] += coefficient * b[d * rank + c];
    }
  }
}
