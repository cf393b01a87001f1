import type { Certificate, GuardBlock } from '../certificate/certificate-types.js';
import { spanMetricNote } from '../derive/span-metric.js';
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
  formatTruncation,
  shortHash,
  formatSequentialLine,
} from '../text/format-values.js';
import { STATUS_WORDS, buildGateRows, reasonSeverity } from '../text/gate-rows.js';
import { deltaHistogramSvg, escapeHtml, rmtFamiliesSvg, spectralLayersSvg } from './html-plots.js';
import { describeWeightFormats, headlineParts, renderHeadline } from '../text/render-headline.js';
import { certificateMarker } from '../markdown/render-markdown.js';

/** Options of {@link renderHtml}. */
export interface RenderHtmlOptions {
  /** Links to the workflow run and the artifact (http/https only; others are left out). */
  readonly links?: { readonly runUrl?: string; readonly artifactUrl?: string };
}

// Spectral modules listed in the HTML table; the plot shows all of them.
const MAX_MODULE_ROWS = 200;

/**
 * The certificate as one self-contained HTML page: inline CSS, inline SVG plots (per-window Δ
 * histogram with CI and limit, per-layer spectral change by family, RMT edge ratio per family),
 * the gate table, guards, what changed, identity, and collapsed details. A Content-Security-Policy
 * meta tag forbids every fetch (no scripts, no remote styles, fonts or images); all certificate
 * text is escaped. Pure: no logging, the certificate is not touched.
 */
export function renderHtml(cert: Certificate, options: RenderHtmlOptions = {}): string {
  const status = cert.verdict.status;
  const headline = renderHeadline(cert);
  const parts = headlineParts(cert);
  const body = [
    `<header class="verdict ${status}"><p class="badge">${statusCell(status)}</p><h1>${escapeHtml(parts.cause === null ? parts.metric : `${parts.cause} · ${parts.metric}`)}</h1><p class="pair">${escapeHtml(parts.models)} · ${escapeHtml(parts.policy)}</p>${reasons(cert)}</header>`,
    `<section><h2>Gates</h2>${gateTable(cert)}</section>`,
    `<section class="plots"><h2>Evidence</h2><div class="plot-grid">`,
    figure(deltaHistogramSvg(cert), 'Per-window Δ, the CI of the mean (bar above; red beyond the limit) and the gate limit (dashed).'),
    figure(spectralLayersSvg(cert), 'σmax ratio subject / baseline per weight, by layer and family.'),
    figure(rmtFamiliesSvg(cert), 'Activation edge ratio per family, baseline beside subject.'),
    `</div></section>`,
    `<section><h2>Primary metric</h2>${metricTable(cert)}</section>`,
    `<section><h2>Guards</h2>${guardTable(cert)}</section>`,
    `<section><h2>What changed</h2>${whatChanged(cert)}</section>`,
    `<section><h2>Baseline identity</h2>${identity(cert, options)}</section>`,
    `<section><h2>Details</h2>${detailBlocks(cert)}</section>`,
    `<footer>Certificate <code>${escapeHtml(cert.digest)}</code> · run <code>${escapeHtml(cert.run_id)}</code> · invarlock ${escapeHtml(cert.provenance.tool.version)} · check it with <code>invarlock verify</code>.</footer>`,
  ].join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`InvarLock · ${headline}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    certificateMarker(cert),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function reasons(cert: Certificate): string {
  if (cert.verdict.reasons.length === 0) return '';
  const items = cert.verdict.reasons.map((r) => {
    const severity = reasonSeverity(cert, r);
    return `<li class="${severity}"><span class="status ${severity}">${HTML_BADGES[severity]}</span> <strong>${escapeHtml(r.gate)}</strong> <code>${escapeHtml(r.code)}</code>: ${escapeHtml(r.message)}</li>`;
  });
  const evidence = cert.verdict.evidence === 'dev' ? '<p class="note">Dev evidence: floors were informational only; this is not release evidence.</p>' : '';
  return `<ul class="reasons">${items.join('')}</ul>${evidence}`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const head = `<tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  const lines = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  return `<table${cls === '' ? '' : ` class="${cls}"`}><thead>${head}</thead><tbody>${lines.join('')}</tbody></table>`;
}

