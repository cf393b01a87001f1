/**
 * The memory planner (issue 12): from a model's footprint, the run's shape and a byte budget, it
 * estimates a certify run's peak resident memory and chooses the scoring batch size, the kernel
 * pool's worker count, the chunk size of the session data copies and whether onnxruntime may
 * pre-pack weights, so the run fits; or it says by how much the budget is short.
 *
 * The estimate is a sum of terms, each one a thing the run holds at its peak (the guards stage, with
 * the subject's session open and the baseline's released), calibrated on bench/scale.ts runs of the
 * generated GPT-2 models (bench/RESULTS.md "Scale"). Pure: no I/O, same input, same plan.
 */

const MiB = 1024 * 1024;

/** Node, onnxruntime's library, the tokenizer and the window plan: measured 150–260 MiB before any model. */
export const RUNTIME_BASE_BYTES = 256 * MiB;
/** Batch size `auto` never goes above this (the scorer's own cap). */
export const MAX_AUTO_BATCH = 32;
/** The scorer's `auto` budget for one batch's logits and log-softmax. */
const AUTO_BATCH_BYTES = 256 * MiB;
/** Largest chunk a session data copy reads at once. */
export const MAX_CHUNK_BYTES = 64 * MiB;
const MIN_CHUNK_BYTES = 4 * MiB;

/** What the planner needs to know about the model (see `modelFootprint`). */
export interface ModelFootprint {
  /** Bytes of the `.onnx` graph files, which the run's index holds in memory (the weights too when inline). */
  readonly graphBytes: number;
  /** Bytes of tensor data in all the model's files (inline and external): what a session loads. */
  readonly tensorBytes: number;
  /** Parameters of the weight matrices the guards and edits read (tied weights counted once). */
  readonly weightParams: number;
  /** Bytes those matrices take as stored (fp32 4, fp16 2, int8 1 per parameter …). */
  readonly weightStoredBytes: number;
  /** Elements of the largest weight matrix (a kernel worker's copy). */
  readonly largestMatrix: number;
  /** Width of the logits (the vocabulary, or the label count of a classifier). */
  readonly vocab: number;
  /** Weights stored in half precision (fp16/bf16): onnxruntime's CPU kernels compute in float32, so a session holds float32 copies. */
  readonly halfPrecision: boolean;
}

/** The run's shape as far as memory goes. */
export interface RunShape {
  readonly seqLen: number;
  /** `auto` or the user's fixed batch size. */
  readonly batchSize: 'auto' | number;
  /** The guards read weights (spectral, invariants, VE, or an edit needs them). */
  readonly readsWeights: boolean;
  /** A built-in edit or LoRA merge makes a subject from the baseline's weights. */
  readonly edits: boolean;
  /** Workers the machine could run (its available parallelism). */
  readonly maxWorkers: number;
}

/** Where the budget came from. */
export type BudgetSource = 'max_memory' | 'free_memory';

/** A byte budget and its source. */
export interface MemoryBudget {
  readonly bytes: number;
  readonly source: BudgetSource;
}

/** The planner's choice. */
export interface MemoryPlan {
  readonly budget: MemoryBudget;
  /** Estimated peak resident memory with the choices below. */
  readonly estimateBytes: number;
  /** The smallest estimate any choice reaches (batch 1, one worker, no pre-packing). */
  readonly minimumBytes: number;
  readonly fits: boolean;
  /** `auto` when the scorer's own choice fits; a number when the budget lowered it (or the user fixed it). */
  readonly batchSize: 'auto' | number;
  readonly workers: number;
  readonly chunkBytes: number;
  /** onnxruntime pre-packs weights (faster, a second copy of the MatMul weights); off only when the budget needs it. */
  readonly prepack: boolean;
  /** The estimate's terms at the chosen settings, in bytes (for `doctor` and the certificate). */
  readonly terms: Readonly<Record<MemoryTerm, number>>;
}

/** The named terms of the estimate. */
export type MemoryTerm = 'runtime' | 'graph' | 'weights' | 'edit' | 'session' | 'activations' | 'workers' | 'slack';

/**
 * What the named terms miss (RMT captures, the variance guard's A/B, allocator slack), as a share of
 * their sum: the 124 M fp32 run peaked at 4,191 MiB where the terms sum to 3,677 MiB (bench/RESULTS.md).
 */
export const SLACK_SHARE = 0.14;

