/** Memory planning (issue 12): a model's footprint, the budget, and the settings that fit it. */
export { BYTE_SIZE_PATTERN, formatBytes, parseByteSize } from './byte-size.js';
export { assertPlanFits } from './check-plan.js';
export { availableMemoryBytes } from './free-memory.js';
export { autoBatch, estimateTerms, planMemory, RUNTIME_BASE_BYTES, type BudgetSource, type MemoryBudget, type MemoryPlan, type MemoryTerm, type ModelFootprint, type PlanChoice, type RunShape, SLACK_SHARE } from './memory-plan.js';
export { modelFootprint } from './model-footprint.js';
