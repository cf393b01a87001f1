import { describe, expect, it } from 'vitest';
import { buildTokenStream } from '../../../src/eval/windows/index.js';
import { charCodec } from './helpers.js';

describe('buildTokenStream', () => {
  it('joins tokenized documents with the separator between them, skipping documents without tokens', () => {
    const stream = buildTokenStream(['ab', '', 'cde'], charCodec, 0);
    expect(Array.from(stream.ids)).toEqual([97, 98, 0, 99, 100, 101]);
    expect(Array.from(stream.documentStarts)).toEqual([0, 3]);
  });

  it('concatenates directly without a separator', () => {
    const stream = buildTokenStream(['ab', 'c'], charCodec, null);
    expect(Array.from(stream.ids)).toEqual([97, 98, 99]);
    expect(Array.from(stream.documentStarts)).toEqual([0, 2]);
  });

  it('tokenizes each document once, on its own', () => {
    const seen: string[] = [];
    buildTokenStream(['one', 'two'], { encode: (t) => (seen.push(t), charCodec.encode(t)) }, 1);
    expect(seen).toEqual(['one', 'two']);
  });
});
