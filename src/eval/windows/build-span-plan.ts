import { createHash } from 'node:crypto';
import { buildWindowPlan } from './build-window-plan.js';
import type { EvalWindow, TextCodec, WindowPlan } from './types.js';

/**
 * Text spans for a tokenizer-independent metric (`nll_per_byte`, ALGORITHMS.md §2): the window
 * plan of §2 cut from the documents' Unicode code points instead of a tokenizer's ids, so a window
 * is a span of text that every model tokenizes with its own tokenizer. Everything else is the
 * window plan's: documents joined by a newline into one stream, adjacent spans of `spanChars` code
 * points, exact duplicates dropped, the difficulty-stratified preview/final draw, and the hashes —
 * a span's hash is the sha256 of its code points, so pairing by window hash is pairing by text.
 */

/** The text a span plan's ids stand for: one id per Unicode code point. */
export const CODE_POINT_CODEC: TextCodec = {
  encode: (text) => Uint32Array.from(text, (c) => c.codePointAt(0)!),
  decode: (ids) => String.fromCodePoint(...ids),
};

/** Joins consecutive documents in the code-point stream (a newline, as paragraphs are). */
const SEPARATOR = 0x0a;

/** The `tokenizerHash` a span plan records: the codec's, not a model tokenizer's. */
export const CODE_POINT_CODEC_HASH = createHash('sha256').update('invarlock:unicode-code-points').digest('hex');

/** One span: its window (ids = code points, every one scored) and its text and UTF-8 size. */
export interface TextSpan {
  readonly window: EvalWindow;
  readonly text: string;
  /** UTF-8 bytes of `text`: the span's weight. */
  readonly bytes: number;
}

/** Options of {@link buildSpanPlan}. */
export interface SpanPlanOptions {
  /** Code points per span (≥ 1). */
  readonly spanChars: number;
  readonly previewN: number;
  readonly finalN: number;
  readonly rand: () => number;
}

/** A span plan: the window plan over code points, and each arm's spans in plan order. */
export interface SpanPlan {
  readonly plan: WindowPlan;
  readonly preview: readonly TextSpan[];
  readonly final: readonly TextSpan[];
}

/**
 * Builds the paired span plan. Same documents, options and random stream → identical spans and
 * hashes. @throws what `buildWindowPlan` throws (`E_WINDOW_CONFIG`, `E_INSUFFICIENT_DATA`, counted
 * in code points).
 */
export function buildSpanPlan(documents: readonly string[], options: SpanPlanOptions): SpanPlan {
  // `masked` layout: no framing, and position 0 is scored too, so a span's text is all of its window
  const plan = buildWindowPlan(documents, CODE_POINT_CODEC, {
    seqLen: options.spanChars,
    previewN: options.previewN,
    finalN: options.finalN,
    objective: 'masked',
    separatorId: SEPARATOR,
    rand: options.rand,
    tokenizerHash: CODE_POINT_CODEC_HASH,
  });
  return { plan, preview: plan.preview.map(spanOf), final: plan.final.map(spanOf) };
}

const encoder = new TextEncoder();

/** The span of a window: the text of its scored code points. */
export function spanOf(window: EvalWindow): TextSpan {
  const text = CODE_POINT_CODEC.decode(window.ids.subarray(window.scoreFrom, window.scoreFrom + window.scoredCount));
  return { window, text, bytes: encoder.encode(text).length };
}
