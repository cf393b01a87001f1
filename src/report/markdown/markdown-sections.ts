import type { Certificate, GuardBlock } from '../certificate/certificate-types.js';
import { metricName, spanMetricNote } from '../derive/span-metric.js';
import {
  NOT_AVAILABLE,
  formatCount,
  formatLimit,
  formatNumber,
  formatPoints,
  formatPointsWithCi,
  formatRatio,
  formatRatioWithCi,
  formatSigned,
  shortHash,
  formatSequentialLine,
} from '../text/format-values.js';
import { STATUS_BADGES, STATUS_WORDS, buildGateRows, gateStatus, reasonSeverity, GATE_LABELS, DASHBOARD_GATES } from '../text/gate-rows.js';
import { codeSpan, escapeMarkdown, escapeMarkdownShort, markdownTable } from './markdown-escape.js';
import { describeWeightFormats, renderHeadline } from '../text/render-headline.js';

/**
 * The top blocks of the markdown renderings (headline, reasons, dashboard, metric, guards, what
 * changed, identity, change since the previous push), one function per block; the collapsed
 * details live in markdown-details.ts. Every function is pure and
 * returns complete markdown (a table is always whole). Untrusted text from the certificate is
 * escaped here, at the point it enters markdown.
 */

/** Links a rendering may carry (http and https only; anything else is left out). @internal */
export interface ReportLinks {
  readonly runUrl?: string;
  readonly artifactUrl?: string;
}

const MAX_REASONS = 10;
const MAX_REASON_CHARS = 300;
const MAX_MODULES_LISTED = 20;

/** `<details>` with a fixed summary (our own text) around a markdown body. @internal */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** The headline as a level-2 heading. @internal */
export function headlineBlock(cert: Certificate, prefix = ''): string {
  return `## ${prefix}${escapeMarkdown(renderHeadline(cert))}`;
}

/** The verdict's reasons as a list, each marked failure, warning or error (at most 10, each shortened to 300 characters). @internal */
export function reasonsBlock(cert: Certificate): string {
  const reasons = cert.verdict.reasons;
  if (reasons.length === 0) return '';
  const items = reasons
    .slice(0, MAX_REASONS)
    .map((r) => `- ${STATUS_BADGES[reasonSeverity(cert, r)]} **${escapeMarkdown(r.gate)}** ${codeSpan(r.code)}: ${escapeMarkdownShort(r.message, MAX_REASON_CHARS)}`);
  if (reasons.length > MAX_REASONS) items.push(`- … and ${reasons.length - MAX_REASONS} more in the certificate`);
  const evidence = cert.verdict.evidence === 'dev' ? '\n\n> **Dev evidence**: the dev profile reports floors without gating on them; this is not release evidence.' : '';
  return `${items.join('\n')}${evidence}`;
}

/** The dashboard: one row per gate, with the overall verdict first. @internal */
export function dashboardBlock(cert: Certificate): string {
  const overall = [
    '**Overall**',
    `${STATUS_BADGES[cert.verdict.status]} **${STATUS_WORDS[cert.verdict.status]}**`,
    `${cert.verdict.reasons.length} reason${cert.verdict.reasons.length === 1 ? '' : 's'}`,
    '',
    cert.verdict.evidence === 'dev' ? 'dev evidence' : 'release evidence',
  ];
  const rows = buildGateRows(cert).map((row) => [row.label, `${STATUS_BADGES[row.status]} ${STATUS_WORDS[row.status]}`, row.measured, row.threshold, row.basis]);
  return markdownTable(['Gate', 'Status', 'Measured', 'Threshold', 'Basis'], [overall, ...rows]);
}

/** Baseline and subject metric per arm with the paired ratio (or Δ) and its CI. @internal */
export function metricBlock(cert: Certificate): string {
  const pm = cert.primary_metric;
  const isAccuracy = pm.kind === 'accuracy';
  const value = (x: number | null): string => (x === null ? NOT_AVAILABLE : isAccuracy ? `${x.toFixed(2)} %` : x.toFixed(3));
  const status = `${STATUS_BADGES[gateStatus(cert, 'primary_metric')]} ${STATUS_WORDS[gateStatus(cert, 'primary_metric')]}`;
  const threshold = isAccuracy ? `Δ ≥ ${formatLimit(pm.limit)} pp` : `≤ ${formatLimit(pm.limit)}`;
  const finalPaired = isAccuracy ? formatPointsWithCi(pm.delta_mean, pm.delta_ci) : formatRatioWithCi(pm.ratio, pm.ratio_ci);
  const previewPaired = isAccuracy ? formatPoints(pm.preview_delta_mean) : formatRatioWithCi(pm.preview_ratio, null);
  const metric = metricName(pm.kind);
  const rows = [
    [`${metric} (final, ${formatCount(pm.windows.final)} windows)`, value(pm.baseline.final), value(pm.subject.final), finalPaired, threshold, status],
    [`${metric} (preview, ${formatCount(pm.windows.preview)} windows)`, value(pm.baseline.preview), value(pm.subject.preview), previewPaired, '', ''],
  ];
  const method = `${intervalWords(pm)}, ${formatCount(pm.replicates)} replicates, ${formatLimit(1 - pm.alpha)} two-sided, seed ${pm.seed}; ${formatCount(pm.tokens.preview + pm.tokens.final)} ${isAccuracy ? 'examples' : 'scored tokens'}${pm.hysteresis_applied ? '; **passed within the hysteresis band**' : ''}.${spanMetricNote(cert)}`;
  const reason = pm.reason === null ? '' : `\n\n_${escapeMarkdownShort(pm.reason, MAX_REASON_CHARS)}_`;
  const sequential = formatSequentialLine(cert.sequential);
  return `${markdownTable(['Metric', 'Baseline', 'Subject', isAccuracy ? 'Δ [CI]' : 'Ratio [CI]', 'Threshold', 'Status'], rows)}\n\n${method}${sequential === null ? '' : `\n\n${sequential}`}${reason}`;
}

