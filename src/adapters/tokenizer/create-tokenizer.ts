import { Tokenizer } from '@huggingface/tokenizers';
import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import { InvarlockError } from '../../errors/index.js';
import { resolveSpecialTokenIds, type AddedTokenInfo } from './special-tokens.js';
import type { DecodeOptions, EncodeOptions, LoadedTokenizer, TokenizerModelKind } from './types.js';

/** The parsed JSON files a tokenizer is built from (`undefined`: the file is absent). */
export interface TokenizerSources {
  /** Parsed tokenizer.json. */
  readonly tokenizerJson: unknown;
  /** Parsed tokenizer_config.json. */
  readonly tokenizerConfig?: unknown;
  /** Parsed special_tokens_map.json. */
  readonly specialTokensMap?: unknown;
  /** Parsed config.json of the model (for `*_token_id`). */
  readonly modelConfig?: unknown;
  /** Directory or label for messages. @default '<memory>' */
  readonly source?: string;
  /** tokenizer.json's path, for `details.file` in errors. */
  readonly file?: string;
}

/** Defaults of {@link EncodeOptions}: the text's tokens only (windows are framed by the caller). */
export const ENCODE_DEFAULTS = Object.freeze({ specialTokens: 'skip' } as const);
/** Defaults of {@link DecodeOptions}. */
export const DECODE_DEFAULTS = Object.freeze({ specialTokens: 'keep' } as const);

type JsonRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, file: string | undefined, details: JsonRecord = {}, hint?: string): InvarlockError {
  return new InvarlockError('E_TOKENIZER_INVALID', message, {
    details: { ...(file === undefined ? {} : { file }), ...details },
    ...(hint === undefined ? {} : { hint }),
  });
}

// tokenizer.json files written by old versions of `tokenizers` may omit model.type; infer it the way
// the Rust crate's untagged deserialiser does.
function modelKind(model: JsonRecord, file: string | undefined): TokenizerModelKind {
  const type = model['type'];
  if (type === 'BPE' || type === 'WordPiece' || type === 'Unigram') return type;
  if (type === 'WordLevel') {
    throw invalid('tokenizer.json uses a WordLevel model, which @huggingface/tokenizers does not implement (unknown words would get no id)', file,
      { model: 'WordLevel' }, 'Use a BPE, WordPiece or Unigram tokenizer, or convert the vocabulary to WordPiece.');
  }
  if (type === undefined) {
    if (Array.isArray(model['vocab'])) return 'Unigram';
    if (isRecord(model['vocab']) && Array.isArray(model['merges'])) return 'BPE';
    if (isRecord(model['vocab']) && typeof model['continuing_subword_prefix'] === 'string') return 'WordPiece';
  }
  throw invalid(`tokenizer.json has an unsupported model type ${JSON.stringify(type ?? null)}`, file, { model: String(type) },
    'Supported tokenizer models: BPE, WordPiece, Unigram.');
}

function addedTokens(json: JsonRecord, file: string | undefined): AddedTokenInfo[] {
  const list = json['added_tokens'] ?? [];
  if (!Array.isArray(list)) throw invalid('tokenizer.json: added_tokens is not a list', file, { field: 'added_tokens' });
  return list.map((entry: unknown, i) => {
    const id = isRecord(entry) ? entry['id'] : undefined;
    const content = isRecord(entry) ? entry['content'] : undefined;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || typeof content !== 'string') {
      throw invalid(`tokenizer.json: added_tokens[${i}] needs an integer id and a string content`, file, { field: `added_tokens[${i}]` });
    }
    return { id, content, special: isRecord(entry) && entry['special'] === true };
  });
}

function optionalRecord(value: unknown, name: string, file: string | undefined): JsonRecord | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalid(`${name} is not a JSON object`, file, { field: name });
  return value;
}

