import { InvarlockError } from '../errors/index.js';
import type {
  EvaluatedGate,
  GateBasis,
  GateName,
  GateReason,
  GateThreshold,
  GateThresholds,
  NotEvaluatedCode,
  NotEvaluatedGate,
} from './gate-types.js';

/** What the primary-metric gate checks the floors against. */
export interface GateCoverage {
  /** Scored tokens, preview + final. */
  readonly tokens: number;
  readonly previewWindows: number;
  readonly finalWindows: number;
  /** Bootstrap replicates behind the CI. */
  readonly replicates: number;
}

/**
 * The primary-metric gate for perplexity kinds (ALGORITHMS.md §4): passes iff the upper bound of the
 * ratio CI is ≤ L + hysteresis (compared in float64) and the token, window and replicate floors
 * hold. A bound in (L, L + h] passes with reason `hysteresis_applied`. Floors fail the gate when the
 * policy enforces them; with `floors: 'informational'` (dev) they are listed with effect `info`.
 * `marginToFlip` = L + h − measured. Throws `E_INTERNAL` for a NaN bound.
 */
export function decidePrimaryMetricGate(input: {
  /** exp(CI_high): the upper bound of the displayed ratio CI. */
  readonly ratioCiHigh: number;
  readonly coverage: GateCoverage;
  readonly thresholds: GateThresholds;
}): EvaluatedGate {
  const { ratio_limit: limit, hysteresis } = input.thresholds.primary_metric;
  const measured = checkMeasured('primary_metric', input.ratioCiHigh);
  const boundary = limit + hysteresis;
  const reasons: GateReason[] = [];
  if (measured > boundary) {
    reasons.push(fail('ratio_ci_above_limit', `upper CI bound ${fmt(measured)} > limit ${fmt(limit)} + hysteresis ${fmt(hysteresis)}`));
  } else if (measured > limit) {
    reasons.push(info('hysteresis_applied', `upper CI bound ${fmt(measured)} is above ${fmt(limit)} but within the hysteresis ${fmt(hysteresis)}`));
  }
  const { primary_metric: pm, bootstrap } = input.thresholds;
  const c = input.coverage;
  const floor = floorReason(pm.floors);
  if (c.tokens < pm.token_floor) reasons.push(floor('below_token_floor', `${c.tokens} scored tokens < floor ${pm.token_floor}`));
  if (c.previewWindows < pm.window_floor_preview) {
    reasons.push(floor('below_preview_window_floor', `${c.previewWindows} preview windows < floor ${pm.window_floor_preview}`));
  }
  if (c.finalWindows < pm.window_floor_final) {
    reasons.push(floor('below_final_window_floor', `${c.finalWindows} final windows < floor ${pm.window_floor_final}`));
  }
  if (c.replicates < bootstrap.min_replicates) {
    reasons.push(floor('below_min_replicates', `${c.replicates} bootstrap replicates < floor ${bootstrap.min_replicates}`));
  }
  return evaluated('primary_metric', { op: 'le', value: limit }, 'ratio_ci_high', measured, boundary - measured, reasons);
}

/**
 * The primary-metric gate for accuracy: passes iff the lower bound of the Δ accuracy CI (percentage
 * points) is ≥ the tier's limit and the example and replicate floors hold (informational in dev).
 * `marginToFlip` = measured − limit. Throws `E_INTERNAL` for a NaN bound.
 */
export function decideAccuracyGate(input: {
  /** Lower bound of the Δ accuracy CI, percentage points. */
  readonly deltaPpCiLow: number;
  readonly examples: number;
  readonly replicates: number;
  readonly thresholds: GateThresholds;
}): EvaluatedGate {
  const { primary_metric: pm, bootstrap } = input.thresholds;
  const measured = checkMeasured('primary_metric', input.deltaPpCiLow);
  const limit = pm.accuracy_delta_limit_pp;
  const reasons: GateReason[] = [];
  if (measured < limit) reasons.push(fail('accuracy_ci_below_limit', `lower CI bound ${fmt(measured)} pp < limit ${fmt(limit)} pp`));
  const floor = floorReason(pm.floors);
  if (input.examples < pm.accuracy_min_examples) {
    reasons.push(floor('below_min_examples', `${input.examples} examples < floor ${pm.accuracy_min_examples}`));
  }
  if (input.replicates < bootstrap.min_replicates) {
    reasons.push(floor('below_min_replicates', `${input.replicates} bootstrap replicates < floor ${bootstrap.min_replicates}`));
  }
  return evaluated('primary_metric', { op: 'ge', value: limit }, 'delta_ci_low', measured, measured - limit, reasons);
}

/**
 * Drift: r_final / r_preview (both paired ratios) must lie in the band, ends included. The two
 * halves of the data must tell the same story. Throws `E_INTERNAL` when a ratio is not finite and > 0.
 */
export function decideDriftGate(input: { readonly previewRatio: number; readonly finalRatio: number; readonly thresholds: GateThresholds }): EvaluatedGate {
  const preview = checkRatio('drift', input.previewRatio);
  const final = checkRatio('drift', input.finalRatio);
  const [low, high] = input.thresholds.drift_band;
  const measured = final / preview;
  const reasons: GateReason[] = [];
  if (measured < low || measured > high) {
    reasons.push(fail('drift_out_of_band', `final/preview ratio ${fmt(measured)} is outside [${fmt(low)}, ${fmt(high)}]`));
  }
  return evaluated('drift', { op: 'within', low, high }, 'point', measured, Math.min(measured - low, high - measured), reasons);
}

