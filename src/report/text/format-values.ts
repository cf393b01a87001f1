/**
 * Number and identity formatting shared by the markdown, HTML and plain-text renderers. Pure:
 * every function returns a string and never throws on odd input (null prints as `n/a`).
 */
import type { TruncationBlock } from '../certificate/certificate-types.js';

import type { Certificate } from '../certificate/certificate-types.js';

/** Printed for a value that is null (not computed; the certificate says why). @internal */
export const NOT_AVAILABLE = 'n/a';

/** A ratio to 3 decimals (`1.012`). @internal */
export function formatRatio(value: number | null): string {
  return value === null ? NOT_AVAILABLE : value.toFixed(3);
}

/** `digits` decimals with a true minus sign (`−0.25`), so signed columns align with {@link formatSigned}. @internal */
export function formatFixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.startsWith('-') ? (Number(text) === 0 ? text.slice(1) : `−${text.slice(1)}`) : text;
}

/** `[low, high]` with the given formatter (3 decimals by default). @internal */
export function formatInterval(interval: readonly [number, number] | null, format: (value: number) => string = (v) => formatFixed(v, 3)): string {
  return interval === null ? NOT_AVAILABLE : `[${format(interval[0])}, ${format(interval[1])}]`;
}

/**
 * A threshold with at least two decimals and as many more as it needs (up to 6): 1.1 → `1.10`,
 * 1.05 → `1.05`, 0.002 → `0.002`.
 * @internal
 */
export function formatLimit(value: number): string {
  for (let digits = 2; digits <= 6; digits += 1) {
    if (Number(value.toFixed(digits)) === value) return formatFixed(value, digits);
  }
  return formatNumber(value);
}

/** A general measurement to 4 significant digits, without exponent for ordinary magnitudes. @internal */
export function formatNumber(value: number | null): string {
  if (value === null) return NOT_AVAILABLE;
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  if (magnitude >= 1e-4 && magnitude < 1e9) {
    const text = magnitude.toPrecision(4);
    return sign + (text.includes('e') ? String(Number(text)) : stripZeros(text));
  }
  return sign + magnitude.toExponential(3);
}

/** A value with an explicit sign (`+0.013`, `−0.004`; zero unsigned), `digits` decimals. @internal */
export function formatSigned(value: number | null, digits = 3): string {
  if (value === null) return NOT_AVAILABLE;
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** Percentage points with sign and 2 decimals (`−0.40 pp`). @internal */
export function formatPoints(value: number | null): string {
  return value === null ? NOT_AVAILABLE : `${formatSigned(value, 2)} pp`;
}

/** `×1.012 [1.004, 1.021]`, or `n/a` when the ratio was not computed. @internal */
export function formatRatioWithCi(ratio: number | null, ci: readonly [number, number] | null): string {
  if (ratio === null) return NOT_AVAILABLE;
  return ci === null ? `×${formatRatio(ratio)}` : `×${formatRatio(ratio)} ${formatInterval(ci)}`;
}

/** `−0.40 pp [−0.90, 0.10]`, or `n/a` when the change was not computed. @internal */
export function formatPointsWithCi(points: number | null, ci: readonly [number, number] | null): string {
  if (points === null) return NOT_AVAILABLE;
  return ci === null ? formatPoints(points) : `${formatPoints(points)} ${formatInterval(ci, (x) => formatFixed(x, 2))}`;
}

/** An integer with thin grouping (`50,000`). @internal */
export function formatCount(value: number | null): string {
  return value === null ? NOT_AVAILABLE : value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** A truncation rule in words: `source ≤ 128 tokens (3 cut), target ≤ 64 tokens (0 cut); a longer text keeps its head`. @internal */
export function formatTruncation(truncation: TruncationBlock | null): string | null {
  if (truncation === null) return null;
  const fields = truncation.fields.map((f) => `${f.field} ≤ ${formatCount(f.max_tokens)} tokens (${formatCount(f.truncated)} cut)`);
  return `${fields.join(', ')}; a longer text keeps its head and its framing`;
}

/** The first 12 hex digits of a sha256 (or the `sha256:` digest form), enough to compare by eye. @internal */
export function shortHash(value: string | null): string {
  if (value === null) return NOT_AVAILABLE;
  const hex = value.startsWith('sha256:') ? value.slice(7) : value;
  return hex.slice(0, 12);
}

/** Milliseconds as `850 ms`, `12.3 s` or `4 min 05 s`. @internal */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
}

/** A byte count as `1.5 GiB` (binary units). @internal */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return NOT_AVAILABLE;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * `value` to 3 decimals, or as many more (up to 6) as it takes for the printed number to sit on the
 * same side of `bound` as the value itself, so `1.1021 > 1.102` never prints as `1.102 > 1.102`.
 * @internal
 */
export function formatAgainst(value: number, bound: number): string {
  for (let digits = 3; digits < 6; digits += 1) {
    const shown = Number(value.toFixed(digits));
    if (value > bound ? shown > bound : value < bound ? shown < bound : true) return formatFixed(value, digits);
  }
  return formatFixed(value, 6);
}

/**
 * `text` shortened to at most `maxChars` code points, ending in `…`. A cut falls between words (at
 * the last space in the second half of the kept text, trailing punctuation dropped), so a sentence
 * never ends mid-word; a text with no space there (a module name, a path) is cut where it must be.
 * Never splits a surrogate pair.
 */
export function shortenText(text: string, maxChars: number): string {
  const points = Array.from(text);
  if (points.length <= maxChars) return text;
  const kept = points.slice(0, Math.max(0, maxChars - 1));
  // the space just past the kept text counts too: the cut may fall right at a word's end
  const space = points[kept.length] === ' ' ? kept.length : kept.lastIndexOf(' ');
  const head = space >= kept.length / 2 ? kept.slice(0, space).join('').replace(/[\s,;:(–—-]+$/u, '') : kept.join('');
  return `${head}…`;
}

/**
 * The one line a report gives early stopping: where the run stopped and why, or that it ran every
 * look; null without sequential looks. `stopped at look 2 of 4: 96 of 192 windows, upper bound
 * 1.012 ≤ 1.102 (limit + hysteresis)`.
 * @internal
 */
export function formatSequentialLine(s: Certificate['sequential']): string | null {
  if (s === null) return null;
  const of = `${s.planned.looks}`;
  const last = s.looks[s.looks.length - 1];
  const bound = formatLimit(s.bound);
  if (last === undefined) return `Sequential looks (${of} planned): none taken, no final window was scored.`;
  const windows = `${formatCount(last.windows)} of ${formatCount(s.planned.windows)} windows`;
  const [low, high] = last.ratio_ci;
  const why =
    last.decision === 'pass'
      ? `upper bound ${formatAgainst(high, s.bound)} ≤ ${bound}`
      : last.decision === 'fail'
        ? s.stopped_at === null
          ? `upper bound ${formatAgainst(high, s.bound)} > ${bound}`
          : `lower bound ${formatAgainst(low, s.bound)} > ${bound}`
        : `interval [${formatAgainst(low, s.bound)}, ${formatAgainst(high, s.bound)}] contains ${bound}`;
  if (s.stopped_at !== null) return `Stopped at look ${s.stopped_at} of ${of}: ${windows}, ${why} (limit + hysteresis), ${formatCount(s.windows_saved)} windows saved.`;
  return `Ran all ${of} sequential looks: ${windows}, no interim look resolved the gate; last look ${why} (limit + hysteresis).`;
}
