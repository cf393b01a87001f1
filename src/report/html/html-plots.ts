import { THRESHOLD_FAMILY, WEIGHT_FAMILIES } from '../../adapters/index.js';
import type { Certificate, Family } from '../certificate/certificate-types.js';
import { gateDeltaScale } from '../derive/span-metric.js';
import { formatLimit, formatNumber } from '../text/format-values.js';

/**
 * Inline SVG plots for the HTML report. Pure string builders: no DOM, no external fetches, every
 * text node escaped. Coordinates are rounded to 0.1 px so the output is stable across platforms.
 */

/** Escapes text for HTML element content and double-quoted attribute values. @internal */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c as keyof typeof HTML_ENTITIES]);
}

const HTML_ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' } as const;

/** Colours per family, readable on white and in grey-scale print. @internal */
export const FAMILY_COLORS = { attn: '#1f77b4', cross_attn: '#9467bd', ffn: '#d62728', experts: '#ff7f0e', embed: '#2ca02c', other: '#7f7f7f' } as const satisfies Record<Family, string>;

const WIDTH = 560;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 40, bottom: 44 } as const;

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly at: (value: number) => number;
}

function px(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function linearScale(min: number, max: number, from: number, to: number): Scale {
  const span = max - min || 1;
  return { min, max, at: (v) => from + ((v - min) / span) * (to - from) };
}

/** About `count` round tick values covering [min, max]. @internal */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function frame(title: string, body: string, xLabel: string, yLabel: string, description: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`,
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>`,
    `<text x="${PAD.left}" y="16" class="plot-title">${escapeHtml(title)}</text>`,
    body,
    `<text x="${px((PAD.left + WIDTH - PAD.right) / 2)}" y="${HEIGHT - 6}" text-anchor="middle" class="axis-label">${escapeHtml(xLabel)}</text>`,
    `<text transform="translate(14 ${px((PAD.top + HEIGHT - PAD.bottom) / 2)}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeHtml(yLabel)}</text>`,
    '</svg>',
  ].join('\n');
}

function axes(x: Scale, y: Scale, xTicks: readonly number[], yTicks: readonly number[], xFormat: (v: number) => string): string {
  const parts: string[] = [];
  const bottom = HEIGHT - PAD.bottom;
  parts.push(`<line x1="${PAD.left}" y1="${bottom}" x2="${WIDTH - PAD.right}" y2="${bottom}" class="axis"/>`);
  parts.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}" class="axis"/>`);
  for (const t of xTicks) {
    const cx = px(x.at(t));
    parts.push(`<line x1="${cx}" y1="${bottom}" x2="${cx}" y2="${bottom + 4}" class="axis"/><text x="${cx}" y="${bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(xFormat(t))}</text>`);
  }
  for (const t of yTicks) {
    const cy = px(y.at(t));
    parts.push(`<line x1="${PAD.left - 4}" y1="${cy}" x2="${WIDTH - PAD.right}" y2="${cy}" class="grid"/><text x="${PAD.left - 6}" y="${cy}" dy="4" text-anchor="end" class="tick">${escapeHtml(formatNumber(t))}</text>`);
  }
  return parts.join('\n');
}

function emptyPlot(title: string, message: string): string {
  return frame(title, `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" class="empty">${escapeHtml(message)}</text>`, '', '', message);
}

/**
 * Histogram of the per-window Δ on the final windows (points for accuracy), the gate's limit marked
 * on the same scale (ln(L + hysteresis) for perplexity kinds; the Δ limit in points for accuracy),
 * the mean drawn, and the bootstrap CI of the mean as a bar above the histogram whose part beyond
 * the limit is drawn in the failure colour, so a reader sees at once how much of the interval is
 * out of bounds. Bins span the data only: when the axis widens to reach the limit, bars keep their
 * width on the axis scale instead of stretching into a few coarse bins.
 * @internal
 */
