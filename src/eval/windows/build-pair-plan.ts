import { InvarlockError } from '../../errors/index.js';
import { byteNgramDifficulty } from './byte-ngram-difficulty.js';
import { drawArms } from './stratified-draw.js';
import type { Framing, PairExample, PairInput, PairPlan, PairPlanOptions, TextCodec } from './types.js';
import { hashArm, hashDataset, hashWindowIds } from './window-hashes.js';

function configError(message: string, field: string, actual: unknown): InvarlockError {
  return new InvarlockError('E_WINDOW_CONFIG', message, { details: { field, actual: String(actual) } });
}

/** `framing.prefix` + text ids cut to fit `maxTokens` + `framing.suffix`: the head is kept, and so is the framing. */
function framed(text: Uint32Array, framing: Framing, maxTokens: number): { ids: Uint32Array; truncated: boolean } {
  const room = maxTokens - framing.prefix.length - framing.suffix.length;
  const kept = Math.min(text.length, room);
  const ids = new Uint32Array(framing.prefix.length + kept + framing.suffix.length);
  ids.set(framing.prefix, 0);
  ids.set(text.subarray(0, kept), framing.prefix.length);
  ids.set(framing.suffix, framing.prefix.length + kept);
  return { ids, truncated: text.length > room };
}

/**
 * The paired preview/final split of source/target pairs for seq2seq perplexity (ALGORITHMS.md §2–3,
 * teacher forcing): each pair is encoded once — the source framed as the tokenizer frames one
 * sequence and cut to `maxSourceTokens`, the target likewise to `maxTargetTokens` (heads kept,
 * framing kept, so a cut target still ends in its end-of-sequence token) — the labels are the framed
 * target and the decoder input is `decoderStartId` followed by the labels but the last. Pairs whose
 * ids repeat an earlier pair are dropped, and the same stratified draw as windows ({@link drawArms},
 * difficulty = byte 4-gram cross-entropy of source and target text) picks disjoint arms. Arms list
 * pairs in dataset order; ids are `p<index>`.
 *
 * @throws `E_WINDOW_CONFIG` for bad counts or limits that leave no room for text;
 *   `E_INSUFFICIENT_DATA` when fewer distinct pairs than previewN + finalN exist (details.possible).
 */
export function buildPairPlan(pairs: readonly PairInput[], codec: Pick<TextCodec, 'encode'>, options: PairPlanOptions): PairPlan {
  for (const field of ['previewN', 'finalN', 'maxSourceTokens', 'maxTargetTokens'] as const) {
    const value = options[field];
    if (!Number.isInteger(value) || value < 1) throw configError(`${field} must be a positive integer, got ${value}`, field, value);
  }
  const sourceFrame = options.sourceFraming.prefix.length + options.sourceFraming.suffix.length;
  const targetFrame = options.targetFraming.prefix.length + options.targetFraming.suffix.length;
  if (options.maxSourceTokens <= sourceFrame) throw configError(`maxSourceTokens ${options.maxSourceTokens} leaves no room for source text after framing`, 'maxSourceTokens', options.maxSourceTokens);
  if (options.maxTargetTokens <= targetFrame) throw configError(`maxTargetTokens ${options.maxTargetTokens} leaves no room for target text after framing`, 'maxTargetTokens', options.maxTargetTokens);

  const seen = new Set<string>();
  const pool: { pair: PairInput; source: Uint32Array; labels: Uint32Array; hash: string; truncated: { source: boolean; target: boolean } }[] = [];
  let duplicatesRemoved = 0;
  let sourceTruncated = 0;
  let targetTruncated = 0;
  for (const pair of pairs) {
    const source = framed(codec.encode(pair.source), options.sourceFraming, options.maxSourceTokens);
    const target = framed(codec.encode(pair.target), options.targetFraming, options.maxTargetTokens);
    // one hash over both sides: 0xFFFFFFFF cannot be a token id, so it separates them unambiguously
    const joined = new Uint32Array(source.ids.length + 1 + target.ids.length);
    joined.set(source.ids, 0);
    joined[source.ids.length] = 0xffffffff;
    joined.set(target.ids, source.ids.length + 1);
    const hash = hashWindowIds(joined);
    if (seen.has(hash)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(hash);
    if (source.truncated) sourceTruncated++;
    if (target.truncated) targetTruncated++;
    pool.push({ pair, source: source.ids, labels: target.ids, hash, truncated: { source: source.truncated, target: target.truncated } });
  }
  const requested = options.previewN + options.finalN;
  if (pool.length < requested) {
    throw new InvarlockError('E_INSUFFICIENT_DATA', `The dataset gives ${pool.length} distinct source/target pairs, but ${requested} are needed (${options.previewN} preview + ${options.finalN} final)`, {
      details: { possible: pool.length, requested, examples: pairs.length, duplicatesRemoved },
      hint: 'Lower preview_n/final_n or supply more pairs.',
    });
  }
  const encoder = new TextEncoder();
  const difficulties = byteNgramDifficulty(pool.map((entry) => encoder.encode(`${entry.pair.source}\n${entry.pair.target}`)));
  const draw = drawArms(difficulties, { previewN: options.previewN, finalN: options.finalN, rand: options.rand });
  const toExample = (poolIndex: number): PairExample => {
    const entry = pool[poolIndex];
    if (entry === undefined) throw new InvarlockError('E_INTERNAL', `The draw chose pair ${poolIndex} of ${pool.length}`);
    const decoderIds = new Uint32Array(entry.labels.length);
    decoderIds[0] = options.decoderStartId;
    decoderIds.set(entry.labels.subarray(0, entry.labels.length - 1), 1);
    return {
      id: `p${entry.pair.index}`,
      index: entry.pair.index,
      sourceIds: entry.source,
      decoderIds,
      labels: entry.labels,
      ids: entry.labels,
      truncated: entry.truncated,
      difficulty: difficulties[poolIndex] ?? 0,
      hash: entry.hash,
    };
  };
  const preview = draw.preview.map(toExample);
  const final = draw.final.map(toExample);
  const previewHash = hashArm(preview.map((e) => e.hash));
  const finalHash = hashArm(final.map((e) => e.hash));
  const tokens = (arm: readonly PairExample[]) => arm.reduce((sum, e) => sum + e.labels.length, 0);
  return {
    kind: 'pairs',
    preview,
    final,
    hashes: { preview: previewHash, final: finalHash, dataset: hashDataset(previewHash, finalHash), tokenizer: options.tokenizerHash },
    counts: { pairs: pairs.length, candidates: pool.length, duplicatesRemoved, preview: preview.length, final: final.length },
    truncation: { sourceMaxTokens: options.maxSourceTokens, targetMaxTokens: options.maxTargetTokens, sourceTruncated, targetTruncated },
    scoredTokens: { preview: tokens(preview), final: tokens(final) },
    balance: draw.balance,
  };
}
