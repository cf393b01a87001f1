import { QUANT_RTN_DEFAULTS } from '../../edits/index.js';
import type { Certificate, JsonValue, VerdictReason } from '../certificate/certificate-types.js';
import { formatAgainst, formatFixed, formatLimit, formatRatio, shortenText } from './format-values.js';
import { GATE_LABELS, STATUS_BADGES, reasonSeverity } from './gate-rows.js';

/**
 * The one line a reader sees first, plain text (not escaped; markdown callers escape it). It says
 * what decided the verdict, with the number and the limit it was held to:
 * - `✅ PASS · ppl ×1.012, upper bound 1.021 ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8`
 * - `❌ FAIL · ppl ×1.085, upper bound 1.121 > 1.10 · …` when the primary metric failed;
 * - `❌ FAIL · RMT: attn edge ratio ×1.063 > 1.01 · ppl ×1.004, upper bound 1.009 ≤ 1.10 · …` when
 *   another gate failed (the first failing one is named; warning-only gates such as the tail are
 *   never named as the cause of a failure);
 * - an `error` or `skipped` certificate shows its first reason instead of the metric.
 * A built-in edit is named with its settings (`gpt2 → quant_rtn 4-bit g128 ffn`).
 */
export function renderHeadline(cert: Certificate): string {
  const parts = headlineParts(cert);
  return [`${STATUS_BADGES[cert.verdict.status]} ${parts.verdict}`, ...(parts.cause === null ? [] : [parts.cause]), parts.metric, parts.policy, parts.models].join(' · ');
}

/** The pieces of the headline, plain text, for renderers that lay them out themselves. */
export function headlineParts(cert: Certificate): {
  readonly verdict: string;
  /** The first failing (or, for `warn`, warning) reason when it is not the primary metric's own; else null. */
  readonly cause: string | null;
  readonly metric: string;
  readonly policy: string;
  readonly models: string;
} {
  return {
    verdict: cert.verdict.status.toUpperCase(),
    cause: headlineCause(cert),
    metric: headlineMetric(cert),
    policy: `${cert.policy.tier}/${cert.policy.profile}${cert.verdict.evidence === 'dev' ? ' (dev evidence)' : ''}`,
    models: `${cert.models.baseline.label} → ${subjectLabel(cert)}`,
  };
}

/** The check-run title form: the headline without badge, policy and model pair (`FAIL · RMT: … · ppl ×1.004, upper bound 1.009 ≤ 1.10`). */
export function renderTitle(cert: Certificate): string {
  const parts = headlineParts(cert);
  return [parts.verdict, ...(parts.cause === null ? [] : [parts.cause]), parts.metric].join(' · ');
}

/** The reasons that made the verdict what it is: failures for `fail`, warnings for `warn`, in gate order. */
export function decidingReasons(cert: Certificate): readonly VerdictReason[] {
  const status = cert.verdict.status;
  if (status !== 'fail' && status !== 'warn') return [];
  return cert.verdict.reasons.filter((r) => reasonSeverity(cert, r) === status);
}

const METRIC_GATES: ReadonlySet<string> = new Set(['primary_metric', 'catastrophe']);

function headlineCause(cert: Certificate): string | null {
  const deciding = decidingReasons(cert);
  // The metric text already says why when the primary metric (or the catastrophe stop) decided it.
  if (deciding.length === 0 || deciding.some((r) => METRIC_GATES.has(r.gate))) return null;
  const first = deciding[0]!;
  const label = first.gate in GATE_LABELS ? GATE_LABELS[first.gate as keyof typeof GATE_LABELS] : first.gate;
  const text = first.message.startsWith(label) ? first.message : `${label}: ${first.message}`;
  return oneLine(text, 160);
}

