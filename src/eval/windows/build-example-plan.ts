import { InvarlockError } from '../../errors/index.js';
import { byteNgramDifficulty } from './byte-ngram-difficulty.js';
import { drawArms } from './stratified-draw.js';
import type { EvalExample, ExampleInput, ExamplePlan, ExamplePlanOptions, TextCodec } from './types.js';
import { hashArm, hashDataset, hashWindowIds } from './window-hashes.js';

function configError(message: string, field: string, actual: unknown): InvarlockError {
  return new InvarlockError('E_WINDOW_CONFIG', message, { details: { field, actual: String(actual) } });
}

/**
 * The paired preview/final split of labelled examples for accuracy: each example is encoded once
 * (`prefixIds` + text ids truncated to fit `maxTokens` + `suffixIds`), examples whose ids repeat an
 * earlier one are dropped, and the same stratified draw as windows ({@link drawArms}, difficulty =
 * byte 4-gram cross-entropy of the example text) picks disjoint arms. Arms list examples in dataset
 * order; ids are `e<index>`.
 *
 * @throws `E_WINDOW_CONFIG` for bad counts or a `maxTokens` that leaves no room for text;
 *   `E_INSUFFICIENT_DATA` when fewer distinct examples than previewN + finalN exist (details.possible).
 */
export function buildExamplePlan(examples: readonly ExampleInput[], codec: Pick<TextCodec, 'encode'>, options: ExamplePlanOptions): ExamplePlan {
  for (const field of ['previewN', 'finalN', 'maxTokens'] as const) {
    const value = options[field];
    if (!Number.isInteger(value) || value < 1) throw configError(`${field} must be a positive integer, got ${value}`, field, value);
  }
  const prefix = Uint32Array.from(options.prefixIds ?? []);
  const suffix = Uint32Array.from(options.suffixIds ?? []);
  const room = options.maxTokens - prefix.length - suffix.length;
  if (room < 1) throw configError(`maxTokens ${options.maxTokens} leaves no room for text after framing`, 'maxTokens', options.maxTokens);

  const seen = new Set<string>();
  const pool: { example: ExampleInput; ids: Uint32Array; hash: string; truncated: boolean }[] = [];
  let duplicatesRemoved = 0;
  let truncatedCount = 0;
  for (const example of examples) {
    const text = codec.encode(example.text);
    const truncated = text.length > room;
    const ids = new Uint32Array(prefix.length + Math.min(text.length, room) + suffix.length);
    ids.set(prefix, 0);
    ids.set(text.subarray(0, room), prefix.length);
    ids.set(suffix, ids.length - suffix.length);
    const hash = hashWindowIds(ids);
    if (seen.has(hash)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(hash);
    if (truncated) truncatedCount++;
    pool.push({ example, ids, hash, truncated });
  }
  const requested = options.previewN + options.finalN;
  if (pool.length < requested) {
    throw new InvarlockError('E_INSUFFICIENT_DATA', `The dataset gives ${pool.length} distinct examples, but ${requested} are needed (${options.previewN} preview + ${options.finalN} final)`, {
      details: { possible: pool.length, requested, examples: examples.length, duplicatesRemoved },
      hint: 'Lower preview_n/final_n or supply more labelled examples.',
    });
  }
  const encoder = new TextEncoder();
  const difficulties = byteNgramDifficulty(pool.map((entry) => encoder.encode(entry.example.text)));
  const draw = drawArms(difficulties, { previewN: options.previewN, finalN: options.finalN, rand: options.rand });
  const toExample = (poolIndex: number): EvalExample => {
    const entry = pool[poolIndex];
    if (entry === undefined) throw new InvarlockError('E_INTERNAL', `The draw chose example ${poolIndex} of ${pool.length}`);
    return {
      id: `e${entry.example.index}`,
      index: entry.example.index,
      ids: entry.ids,
      label: entry.example.label,
      truncated: entry.truncated,
      difficulty: difficulties[poolIndex] ?? 0,
      hash: entry.hash,
    };
  };
  const preview = draw.preview.map(toExample);
  const final = draw.final.map(toExample);
  const previewHash = hashArm(preview.map((e) => e.hash));
  const finalHash = hashArm(final.map((e) => e.hash));
  return {
    kind: 'examples',
    preview,
    final,
    hashes: { preview: previewHash, final: finalHash, dataset: hashDataset(previewHash, finalHash), tokenizer: options.tokenizerHash },
    counts: { examples: examples.length, candidates: pool.length, duplicatesRemoved, truncated: truncatedCount, preview: preview.length, final: final.length },
    balance: draw.balance,
  };
}
