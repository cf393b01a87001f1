import type { Certificate } from './certificate-types.js';
import { formatFixed, formatInterval, formatLimit, formatPoints, formatRatio } from './format-values.js';
import { STATUS_BADGES } from './gate-rows.js';

/**
 * The one line a reader sees first, plain text (not escaped; markdown callers escape it):
 * `✅ PASS · ppl ×1.012 [1.004, 1.021] ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8`.
 * An `error` or `skipped` certificate shows its first reason instead of the metric.
 */
export function renderHeadline(cert: Certificate): string {
  const parts = headlineParts(cert);
  return [`${STATUS_BADGES[cert.verdict.status]} ${parts.verdict}`, parts.metric, parts.policy, parts.models].join(' · ');
}

/** The pieces of the headline, plain text, for renderers that lay them out themselves. */
export function headlineParts(cert: Certificate): { readonly verdict: string; readonly metric: string; readonly policy: string; readonly models: string } {
  return {
    verdict: cert.verdict.status.toUpperCase(),
    metric: headlineMetric(cert),
    policy: `${cert.policy.tier}/${cert.policy.profile}${cert.verdict.evidence === 'dev' ? ' (dev evidence)' : ''}`,
    models: `${cert.models.baseline.label} → ${cert.models.subject.label}`,
  };
}

/** The check-run title form: the headline without badge and model pair (`PASS · ppl ratio 1.012 [1.004, 1.021] ≤ 1.10`). */
export function renderTitle(cert: Certificate): string {
  return `${cert.verdict.status.toUpperCase()} · ${headlineMetric(cert)}`;
}

function headlineMetric(cert: Certificate): string {
  const pm = cert.primary_metric;
  const status = cert.verdict.status;
  if ((status === 'error' || status === 'skipped') && pm.ratio === null && pm.delta_mean === null) {
    const first = cert.verdict.reasons[0];
    return first === undefined ? status : oneLine(`${first.code}: ${first.message}`, 160);
  }
  if (pm.kind === 'accuracy') {
    return `acc Δ ${formatPoints(pm.delta_mean)} ${formatInterval(pm.delta_ci, (x) => formatFixed(x, 2))} ≥ ${formatLimit(pm.limit)} pp`;
  }
  if (pm.ratio === null && pm.preview_ratio !== null) {
    const stopped = pm.preview_ratio > cert.policy.thresholds.catastrophe_ratio;
    return stopped
      ? `ppl ×${formatRatio(pm.preview_ratio)} on preview > ${formatLimit(cert.policy.thresholds.catastrophe_ratio)}: stopped (catastrophic spike)`
      : `ppl ×${formatRatio(pm.preview_ratio)} (preview only) ≤ ${formatLimit(pm.limit)}`;
  }
  return `ppl ×${formatRatio(pm.ratio)} ${formatInterval(pm.ratio_ci)} ≤ ${formatLimit(pm.limit)}`;
}

function oneLine(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  const points = Array.from(flat);
  return points.length > maxChars ? `${points.slice(0, maxChars - 1).join('')}…` : flat;
}
