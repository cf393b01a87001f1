import { describe, expect, it } from 'vitest';
import { byteNgramDifficulty } from '../../../src/eval/windows/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('byteNgramDifficulty', () => {
  it('uses add-one smoothing over 257 symbols with padded contexts', () => {
    // One text "ab": each byte follows a context seen once and was seen once there.
    const [d] = byteNgramDifficulty([bytes('ab')]);
    expect(d).toBeCloseTo(-Math.log(2 / 258), 12);
    // Two identical texts double every count: p = (2 + 1) / (2 + 257).
    expect(byteNgramDifficulty([bytes('ab'), bytes('ab')])[1]).toBeCloseTo(-Math.log(3 / 259), 12);
  });

  it('rates repetitive text easier than varied text and an empty text 0', () => {
    const [repetitive, varied, empty] = byteNgramDifficulty([bytes('the cat the cat the cat the cat'), bytes('qz9!Xv#2kP@w7&Lm'), bytes('')]);
    expect(repetitive).toBeLessThan(varied ?? 0);
    expect(empty).toBe(0);
  });
});
