import { THRESHOLD_FAMILY } from '../../adapters/index.js';
import type { Certificate, GuardBlock, PerFamily, Violation } from '../certificate/certificate-types.js';
import { NOT_AVAILABLE, formatBytes, formatCount, formatDuration, formatInterval, formatLimit, formatNumber, formatRatio, formatTruncation, shortHash } from '../text/format-values.js';
import { STATUS_BADGES, STATUS_WORDS } from '../text/gate-rows.js';
import { codeSpan, escapeMarkdown, escapeMarkdownShort, markdownTable } from './markdown-escape.js';
import { details } from './markdown-sections.js';

/**
 * The collapsed detail blocks of the markdown renderings (per-family guard tables, per-module
 * tables as row levels for the budget, tail, window plan, policy, provenance, digests, timing).
 * Pure; untrusted text is escaped where it enters markdown.
 */

const MAX_REASON_CHARS = 300;

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
      formatLimit(kappa[THRESHOLD_FAMILY[f.family]]),
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
      `≤ ×${formatLimit(1 + eps[THRESHOLD_FAMILY[f.family]])}`,
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

function truncationRows(truncation: Certificate['dataset']['truncation']): string[][] {
  const text = formatTruncation(truncation);
  return text === null ? [] : [['Truncation', escapeMarkdown(text)]];
}

/** Dataset and window plan. @internal */
export function windowsPlanBlock(cert: Certificate): string {
  const d = cert.dataset;
  const pm = cert.primary_metric;
  const rows = [
    ['Provider', escapeMarkdownShort(d.provider, 200)],
    ['Split', d.split === null ? NOT_AVAILABLE : escapeMarkdown(d.split)],
    ['Sequence length / stride', `${d.seq_len} / ${d.stride}`],
    ...truncationRows(d.truncation),
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
  const fam = (p: PerFamily): string => (['attn', 'ffn', 'embed', 'other'] as const).map((f) => `${f} ${formatLimit(p[f])}`).join(', ');
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
    ['Spectral deadband / max caps', `${formatLimit(t.spectral.deadband)} / ${t.spectral.max_caps} (${t.spectral.mode})`],
    ['Spectral κ', fam(t.spectral.kappa)],
    ['Spectral multiple testing', `${t.spectral.multiple_testing.method}, α ${formatNumber(t.spectral.multiple_testing.alpha)}`],
    ['Stable rank warn / fatal', `${formatLimit(t.spectral.stable_rank_warn)} / ${formatLimit(t.spectral.stable_rank_fatal)}`],
    ['Norm collapse warn / fatal', `${formatLimit(t.spectral.norm_collapse_warn)} / ${formatLimit(t.spectral.norm_collapse_fatal)}`],
    ['RMT ε', `${fam(t.rmt.epsilon)} (${t.rmt.mode})`],
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
  const r = t.resources;
  const mib = (bytes: number) => `${Math.round(bytes / 1048576).toLocaleString('en-US')} MiB`;
  // certificates from before the planner have no resources at all
  const plan =
    r === null || r === undefined
      ? ''
      : ` Memory plan: about ${mib(r.estimate_bytes)} of ${mib(r.budget_bytes)} (${r.budget_source === 'max_memory' ? '--max-memory' : 'free memory'}); batch ${r.batch_size === 'auto' ? 'auto' : Number(r.batch_size)}, ${Number(r.workers)} kernel worker(s), weight pre-packing ${r.prepack ? 'on' : 'off'}.`;
  const body = `Started ${escapeMarkdown(t.started_at)}, finished ${escapeMarkdown(t.finished_at)}, ${formatDuration(t.duration_ms)} in all.${plan}${rows.length === 0 ? '' : `\n\n${markdownTable(['Stage', 'Duration'], rows, ['left', 'right'])}`}`;
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
