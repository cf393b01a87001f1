import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../../src/adapters/tokenizer/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const wordpiece: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/tokenizers/wordpiece/tokenizer.json', import.meta.url)), 'utf8'));

function onlyCodedErrors(json: unknown): void {
  try {
    const tok = createTokenizer({ tokenizerJson: json });
    tok.encode('the cat sat on the mat');
  } catch (error) {
    expect(isInvarlockError(error)).toBe(true);
  }
}

describe('createTokenizer on malformed tokenizer.json', () => {
  it('throws only coded errors for arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), onlyCodedErrors), { seed: 31, numRuns: 300 });
  });

  it('throws only coded errors when a section of a real tokenizer.json is replaced by arbitrary JSON', () => {
    const keys = ['model', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        onlyCodedErrors({ ...(wordpiece as Record<string, unknown>), [key]: value });
      }),
      { seed: 37, numRuns: 300 },
    );
  });
});
