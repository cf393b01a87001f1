import { availableParallelism } from 'node:os';
import type { LoadedModel } from '../../adapters/index.js';
import type { RunConfig } from '../config/index.js';
import { availableMemoryBytes, formatBytes, modelFootprint, planMemory, type MemoryPlan } from '../resources/index.js';

/**
 * The memory plan of a run on `model`: its budget is `max_memory`, else the machine's free memory;
 * the weights are read when a weight guard runs or an edit needs them (as `certify` reads them).
 */
export function planRunMemory(config: RunConfig, model: LoadedModel, freeBytes: () => number = availableMemoryBytes): MemoryPlan {
  const edits = config.mode.kind === 'edit' || config.mode.subjects.some((s) => s.kind !== 'model');
  const readsWeights = !(config.guards.spectral === 'off' && config.guards.invariants === 'off' && config.mode.kind === 'compare');
  return planMemory(
    modelFootprint(model),
    { seqLen: config.dataset.seqLen, batchSize: config.batchSize, readsWeights, edits, maxWorkers: availableParallelism() },
    config.maxMemoryBytes === null ? { bytes: freeBytes(), source: 'free_memory' } : { bytes: config.maxMemoryBytes, source: 'max_memory' },
  );
}

/** One line for the run's events and `doctor`: the estimate against the budget and what was chosen. */
export function describeMemoryPlan(plan: MemoryPlan): string {
  const budget = `${formatBytes(plan.budget.bytes)} ${plan.budget.source === 'max_memory' ? '(--max-memory)' : 'free'}`;
  const batch = plan.batchSize === 'auto' ? 'batch auto' : `batch ${plan.batchSize}`;
  return `memory plan: about ${formatBytes(plan.estimateBytes)} of ${budget}; ${batch}, ${plan.workers} kernel worker${plan.workers === 1 ? '' : 's'}, ${formatBytes(plan.chunkBytes)} copy chunks, weight pre-packing ${plan.prepack ? 'on' : 'off'}`;
}
