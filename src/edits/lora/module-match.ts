import { InvarlockError } from '../../errors/index.js';
import type { WeightMatrix } from '../types.js';

/**
 * Finds the weight of a PEFT module path: the matrix whose `module` equals it, else the only one
 * whose path and the PEFT path end in each other at a dot boundary (ONNX exports sometimes drop or
 * add a leading `model.`). Only matrices with rows and columns > 1 are LoRA targets.
 * @throws InvarlockError `E_LORA_INVALID` with `details.module` when no matrix, or several, match.
 * @internal
 */
export function findModuleMatrix(module: string, matrices: readonly WeightMatrix[], source: string): WeightMatrix {
  const candidates = matrices.filter((m) => m.role !== 'norm' && m.rows > 1);
  const exact = candidates.filter((m) => m.module === module);
  if (exact.length === 1 && exact[0] !== undefined) return exact[0];
  const loose = exact.length > 1 ? exact : candidates.filter((m) => m.module.endsWith(`.${module}`) || module.endsWith(`.${m.module}`));
  if (loose.length === 1 && loose[0] !== undefined) return loose[0];
  if (loose.length === 0) {
    throw new InvarlockError('E_LORA_INVALID', `LoRA target module ${module} is not a weight of the base model`, {
      details: { file: source, module },
      hint: 'Check that the adapter was trained on this base model and that the model interface maps its modules.',
    });
  }
  throw new InvarlockError('E_LORA_INVALID', `LoRA target module ${module} matches ${loose.length} weights`, {
    details: { file: source, module, problems: loose.map((m) => m.module).slice(0, 20) },
  });
}
