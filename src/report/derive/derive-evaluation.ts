import {
  finalLookAlpha,
  normalCdf,
  decideAccuracyGate,
  decideCatastropheGate,
  decideDriftGate,
  decideGuardOverheadGate,
  decidePrimaryMetricGate,
  decideTailGate,
  decideVerdict,
  notEvaluatedGate,
  summarizePairedAccuracy,
  summarizePairedDeltas,
  summarizePairedLosses,
  summarizeTail,
  type GateRecord,
  type GuardOutcome,
  type PairedBootstrapSettings,
  type TailSummary,
} from '../../stats/index.js';
import type {
  CheckStatus,
  GuardBlock,
  GuardMode,
  GuardOverhead,
  Guards,
  MetricKind,
  Pairing,
  PolicyBlock,
  PrimaryMetric,
  SequentialRecord,
  Tail,
  ValidationFlags,
  Verdict,
  WindowArm,
  Windows,
} from '../certificate/certificate-types.js';
import { InvarlockError } from '../../errors/index.js';
import { decidePairing, type PairingDecision } from './decide-pairing.js';
import { bitsPerByte, bytesPerToken, spanTokensOf } from './span-metric.js';
import { designOf, replayLooks, sequentialRecord, type SequentialPlanFacts } from './derive-sequential.js';
import type { GuardOverheadInput, RunOutcome, WindowArmInput } from '../types.js';

/**
 * Everything derived in a certificate, computed from what was measured. `buildCertificate` and
 * `verifyCertificate` both call {@link deriveEvaluation}: the statistics come from src/eval's
 * pure functions (paired summaries, bootstrap, tail, gates, verdict), so certify and verify cannot
 * disagree by construction, and verify's comparison catches any recorded value that was altered.
 */

/** The measured facts a certificate's derived blocks are computed from. @internal */
export interface EvaluationFacts {
  readonly outcome: RunOutcome;
  readonly metricKind: MetricKind;
  readonly windows: { readonly preview: WindowArmInput; readonly final: WindowArmInput };
  readonly pairing: Pairing;
  readonly tokenizers: { readonly baseline: string | null; readonly subject: string | null; readonly dataset: string | null };
  readonly guards: Guards;
  readonly guardOverhead: GuardOverheadInput;
  readonly policy: PolicyBlock;
  /** Seed of the bootstrap stream (the run seed plus the policy's bootstrap offset). */
  readonly bootstrapSeed: number;
  /** The planned final arm of a run with sequential looks (policy.sequential); null otherwise. */
  readonly sequentialPlan: SequentialPlanFacts | null;
}

/** The derived blocks of a certificate. @internal */
export interface DerivedEvaluation {
  readonly verdict: Verdict;
  readonly validation: ValidationFlags;
  readonly primary_metric: PrimaryMetric;
  readonly windows: Windows;
  readonly tail: Tail;
  readonly guard_overhead: GuardOverhead;
  readonly sequential: SequentialRecord | null;
  readonly pairingDecision: PairingDecision;
  /** Every gate record, in decision order (for explanations and tests). */
  readonly gates: readonly GateRecord[];
}

const MAX_PAIRING_REASONS = 8;

interface ArmSummary {
  readonly n: number;
  /** Σ weights (scored tokens; examples for accuracy). */
  readonly tokens: number;
  readonly baselineValue: number;
  readonly subjectValue: number;
  readonly meanDelta: number;
  readonly ratio: number | null;
  readonly deltaCi: { readonly low: number; readonly high: number; readonly method: 'bca' | 'percentile' | 'degenerate'; readonly fallback: PrimaryMetric['ci_fallback'] };
  readonly ratioCi: { readonly low: number; readonly high: number } | null;
  /** Per-window Δ in the gates' units (the tail's input). */
  readonly deltas: readonly number[];
  /** Per-window Δ as the windows block records it (in the values' units). */
  readonly windowDeltas: readonly number[];
}

/** The bootstrap settings the policy and seed give (src/eval's names). @internal */
export function bootstrapSettings(policy: PolicyBlock, seed: number): PairedBootstrapSettings {
  const b = policy.thresholds.bootstrap;
  return { replicates: b.replicates, alpha: b.alpha, seed, method: b.method === 'bca_weighted' ? 'bca' : 'percentile', z0Clip: policy.statistics.z0_clip };
}

