import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertIdsFitVocab, loadTokenizer } from '../../../src/adapters/tokenizer/index.js';

// The trained fixture models (tests/fixtures/models, read-only here) ship real exported tokenizers.
const models = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const paragraph = 'Robert Boulter is an English film , television and theatre actor . Naïve — 😀 2021';

function vocabSize(model: string): number {
  const config: unknown = JSON.parse(readFileSync(`${models}${model}/config.json`, 'utf8'));
  const size = typeof config === 'object' && config !== null && 'vocab_size' in config ? config.vocab_size : undefined;
  if (typeof size !== 'number') throw new Error(`${model}/config.json has no vocab_size`);
  return size;
}

describe('tokenizers of the fixture models', () => {
  it('gpt2-tiny: byte-level BPE, <|endoftext|> as EOS and BOS, ids within the embedding, lossless round trip', async () => {
    const tok = await loadTokenizer(`${models}gpt2-tiny`);
    expect(tok.modelKind).toBe('BPE');
    expect(tok.specialTokens).toMatchObject({ eos: 1023, bos: 1023 });
    expect(() => assertIdsFitVocab(tok, vocabSize('gpt2-tiny'))).not.toThrow();
    expect(tok.decode(tok.encode(paragraph))).toBe(paragraph);
  });

  it('llama-tiny: byte-fallback BPE adds <s> on request and round-trips characters outside its vocabulary', async () => {
    const tok = await loadTokenizer(`${models}llama-tiny`);
    expect(tok.specialTokens).toMatchObject({ bos: 1, eos: 2, unk: 0 });
    expect(() => assertIdsFitVocab(tok, vocabSize('llama-tiny'))).not.toThrow();
    const ids = tok.encode(paragraph, { specialTokens: 'add' });
    expect(ids[0]).toBe(1);
    expect(tok.decode(ids, { specialTokens: 'skip' })).toBe(paragraph);
  });

  it('bert-tiny: WordPiece with BERT special tokens', async () => {
    const tok = await loadTokenizer(`${models}bert-tiny`);
    expect(tok.modelKind).toBe('WordPiece');
    expect(tok.specialTokens).toMatchObject({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
    expect(() => assertIdsFitVocab(tok, vocabSize('bert-tiny'))).not.toThrow();
    const ids = Array.from(tok.encode('the film', { specialTokens: 'add' }));
    expect(ids[0]).toBe(2);
    expect(ids.at(-1)).toBe(3);
  });
});