function headlineMetric(cert: Certificate): string {
  const pm = cert.primary_metric;
  const status = cert.verdict.status;
  if ((status === 'error' || status === 'skipped') && pm.ratio === null && pm.delta_mean === null) {
    const first = cert.verdict.reasons[0];
    return first === undefined ? status : oneLine(`${first.code}: ${first.message}`, 160);
  }
  if (pm.kind === 'accuracy') {
    if (pm.delta_mean === null || pm.delta_ci === null) return 'acc Δ n/a';
    const low = pm.delta_ci[0];
    return `acc Δ ${formatFixed(pm.delta_mean, 2)} pp, lower bound ${formatFixed(low, 2)} ${low >= pm.limit ? '≥' : '<'} ${formatLimit(pm.limit)} pp`;
  }
  // nll_per_byte's ratio is the perplexity-equivalent one: exp(Δ nats per byte × the baseline's bytes per token)
  const ppl = pm.kind === 'nll_per_byte' ? 'ppl-eq' : 'ppl';
  if (pm.ratio === null && pm.preview_ratio !== null) {
    const stopped = pm.preview_ratio > cert.policy.thresholds.catastrophe_ratio;
    return stopped
      ? `${ppl} ×${formatRatio(pm.preview_ratio)} on preview > ${formatLimit(cert.policy.thresholds.catastrophe_ratio)}: stopped (catastrophic spike)`
      : `${ppl} ×${formatRatio(pm.preview_ratio)} (preview only) ≤ ${formatLimit(pm.limit)}`;
  }
  if (pm.ratio === null || pm.ratio_ci === null) return `${ppl} ×${formatRatio(pm.ratio)}`;
  const high = pm.ratio_ci[1];
  const allowed = pm.limit + pm.hysteresis;
  // Within the hysteresis band the bound passes above L itself: say so rather than print `1.101 ≤ 1.10`.
  const limit = high > pm.limit && high <= allowed ? `${formatLimit(pm.limit)} + ${formatLimit(pm.hysteresis)}` : formatLimit(pm.limit);
  const op = high <= allowed ? '≤' : '>';
  return `${ppl} ×${formatRatio(pm.ratio)}, upper bound ${formatAgainst(high, op === '>' ? allowed : pm.limit)} ${op} ${limit}`;
}

/** The subject as the reader knows it; a built-in edit with the settings that matter (bits, group, scope). */
function subjectLabel(cert: Certificate): string {
  const edit = quantRtnSettings(cert);
  if (edit === null) return cert.models.subject.label;
  return `${cert.models.baseline.label} + quant_rtn ${edit}${cert.change.kind === 'edit' && cert.change.rolled_back ? ' (rolled back)' : ''}`;
}

/** A quant_rtn edit's settings as a reader names them (`3-bit g128 ffn`), defaults filled in; null for any other change. */
function quantRtnSettings(cert: Certificate): string | null {
  const change = cert.change;
  if (change.kind !== 'edit' || change.name !== 'quant_rtn') return null;
  const config = change.config;
  const bits = numberOf(config.bits) ?? QUANT_RTN_DEFAULTS.bits;
  const group = numberOf(config.group_size) ?? QUANT_RTN_DEFAULTS.groupSize;
  const scope = typeof config.scope === 'string' ? config.scope : QUANT_RTN_DEFAULTS.scope;
  return `${bits}-bit ${group > 0 ? `g${group}` : 'per-channel'} ${scope}`;
}

/**
 * The weight storage formats of both models, plain text (`float32 → qdq_int8`). A quant_rtn edit
 * keeps the storage format and rounds the values, so the line says so instead of a bare
 * `float32 → float32`.
 */
export function describeWeightFormats(cert: Certificate): string {
  const fmt = (list: readonly string[]): string => (list.length === 0 ? 'unknown' : list.join(', '));
  const line = `${fmt(cert.models.baseline.quantization_formats)} → ${fmt(cert.models.subject.quantization_formats)}`;
  const edit = quantRtnSettings(cert);
  return edit === null ? line : `${line} (stored as before; values rounded by quant_rtn ${edit})`;
}

function numberOf(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function oneLine(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return shortenText(text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' '), maxChars);
}