function intervalWords(pm: Certificate['primary_metric']): string {
  const asked = pm.method === 'bca_weighted' ? 'BCa' : 'percentile';
  switch (pm.ci_method) {
    case null:
      return `Weighted ${asked} bootstrap (not computed)`;
    case 'degenerate':
      return 'Every Δ equal: the interval is the point';
    case 'percentile':
      return pm.method === 'bca_weighted' ? `Weighted bootstrap, percentile interval (BCa fallback: ${pm.ci_fallback ?? 'unknown'})` : 'Weighted percentile bootstrap';
    case 'bca':
      return 'Weighted BCa bootstrap';
    case 'normal':
      return 'Early-stopping look: normal interval estimate ± c·se at the look’s critical value';
  }
}

/** One row per guard: status, whether it ran, violations, its reason. @internal */
export function guardsBlock(cert: Certificate): string {
  const rows = (Object.keys(cert.guards) as (keyof Certificate['guards'])[]).map((name) => {
    const guard: GuardBlock<unknown> = cert.guards[name];
    const fatal = guard.violations.filter((v) => v.severity === 'fatal').length;
    return [
      name,
      `${STATUS_BADGES[guard.status]} ${STATUS_WORDS[guard.status]}`,
      guard.evaluated ? 'yes' : 'no',
      `${fatal} fatal · ${guard.violations.length - fatal} warning`,
      guard.reason === null ? '' : escapeMarkdownShort(guard.reason, 200),
    ];
  });
  return `### Guards\n\n${markdownTable(['Guard', 'Status', 'Evaluated', 'Violations', 'Note'], rows)}`;
}

/** The edit or subject, modules touched, quantization formats, LoRA adapters. @internal */
export function whatChangedBlock(cert: Certificate): string {
  const change = cert.change;
  const lines: string[] = ['### What changed', ''];
  switch (change.kind) {
    case 'edit': {
      const config = Object.entries(change.config)
        .map(([key, value]) => `${escapeMarkdown(key)}=${escapeMarkdownShort(JSON.stringify(value), 80)}`)
        .join(', ');
      lines.push(`- Edit **${escapeMarkdown(change.name)}**${config === '' ? '' : ` (${config})`}, plan ${codeSpan(shortHash(change.plan_digest))}${change.rolled_back ? ' — **rolled back** after the catastrophe check' : ''}`);
      break;
    }
    case 'compare':
      lines.push(`- Subject **${escapeMarkdownShort(change.label, 200)}** compared with the baseline`);
      break;
    default: {
      const never: never = change;
      return never;
    }
  }
  const modules = change.modules_touched;
  lines.push(`- Parameters changed: ${formatCount(change.params_changed)}`);
  if (modules === null) lines.push('- Modules touched: not measured');
  else {
    const shown = modules.slice(0, MAX_MODULES_LISTED).map((m) => escapeMarkdownShort(m, 120));
    const more = modules.length > MAX_MODULES_LISTED ? `, … (${formatCount(modules.length)} in all)` : '';
    lines.push(`- Modules touched (${formatCount(modules.length)}): ${shown.join(', ')}${more}`);
  }
  lines.push(`- Weight formats: ${escapeMarkdown(describeWeightFormats(cert))}`);
  // Only worth a line when an interface was inferred or something was off; `?.` reads certificates made before the field existed.
  const mappings = [cert.models.baseline.interface ?? null, cert.models.subject.interface ?? null];
  if (mappings.some((m) => m !== null && (m.provenance === 'inferred' || m.warnings.length > 0))) {
    const describeMapping = (m: (typeof mappings)[number]): string => (m === null ? 'not recorded' : `${m.provenance} (${escapeMarkdownShort(m.origin, 60)}), named by ${m.naming}`);
    const warnings = [...new Set(mappings.flatMap((m) => m?.warnings.map((w) => w.code) ?? []))];
    lines.push(`- Model interface: ${describeMapping(mappings[0]!)} → ${describeMapping(mappings[1]!)}${warnings.length > 0 ? `; warnings: ${warnings.join(', ')}` : ''}`);
  }
  const adapters = cert.models.subject.lora_adapters;
  if (adapters.length > 0) {
    lines.push(`- LoRA adapters: ${adapters.map((a) => `${escapeMarkdownShort(a.reference, 120)} (r ${a.rank}, α ${formatNumber(a.alpha)}, weight ${formatNumber(a.weight)})`).join('; ')}`);
  }
  return lines.join('\n');
}

