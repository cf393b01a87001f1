import type { TextCodec } from './types.js';

/** The documents of a dataset tokenized once and joined into one stream. */
export interface TokenStream {
  readonly ids: Uint32Array;
  /** Stream offset of each tokenized document's first token (documents with no tokens are skipped). */
  readonly documentStarts: Uint32Array;
}

/**
 * Tokenizes each document on its own (long corpora never go through the tokenizer as one string)
 * and joins them with `separatorId` between consecutive documents (none after the last; `null`:
 * no separator). Documents that encode to no ids are skipped.
 */
export function buildTokenStream(documents: readonly string[], codec: Pick<TextCodec, 'encode'>, separatorId: number | null): TokenStream {
  const parts: Uint32Array[] = [];
  let total = 0;
  for (const doc of documents) {
    const ids = codec.encode(doc);
    if (ids.length === 0) continue;
    parts.push(ids);
    total += ids.length;
  }
  const separators = separatorId === null ? 0 : Math.max(parts.length - 1, 0);
  const ids = new Uint32Array(total + separators);
  const documentStarts = new Uint32Array(parts.length);
  let offset = 0;
  parts.forEach((part, i) => {
    if (i > 0 && separatorId !== null) ids[offset++] = separatorId;
    documentStarts[i] = offset;
    ids.set(part, offset);
    offset += part.length;
  });
  return { ids, documentStarts };
}