export function deltaHistogramSvg(cert: Certificate): string {
  const pm = cert.primary_metric;
  const isAccuracy = pm.kind === 'accuracy';
  // A run stopped after the preview arm has no final windows: show the preview arm against the
  // catastrophe limit instead, which is what stopped it.
  const previewOnly = cert.windows.final.delta.length === 0 && cert.windows.preview.delta.length > 0 && !isAccuracy;
  const title = previewOnly ? 'Per-window Δ (preview windows; no final arm)' : 'Per-window Δ (final windows)';
  // nll_per_byte records Δ per byte; the mean, CI and limit are per baseline token (× k)
  const scale = gateDeltaScale(cert);
  const recorded = previewOnly ? cert.windows.preview.delta : cert.windows.final.delta;
  const values = scale === 1 ? recorded : recorded.map((d) => d * scale);
  if (values.length === 0) return emptyPlot(title, 'No final windows were scored.');
  const catastrophe = cert.policy.thresholds.catastrophe_ratio;
  const limit = isAccuracy ? pm.limit : Math.log(previewOnly ? catastrophe : pm.limit + pm.hysteresis);
  const ci = previewOnly ? null : pm.delta_ci;
  const mean = previewOnly ? pm.preview_delta_mean : pm.delta_mean;
  const dataLo = values.reduce((a, b) => Math.min(a, b));
  const dataHi = values.reduce((a, b) => Math.max(a, b));
  const marks = [limit, ...(ci === null ? [] : ci), ...(mean === null ? [] : [mean])];
  let lo = marks.reduce((a, b) => Math.min(a, b), dataLo);
  let hi = marks.reduce((a, b) => Math.max(a, b), dataHi);
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.04;
  lo -= pad;
  hi += pad;
  const bins = Math.min(40, Math.max(8, Math.ceil(Math.sqrt(values.length))));
  // Bin width from the data's own spread; a single repeated value gets one bar 1/80 of the axis wide.
  const width = dataHi > dataLo ? (dataHi - dataLo) / bins : (hi - lo) / 80;
  const binStart = dataHi > dataLo ? dataLo : dataLo - width / 2;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - binStart) / width)))] += 1;
  const top = counts.reduce((a, b) => Math.max(a, b), 1);
  const x = linearScale(lo, hi, PAD.left, WIDTH - PAD.right);
  const y = linearScale(0, top, HEIGHT - PAD.bottom, PAD.top + CI_STRIP);
  const parts: string[] = [axes(x, y, niceTicks(lo, hi, 6), niceTicks(0, top, 4), (v) => formatNumber(v))];
  counts.forEach((count, i) => {
    if (count === 0) return;
    const x0 = x.at(binStart + i * width);
    const x1 = x.at(binStart + (i + 1) * width);
    parts.push(`<rect x="${px(x0 + 0.5)}" y="${px(y.at(count))}" width="${px(Math.max(1, x1 - x0 - 1))}" height="${px(y.at(0) - y.at(count))}" class="bar"><title>${count} windows in [${escapeHtml(formatNumber(binStart + i * width))}, ${escapeHtml(formatNumber(binStart + (i + 1) * width))})</title></rect>`);
  });
  if (ci !== null) parts.push(ciBar(x, ci, limit, isAccuracy));
  if (mean !== null) parts.push(vertical(x.at(mean), 'mean-line', `weighted mean ${formatNumber(mean)}`));
  const limitText = isAccuracy
    ? `limit ${formatLimit(pm.limit)} pp`
    : previewOnly
      ? `catastrophe ln(${formatLimit(catastrophe)}) = ${formatNumber(limit)}`
      : `limit ln(${formatLimit(pm.limit + pm.hysteresis)}) = ${formatNumber(limit)}`;
  parts.push(vertical(x.at(limit), 'limit-line', limitText));
  parts.push(
    legendRow([
      ...(mean === null ? [] : [{ cls: 'mean-line', text: `mean ${formatNumber(mean)}`, kind: 'line' as const }]),
      ...(ci === null ? [] : [{ cls: 'ci-band', text: `CI [${formatNumber(ci[0])}, ${formatNumber(ci[1])}]`, kind: 'box' as const }]),
      { cls: 'limit-line', text: limitText, kind: 'line' as const },
    ]),
  );
  const xLabel = isAccuracy
    ? 'Δ correctness per example (points)'
    : pm.kind === 'nll_per_byte'
      ? 'Δ log-loss per window (subject − baseline, nats per byte × baseline bytes per token)'
      : 'Δ log-loss per window (subject − baseline, nats)';
  const desc = `Histogram of ${values.length} per-window differences; bar above it: bootstrap CI of the weighted mean (red where it crosses the limit); dashed line: the gate's limit.`;
  return frame(title, parts.join('\n'), xLabel, 'windows', desc);
}

/** Height in px kept free above the bars for the CI bar. */
const CI_STRIP = 18;

/**
 * The CI of the mean as a horizontal bar in the strip above the bars; the part on the failing side
 * of the limit (above it for log-loss, below it for accuracy points) gets class `ci-over`.
 */
