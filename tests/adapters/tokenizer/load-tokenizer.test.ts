import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../src/contracts/index.js';
import { assertIdsFitVocab, createTokenizer, DECODE_DEFAULTS, ENCODE_DEFAULTS, loadTokenizer } from '../../../src/adapters/tokenizer/index.js';
import { documentedDefaultEntries } from '../../hub/documented-defaults.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/tokenizers/', import.meta.url));
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'invarlock-tok-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function errorOf(run: () => unknown): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await run();
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('no error');
}

describe('loadTokenizer on a byte-level BPE tokenizer', () => {
  it('encodes without special tokens by default and round-trips any UTF-8 text', async () => {
    const tok = await loadTokenizer(join(fixtures, 'byte-bpe'));
    expect(tok.modelKind).toBe('BPE');
    expect(tok.vocabSize).toBe(1257);
    const text = ' = Robert Boulter = \n Naïve café — 東京 😀 <|endoftext|>';
    const ids = tok.encode(text);
    expect(ids).toBeInstanceOf(Uint32Array);
    expect(Array.from(ids).filter((id) => id === 1256)).toHaveLength(1);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode(ids, { specialTokens: 'skip' })).toBe(text.replace('<|endoftext|>', ''));
    expect(Array.from(tok.encode('hello', { specialTokens: 'add' }))).toEqual(Array.from(tok.encode('hello')));
  });

  it('resolves EOS and BOS from tokenizer_config.json and lists the special ids', async () => {
    const tok = await loadTokenizer(join(fixtures, 'byte-bpe'));
    expect(tok.specialTokens).toEqual({ eos: 1256, bos: 1256, sep: undefined, cls: undefined, mask: undefined, pad: undefined, unk: 1256 });
    expect(tok.specialIds).toEqual([1256]);
  });

  it('hashes the canonical JSON, so reformatting keeps the hash and a changed merge does not', async () => {
    const tok = await loadTokenizer(join(fixtures, 'byte-bpe'));
    const json: unknown = JSON.parse(await readFile(join(fixtures, 'byte-bpe', 'tokenizer.json'), 'utf8'));
    expect(tok.hash).toBe(sha256Hex(canonicalJson(json)));
    const dir = join(scratch, 'reformatted');
    await mkdir(dir);
    const reordered = Object.fromEntries(Object.entries(json as Record<string, unknown>).reverse());
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(reordered));
    expect((await loadTokenizer(dir)).hash).toBe(tok.hash);
    expect(tok.hash).toMatch(/^[0-9a-f]{64}$/);

    const changed = structuredClone(json) as { model: { merges: string[] } };
    changed.model.merges[5] = changed.model.merges[6] ?? '';
    expect(createTokenizer({ tokenizerJson: changed }).hash).not.toBe(tok.hash);
  });
});

describe('loadTokenizer on a WordPiece tokenizer', () => {
  it('adds [CLS] … [SEP] on request, maps unknown characters to [UNK] and finds BERT special ids', async () => {
    const tok = await loadTokenizer(join(fixtures, 'wordpiece'));
    expect(tok.modelKind).toBe('WordPiece');
    expect(tok.specialTokens).toEqual({ eos: undefined, bos: undefined, sep: 3, cls: 2, mask: 4, pad: 0, unk: 1 });
    expect(tok.specialIds).toEqual([0, 1, 2, 3, 4]);
    const plain = Array.from(tok.encode('The cats sat.'));
    const framed = Array.from(tok.encode('The cats sat.', { specialTokens: 'add' }));
    expect(framed).toEqual([2, ...plain, 3]);
    expect(plain.map((id) => tok.idToToken(id))).toEqual(['the', 'cat', '##s', 'sat', '.']);
    expect(Array.from(tok.encode('δ'))).toEqual([1]);
  });

  it('takes special ids from config.json when no tokenizer config names them', () => {
    const tok = createTokenizer({
      tokenizerJson: { model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab: { '[UNK]': 0, a: 1, b: 2 } } },
      modelConfig: { eos_token_id: [2, 1], pad_token_id: 1 },
    });
    expect(tok.specialTokens).toMatchObject({ eos: 2, pad: 1, unk: 0, bos: undefined });
    expect(tok.specialIds).toEqual([0, 1, 2]);
  });
});