/** Model, data and runtime identity, the facts a later run compares against, plus links. @internal */
export function identityBlock(cert: Certificate, links: ReportLinks): string {
  const b = cert.models.baseline;
  const s = cert.models.subject;
  const rows = [
    ['Model', escapeMarkdownShort(b.label, 120), escapeMarkdownShort(s.label, 120)],
    ['Reference', escapeMarkdownShort(b.reference, 200), escapeMarkdownShort(s.reference, 200)],
    ['Revision', b.revision === null ? NOT_AVAILABLE : escapeMarkdownShort(b.revision, 80), s.revision === null ? NOT_AVAILABLE : escapeMarkdownShort(s.revision, 80)],
    ['File sha256', codeSpan(shortHash(b.file_sha256)), codeSpan(shortHash(s.file_sha256))],
    ['Adapter', b.adapter, s.adapter],
  ];
  const table = markdownTable(['', 'Baseline', 'Subject'], rows);
  const image = cert.provenance.container === null ? 'host (no container)' : codeSpan(shortHash(cert.provenance.container.digest));
  const facts = `Dataset ${escapeMarkdownShort(cert.dataset.provider, 120)} hash ${codeSpan(shortHash(cert.dataset.dataset_hash))} · tokenizer ${codeSpan(shortHash(cert.dataset.tokenizer_hash))} · runtime image ${image} · certificate ${codeSpan(shortHash(cert.digest))}`;
  const linkLine = renderLinks(links);
  return `### Baseline identity\n\n${table}\n\n${facts}${linkLine === '' ? '' : `\n\n${linkLine}`}`;
}

/** `[Workflow run](…) · [Artifact](…)`; only http(s) URLs, percent-encoding what could end the link. @internal */
export function renderLinks(links: ReportLinks): string {
  const parts: string[] = [];
  const safe = (url: string | undefined): string | undefined => {
    if (url === undefined || !/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
    return url.replace(/[<>()"'`\\|[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  };
  const run = safe(links.runUrl);
  const artifact = safe(links.artifactUrl);
  if (run !== undefined) parts.push(`[Workflow run](${run})`);
  if (artifact !== undefined) parts.push(`[Certificate and report artifact](${artifact})`);
  return parts.join(' · ');
}

/** What moved since the previous certificate (PR comments). @internal */
export function previousBlock(cert: Certificate, previous: Certificate): string {
  if (previous.digest === cert.digest) return `_No change since the previous push: same certificate ${codeSpan(shortHash(cert.digest))}._`;
  const changes: string[] = [];
  if (previous.verdict.status !== cert.verdict.status) changes.push(`verdict ${previous.verdict.status} → **${cert.verdict.status}**`);
  const pm = cert.primary_metric;
  const before = previous.primary_metric;
  if (pm.kind === 'accuracy' || before.kind === 'accuracy') {
    if (before.delta_mean !== pm.delta_mean) changes.push(`Δ ${formatPoints(before.delta_mean)} → ${formatPoints(pm.delta_mean)}`);
  } else {
    if (before.ratio !== pm.ratio) {
      const moved = before.ratio === null || pm.ratio === null ? '' : ` (${formatSigned(pm.ratio - before.ratio)})`;
      changes.push(`ratio ×${formatRatio(before.ratio)} → ×${formatRatio(pm.ratio)}${moved}`);
    }
    const hi = (x: Certificate): number | null => x.primary_metric.ratio_ci?.[1] ?? null;
    if (hi(previous) !== hi(cert)) changes.push(`upper CI ${formatRatio(hi(previous))} → ${formatRatio(hi(cert))}`);
  }
  for (const gate of DASHBOARD_GATES) {
    const was = gateStatus(previous, gate);
    const now = gateStatus(cert, gate);
    if (was !== now) changes.push(`${GATE_LABELS[gate]} ${STATUS_WORDS[was]} → ${STATUS_WORDS[now]}`);
  }
  if (previous.models.subject.file_sha256 !== cert.models.subject.file_sha256) changes.push('subject weights changed');
  if (previous.dataset.dataset_hash !== cert.dataset.dataset_hash) changes.push('dataset changed');
  if (previous.policy_digest !== cert.policy_digest) changes.push('policy changed');
  const list = changes.length === 0 ? 'same measurements, different provenance' : changes.join('; ');
  return `**Since the previous push** (${codeSpan(shortHash(previous.digest))} → ${codeSpan(shortHash(cert.digest))}): ${list}.`;
}
