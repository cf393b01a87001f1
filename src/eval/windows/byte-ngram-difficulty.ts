/** Byte alphabet plus the padding symbol that fills the context before a text's first byte. */
const SYMBOLS = 257;
const PAD = 256;

/**
 * Difficulty of each text: the mean negative log-likelihood (nats per byte) of its UTF-8 bytes under
 * a byte 4-gram model fitted on all the texts together, with add-one smoothing
 * `p(b | c) = (count(c·b) + 1) / (count(c) + 257)` (257 = 256 bytes + the padding symbol). The
 * context of the first bytes of a text is padded, so every byte is scored; a text with no bytes
 * scores 0. Same estimator as InvarLock's `score_candidates_byte_ngram(order=4)`.
 */
export function byteNgramDifficulty(texts: readonly Uint8Array[]): Float64Array {
  const contextCounts = new Map<number, number>();
  const ngramCounts = new Map<number, number>();
  const initial = (PAD * SYMBOLS + PAD) * SYMBOLS + PAD;
  // Context keys < 257³ and n-gram keys < 257⁴ ≈ 4.4e9: exact in float64.
  for (const bytes of texts) {
    let context = initial;
    for (const b of bytes) {
      contextCounts.set(context, (contextCounts.get(context) ?? 0) + 1);
      const ngram = context * SYMBOLS + b;
      ngramCounts.set(ngram, (ngramCounts.get(ngram) ?? 0) + 1);
      context = (context % (SYMBOLS * SYMBOLS)) * SYMBOLS + b;
    }
  }
  const out = new Float64Array(texts.length);
  texts.forEach((bytes, i) => {
    let sum = 0;
    let context = initial;
    for (const b of bytes) {
      const p = ((ngramCounts.get(context * SYMBOLS + b) ?? 0) + 1) / ((contextCounts.get(context) ?? 0) + SYMBOLS);
      sum -= Math.log(p);
      context = (context % (SYMBOLS * SYMBOLS)) * SYMBOLS + b;
    }
    out[i] = bytes.length === 0 ? 0 : sum / bytes.length;
  });
  return out;
}
