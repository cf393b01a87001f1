/**
 * Paired evaluation windows (ALGORITHMS.md §2–3): token stream, windows and their scored positions,
 * difficulty-stratified preview/final draw, hashes, classification example plans, MLM masks and
 * pairing checks. Sub-door of `src/eval`.
 */
export type {
  DrawBalance,
  EvalExample,
  EvalWindow,
  ExampleInput,
  ExamplePlan,
  ExamplePlanOptions,
  Framing,
  PairExample,
  PairInput,
  PairPlan,
  PairPlanOptions,
  PairTruncation,
  MaskedWindow,
  MaskOptions,
  PairingProblem,
  PairingReport,
  PlanHashes,
  PlannedWindowRef,
  ScoredWindowRef,
  TextCodec,
  WindowObjective,
  WindowPlan,
  WindowPlanOptions,
} from './types.js';
export { buildWindowPlan } from './build-window-plan.js';
export { buildExamplePlan } from './build-example-plan.js';
export { buildPairPlan } from './build-pair-plan.js';
export { buildSpanPlan, CODE_POINT_CODEC, CODE_POINT_CODEC_HASH, spanOf, type SpanPlan, type SpanPlanOptions, type TextSpan } from './build-span-plan.js';
export { buildTokenStream, type TokenStream } from './token-stream.js';
export { resolveWindowLayout, scoredRange, type WindowLayout } from './window-layout.js';
export { countWindows, cutWindows, windowIds, type CandidateWindow } from './cut-windows.js';
export { byteNgramDifficulty } from './byte-ngram-difficulty.js';
export { BALANCE_TOLERANCE, drawArms, MAX_BALANCE_SWAPS, type DrawOptions } from './stratified-draw.js';
export { hashArm, hashDataset, hashWindowIds } from './window-hashes.js';
export { MASK_DEFAULTS, maskWindow } from './mlm-mask.js';
export { murmur3Bytes, murmur3Words } from './murmur3.js';
export { assertPairing, checkPairing, comparePairing, comparePlanPairing } from './check-pairing.js';