// Symbols every common sans font has (DejaVu, Liberation, Segoe): the page must read the same on a
// machine without a colour emoji font.
const HTML_BADGES = { pass: '✔', warn: '⚠', fail: '✘', error: '■', skipped: '»', not_evaluated: '–' } as const satisfies Record<keyof typeof STATUS_WORDS, string>;

function statusCell(status: keyof typeof STATUS_WORDS): string {
  return `<span class="status ${status}">${HTML_BADGES[status]} ${escapeHtml(STATUS_WORDS[status])}</span>`;
}

function gateTable(cert: Certificate): string {
  const overall = ['<strong>Overall</strong>', statusCell(cert.verdict.status), escapeHtml(`${cert.verdict.reasons.length} reason${cert.verdict.reasons.length === 1 ? '' : 's'}`), '', escapeHtml(`${cert.verdict.evidence} evidence`)];
  const rows = buildGateRows(cert).map((r) => [escapeHtml(r.label), statusCell(r.status), escapeHtml(r.measured), escapeHtml(r.threshold), escapeHtml(r.basis)]);
  return table(['Gate', 'Status', 'Measured', 'Threshold', 'Basis'], [overall, ...rows], 'gates');
}

function metricTable(cert: Certificate): string {
  const pm = cert.primary_metric;
  const isAccuracy = pm.kind === 'accuracy';
  const value = (x: number | null): string => (x === null ? NOT_AVAILABLE : isAccuracy ? `${x.toFixed(2)} %` : x.toFixed(3));
  const paired = isAccuracy ? formatPointsWithCi(pm.delta_mean, pm.delta_ci) : formatRatioWithCi(pm.ratio, pm.ratio_ci);
  const rows = [
    ['final', formatCount(pm.windows.final), value(pm.baseline.final), value(pm.subject.final), paired],
    ['preview', formatCount(pm.windows.preview), value(pm.baseline.preview), value(pm.subject.preview), isAccuracy ? formatPoints(pm.preview_delta_mean) : formatRatioWithCi(pm.preview_ratio, null)],
  ].map((r) => r.map(escapeHtml));
  const method = `${pm.method} bootstrap (${pm.ci_method ?? 'not computed'}${pm.ci_fallback === null ? '' : `, fallback ${pm.ci_fallback}`}), ${formatCount(pm.replicates)} replicates, α ${formatLimit(pm.alpha)}, seed ${pm.seed}; ${pm.kind}.${spanMetricNote(cert)}`;
  const reason = pm.reason === null ? '' : `<p class="note">${escapeHtml(pm.reason)}</p>`;
  const sequential = formatSequentialLine(cert.sequential);
  return `${table(['Arm', 'Windows', 'Baseline', 'Subject', isAccuracy ? 'Δ [CI]' : 'Ratio [CI]'], rows)}<p class="note">${escapeHtml(method)}</p>${sequential === null ? '' : `<p class="note">${escapeHtml(sequential)}</p>`}${reason}`;
}

function guardTable(cert: Certificate): string {
  const rows = (Object.keys(cert.guards) as (keyof Certificate['guards'])[]).map((name) => {
    const g: GuardBlock<unknown> = cert.guards[name];
    const fatal = g.violations.filter((v) => v.severity === 'fatal').length;
    return [escapeHtml(name), statusCell(g.status), g.evaluated ? 'yes' : 'no', escapeHtml(`${fatal} fatal · ${g.violations.length - fatal} warning`), escapeHtml(g.reason ?? '')];
  });
  const violations = Object.entries(cert.guards).flatMap(([name, g]: [string, GuardBlock<unknown>]) => g.violations.map((v) => ({ name, v })));
  const violationTable =
    violations.length === 0
      ? ''
      : details(
          `Violations (${violations.length})`,
          table(
            ['Guard', 'Severity', 'Code', 'Module', 'Value', 'Threshold', 'Message'],
            violations
              .slice(0, MAX_MODULE_ROWS)
              .map(({ name, v }) => [name, v.severity, v.code, v.module ?? '', formatNumber(v.value), formatNumber(v.threshold), v.message].map(escapeHtml)),
          ),
        );
  return `${table(['Guard', 'Status', 'Evaluated', 'Violations', 'Note'], rows)}${violationTable}`;
}

