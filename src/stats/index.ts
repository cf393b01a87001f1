/**
 * Paired statistics and gate decisions (ALGORITHMS.md §4, §7, §9): a seeded PRNG, rounding,
 * quantiles, the normal distribution, the weighted BCa bootstrap, paired summaries, tail quantiles,
 * the statistical gates and the verdict. Pure functions over numbers and records: `certify` and
 * `verify` call the same ones. The bottom layer above `src/errors`: edits, guards, eval, report and
 * onnx all use it, and it imports nothing else.
 */
export { Prng, createPrng, deriveSeed } from './prng.js';
export { roundHalfEven } from './round-half-even.js';
export { quantile, quantileSorted, sortedCopy } from './quantile.js';
export { erfc } from './erfc.js';
export { normalCdf, normalQuantile } from './normal-distribution.js';
export {
  BOOTSTRAP_DEFAULTS,
  pairedBootstrap,
  type BootstrapFallback,
  type BootstrapInterval,
  type BootstrapMethod,
  type BootstrapOptions,
} from './paired-bootstrap.js';
export {
  summarizePairedDeltas,
  summarizePairedLosses,
  type PairedBootstrapSettings,
  type PairedDeltaSummary,
  type PairedDeltasInput,
  type PairedLossSummary,
  type PairedLossesInput,
} from './paired-summary.js';
export { summarizePairedAccuracy, type PairedAccuracyInput, type PairedAccuracySummary } from './paired-accuracy.js';
export { summarizeTail, type TailSummary } from './tail.js';
export type {
  EvaluatedGate,
  GateBasis,
  GateName,
  GateReason,
  GateReasonCode,
  GateRecord,
  GateStatus,
  GateThreshold,
  GateThresholds,
  NotEvaluatedCode,
  NotEvaluatedGate,
} from './gate-types.js';
export {
  decideAccuracyGate,
  decideCatastropheGate,
  decideDriftGate,
  decideGuardOverheadGate,
  decidePrimaryMetricGate,
  decideTailGate,
  notEvaluatedGate,
  type GateCoverage,
} from './gates.js';
export { decideVerdict, type CheckName, type GuardName, type GuardOutcome, type VerdictDecision, type VerdictReason, type VerdictReasonCode } from './verdict.js';
export {
  MAX_LOOKS,
  decideInterimLook,
  finalLookAlpha,
  interimLook,
  lookSizes,
  lookStatistic,
  obrienFlemingSpending,
  sequentialBoundaries,
  sequentialDesign,
  windowsToResolve,
  type InterimLook,
  type LookDecision,
  type LookStatistic,
  type SequentialBoundaries,
  type SequentialDesign,
  type SpendingFunction,
} from './group-sequential.js';
