/**
 * Tokenizer loading (`tokenizer.json` through `@huggingface/tokenizers`), its canonical hash, special
 * token ids and the ids-fit-the-embedding guard. Re-exported by `src/adapters/index.ts`.
 */
export type { DecodeOptions, EncodeOptions, LoadedTokenizer, SpecialTokenIds, TokenizerModelKind } from './types.js';
export { loadTokenizer } from './load-tokenizer.js';
export { createTokenizer, DECODE_DEFAULTS, ENCODE_DEFAULTS, type TokenizerSources } from './create-tokenizer.js';
export { assertIdsFitVocab } from './assert-ids-fit-vocab.js';