function ciBar(x: Scale, ci: readonly [number, number], limit: number, isAccuracy: boolean): string {
  const yTop = PAD.top + 4;
  const height = CI_STRIP - 8;
  const rect = (from: number, to: number, cls: string, label: string): string =>
    `<rect x="${px(x.at(from))}" y="${yTop}" width="${px(Math.max(1, x.at(to) - x.at(from)))}" height="${height}" class="${cls}"><title>${escapeHtml(label)}</title></rect>`;
  const [low, high] = ci;
  const label = `CI of the mean: [${formatNumber(low)}, ${formatNumber(high)}]`;
  const inside = isAccuracy ? [Math.max(low, limit), high] : [low, Math.min(high, limit)];
  const outside = isAccuracy ? [low, Math.min(high, limit)] : [Math.max(low, limit), high];
  const out: string[] = [];
  if (inside[1]! > inside[0]! || (low === high && (isAccuracy ? low >= limit : low <= limit))) out.push(rect(inside[0]!, inside[1]!, 'ci-band', label));
  if (outside[1]! > outside[0]! || (low === high && !(isAccuracy ? low >= limit : low <= limit))) out.push(rect(outside[0]!, outside[1]!, 'ci-over', `${label}; beyond the limit: [${formatNumber(outside[0]!)}, ${formatNumber(outside[1]!)}]`));
  return out.join('\n');
}

function vertical(at: number, cls: string, label: string): string {
  const cx = px(at);
  return `<line x1="${cx}" y1="${PAD.top}" x2="${cx}" y2="${HEIGHT - PAD.bottom}" class="${cls}"><title>${escapeHtml(label)}</title></line>`;
}

/** A one-line legend right-aligned under the title: line or box swatches with their labels. */
function legendRow(items: readonly { readonly cls: string; readonly text: string; readonly kind: 'line' | 'box' }[]): string {
  // Labels are short; 6 px per character is a safe upper bound for the 11 px sans font.
  const widths = items.map((item) => 18 + item.text.length * 6);
  let x = WIDTH - PAD.right - widths.reduce((a, b) => a + b + 10, 0);
  return items
    .map((item, i) => {
      const swatch =
        item.kind === 'line'
          ? `<line x1="${px(x)}" y1="28" x2="${px(x + 14)}" y2="28" class="${item.cls}"/>`
          : `<rect x="${px(x)}" y="23" width="14" height="10" class="${item.cls}"/>`;
      const text = `<text x="${px(x + 18)}" y="32" class="tick">${escapeHtml(item.text)}</text>`;
      x += (widths[i] ?? 0) + 10;
      return swatch + text;
    })
    .join('\n');
}

/**
 * Per-layer spectral change ρ − 1 (σmax subject / baseline − 1) by family, with the deadband
 * shaded. Weights without a layer index (embeddings, lm_head) are drawn after the last layer, under `no layer`.
 * @internal
 */
export function spectralLayersSvg(cert: Certificate): string {
  const title = 'Spectral change per layer (ρ − 1)';
  const m = cert.guards.spectral.measurements;
  const points = (m?.modules ?? []).filter((p) => p.ratio !== null);
  if (m === null || points.length === 0) return emptyPlot(title, cert.guards.spectral.evaluated ? 'No weights with a finite ratio.' : `Spectral guard not evaluated${cert.guards.spectral.reason === null ? '' : `: ${cert.guards.spectral.reason}`}`);
  const layers = points.map((p) => p.layer).filter((l): l is number => l !== null);
  const maxLayer = layers.reduce((a, b) => Math.max(a, b), 0);
  const extra = maxLayer + 1;
  const deadband = cert.policy.thresholds.spectral.deadband;
  const changes = points.map((p) => (p.ratio ?? 1) - 1);
  const span = changes.reduce((a, b) => Math.max(a, Math.abs(b)), deadband) * 1.15 || 1;
  const x = linearScale(-0.5, extra + 0.5, PAD.left, WIDTH - PAD.right - 70);
  const y = linearScale(-span, span, HEIGHT - PAD.bottom, PAD.top);
  const xTicks = niceTicks(0, maxLayer, Math.min(maxLayer, 8)).filter((t) => Number.isInteger(t));
  const parts: string[] = [axes(x, y, xTicks, niceTicks(-span, span, 4), (v) => String(v))];
  parts.push(`<rect x="${px(x.at(-0.5))}" y="${px(y.at(deadband))}" width="${px(x.at(extra + 0.5) - x.at(-0.5))}" height="${px(y.at(-deadband) - y.at(deadband))}" class="deadband"><title>deadband ±${escapeHtml(formatLimit(deadband))}</title></rect>`);
  parts.push(`<text x="${px(x.at(extra))}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" class="tick">no layer</text>`);
  const families = WEIGHT_FAMILIES;
  const offsets = { attn: -0.25, cross_attn: -0.15, ffn: -0.05, experts: 0.05, embed: 0.15, other: 0.25 } as const satisfies Record<Family, number>;
  for (const p of points) {
    const change = (p.ratio ?? 1) - 1;
    const cx = x.at((p.layer ?? extra) + offsets[p.family]);
    const outside = Math.abs(change) > deadband;
    parts.push(`<circle cx="${px(cx)}" cy="${px(y.at(change))}" r="${outside ? 4 : 2.6}" fill="${FAMILY_COLORS[p.family]}" class="${outside ? 'cap' : 'dot'}"><title>${escapeHtml(`${p.module} (${p.family}): ρ ${formatNumber(p.ratio)}`)}</title></circle>`);
  }
  parts.push(legend(families.filter((f) => points.some((p) => p.family === f))));
  return frame(title, parts.join('\n'), 'layer', 'ρ − 1', `Each dot is one weight matrix; shaded band: deadband ±${formatLimit(deadband)}; larger dots are outside it.`);
}