/**
 * Catastrophe: after the preview arm, r_preview above the tier's ratio (2.0) fails the run with
 * reason `catastrophic_ppl_spike`; the runner then skips the final arm (and rolls back a built-in
 * edit). Exactly the limit passes. Throws `E_INTERNAL` for a NaN ratio.
 */
export function decideCatastropheGate(input: { readonly previewRatio: number; readonly thresholds: GateThresholds }): EvaluatedGate {
  const measured = checkMeasured('catastrophe', input.previewRatio);
  const limit = input.thresholds.catastrophe_ratio;
  const reasons: GateReason[] =
    measured > limit ? [fail('catastrophic_ppl_spike', `preview ratio ${fmt(measured)} > ${fmt(limit)}: the edit at least doubles perplexity`)] : [];
  return evaluated('catastrophe', { op: 'le', value: limit }, 'point', measured, limit - measured, reasons);
}

/**
 * Tail: P95 of per-window Δ (nats) above the tier's limit warns, or fails when the policy's tail
 * mode is `fail`. Throws `E_INTERNAL` for a NaN P95.
 */
export function decideTailGate(input: { readonly p95: number; readonly thresholds: GateThresholds }): EvaluatedGate {
  const measured = checkMeasured('tail', input.p95);
  const { p95_limit: limit, mode } = input.thresholds.tail;
  const reasons: GateReason[] = [];
  if (measured > limit) {
    const message = `P95 of per-window Δ ${fmt(measured)} > ${fmt(limit)}`;
    reasons.push(mode === 'fail' ? fail('tail_p95_above_limit', message) : warn('tail_p95_above_limit', message));
  }
  return evaluated('tail', { op: 'le', value: limit }, 'p95', measured, limit - measured, reasons);
}

/**
 * Guard overhead: PPL(guarded) / PPL(bare) on the same windows must be ≤ the limit (1.01). Throws
 * `E_INTERNAL` when a perplexity is not finite and > 0.
 */
export function decideGuardOverheadGate(input: { readonly guardedPpl: number; readonly barePpl: number; readonly thresholds: GateThresholds }): EvaluatedGate {
  const measured = checkRatio('guard_overhead', input.guardedPpl) / checkRatio('guard_overhead', input.barePpl);
  const limit = input.thresholds.guard_overhead.limit;
  const reasons: GateReason[] =
    measured > limit ? [fail('guard_overhead_above_limit', `guarded/bare perplexity ${fmt(measured)} > ${fmt(limit)}`)] : [];
  return evaluated('guard_overhead', { op: 'le', value: limit }, 'point', measured, limit - measured, reasons);
}

/**
 * The record of a gate that was not decided, with the threshold it would have used. `metric`
 * picks the primary-metric variant (`ppl` compares the ratio CI, `accuracy` the Δ CI); other gates
 * ignore it.
 */
export function notEvaluatedGate(input: {
  readonly gate: GateName;
  readonly code: NotEvaluatedCode;
  readonly message: string;
  readonly thresholds: GateThresholds;
  readonly metric?: 'ppl' | 'accuracy';
}): NotEvaluatedGate {
  const t = input.thresholds;
  const [threshold, basis] = ((): readonly [GateThreshold, GateBasis] => {
    switch (input.gate) {
      case 'primary_metric':
        return input.metric === 'accuracy'
          ? [{ op: 'ge', value: t.primary_metric.accuracy_delta_limit_pp }, 'delta_ci_low']
          : [{ op: 'le', value: t.primary_metric.ratio_limit }, 'ratio_ci_high'];
      case 'drift':
        return [{ op: 'within', low: t.drift_band[0], high: t.drift_band[1] }, 'point'];
      case 'catastrophe':
        return [{ op: 'le', value: t.catastrophe_ratio }, 'point'];
      case 'tail':
        return [{ op: 'le', value: t.tail.p95_limit }, 'p95'];
      case 'guard_overhead':
        return [{ op: 'le', value: t.guard_overhead.limit }, 'point'];
      default: {
        const unknown: never = input.gate;
        throw new InvarlockError('E_INTERNAL', `unknown gate ${String(unknown)}`);
      }
    }
  })();
  return {
    gate: input.gate,
    status: 'not_evaluated',
    threshold,
    basis,
    measured: null,
    marginToFlip: null,
    reasons: [{ code: input.code, message: input.message, effect: 'info' }],
  };
}

function evaluated(gate: GateName, threshold: GateThreshold, basis: GateBasis, measured: number, marginToFlip: number, reasons: readonly GateReason[]): EvaluatedGate {
  const status = reasons.some((r) => r.effect === 'fail') ? 'fail' : reasons.some((r) => r.effect === 'warn') ? 'warn' : 'pass';
  return { gate, status, threshold, basis, measured, marginToFlip, reasons };
}

function floorReason(floors: 'enforced' | 'informational'): (code: GateReason['code'], message: string) => GateReason {
  return floors === 'enforced' ? fail : (code, message) => info(code, `${message} (informational: floors are not gated in this profile)`);
}

function fail(code: GateReason['code'], message: string): GateReason {
  return { code, message, effect: 'fail' };
}

function warn(code: GateReason['code'], message: string): GateReason {
  return { code, message, effect: 'warn' };
}

function info(code: GateReason['code'], message: string): GateReason {
  return { code, message, effect: 'info' };
}

function checkMeasured(gate: GateName, value: number): number {
  if (Number.isNaN(value)) throw new InvarlockError('E_INTERNAL', `gate ${gate} got NaN`, { details: { field: gate } });
  return value;
}

function checkRatio(gate: GateName, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvarlockError('E_INTERNAL', `gate ${gate} needs finite positive ratios, got ${value}`, { details: { field: gate, actual: String(value) } });
  }
  return value;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');
}
