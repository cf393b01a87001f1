import { InvarlockError } from '../../errors/index.js';
import type { LoadedTokenizer } from './types.js';

/**
 * Checks that every id the tokenizer can emit indexes a row of the model's embedding table
 * (`vocabRows` = its first dimension, or config.json `vocab_size`). Embedding tables padded beyond
 * the vocabulary (50304 rows for 50257 tokens) are fine.
 *
 * @throws `E_TOKENIZER_INVALID` with `details.maxId`, `details.token` and `details.vocabRows` when the
 *   largest id is ≥ `vocabRows`; `E_INTERNAL` when `vocabRows` is not a positive integer.
 */
export function assertIdsFitVocab(tokenizer: Pick<LoadedTokenizer, 'vocabSize' | 'idToToken' | 'source'>, vocabRows: number): void {
  if (!Number.isInteger(vocabRows) || vocabRows <= 0) {
    throw new InvarlockError('E_INTERNAL', `vocabRows must be a positive integer, got ${vocabRows}`);
  }
  const maxId = tokenizer.vocabSize - 1;
  if (maxId >= vocabRows) {
    throw new InvarlockError('E_TOKENIZER_INVALID', `The tokenizer in ${tokenizer.source} emits ids up to ${maxId}, but the model has only ${vocabRows} embedding rows`, {
      details: { maxId, token: tokenizer.idToToken(maxId) ?? null, vocabRows },
      hint: 'The tokenizer does not belong to this model: use the tokenizer.json exported with it.',
    });
  }
}