/** The batch size the scorer picks for `auto` (same rule as `autoBatchSize` in eval/scoring). */
export function autoBatch(seqLen: number, vocab: number): number {
  const perRow = seqLen * Math.max(vocab, 1) * 4 * 2;
  return Math.max(1, Math.min(MAX_AUTO_BATCH, Math.floor(AUTO_BATCH_BYTES / perRow)));
}

/** One setting of the knobs the planner turns. */
export interface PlanChoice {
  readonly batch: number;
  readonly workers: number;
  readonly prepack: boolean;
}

/** The estimate's terms for one choice. */
export function estimateTerms(model: ModelFootprint, run: RunShape, choice: PlanChoice): Record<MemoryTerm, number> {
  const decoded = model.weightParams * 4;
  // a session holds the tensors, with pre-packing also packed copies of the MatMul weights: measured
  // 1.37× the fp32 file at 124 M, mapped file pages only (≈ 1.05×) without it. A half-precision
  // model on CPU also gets float32 copies for the kernels (inserted casts): measured 3.3× the fp16
  // bytes at 1.1 B without pre-packing
  const session = model.tensorBytes * (model.halfPrecision ? (choice.prepack ? 4 : 3.3) : choice.prepack ? 1.4 : 1.05);
  const named = {
    runtime: RUNTIME_BASE_BYTES,
    graph: model.graphBytes,
    // the baseline's float32 matrices are held for the guards (and are the edit's input)
    weights: run.readsWeights || run.edits ? decoded : 0,
    // the subject's changed matrices (float32) and their encoded payloads, at most every matrix
    edit: run.edits ? decoded + model.weightStoredBytes : run.readsWeights ? decoded : 0,
    session,
    // logits and their log-softmax, plus hidden states and RMT captures (≈ a tenth of the logits at GPT-2 shapes)
    activations: choice.batch * run.seqLen * Math.max(model.vocab, 1) * 4 * 2.2,
    // each kernel worker holds a copy of the matrix it works on, and the transfer buffer
    workers: choice.workers * model.largestMatrix * 4 * 2,
  };
  return { ...named, slack: total(named) * SLACK_SHARE };
}

function total(terms: Readonly<Record<string, number>>): number {
  return Object.values(terms).reduce((a, b) => a + b, 0);
}

/**
 * Chooses the settings: the largest batch up to the scorer's `auto` choice (or the user's fixed
 * batch, never changed), the most workers up to `maxWorkers`, pre-packing on, and chunks of 64 MiB,
 * lowering them in that order of cost (workers, then pre-packing, then the batch) until the
 * estimate fits the budget. When nothing fits, `fits` is false and the plan holds the smallest
 * settings, with `minimumBytes` the budget that would do.
 */
export function planMemory(model: ModelFootprint, run: RunShape, budget: MemoryBudget): MemoryPlan {
  const auto = autoBatch(run.seqLen, model.vocab);
  const fixed = run.batchSize === 'auto' ? null : run.batchSize;
  const maxWorkers = Math.max(1, Math.floor(run.maxWorkers));
  const batches = fixed === null ? descending(auto) : [fixed];
  const candidates: PlanChoice[] = [];
  for (const prepack of [true, false]) {
    for (const batch of batches) {
      for (let workers = maxWorkers; workers >= 1; workers--) candidates.push({ batch, workers, prepack });
    }
  }
  // the order above prefers pre-packing (speed, and the numbers of an unconstrained run), then the
  // largest batch, then the most workers
  const smallest: PlanChoice = { batch: batches.at(-1)!, workers: 1, prepack: false };
  const minimumBytes = total(estimateTerms(model, run, smallest));
  const chosen = candidates.find((c) => total(estimateTerms(model, run, c)) <= budget.bytes) ?? smallest;
  const terms = estimateTerms(model, run, chosen);
  const estimateBytes = total(terms);
  const headroom = budget.bytes - estimateBytes;
  const chunkBytes = Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, 2 ** Math.floor(Math.log2(Math.max(1, headroom / 4)))));
  return {
    budget,
    estimateBytes,
    minimumBytes,
    fits: estimateBytes <= budget.bytes,
    batchSize: fixed !== null ? fixed : chosen.batch === auto ? 'auto' : chosen.batch,
    workers: chosen.workers,
    chunkBytes,
    prepack: chosen.prepack,
    terms,
  };
}

/** `auto`, then halves down to 1 (8 → 8, 4, 2, 1; 5 → 5, 2, 1). */
function descending(from: number): number[] {
  const out = [from];
  for (let b = Math.floor(from / 2); b >= 1; b = Math.floor(b / 2)) out.push(b);
  if (out.at(-1) !== 1) out.push(1);
  return out;
}