/** RMT edge ratio r per family, baseline beside subject, with the (1 + ε)·baseline limit marked. @internal */
export function rmtFamiliesSvg(cert: Certificate): string {
  const title = 'RMT edge ratio by family';
  const m = cert.guards.rmt.measurements;
  const rows = (m?.families ?? []).filter((f) => f.baseline !== null || f.subject !== null);
  if (m === null || rows.length === 0) return emptyPlot(title, cert.guards.rmt.evaluated ? 'No family had activations to measure.' : `RMT guard not evaluated${cert.guards.rmt.reason === null ? '' : `: ${cert.guards.rmt.reason}`}`);
  const eps = cert.policy.thresholds.rmt.epsilon;
  const top = Math.max(...rows.flatMap((f) => [f.baseline ?? 0, f.subject ?? 0, (f.baseline ?? 0) * (1 + eps[THRESHOLD_FAMILY[f.family]])])) * 1.1 || 1;
  const slot = (WIDTH - PAD.left - PAD.right) / rows.length;
  const y = linearScale(0, top, HEIGHT - PAD.bottom, PAD.top);
  const x = linearScale(0, rows.length, PAD.left, WIDTH - PAD.right);
  const parts: string[] = [axes(x, y, [], niceTicks(0, top, 4), () => '')];
  rows.forEach((f, i) => {
    const left = PAD.left + i * slot;
    const barWidth = Math.min(48, slot * 0.3);
    const center = left + slot / 2;
    const bar = (value: number | null, offset: number, cls: string, who: string): string =>
      value === null
        ? ''
        : `<rect x="${px(center + offset)}" y="${px(y.at(value))}" width="${px(barWidth)}" height="${px(y.at(0) - y.at(value))}" class="${cls}"><title>${escapeHtml(`${f.family} ${who}: r ${formatNumber(value)}`)}</title></rect>`;
    parts.push(bar(f.baseline, -barWidth - 2, 'bar-baseline', 'baseline'));
    parts.push(bar(f.subject, 2, f.baseline !== null && f.subject !== null && f.baseline > 0 && f.subject > (1 + eps[THRESHOLD_FAMILY[f.family]]) * f.baseline ? 'bar-over' : 'bar-subject', 'subject'));
    if (f.baseline !== null && f.baseline > 0) {
      const ly = px(y.at(f.baseline * (1 + eps[THRESHOLD_FAMILY[f.family]])));
      parts.push(`<line x1="${px(center - barWidth - 6)}" y1="${ly}" x2="${px(center + barWidth + 6)}" y2="${ly}" class="limit-line"><title>${escapeHtml(`limit (1 + ${formatLimit(eps[THRESHOLD_FAMILY[f.family]])}) × baseline`)}</title></line>`);
    }
    parts.push(`<text x="${px(center)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(f.family)}</text>`);
  });
  parts.push(`<rect x="${WIDTH - PAD.right - 150}" y="${PAD.top - 2}" width="10" height="10" class="bar-baseline"/><text x="${WIDTH - PAD.right - 136}" y="${PAD.top + 7}" class="tick">baseline</text>`);
  parts.push(`<rect x="${WIDTH - PAD.right - 80}" y="${PAD.top - 2}" width="10" height="10" class="bar-subject"/><text x="${WIDTH - PAD.right - 66}" y="${PAD.top + 7}" class="tick">subject</text>`);
  return frame(title, parts.join('\n'), 'family', 'r = σ̂ / (√m + √n)', 'Bars: baseline and subject edge ratio per family; line: the stability limit (1 + ε) × baseline.');
}

function legend(families: readonly Family[]): string {
  return families
    .map((f, i) => {
      const ly = PAD.top + 8 + i * 16;
      return `<circle cx="${WIDTH - PAD.right - 58}" cy="${ly}" r="4" fill="${FAMILY_COLORS[f]}"/><text x="${WIDTH - PAD.right - 50}" y="${ly + 4}" class="tick">${f}</text>`;
    })
    .join('\n');
}
