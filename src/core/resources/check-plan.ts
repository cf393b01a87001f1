import { InvarlockError } from '../../errors/index.js';
import { formatBytes } from './byte-size.js';
import type { MemoryPlan } from './memory-plan.js';

/**
 * Stops a run whose plan does not fit, before any session exists: `E_MEMORY_BUDGET` (exit 2) when
 * the user's `--max-memory` is the limit, `E_MEMORY_SHORT` (exit 3) when the machine's free memory
 * is. The message says how much the run needs at its smallest settings.
 */
export function assertPlanFits(plan: MemoryPlan, model: string): void {
  if (plan.fits) return;
  const need = formatBytes(plan.minimumBytes);
  const have = formatBytes(plan.budget.bytes);
  const details = { file: model, field: 'max_memory', expected: `at least ${plan.minimumBytes} bytes (${need})`, actual: `${plan.budget.bytes} bytes (${have})` };
  if (plan.budget.source === 'max_memory') {
    throw new InvarlockError('E_MEMORY_BUDGET', `certifying ${model} needs about ${need} (batch 1, one worker, no weight pre-packing); --max-memory allows ${have}`, {
      details,
      hint: `Raise --max-memory to at least ${need}, or certify on a machine with more memory.`,
    });
  }
  throw new InvarlockError('E_MEMORY_SHORT', `certifying ${model} needs about ${need} (batch 1, one worker, no weight pre-packing); the machine has ${have} free`, {
    details,
    hint: `Free memory or use a larger machine; --max-memory ${need} runs anyway if you know the estimate is high.`,
  });
}