function summarizeArm(kind: MetricKind, arm: WindowArmInput, settings: PairedBootstrapSettings, bytesPerTokenScale: number): ArmSummary | null {
  if (arm.ids.length === 0) return null;
  const ids = arm.ids;
  if (kind === 'nll_per_byte') return summarizeSpanArm(arm, settings, bytesPerTokenScale);
  if (kind === 'accuracy') {
    const s = summarizePairedAccuracy({ exampleIds: ids, subjectCorrect: arm.subject, baselineCorrect: arm.baseline, bootstrap: settings });
    const deltas = arm.subject.map((value, i) => 100 * (value - (arm.baseline[i] ?? Number.NaN)));
    return {
      n: s.n,
      tokens: s.n,
      baselineValue: s.baselineAccuracyPct,
      subjectValue: s.subjectAccuracyPct,
      meanDelta: s.deltaPp,
      ratio: null,
      deltaCi: { low: s.deltaPpCi.low, high: s.deltaPpCi.high, method: s.deltaPpCi.method, fallback: s.deltaPpCi.fallback },
      ratioCi: null,
      deltas,
      windowDeltas: deltas,
    };
  }
  const s = summarizePairedLosses({ windowIds: ids, subjectLoss: arm.subject, baselineLoss: arm.baseline, weights: arm.weights, bootstrap: settings });
  return {
    n: s.n,
    tokens: s.tokens,
    baselineValue: s.baselinePpl,
    subjectValue: s.subjectPpl,
    meanDelta: s.meanDelta,
    ratio: s.ratio,
    deltaCi: { low: s.deltaCi.low, high: s.deltaCi.high, method: s.deltaCi.method, fallback: s.deltaCi.fallback },
    ratioCi: s.ratioCi,
    deltas: s.deltas,
    windowDeltas: s.deltas,
  };
}

/**
 * An `nll_per_byte` arm (span-metric.ts): values are NLL per byte and weights bytes; Δ per byte times
 * k (the baseline's bytes per token) is what the bootstrap, ratio, drift, catastrophe and tail see,
 * so their limits read as for perplexity. Baseline and subject values are bits per byte; `tokens`
 * counts the baseline's tokens (the coverage floors count tokens).
 */
function summarizeSpanArm(arm: WindowArmInput, settings: PairedBootstrapSettings, k: number): ArmSummary {
  const counts = spanTokensOf(arm);
  if (counts === null || !(k > 0)) throw new InvarlockError('E_INTERNAL', 'nll_per_byte windows need every span\'s token counts');
  const perByte = arm.subject.map((value, i) => value - (arm.baseline[i] ?? Number.NaN));
  const scaled = perByte.map((d) => d * k);
  const s = summarizePairedDeltas({ windowIds: arm.ids, deltas: scaled, weights: arm.weights, bootstrap: settings });
  return {
    n: s.n,
    tokens: counts.baseline.reduce((sum, t) => sum + t, 0),
    baselineValue: bitsPerByte(arm.baseline, arm.weights),
    subjectValue: bitsPerByte(arm.subject, arm.weights),
    meanDelta: s.meanDelta,
    ratio: s.ratio,
    deltaCi: { low: s.deltaCi.low, high: s.deltaCi.high, method: s.deltaCi.method, fallback: s.deltaCi.fallback },
    ratioCi: s.ratioCi,
    deltas: scaled,
    windowDeltas: perByte,
  };
}

function windowArm(arm: WindowArmInput, summary: ArmSummary | null): WindowArm {
  const base = { ids: arm.ids, weights: arm.weights, baseline: arm.baseline, subject: arm.subject, delta: summary?.windowDeltas ?? [] };
  const tokens = spanTokensOf(arm);
  return tokens === null ? base : { ...base, tokens: { baseline: tokens.baseline, subject: tokens.subject } };
}

function guardStatus(guard: GuardBlock<unknown>): CheckStatus {
  return guard.evaluated ? guard.status : 'not_evaluated';
}

