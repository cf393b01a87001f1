/**
 * Public types of tokenizer loading: a `tokenizer.json` (Hugging Face tokenizers format) loaded with
 * `@huggingface/tokenizers`, its content hash and special token ids.
 */

/** Tokenizer models `@huggingface/tokenizers` 0.2.0 implements (it has no WordLevel model). */
export type TokenizerModelKind = 'BPE' | 'WordPiece' | 'Unigram';

/**
 * Ids of the conventional special tokens; `undefined` when the tokenizer has none. Resolved from
 * tokenizer_config.json, then special_tokens_map.json, then config.json (`*_token_id`), then the
 * conventional spellings among the added special tokens (`</s>`, `<|endoftext|>`, `[SEP]`, …).
 */
export interface SpecialTokenIds {
  readonly eos: number | undefined;
  readonly bos: number | undefined;
  readonly sep: number | undefined;
  readonly cls: number | undefined;
  readonly mask: number | undefined;
  readonly pad: number | undefined;
  readonly unk: number | undefined;
}

/** Options of {@link LoadedTokenizer.encode}. */
export interface EncodeOptions {
  /**
   * `add`: let the tokenizer's post-processor add its special tokens (`[CLS] … [SEP]`, `<s>`);
   * `skip`: the text's tokens only (what the window builder wants: it frames windows itself).
   * @default 'skip'
   */
  readonly specialTokens?: 'add' | 'skip';
}

/** Options of {@link LoadedTokenizer.decode}. */
export interface DecodeOptions {
  /** `keep` special tokens in the text or `skip` them. @default 'keep' */
  readonly specialTokens?: 'keep' | 'skip';
}

/** A loaded tokenizer. Pure: encoding the same text always gives the same ids. */
export interface LoadedTokenizer {
  /** Where it was loaded from (directory or `<memory>`), for messages. */
  readonly source: string;
  /**
   * sha256 (hex) of the canonical JSON of tokenizer.json (RFC 8785 style: object keys sorted by
   * UTF-16 code units, no whitespace, ECMAScript number and string serialisation), so reformatting
   * the file does not change it but any change of vocabulary, merges or pipeline does.
   * tokenizer_config.json is not part of it; that baseline and subject give the same ids is checked
   * on the text itself.
   */
  readonly hash: string;
  readonly modelKind: TokenizerModelKind;
  /** 1 + the largest id the tokenizer can emit (model vocabulary and added tokens). */
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;
  /** Ids of every added token marked special plus those in {@link specialTokens}, ascending. */
  readonly specialIds: readonly number[];
  /**
   * Token ids of `text`. Throws `E_TOKENIZER_INVALID` naming the token when the library yields a
   * missing id (a token outside the vocabulary with no unknown token), or when the library fails.
   */
  encode(text: string, options?: EncodeOptions): Uint32Array;
  /** Text of `ids`. Throws `E_TOKENIZER_INVALID` when the library fails (e.g. an id outside the vocabulary). */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The id of a token string, or `undefined` when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
  /** The token string of an id, or `undefined` when the id is not in the vocabulary. */
  idToToken(id: number): string | undefined;
}