describe('tokenizer errors', () => {
  it('names the directory when tokenizer.json is missing', async () => {
    const dir = join(scratch, 'no-tokenizer');
    await mkdir(dir);
    expect(await errorOf(() => loadTokenizer(dir))).toEqual({ code: 'E_TOKENIZER_MISSING', details: { file: join(dir, 'tokenizer.json'), dir } });
  });

  it('rejects malformed JSON with E_TOKENIZER_INVALID naming the file', async () => {
    const error = await errorOf(() => loadTokenizer(join(fixtures, 'malformed')));
    expect(error).toEqual({ code: 'E_TOKENIZER_INVALID', details: { file: join(fixtures, 'malformed', 'tokenizer.json') } });
  });

  it('rejects a WordLevel model up front instead of yielding missing ids', async () => {
    const error = await errorOf(() => loadTokenizer(join(fixtures, 'wordlevel')));
    expect(error.code).toBe('E_TOKENIZER_INVALID');
    expect(error.details.model).toBe('WordLevel');
  });

  it('rejects a tokenizer.json without a model and malformed added tokens', async () => {
    expect((await errorOf(() => createTokenizer({ tokenizerJson: [] }))).details.field).toBe('model');
    const bad = { model: { type: 'BPE', vocab: { a: 0 }, merges: [] }, added_tokens: [{ id: -1, content: 'x' }] };
    expect(await errorOf(() => createTokenizer({ tokenizerJson: bad }))).toEqual({ code: 'E_TOKENIZER_INVALID', details: { field: 'added_tokens[0]' } });
    expect((await errorOf(() => createTokenizer({ tokenizerJson: { model: { type: 'Fancy' } } }))).details.model).toBe('Fancy');
  });

  it('detects an id the library could not produce and names the token', async () => {
    // WordPiece whose unk_token is not in the vocabulary: the library returns undefined for unknown words.
    const tok = createTokenizer({
      tokenizerJson: { model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab: { a: 0, b: 1 } }, pre_tokenizer: { type: 'WhitespaceSplit' } },
    });
    expect(Array.from(tok.encode('a b'))).toEqual([0, 1]);
    const error = await errorOf(() => tok.encode('a zz'));
    expect(error).toEqual({ code: 'E_TOKENIZER_INVALID', details: { token: '[UNK]', position: 1, actual: 'undefined' } });
  });

  it('reports malformed config.json as E_CONFIG_JSON', async () => {
    const dir = join(scratch, 'bad-config');
    await mkdir(dir);
    await writeFile(join(dir, 'tokenizer.json'), await readFile(join(fixtures, 'wordpiece', 'tokenizer.json')));
    await writeFile(join(dir, 'config.json'), '{nope');
    expect(await errorOf(() => loadTokenizer(dir))).toEqual({ code: 'E_CONFIG_JSON', details: { file: join(dir, 'config.json') } });
  });
});

describe('assertIdsFitVocab', () => {
  it('accepts an embedding with at least as many rows (padded tables too) and names the largest id otherwise', async () => {
    const tok = await loadTokenizer(join(fixtures, 'byte-bpe'));
    expect(() => assertIdsFitVocab(tok, 1257)).not.toThrow();
    expect(() => assertIdsFitVocab(tok, 1280)).not.toThrow();
    expect(await errorOf(() => assertIdsFitVocab(tok, 1000))).toEqual({
      code: 'E_TOKENIZER_INVALID',
      details: { maxId: 1256, token: '<|endoftext|>', vocabRows: 1000 },
    });
  });
});

describe('ENCODE_DEFAULTS and DECODE_DEFAULTS', () => {
  it('match the defaults documented on EncodeOptions and DecodeOptions', () => {
    const source = fileURLToPath(new URL('../../../src/adapters/tokenizer/types.ts', import.meta.url));
    expect(documentedDefaultEntries(source)).toEqual([
      ['specialTokens', ENCODE_DEFAULTS.specialTokens],
      ['specialTokens', DECODE_DEFAULTS.specialTokens],
    ]);
  });
});
