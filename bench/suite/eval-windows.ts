/**
 * The evaluation windows every scoring mode gets: consecutive `seqLen`-token windows of WikiText-2
 * validation text, tokenized with the model's own tokenizer. Each window scores positions 1…seqLen−1
 * (the token at t is predicted from ids[..t−1]), as the scorer's `ScoredSequence` says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedTokenizer } from '../../src/adapters/index.js';
import type { ScoredSequence } from '../../src/eval/index.js';
import { REPO_ROOT } from './child-process.js';

/** The shared evaluation text (the project's copy lives beside the checkout, never inside it). */
export const EVAL_TEXT = join(REPO_ROOT, '..', 'shared', 'data', 'wikitext-2', 'valid.txt');

/** Options of {@link benchWindows}. */
export interface BenchWindowOptions {
  readonly count: number;
  readonly seqLen: number;
}

/** `count` windows of `seqLen` tokens from the start of the validation text. */
export function benchWindows(tokenizer: LoadedTokenizer, options: BenchWindowOptions): ScoredSequence[] {
  const text = readFileSync(EVAL_TEXT, 'utf8');
  const needed = options.count * options.seqLen;
  let chars = 16_384;
  let ids: Uint32Array = new Uint32Array(0);
  // tokenize a growing prefix: tokens per character depends on the tokenizer's vocabulary
  while (ids.length < needed) {
    if (chars > text.length * 2) throw new Error(`${EVAL_TEXT} holds fewer than ${needed} tokens`);
    ids = tokenizer.encode(text.slice(0, chars), { specialTokens: 'skip' });
    chars *= 2;
  }
  return Array.from({ length: options.count }, (_, i) => ({
    id: `w${i}`,
    ids: ids.slice(i * options.seqLen, (i + 1) * options.seqLen),
    scoreFrom: 1,
    scoredCount: options.seqLen - 1,
  }));
}
