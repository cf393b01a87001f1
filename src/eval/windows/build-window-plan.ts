import { InvarlockError } from '../../errors/index.js';
import { byteNgramDifficulty } from './byte-ngram-difficulty.js';
import { countWindows, cutWindows, windowIds } from './cut-windows.js';
import { drawArms } from './stratified-draw.js';
import { buildTokenStream } from './token-stream.js';
import type { EvalWindow, TextCodec, WindowPlan, WindowPlanOptions } from './types.js';
import { hashArm, hashDataset } from './window-hashes.js';
import { resolveWindowLayout } from './window-layout.js';

function checkCount(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvarlockError('E_WINDOW_CONFIG', `${field} must be a positive integer, got ${value}`, { details: { field, actual: String(value) } });
  }
}

/**
 * Builds the paired evaluation windows of ALGORITHMS.md §2: tokenize every document once, join them
 * with `separatorId` into one stream, cut windows of `seqLen` tokens every `stride` stream tokens
 * (framed by `prefixIds`/`suffixIds`), drop windows whose ids repeat an earlier one, score each
 * window's difficulty (byte 4-gram cross-entropy of its decoded content, fitted on the whole pool),
 * and draw disjoint preview and final arms with {@link drawArms}. Same documents, tokenizer,
 * options and random stream → identical windows and hashes.
 *
 * Scored positions: see `scoredRange` (all content positions of the first window, the last `stride`
 * of later ones, never position 0 of a causal window); with `stride = contentLen` and no framing a
 * causal window scores `seqLen − 1` tokens.
 *
 * @throws `E_WINDOW_CONFIG` for inconsistent options; `E_INSUFFICIENT_DATA` when the text yields fewer
 *   distinct windows than previewN + finalN (details.possible, details.requested, details.streamTokens).
 */
export function buildWindowPlan(documents: readonly string[], codec: TextCodec, options: WindowPlanOptions): WindowPlan {
  checkCount(options.previewN, 'previewN');
  checkCount(options.finalN, 'finalN');
  const layout = resolveWindowLayout(options);
  if (options.separatorId !== null && (!Number.isInteger(options.separatorId) || options.separatorId < 0)) {
    throw new InvarlockError('E_WINDOW_CONFIG', `separatorId must be a token id or null, got ${options.separatorId}`, {
      details: { field: 'separatorId', actual: String(options.separatorId) },
    });
  }

  const t0 = performance.now();
  const stream = buildTokenStream(documents, codec, options.separatorId);
  const t1 = performance.now();
  const { candidates, duplicatesRemoved } = cutWindows(stream.ids, layout);
  const requested = options.previewN + options.finalN;
  if (candidates.length < requested) {
    throw new InvarlockError(
      'E_INSUFFICIENT_DATA',
      `The dataset gives ${candidates.length} distinct windows of ${layout.seqLen} tokens (stride ${layout.stride}), but ${requested} are needed (${options.previewN} preview + ${options.finalN} final)`,
      {
        details: {
          possible: candidates.length,
          requested,
          streamTokens: stream.ids.length,
          documents: stream.documentStarts.length,
          windowsBeforeDedupe: countWindows(stream.ids.length, layout),
          duplicatesRemoved,
        },
        hint: `Lower preview_n/final_n or seq_len, use a smaller stride, or supply more text (about ${(requested - 1) * layout.stride + layout.contentLen} stream tokens are needed).`,
      },
    );
  }

  const encoder = new TextEncoder();
  const difficulties = byteNgramDifficulty(
    candidates.map((c) => encoder.encode(codec.decode(stream.ids.subarray(c.start, c.start + layout.contentLen)))),
  );
  const t2 = performance.now();
  const draw = drawArms(difficulties, { previewN: options.previewN, finalN: options.finalN, rand: options.rand });
  const materialise = (poolIndex: number): EvalWindow => {
    const c = candidates[poolIndex];
    if (c === undefined) throw new InvarlockError('E_INTERNAL', `The draw chose candidate ${poolIndex} of ${candidates.length}`);
    return {
      id: `w${c.start}`,
      start: c.start,
      ids: windowIds(stream.ids, layout, c.start),
      scoreFrom: c.scoreFrom,
      scoredCount: c.scoredCount,
      difficulty: difficulties[poolIndex] ?? 0,
      hash: c.hash,
    };
  };
  const preview = draw.preview.map(materialise);
  const final = draw.final.map(materialise);
  const t3 = performance.now();

  const previewHash = hashArm(preview.map((w) => w.hash));
  const finalHash = hashArm(final.map((w) => w.hash));
  const scored = (arm: readonly EvalWindow[]): number => arm.reduce((sum, w) => sum + w.scoredCount, 0);
  return {
    kind: 'windows',
    objective: layout.objective,
    seqLen: layout.seqLen,
    stride: layout.stride,
    contentLen: layout.contentLen,
    preview,
    final,
    hashes: { preview: previewHash, final: finalHash, dataset: hashDataset(previewHash, finalHash), tokenizer: options.tokenizerHash },
    counts: {
      documents: stream.documentStarts.length,
      streamTokens: stream.ids.length,
      candidates: candidates.length,
      duplicatesRemoved,
      preview: preview.length,
      final: final.length,
    },
    scoredTokens: { preview: scored(preview), final: scored(final) },
    balance: draw.balance,
    timingsMs: { tokenize: t1 - t0, difficulty: t2 - t1, draw: t3 - t2 },
  };
}