function whatChanged(cert: Certificate): string {
  const c = cert.change;
  const items: string[] = [];
  switch (c.kind) {
    case 'edit':
      items.push(`Edit <strong>${escapeHtml(c.name)}</strong> <code>${escapeHtml(JSON.stringify(c.config))}</code>${c.rolled_back ? ' — <strong>rolled back</strong>' : ''}`);
      break;
    case 'compare':
      items.push(`Subject <strong>${escapeHtml(c.label)}</strong> compared with the baseline`);
      break;
    default: {
      const never: never = c;
      return never;
    }
  }
  items.push(`Parameters changed: ${escapeHtml(formatCount(c.params_changed))}`);
  const modules = c.modules_touched;
  items.push(modules === null ? 'Modules touched: not measured' : `Modules touched (${modules.length}): ${escapeHtml(modules.slice(0, 40).join(', '))}${modules.length > 40 ? ', …' : ''}`);
  items.push(`Weight formats: ${escapeHtml(describeWeightFormats(cert))}`);
  for (const a of cert.models.subject.lora_adapters) items.push(`LoRA adapter ${escapeHtml(a.reference)} (r ${a.rank}, α ${escapeHtml(formatNumber(a.alpha))}, weight ${escapeHtml(formatNumber(a.weight))})`);
  return `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

function identity(cert: Certificate, options: RenderHtmlOptions): string {
  const b = cert.models.baseline;
  const s = cert.models.subject;
  const rows = [
    ['Model', b.label, s.label],
    ['Reference', b.reference, s.reference],
    ['Revision', b.revision ?? NOT_AVAILABLE, s.revision ?? NOT_AVAILABLE],
    ['File sha256', b.file_sha256 ?? NOT_AVAILABLE, s.file_sha256 ?? NOT_AVAILABLE],
    ['Adapter', b.adapter, s.adapter],
    ['Tokenizer', b.tokenizer_hash ?? NOT_AVAILABLE, s.tokenizer_hash ?? NOT_AVAILABLE],
  ].map((r) => r.map(escapeHtml));
  const image = cert.provenance.container === null ? 'host (no container)' : `${cert.provenance.container.image} ${cert.provenance.container.digest}`;
  const facts = `Dataset ${cert.dataset.provider} · hash ${shortHash(cert.dataset.dataset_hash)} · runtime image ${image}`;
  const links = [
    safeUrl(options.links?.runUrl) === undefined ? '' : `<a href="${escapeHtml(safeUrl(options.links?.runUrl) ?? '')}">Workflow run</a>`,
    safeUrl(options.links?.artifactUrl) === undefined ? '' : `<a href="${escapeHtml(safeUrl(options.links?.artifactUrl) ?? '')}">Artifact</a>`,
  ].filter((l) => l !== '');
  return `${table(['', 'Baseline', 'Subject'], rows, 'identity')}<p class="note">${escapeHtml(facts)}</p>${links.length === 0 ? '' : `<p>${links.join(' · ')}</p>`}`;
}

function safeUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

function details(summary: string, content: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>${content}</details>`;
}

function kv(rows: readonly (readonly [string, string])[]): string {
  return table(['', 'Value'], rows.map(([k, v]) => [escapeHtml(k), escapeHtml(v)]), 'kv');
}