/**
 * Builds a {@link LoadedTokenizer} from parsed tokenizer files with `@huggingface/tokenizers`.
 * Pure apart from hashing: no file access (see `loadTokenizer` for that).
 *
 * @throws `E_TOKENIZER_INVALID` when tokenizer.json is not an object with a `model`, uses a
 *   WordLevel or unknown model, has malformed `added_tokens`, or the library rejects it.
 */
export function createTokenizer(sources: TokenizerSources): LoadedTokenizer {
  const file = sources.file;
  const json = sources.tokenizerJson;
  if (!isRecord(json) || !isRecord(json['model'])) {
    throw invalid('tokenizer.json is not an object with a "model" entry', file, { field: 'model' });
  }
  const kind = modelKind(json['model'], file);
  const added = addedTokens(json, file);
  const tokenizerConfig = optionalRecord(sources.tokenizerConfig, 'tokenizer_config.json', file);
  const specialTokensMap = optionalRecord(sources.specialTokensMap, 'special_tokens_map.json', file);
  const modelConfig = optionalRecord(sources.modelConfig, 'config.json', file);

  let tokenizer: Tokenizer;
  let vocab: Map<string, number>;
  try {
    // The library insists on every pipeline key; files from older `tokenizers` versions omit the empty ones.
    const complete = { added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json };
    tokenizer = new Tokenizer(complete, tokenizerConfig ?? {});
    vocab = tokenizer.get_vocab(true);
  } catch (error) {
    throw new InvarlockError('E_TOKENIZER_INVALID', `tokenizer.json cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, {
      details: file === undefined ? {} : { file },
      cause: error,
    });
  }
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;
  for (const t of added) if (t.id > maxId) maxId = t.id;
  if (maxId < 0) throw invalid('tokenizer.json has an empty vocabulary', file, { field: 'model.vocab' });

  const modelUnk = json['model']['unk_token'];
  const specialTokens = resolveSpecialTokenIds(
    { tokenizerConfig, specialTokensMap, modelConfig, addedTokens: added, modelUnkToken: typeof modelUnk === 'string' ? modelUnk : undefined },
    (token) => tokenizer.token_to_id(token),
  );
  const specialIds = [...new Set([...added.filter((t) => t.special).map((t) => t.id), ...Object.values(specialTokens).filter((id) => id !== undefined)])].sort(
    (a, b) => a - b,
  );
  const source = sources.source ?? '<memory>';

  return {
    source,
    hash: sha256Hex(canonicalJson(json)),
    modelKind: kind,
    vocabSize: maxId + 1,
    specialTokens,
    specialIds,
    encode(text: string, options: EncodeOptions = {}): Uint32Array {
      let encoding: ReturnType<Tokenizer['encode']>;
      try {
        encoding = tokenizer.encode(text, { add_special_tokens: (options.specialTokens ?? ENCODE_DEFAULTS.specialTokens) === 'add' });
      } catch (error) {
        throw new InvarlockError('E_TOKENIZER_INVALID', `The tokenizer failed to encode text: ${error instanceof Error ? error.message : String(error)}`, {
          details: file === undefined ? {} : { file },
          cause: error,
        });
      }
      const ids = encoding.ids;
      const out = new Uint32Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const id: unknown = ids[i];
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > maxId) {
          throw invalid(`The tokenizer gave no valid id for token ${JSON.stringify(encoding.tokens[i] ?? '')}`, file,
            { token: encoding.tokens[i] ?? null, position: i, actual: String(id) },
            'The vocabulary lacks this token and defines no unknown token.');
        }
        out[i] = id;
      }
      return out;
    },
    decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
      try {
        return tokenizer.decode(Array.from(ids), { skip_special_tokens: (options.specialTokens ?? DECODE_DEFAULTS.specialTokens) === 'skip' });
      } catch (error) {
        throw new InvarlockError('E_TOKENIZER_INVALID', `The tokenizer failed to decode ids: ${error instanceof Error ? error.message : String(error)}`, {
          details: file === undefined ? {} : { file },
          cause: error,
        });
      }
    },
    tokenToId: (token) => tokenizer.token_to_id(token),
    idToToken: (id) => tokenizer.id_to_token(id),
  };
}
