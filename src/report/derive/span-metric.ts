import type { MetricKind, SpanTokens, WindowArm } from '../certificate/certificate-types.js';
import type { WindowArmInput } from '../types.js';

/**
 * The rules of the tokenizer-independent metric `nll_per_byte` (ALGORITHMS.md §4, "NLL per
 * byte"), shared by the builder, `verify` and the renderers: its windows are text spans that each
 * model tokenizes with its own tokenizer, their weights are the spans' UTF-8 bytes and their values
 * NLL per byte; the gates see the per-byte Δ scaled by the baseline's bytes per token, so a ratio
 * reads like a perplexity ratio and the perplexity limits apply unchanged.
 */

/** Whether each model scores the paired text with its own tokenizer, so a different tokenizer is expected, not a fault. */
export function ownTokenizers(kind: MetricKind): boolean {
  return kind === 'nll_per_byte';
}

/** The per-span token counts of an arm, when it records them. */
export function spanTokensOf(arm: WindowArmInput | WindowArm): SpanTokens | null {
  return 'tokens' in arm && arm.tokens !== undefined ? arm.tokens : null;
}

/**
 * k, the baseline's UTF-8 bytes per token on the preview spans: Σ bytes / Σ baseline tokens. Δ per
 * byte × k is Δ per baseline token, so exp(k · Δ̄) is the perplexity ratio the subject would have on
 * the baseline's tokens (exactly that ratio when both tokenizers agree). The preview arm sets it
 * because it is always scored before the catastrophe check reads a ratio (the final arm may be
 * skipped); NaN without tokens.
 */
export function bytesPerToken(bytes: ArrayLike<number>, baselineTokens: ArrayLike<number>): number {
  let b = 0;
  let t = 0;
  for (let i = 0; i < bytes.length; i++) b += bytes[i]!;
  for (let i = 0; i < baselineTokens.length; i++) t += baselineTokens[i]!;
  return t > 0 ? b / t : Number.NaN;
}

/** Bits per byte of one model on an arm: the byte-weighted mean NLL per byte over ln 2. */
export function bitsPerByte(values: readonly number[], bytes: readonly number[]): number {
  let nll = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    nll += values[i]! * bytes[i]!;
    total += bytes[i]!;
  }
  return nll / total / Math.LN2;
}

/** What the reports call a certificate's primary metric. */
export function metricName(kind: MetricKind): string {
  switch (kind) {
    case 'accuracy':
      return 'Accuracy';
    case 'ppl_mlm':
      return 'Pseudo-perplexity';
    case 'nll_per_byte':
      return 'NLL per byte (bits/byte)';
    default:
      return 'Perplexity';
  }
}

/**
 * The sentence the reports add under an `nll_per_byte` metric table: units, the scale k and both
 * tokenizations' sizes; empty for other kinds.
 */
export function spanMetricNote(cert: { readonly primary_metric: { readonly kind: MetricKind }; readonly windows: { readonly preview: WindowArm } }): string {
  const tokens = spanTokensOf(cert.windows.preview);
  if (!ownTokenizers(cert.primary_metric.kind) || tokens === null) return '';
  const k = bytesPerToken(cert.windows.preview.weights, tokens.baseline);
  const subject = bytesPerToken(cert.windows.preview.weights, tokens.subject);
  return ` Baseline and subject in bits per UTF-8 byte of the same text spans, each model with its own tokenizer; ratio = exp(k · Δ nats per byte), k = ${k.toFixed(3)} baseline bytes per token (subject: ${subject.toFixed(3)}).`;
}

/**
 * What turns a certificate's per-window Δ into the gates' units: k for `nll_per_byte` (its windows
 * record Δ per byte), 1 for every other kind.
 */
export function gateDeltaScale(cert: { readonly primary_metric: { readonly kind: MetricKind }; readonly windows: { readonly preview: WindowArm } }): number {
  const tokens = spanTokensOf(cert.windows.preview);
  return ownTokenizers(cert.primary_metric.kind) && tokens !== null ? bytesPerToken(cert.windows.preview.weights, tokens.baseline) : 1;
}