/**
 * A guard's outcome with what it found: for a failure, the guard's own reason (guards name their
 * worst finding there), else its first fatal finding; for a warning, its first warning. Derived
 * from recorded fields only, so `verify` words the reason identically.
 */
function guardOutcome(guard: 'invariants' | 'spectral' | 'rmt' | 'variance', block: GuardBlock<unknown>, mode: GuardMode = 'gate'): GuardOutcome {
  const status = guardStatus(block);
  const advisory = mode === 'advisory' ? { advisory: true } : {};
  const severity = status === 'fail' ? 'fatal' : status === 'warn' ? 'warning' : null;
  if (severity === null) return { guard, status, ...advisory };
  const findings = block.violations.filter((v) => v.severity === severity);
  const lead = status === 'fail' && block.reason !== null ? block.reason : findings[0]?.message;
  if (lead === undefined) return { guard, status, ...advisory };
  const more = lead === findings[0]?.message && findings.length > 1 ? ` (+${findings.length - 1} more)` : '';
  return { guard, status, detail: `${lead}${more}`, ...advisory };
}

function flag(status: CheckStatus): boolean | null {
  switch (status) {
    case 'pass':
    case 'warn':
      return true;
    case 'fail':
      return false;
    case 'not_evaluated':
      return null;
  }
}

function infoText(record: GateRecord): string | null {
  const lines = record.reasons.map((r) => r.message);
  return lines.length === 0 ? null : lines.join('; ');
}

/**
 * Derives the verdict, the validation flags and the primary-metric, window, tail and
 * guard-overhead blocks from the measured facts and the policy (ALGORITHMS.md §4). Pure and
 * deterministic. Throws what src/eval throws for data it cannot summarise (`E_NONFINITE_LOSS`,
 * `E_INTERNAL` for mismatched arrays or correctness values other than 0/1).
 * @internal
 */
