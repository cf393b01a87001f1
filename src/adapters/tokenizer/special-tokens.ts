import type { SpecialTokenIds } from './types.js';

/** An added token of tokenizer.json (`added_tokens[]`), as far as special-token lookup needs it. */
export interface AddedTokenInfo {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
}

/** Everything special token ids are resolved from. Records are parsed JSON, not trusted. */
export interface SpecialTokenSources {
  readonly tokenizerConfig: Readonly<Record<string, unknown>> | undefined;
  readonly specialTokensMap: Readonly<Record<string, unknown>> | undefined;
  readonly modelConfig: Readonly<Record<string, unknown>> | undefined;
  readonly addedTokens: readonly AddedTokenInfo[];
  /** `model.unk_token` of tokenizer.json. */
  readonly modelUnkToken: string | undefined;
}

type Role = keyof SpecialTokenIds;

// Spellings recognised among added special tokens when no config names the role.
const CONVENTIONAL: Readonly<Record<Role, readonly string[]>> = {
  eos: ['</s>', '<|endoftext|>', '<|end_of_text|>', '<eos>'],
  bos: ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'],
  sep: ['[SEP]'],
  cls: ['[CLS]'],
  mask: ['[MASK]', '<mask>'],
  pad: ['[PAD]', '<pad>'],
  unk: ['[UNK]', '<unk>'],
};

/** A token named as `"<s>"` or as an AddedToken record `{ "content": "<s>", … }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'content' in value && typeof value.content === 'string') return value.content;
  return undefined;
}

function configId(value: unknown): number | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' && Number.isInteger(first) && first >= 0 ? first : undefined;
}

/**
 * Resolves the conventional special token ids. Per role, the first source that names a token the
 * vocabulary knows wins: tokenizer_config.json `<role>_token`, special_tokens_map.json
 * `<role>_token`, config.json `<role>_token_id` (a number, or the first of a list), a conventional
 * spelling among the added special tokens, and for `unk` the BPE/WordPiece `model.unk_token`.
 * A name that is not in the vocabulary is skipped rather than trusted.
 */
export function resolveSpecialTokenIds(sources: SpecialTokenSources, tokenToId: (token: string) => number | undefined): SpecialTokenIds {
  const byName = (record: Readonly<Record<string, unknown>> | undefined, role: Role): number | undefined => {
    const text = tokenText(record?.[`${role}_token`]);
    return text === undefined ? undefined : tokenToId(text);
  };
  const resolveRole = (role: Role): number | undefined =>
    byName(sources.tokenizerConfig, role) ??
    byName(sources.specialTokensMap, role) ??
    configId(sources.modelConfig?.[`${role}_token_id`]) ??
    CONVENTIONAL[role].map((spelling) => sources.addedTokens.find((t) => t.special && t.content === spelling)?.id).find((id) => id !== undefined) ??
    (role === 'unk' && sources.modelUnkToken !== undefined ? tokenToId(sources.modelUnkToken) : undefined);
  return {
    eos: resolveRole('eos'),
    bos: resolveRole('bos'),
    sep: resolveRole('sep'),
    cls: resolveRole('cls'),
    mask: resolveRole('mask'),
    pad: resolveRole('pad'),
    unk: resolveRole('unk'),
  };
}
