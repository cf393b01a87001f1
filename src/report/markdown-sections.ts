import type { Certificate, Family, GuardBlock, Violation } from './certificate-types.js';
import {
  NOT_AVAILABLE,
  formatBytes,
  formatCount,
  formatDuration,
  formatInterval,
  formatLimit,
  formatNumber,
  formatPoints,
  formatPointsWithCi,
  formatRatio,
  formatRatioWithCi,
  formatSigned,
  shortHash,
} from './format-values.js';
import { STATUS_BADGES, STATUS_WORDS, buildGateRows, gateStatus, GATE_LABELS, DASHBOARD_GATES } from './gate-rows.js';
import { codeSpan, escapeMarkdown, escapeMarkdownShort, markdownTable } from './markdown-escape.js';
import { renderHeadline } from './render-headline.js';

/**
 * The blocks of the markdown renderings, one function per block. Every function is pure and
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

/** The verdict's reasons as a list (at most 10, each shortened to 300 characters). @internal */
export function reasonsBlock(cert: Certificate): string {
  const reasons = cert.verdict.reasons;
  if (reasons.length === 0) return '';
  const items = reasons
    .slice(0, MAX_REASONS)
    .map((r) => `- **${escapeMarkdown(r.gate)}** ${codeSpan(r.code)}: ${escapeMarkdownShort(r.message, MAX_REASON_CHARS)}`);
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
  const metric = isAccuracy ? 'Accuracy' : pm.kind === 'ppl_mlm' ? 'Pseudo-perplexity' : 'Perplexity';
  const rows = [
    [`${metric} (final, ${formatCount(pm.windows.final)} windows)`, value(pm.baseline.final), value(pm.subject.final), finalPaired, threshold, status],
    [`${metric} (preview, ${formatCount(pm.windows.preview)} windows)`, value(pm.baseline.preview), value(pm.subject.preview), previewPaired, '', ''],
  ];
  const method = `${intervalWords(pm)}, ${formatCount(pm.replicates)} replicates, ${formatLimit(1 - pm.alpha)} two-sided, seed ${pm.seed}; ${formatCount(pm.tokens.preview + pm.tokens.final)} ${isAccuracy ? 'examples' : 'scored tokens'}${pm.hysteresis_applied ? '; **passed within the hysteresis band**' : ''}.`;
  const reason = pm.reason === null ? '' : `\n\n_${escapeMarkdownShort(pm.reason, MAX_REASON_CHARS)}_`;
  return `${markdownTable(['Metric', 'Baseline', 'Subject', isAccuracy ? 'Δ [CI]' : 'Ratio [CI]', 'Threshold', 'Status'], rows)}\n\n${method}${reason}`;
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
  const fmt = (list: readonly string[]): string => (list.length === 0 ? 'unknown' : list.join(', '));
  lines.push(`- Weight formats: ${fmt(cert.models.baseline.quantization_formats)} → ${fmt(cert.models.subject.quantization_formats)}`);
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

/** Per-family tables of the spectral and RMT guards and the invariants' measurements. @internal */
export function guardFamiliesBlock(cert: Certificate): string {
  const parts: string[] = [];
  const spectral = cert.guards.spectral.measurements;
  if (spectral !== null && spectral.families.length > 0) {
    const kappa = cert.policy.thresholds.spectral.kappa;
    const rows = spectral.families.map((f) => [
      f.family,
      formatCount(f.modules),
      formatCount(f.violations),
      formatNumber(f.max_abs_change),
      formatNumber(f.z_max),
      formatLimit(kappa[f.family]),
      f.p_value === null ? NOT_AVAILABLE : f.p_value.toExponential(2),
      f.selected ? 'yes' : 'no',
    ]);
    parts.push(`**Spectral** (ρ = σmax subject / baseline; deadband ${formatLimit(cert.policy.thresholds.spectral.deadband)})\n\n${markdownTable(['Family', 'Modules', 'Caps', 'max |ρ−1|', 'z max', 'κ', 'p', 'Selected'], rows)}`);
  }
  const rmt = cert.guards.rmt.measurements;
  if (rmt !== null && rmt.families.length > 0) {
    const eps = cert.policy.thresholds.rmt.epsilon;
    const rows = rmt.families.map((f) => [
      f.family,
      formatNumber(f.baseline),
      formatNumber(f.subject),
      f.baseline === null || f.subject === null || f.baseline <= 0 ? NOT_AVAILABLE : `×${formatRatio(f.subject / f.baseline)}`,
      `≤ ×${formatLimit(1 + eps[f.family])}`,
      `${formatCount(f.outliers_baseline)} → ${formatCount(f.outliers_subject)}`,
    ]);
    parts.push(`**RMT** (activation edge ratio r = σ̂ / (√m + √n) on ${rmt.windows} windows)\n\n${markdownTable(['Family', 'Baseline r', 'Subject r', 'Subject / baseline', 'Limit', 'MP outliers'], rows)}`);
  }
  const inv = cert.guards.invariants.measurements;
  if (inv !== null) {
    const rows = [
      ['Parameters', formatCount(inv.param_count.baseline), formatCount(inv.param_count.subject)],
      ['Structure hash', codeSpan(shortHash(inv.structure_hash.baseline)), codeSpan(shortHash(inv.structure_hash.subject))],
      ['Weights tied', yesNo(inv.weights_tied.baseline), yesNo(inv.weights_tied.subject)],
    ];
    parts.push(`**Invariants** (non-finite weights ${formatCount(inv.nonfinite_weights)}, missing modules ${formatCount(inv.missing_modules)})\n\n${markdownTable(['', 'Baseline', 'Subject'], rows)}`);
  }
  return parts.length === 0 ? '' : details('Guards by family', parts.join('\n\n'));
}

function yesNo(flag: boolean | null): string {
  return flag === null ? NOT_AVAILABLE : flag ? 'yes' : 'no';
}

/** Spectral modules sorted by |ρ − 1| (largest first), as levels of `limits` rows. @internal */
export function spectralModulesLevels(cert: Certificate, limits: readonly number[]): { levels: string[]; notes: string[] } {
  const m = cert.guards.spectral.measurements;
  if (m === null || m.modules.length === 0) return { levels: [''], notes: [] };
  const sorted = [...m.modules].sort((a, b) => changeOf(b.ratio) - changeOf(a.ratio) || compareText(a.module, b.module));
  const deadband = cert.policy.thresholds.spectral.deadband;
  return rowLevels(sorted.length, limits, 'modules', (n) => {
    const rows = sorted.slice(0, n).map((x) => [
      escapeMarkdownShort(x.module, 120),
      x.family,
      x.layer === null ? '' : String(x.layer),
      formatNumber(x.sigma_baseline),
      formatNumber(x.sigma_subject),
      formatRatio(x.ratio),
      x.ratio !== null && Math.abs(x.ratio - 1) > deadband ? '⚠️ cap' : x.ratio === null ? '❌ non-finite' : '',
    ]);
    const caption = n < sorted.length ? `Largest ${n} of ${formatCount(sorted.length)} changes by |ρ−1|.` : `All ${formatCount(sorted.length)} weights by |ρ−1|.`;
    return details('Spectral guard: per weight', `${caption}\n\n${markdownTable(['Module', 'Family', 'Layer', 'σ baseline', 'σ subject', 'ρ', ''], rows)}`);
  });
}

/** RMT modules sorted by subject/baseline (largest first), as levels of `limits` rows. @internal */
export function rmtModulesLevels(cert: Certificate, limits: readonly number[]): { levels: string[]; notes: string[] } {
  const m = cert.guards.rmt.measurements;
  if (m === null || m.modules.length === 0) return { levels: [''], notes: [] };
  const ratioOf = (x: { baseline: number | null; subject: number | null }): number =>
    x.baseline === null || x.subject === null || x.baseline <= 0 ? -Infinity : x.subject / x.baseline;
  const sorted = [...m.modules].sort((a, b) => ratioOf(b) - ratioOf(a) || compareText(a.module, b.module));
  return rowLevels(sorted.length, limits, 'modules', (n) => {
    const rows = sorted.slice(0, n).map((x) => {
      const r = ratioOf(x);
      return [escapeMarkdownShort(x.module, 120), x.family, formatNumber(x.baseline), formatNumber(x.subject), Number.isFinite(r) ? `×${formatRatio(r)}` : NOT_AVAILABLE];
    });
    const caption = n < sorted.length ? `Largest ${n} of ${formatCount(sorted.length)} by subject / baseline.` : `All ${formatCount(sorted.length)} captured modules.`;
    return details('RMT guard: per module', `${caption}\n\n${markdownTable(['Module', 'Family', 'Baseline r', 'Subject r', 'Subject / baseline'], rows)}`);
  });
}

/** Every guard violation (fatal first), as levels of `limits` rows. @internal */
export function violationsLevels(cert: Certificate, limits: readonly number[]): { levels: string[]; notes: string[] } {
  const all: { guard: string; v: Violation }[] = [];
  for (const [guard, block] of Object.entries(cert.guards) as [string, GuardBlock<unknown>][]) {
    for (const v of block.violations) all.push({ guard, v });
  }
  if (all.length === 0) return { levels: [''], notes: [] };
  const sorted = [...all].sort((a, b) => severityRank(a.v) - severityRank(b.v));
  return rowLevels(sorted.length, limits, 'violations', (n) => {
    const rows = sorted.slice(0, n).map(({ guard, v }) => [
      guard,
      v.severity,
      codeSpan(v.code),
      v.module === null ? '' : escapeMarkdownShort(v.module, 120),
      v.family ?? '',
      formatNumber(v.value),
      formatNumber(v.threshold),
      escapeMarkdownShort(v.message, 200),
    ]);
    const caption = n < sorted.length ? `First ${n} of ${formatCount(sorted.length)} (fatal first).` : `${formatCount(sorted.length)} in all.`;
    return details('Guard violations', `${caption}\n\n${markdownTable(['Guard', 'Severity', 'Code', 'Module', 'Family', 'Value', 'Threshold', 'Message'], rows)}`);
  });
}

function severityRank(v: Violation): number {
  return v.severity === 'fatal' ? 0 : 1;
}

/** The variance guard's A/B test and scales. @internal */
export function varianceBlock(cert: Certificate): string {
  const m = cert.guards.variance.measurements;
  if (m === null) return '';
  const rows = [
    ['Mode', m.mode],
    ['Scales applied', m.enabled ? `yes (${formatCount(m.scales.length)} modules)` : 'no'],
    ['A/B windows', formatCount(m.ab_windows)],
    ['Δ log-loss (scaled − unscaled)', `${formatNumber(m.delta_mean)} ${formatInterval(m.delta_ci, (x) => formatNumber(x))}`],
    ['Gain (absolute / relative)', `${formatNumber(m.gain_abs)} / ${formatNumber(m.gain_rel)}`],
    ['Predictive gate', m.predictive_gate],
  ];
  return details('Variance guard', markdownTable(['', 'Value'], rows));
}

/** Quantiles of the per-window Δ. @internal */
export function tailBlock(cert: Certificate): string {
  const t = cert.tail;
  const q = t.quantiles;
  const unit = cert.primary_metric.kind === 'accuracy' ? 'correctness' : 'log-loss';
  const row = [q === null ? NOT_AVAILABLE : formatNumber(q.p50), q === null ? NOT_AVAILABLE : formatNumber(q.p90), q === null ? NOT_AVAILABLE : formatNumber(q.p95), q === null ? NOT_AVAILABLE : formatNumber(q.p99), formatNumber(t.max), t.mass === null ? NOT_AVAILABLE : `${(t.mass * 100).toFixed(1)} %`, `${STATUS_BADGES[t.status]} ${STATUS_WORDS[t.status]}`];
  const note = t.reason === null ? '' : `\n\n_${escapeMarkdownShort(t.reason, MAX_REASON_CHARS)}_`;
  return details(
    'Tail of the per-window Δ',
    `Final windows, Δ = subject − baseline ${unit}; P95 limit ${formatLimit(t.limit)} (${cert.policy.thresholds.tail.mode}); mass = share of windows with Δ > ${formatNumber(cert.policy.thresholds.tail.mass_threshold)}.\n\n${markdownTable(['P50', 'P90', 'P95', 'P99', 'Max', 'Mass', 'Status'], [row])}${note}`,
  );
}

/** Dataset and window plan. @internal */
export function windowsPlanBlock(cert: Certificate): string {
  const d = cert.dataset;
  const pm = cert.primary_metric;
  const rows = [
    ['Provider', escapeMarkdownShort(d.provider, 200)],
    ['Split', d.split === null ? NOT_AVAILABLE : escapeMarkdown(d.split)],
    ['Sequence length / stride', `${d.seq_len} / ${d.stride}`],
    ['Documents / candidate windows', `${formatCount(d.counts.documents)} / ${formatCount(d.counts.candidates)}`],
    ['Duplicates removed', formatCount(d.counts.duplicates_removed)],
    ['Preview / final windows', `${formatCount(d.counts.preview)} / ${formatCount(d.counts.final)}`],
    ['Scored tokens preview / final', `${formatCount(pm.tokens.preview)} / ${formatCount(pm.tokens.final)}`],
    ['Window draw seed', String(d.seed)],
    ['Preview / final hash', `${codeSpan(shortHash(d.preview_hash))} / ${codeSpan(shortHash(d.final_hash))}`],
    ['Dataset hash', codeSpan(d.dataset_hash ?? NOT_AVAILABLE)],
    ['Tokenizer hash', codeSpan(d.tokenizer_hash ?? NOT_AVAILABLE)],
  ];
  return details('Dataset and windows', markdownTable(['', 'Value'], rows));
}

/** Every threshold the gates used. @internal */
export function policyBlock(cert: Certificate): string {
  const t = cert.policy.thresholds;
  const fam = (p: Record<Family, number>): string => (['attn', 'ffn', 'embed', 'other'] as const).map((f) => `${f} ${formatLimit(p[f])}`).join(', ');
  const rows = [
    ['Tier / profile', `${cert.policy.tier} / ${cert.policy.profile}`],
    ['Ratio limit + hysteresis', `${formatLimit(t.primary_metric.ratio_limit)} + ${formatLimit(t.primary_metric.hysteresis)}`],
    ['Accuracy Δ limit / min examples', `${formatLimit(t.primary_metric.accuracy_delta_limit_pp)} pp / ${formatCount(t.primary_metric.accuracy_min_examples)}`],
    ['Token floor', formatCount(t.primary_metric.token_floor)],
    ['Window floors preview / final', `${formatCount(t.primary_metric.window_floor_preview)} / ${formatCount(t.primary_metric.window_floor_final)} (${t.primary_metric.floors})`],
    ['Bootstrap', `${t.bootstrap.method}, ${formatCount(t.bootstrap.replicates)} replicates (min ${formatCount(t.bootstrap.min_replicates)}), α ${formatLimit(t.bootstrap.alpha)}`],
    ['Drift band', formatInterval(t.drift_band, formatLimit)],
    ['Catastrophe (preview ratio)', `> ${formatLimit(t.catastrophe_ratio)}`],
    ['Tail P95 limit / mass threshold', `${formatLimit(t.tail.p95_limit)} (${t.tail.mode}) / ${formatNumber(t.tail.mass_threshold)}`],
    ['Spectral deadband / max caps', `${formatLimit(t.spectral.deadband)} / ${t.spectral.max_caps}`],
    ['Spectral κ', fam(t.spectral.kappa)],
    ['Spectral multiple testing', `${t.spectral.multiple_testing.method}, α ${formatNumber(t.spectral.multiple_testing.alpha)}`],
    ['Stable rank warn / fatal', `${formatLimit(t.spectral.stable_rank_warn)} / ${formatLimit(t.spectral.stable_rank_fatal)}`],
    ['Norm collapse warn / fatal', `${formatLimit(t.spectral.norm_collapse_warn)} / ${formatLimit(t.spectral.norm_collapse_fatal)}`],
    ['RMT ε', fam(t.rmt.epsilon)],
    ['Guard overhead limit', formatLimit(t.guard_overhead.limit)],
    ['Invariants mode', t.invariants.mode],
    ['Variance min effect / sidedness', `${formatNumber(t.variance.min_effect_lognll)} / ${t.variance.sidedness}`],
    ['Variance min gain relative / absolute', `${formatNumber(t.variance.min_rel_gain)} / ${formatNumber(t.variance.min_abs_gain)}`],
    ['Policy digest', codeSpan(cert.policy_digest)],
  ];
  return details('Policy', markdownTable(['Threshold', 'Value'], rows));
}

/** Tool, runtime, device, image and seeds. @internal */
export function provenanceBlock(cert: Certificate, options: { readonly collapsed: boolean } = { collapsed: true }): string {
  const p = cert.provenance;
  const rows = [
    ['invarlock', codeSpan(p.tool.version)],
    ['Node.js', codeSpan(p.node_version)],
    ['onnxruntime', p.onnxruntime_version === null ? NOT_AVAILABLE : codeSpan(p.onnxruntime_version)],
    ['Execution provider', p.execution_provider],
    ['Device', `${p.device.kind}${p.device.name === null ? '' : ` · ${escapeMarkdownShort(p.device.name, 120)}`}${p.device.memory_bytes === null ? '' : ` · ${formatBytes(p.device.memory_bytes)}`}`],
    ['Driver', p.device.driver === null ? NOT_AVAILABLE : codeSpan(p.device.driver)],
    ['Platform', `${escapeMarkdown(p.platform.os)} / ${escapeMarkdown(p.platform.arch)}`],
    ['Runtime image', p.container === null ? 'host (no container)' : `${escapeMarkdownShort(p.container.image, 200)} ${codeSpan(p.container.digest)}`],
    ['Seeds', `run ${p.seeds.run}, window draw ${p.seeds.window_draw}, bootstrap ${p.seeds.bootstrap}, MLM masks ${p.seeds.mlm_mask}, variance ${p.seeds.variance}`],
    ['Config digest', codeSpan(p.config_digest)],
  ];
  const table = markdownTable(['', 'Value'], rows);
  return options.collapsed ? details('Provenance', table) : `### Environment\n\n${table}`;
}

/** Digests that identify this certificate and what it covers. @internal */
export function digestsBlock(cert: Certificate): string {
  const rows = [
    ['Certificate', codeSpan(cert.digest)],
    ['Run id', codeSpan(cert.run_id)],
    ['Policy', codeSpan(cert.policy_digest)],
    ['Config', codeSpan(cert.provenance.config_digest)],
    ['Baseline file', codeSpan(cert.models.baseline.file_sha256 ?? NOT_AVAILABLE)],
    ['Subject file', codeSpan(cert.models.subject.file_sha256 ?? NOT_AVAILABLE)],
    ...(cert.change.kind === 'edit' ? [['Edit plan', codeSpan(cert.change.plan_digest)]] : []),
  ];
  return details('Digests', `${markdownTable(['What', 'sha256'], rows)}\n\nThe certificate digest covers every block except \`timing\`; check it with \`invarlock verify\`.`);
}

/** Wall-clock timing (outside the digest). @internal */
export function timingBlock(cert: Certificate): string {
  const t = cert.timing;
  const rows = t.stages.map((s) => [escapeMarkdownShort(s.name, 64), formatDuration(s.duration_ms)]);
  const body = `Started ${escapeMarkdown(t.started_at)}, finished ${escapeMarkdown(t.finished_at)}, ${formatDuration(t.duration_ms)} in all.${rows.length === 0 ? '' : `\n\n${markdownTable(['Stage', 'Duration'], rows, ['left', 'right'])}`}`;
  return details('Timing', body);
}

function rowLevels(total: number, limits: readonly number[], noun: string, render: (rows: number) => string): { levels: string[]; notes: string[] } {
  const counts = [...new Set(limits.map((l) => Math.min(l, total)))].filter((n) => n > 0).sort((a, b) => b - a);
  return {
    levels: counts.map(render),
    notes: counts.slice(1).map((n) => `showing ${n} of ${formatCount(total)} ${noun}`),
  };
}

function changeOf(ratio: number | null): number {
  return ratio === null ? Infinity : Math.abs(ratio - 1);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