function detailBlocks(cert: Certificate): string {
  const blocks: string[] = [];
  const spectral = cert.guards.spectral.measurements;
  if (spectral !== null && spectral.modules.length > 0) {
    const sorted = [...spectral.modules].sort((a, b) => (b.ratio === null ? Infinity : Math.abs(b.ratio - 1)) - (a.ratio === null ? Infinity : Math.abs(a.ratio - 1)) || (a.module < b.module ? -1 : 1));
    const rows = sorted.slice(0, MAX_MODULE_ROWS).map((m) => [m.module, m.family, m.layer === null ? '' : String(m.layer), formatNumber(m.sigma_baseline), formatNumber(m.sigma_subject), formatRatio(m.ratio)].map(escapeHtml));
    const families = spectral.families.map((f) => [f.family, String(f.modules), String(f.violations), formatNumber(f.max_abs_change), formatNumber(f.z_max), f.selected ? 'yes' : 'no'].map(escapeHtml));
    blocks.push(details('Spectral guard per family', table(['Family', 'Modules', 'Caps', 'max |ρ−1|', 'z max', 'Selected'], families)));
    blocks.push(details(`Spectral guard per weight (${sorted.length > MAX_MODULE_ROWS ? `largest ${MAX_MODULE_ROWS} of ${sorted.length}` : `${sorted.length}`})`, table(['Module', 'Family', 'Layer', 'σ baseline', 'σ subject', 'ρ'], rows)));
  }
  const rmt = cert.guards.rmt.measurements;
  if (rmt !== null && rmt.families.length > 0) {
    const rows = rmt.families.map((f) => [f.family, formatNumber(f.baseline), formatNumber(f.subject), `${formatCount(f.outliers_baseline)} → ${formatCount(f.outliers_subject)}`].map(escapeHtml));
    blocks.push(details(`RMT guard per family (${rmt.windows} windows)`, table(['Family', 'Baseline r', 'Subject r', 'MP outliers'], rows)));
  }
  const t = cert.tail;
  blocks.push(
    details(
      'Tail of the per-window Δ',
      kv([
        ['P50 / P90 / P95 / P99', t.quantiles === null ? NOT_AVAILABLE : [t.quantiles.p50, t.quantiles.p90, t.quantiles.p95, t.quantiles.p99].map((q) => formatNumber(q)).join(' / ')],
        ['Max', formatNumber(t.max)],
        ['Mass above threshold', t.mass === null ? NOT_AVAILABLE : `${(t.mass * 100).toFixed(1)} %`],
        ['P95 limit', `${formatLimit(t.limit)} (${cert.policy.thresholds.tail.mode})`],
        ['Status', STATUS_WORDS[t.status]],
      ]),
    ),
  );
  const d = cert.dataset;
  blocks.push(
    details(
      'Dataset and windows',
      kv([
        ['Provider / split', `${d.provider} / ${d.split ?? NOT_AVAILABLE}`],
        ['Sequence length / stride', `${d.seq_len} / ${d.stride}`],
        ...(d.truncation === null ? [] : [['Truncation', formatTruncation(d.truncation) ?? NOT_AVAILABLE] as [string, string]]),
        ['Preview / final windows', `${d.counts.preview} / ${d.counts.final}`],
        ['Documents / candidates / duplicates removed', `${formatCount(d.counts.documents)} / ${formatCount(d.counts.candidates)} / ${formatCount(d.counts.duplicates_removed)}`],
        ['Seed', String(d.seed)],
        ['Dataset hash', d.dataset_hash ?? NOT_AVAILABLE],
        ['Preview / final hash', `${d.preview_hash ?? NOT_AVAILABLE} / ${d.final_hash ?? NOT_AVAILABLE}`],
      ]),
    ),
  );
  const th = cert.policy.thresholds;
  blocks.push(
    details(
      'Policy',
      kv([
        ['Tier / profile', `${cert.policy.tier} / ${cert.policy.profile}`],
        ['Ratio limit + hysteresis', `${formatLimit(th.primary_metric.ratio_limit)} + ${formatLimit(th.primary_metric.hysteresis)}`],
        ['Floors (tokens, windows)', `${formatCount(th.primary_metric.token_floor)}, ${th.primary_metric.window_floor_preview}/${th.primary_metric.window_floor_final} (${th.primary_metric.floors})`],
        ['Bootstrap', `${th.bootstrap.method}, ${th.bootstrap.replicates} replicates, α ${formatLimit(th.bootstrap.alpha)}`],
        ['Drift band', formatInterval(th.drift_band, formatLimit)],
        ['Spectral deadband / max caps', `${formatLimit(th.spectral.deadband)} / ${th.spectral.max_caps} (${th.spectral.mode})`],
        ['RMT ε (attn, ffn, embed, other)', `${[th.rmt.epsilon.attn, th.rmt.epsilon.ffn, th.rmt.epsilon.embed, th.rmt.epsilon.other].map(formatLimit).join(', ')} (${th.rmt.mode})`],
        ['Guard overhead limit', formatLimit(th.guard_overhead.limit)],
        ['Policy digest', cert.policy_digest],
      ]),
    ),
  );
  const p = cert.provenance;
  blocks.push(
    details(
      'Provenance',
      kv([
        ['invarlock / Node.js / onnxruntime', `${p.tool.version} / ${p.node_version} / ${p.onnxruntime_version ?? NOT_AVAILABLE}`],
        ['Execution provider / device', `${p.execution_provider} / ${p.device.kind}${p.device.name === null ? '' : ` ${p.device.name}`}${p.device.memory_bytes === null ? '' : ` (${formatBytes(p.device.memory_bytes)})`}`],
        ['Driver', p.device.driver ?? NOT_AVAILABLE],
        ['Platform', `${p.platform.os} / ${p.platform.arch}`],
        ['Runtime image', p.container === null ? 'host (no container)' : `${p.container.image} ${p.container.digest}`],
        ['Seeds', `run ${p.seeds.run}, window draw ${p.seeds.window_draw}, bootstrap ${p.seeds.bootstrap}, MLM ${p.seeds.mlm_mask}, variance ${p.seeds.variance}`],
        ['Config digest', p.config_digest],
        ['Timing', `${cert.timing.started_at} → ${cert.timing.finished_at} (${formatDuration(cert.timing.duration_ms)})`],
      ]),
    ),
  );
  return blocks.join('\n');
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --pass: #1a7f37; --warn: #9a6700; --fail: #cf222e; --error: #8250df; --skipped: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #f6f8fa; }
main { max-width: 1160px; margin: 0 auto; padding: 24px; }
header.verdict { background: #fff; border: 1px solid var(--line); border-left: 8px solid var(--muted); border-radius: 8px; padding: 12px 20px; margin-bottom: 16px; }
header.pass { border-left-color: var(--pass); } header.warn { border-left-color: var(--warn); } header.fail { border-left-color: var(--fail); } header.error { border-left-color: var(--error); }
.badge { margin: 0; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; } .pair { margin: 0 0 6px; color: var(--muted); }
h1 { font-size: 20px; margin: 4px 0 8px; word-break: break-word; }
h2 { font-size: 16px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 20px; margin-bottom: 16px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #f6f8fa; font-weight: 600; }
table.kv td:first-child { width: 32%; color: var(--muted); }
.status.pass { color: var(--pass); } .status.warn { color: var(--warn); } .status.fail { color: var(--fail); } .status.error { color: var(--error); } .status.not_evaluated, .status.skipped { color: var(--muted); }
.note { color: var(--muted); margin: 4px 0; }
.reasons { margin: 4px 0; padding-left: 20px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: 1px 4px; border-radius: 4px; word-break: break-all; }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
.plot-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(500px, 1fr)); gap: 12px; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: 12px; }
svg { max-width: 100%; height: auto; background: #fff; }
svg .plot-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg .axis { stroke: #57606a; stroke-width: 1; } svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .tick, svg .axis-label, svg .mark-label { font-size: 11px; fill: #57606a; } svg .empty { font-size: 13px; fill: #57606a; }
svg .bar { fill: #8c959f; } svg .ci-band { fill: #54aeff; } svg .ci-over { fill: #cf222e; } svg .deadband { fill: #2da44e; opacity: 0.12; }
svg .mean-line { stroke: #0969da; stroke-width: 2; } svg .limit-line { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 5 3; }
svg .bar-baseline { fill: #8c959f; } svg .bar-subject { fill: #0969da; } svg .bar-over { fill: #cf222e; }
svg .dot { opacity: 0.75; } svg .cap { stroke: #1b1f24; stroke-width: 1; }
footer { color: var(--muted); font-size: 12px; padding: 8px 4px; }
`;