export function deriveEvaluation(facts: EvaluationFacts): DerivedEvaluation {
  const { policy, metricKind: kind } = facts;
  const thresholds = policy.thresholds;
  const settings = bootstrapSettings(policy, facts.bootstrapSeed);
  const previewTokens = spanTokensOf(facts.windows.preview);
  const scale = kind === 'nll_per_byte' && previewTokens !== null ? bytesPerToken(facts.windows.preview.weights, previewTokens.baseline) : Number.NaN;
  const isAccuracy = kind === 'accuracy';
  const metric = isAccuracy ? 'accuracy' : 'ppl';
  const sequential = isAccuracy ? null : sequentialOf(facts);
  // A sequential run's last look spends what the interim looks left of α: its interval is a little wider.
  const finalSettings = sequential === null ? settings : { ...settings, alpha: finalLookAlpha(sequential.design.boundaries) };
  const preview = summarizeArm(kind, facts.windows.preview, settings, scale);
  const final = summarizeArm(kind, facts.windows.final, finalSettings, scale);
  const early = sequential?.replay.stop.kind === 'interim' ? sequential.replay.stop : null;

  const catastrophe: GateRecord =
    !isAccuracy && preview !== null && preview.ratio !== null
      ? decideCatastropheGate({ previewRatio: preview.ratio, thresholds })
      : notEvaluatedGate({ gate: 'catastrophe', code: isAccuracy ? 'not_applicable' : 'no_measurement', message: isAccuracy ? 'accuracy has no perplexity ratio' : 'no preview windows were scored', thresholds });
  const stopped = catastrophe.status === 'fail' && final === null;
  const missingFinal = (gate: 'primary_metric' | 'drift' | 'tail'): GateRecord =>
    notEvaluatedGate({
      gate,
      code: stopped ? 'stopped_after_catastrophe' : 'no_measurement',
      message: stopped ? 'the run stopped after the preview arm (catastrophic perplexity spike)' : 'no final windows were scored',
      thresholds,
      metric,
    });

  let primary: GateRecord;
  if (final === null) primary = missingFinal('primary_metric');
  else if (isAccuracy) primary = decideAccuracyGate({ deltaPpCiLow: final.deltaCi.low, examples: final.n, replicates: settings.replicates, thresholds });
  else if (early !== null && sequential !== null) {
    // An early stop is decided on the looks' interval; the floors count the plan the run committed to.
    const plan = sequential.plan;
    const coverage = { tokens: (preview?.tokens ?? 0) + plan.tokens, previewWindows: preview?.n ?? 0, finalWindows: plan.windows, replicates: settings.replicates };
    primary = decidePrimaryMetricGate({ ratioCiHigh: Math.exp(early.look.high), coverage, thresholds });
  } else {
    const coverage = { tokens: (preview?.tokens ?? 0) + final.tokens, previewWindows: preview?.n ?? 0, finalWindows: final.n, replicates: settings.replicates };
    primary = decidePrimaryMetricGate({ ratioCiHigh: final.ratioCi?.high ?? Number.NaN, coverage, thresholds });
  }

  let drift: GateRecord;
  if (isAccuracy) drift = notEvaluatedGate({ gate: 'drift', code: 'not_applicable', message: 'drift compares perplexity ratios; accuracy has none', thresholds, metric });
  else if (final === null) drift = missingFinal('drift');
  else if (preview === null || preview.ratio === null || final.ratio === null) drift = notEvaluatedGate({ gate: 'drift', code: 'no_measurement', message: 'no preview windows were scored', thresholds, metric });
  else drift = decideDriftGate({ previewRatio: preview.ratio, finalRatio: final.ratio, thresholds });

  const tailSummary: TailSummary | null = final === null ? null : summarizeTail(final.deltas, { massThreshold: thresholds.tail.mass_threshold });
  let tailGate: GateRecord;
  if (tailSummary === null) tailGate = missingFinal('tail');
  else if (isAccuracy) tailGate = notEvaluatedGate({ gate: 'tail', code: 'not_applicable', message: 'the tail limit is in nats of log-loss; accuracy reports quantiles without a gate', thresholds, metric });
  else tailGate = decideTailGate({ p95: tailSummary.p95, thresholds });

  const overhead: GateRecord = facts.guardOverhead.evaluated
    ? decideGuardOverheadGate({ guardedPpl: facts.guardOverhead.guarded, barePpl: facts.guardOverhead.bare, thresholds })
    : notEvaluatedGate({ gate: 'guard_overhead', code: 'no_measurement', message: facts.guardOverhead.reason, thresholds });

  const pairingDecision = decidePairing(facts.pairing, facts.windows, facts.tokenizers, kind);
  const gates: GateRecord[] = [primary, drift, tailGate, overhead, catastrophe];
  const guardOutcomes: GuardOutcome[] = [
    guardOutcome('invariants', facts.guards.invariants),
    guardOutcome('spectral', facts.guards.spectral, thresholds.spectral.mode),
    guardOutcome('rmt', facts.guards.rmt, thresholds.rmt.mode),
    guardOutcome('variance', facts.guards.variance),
    { guard: 'pairing', status: pairingDecision.status },
  ];
  const decision = decideVerdict(gates, guardOutcomes);
  // The verdict names each pairing problem right after the pairing check's own reason.
  const decided = decision.reasons.flatMap((reason) =>
    reason.gate === 'pairing' && reason.code === 'guard_failed'
      ? [reason, ...pairingDecision.problems.slice(0, MAX_PAIRING_REASONS).map((message) => ({ code: 'pairing_violation', gate: 'pairing' as const, message }))]
      : [reason],
  );
  const verdict: Verdict =
    facts.outcome.status === 'completed'
      ? { status: decision.verdict, evidence: policy.evidence, reasons: decided }
      : { status: facts.outcome.status, evidence: policy.evidence, reasons: [{ code: facts.outcome.code, gate: 'run', message: facts.outcome.message }, ...decided] };

  const validation: ValidationFlags = {
    primary_metric_acceptable: flag(primary.status),
    drift_acceptable: flag(drift.status),
    invariants_pass: flag(guardStatus(facts.guards.invariants)),
    spectral_stable: flag(guardStatus(facts.guards.spectral)),
    rmt_stable: flag(guardStatus(facts.guards.rmt)),
    guard_overhead_acceptable: flag(overhead.status),
    pairing_ok: flag(pairingDecision.status),
    tail_acceptable: tailGate.status === 'warn' ? false : flag(tailGate.status),
  };

  const primaryMetric: PrimaryMetric = {
    kind,
    baseline: { preview: preview?.baselineValue ?? null, final: final?.baselineValue ?? null },
    subject: { preview: preview?.subjectValue ?? null, final: final?.subjectValue ?? null },
    ratio: final?.ratio ?? null,
    ratio_ci: early !== null ? [Math.exp(early.look.low), Math.exp(early.look.high)] : final === null || final.ratioCi === null ? null : [final.ratioCi.low, final.ratioCi.high],
    delta_mean: final?.meanDelta ?? null,
    delta_ci: early !== null ? [early.look.low, early.look.high] : final === null ? null : [final.deltaCi.low, final.deltaCi.high],
    preview_ratio: preview?.ratio ?? null,
    preview_delta_mean: preview?.meanDelta ?? null,
    drift: drift.measured,
    gate_basis: isAccuracy ? 'delta_ci_low' : 'ratio_ci_high',
    gate_value: primary.measured,
    limit: isAccuracy ? thresholds.primary_metric.accuracy_delta_limit_pp : thresholds.primary_metric.ratio_limit,
    hysteresis: thresholds.primary_metric.hysteresis,
    hysteresis_applied: primary.reasons.some((r) => r.code === 'hysteresis_applied'),
    tokens: { preview: preview?.tokens ?? 0, final: final?.tokens ?? 0 },
    windows: { preview: facts.windows.preview.ids.length, final: facts.windows.final.ids.length },
    method: thresholds.bootstrap.method,
    ci_method: early !== null ? 'normal' : (final?.deltaCi.method ?? null),
    ci_fallback: early !== null ? null : (final?.deltaCi.fallback ?? null),
    replicates: settings.replicates,
    // the two-sided level of the interval above: c_k's at an early stop, the last look's otherwise
    alpha: early !== null ? 2 * (1 - normalCdf(early.look.critical)) : finalSettings.alpha,
    seed: settings.seed,
    reason: infoText(primary),
  };

  const tail: Tail = {
    quantiles: tailSummary === null ? null : { p50: tailSummary.p50, p90: tailSummary.p90, p95: tailSummary.p95, p99: tailSummary.p99 },
    max: tailSummary?.max ?? null,
    mass: tailSummary?.mass ?? null,
    limit: thresholds.tail.p95_limit,
    status: tailGate.status,
    reason: infoText(tailGate),
  };

  const go = facts.guardOverhead;
  const guardOverhead: GuardOverhead = {
    evaluated: go.evaluated,
    bare: go.evaluated ? go.bare : null,
    guarded: go.evaluated ? go.guarded : null,
    ratio: overhead.measured,
    limit: thresholds.guard_overhead.limit,
    reason: infoText(overhead),
  };

  const sequentialBlock =
    sequential === null
      ? null
      : sequentialRecord(
          sequential.design,
          sequential.plan,
          sequential.replay,
          final === null || final.ratio === null || final.ratioCi === null || primary.status === 'not_evaluated'
            ? null
            : { ratio: final.ratio, ratioCi: [final.ratioCi.low, final.ratioCi.high], pass: primary.measured <= sequential.design.bound },
        );

  return {
    verdict,
    validation,
    sequential: sequentialBlock,
    primary_metric: primaryMetric,
    windows: { preview: windowArm(facts.windows.preview, preview), final: windowArm(facts.windows.final, final) },
    tail,
    guard_overhead: guardOverhead,
    pairingDecision,
    gates,
  };
}

/** The design and the replayed looks of a run whose policy has sequential looks; null when it has none. */
function sequentialOf(facts: EvaluationFacts) {
  if (facts.policy.sequential === null) return null;
  const plan = facts.sequentialPlan;
  if (plan === null) {
    throw new InvarlockError('E_INTERNAL', 'the policy has sequential looks but the run records no planned final arm (sequential.planned)', { details: { field: 'sequential' } });
  }
  const design = designOf(facts.policy, plan);
  if (design === null) return null;
  return { design, plan, replay: replayLooks(design, facts.windows.final) };
}
