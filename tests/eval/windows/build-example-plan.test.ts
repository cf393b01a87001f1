import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type LoadedTokenizer } from '../../../src/adapters/tokenizer/index.js';
import { buildExamplePlan, type ExampleInput } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { seededRand } from './helpers.js';

let tok: LoadedTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer(fileURLToPath(new URL('../../fixtures/tokenizers/wordpiece', import.meta.url)));
});

const words = ['the cat sat', 'a dog ran', 'on the mat', 'first of all', 'which was it', 'he had a hat'];
const examples: ExampleInput[] = Array.from({ length: 60 }, (_, index) => ({
  index,
  text: `${words[index % 6]} number ${index} ${'and more '.repeat(index % 5)}`.trim(),
  label: index % 2,
}));

describe('buildExamplePlan', () => {
  const base = { previewN: 10, finalN: 10, maxTokens: 24, prefixIds: [2], suffixIds: [3], tokenizerHash: 'h' };

  it('frames each example with [CLS] … [SEP], truncating the text to fit', () => {
    const plan = buildExamplePlan(examples, tok, { ...base, rand: seededRand(3) });
    for (const e of [...plan.preview, ...plan.final]) {
      const text = Array.from(tok.encode(examples[e.index]?.text ?? ''));
      expect(e.id).toBe(`e${e.index}`);
      expect(e.label).toBe(e.index % 2);
      expect(Array.from(e.ids)).toEqual([2, ...text.slice(0, 22), 3]);
      expect(e.truncated).toBe(text.length > 22);
    }
    expect(plan.counts.truncated).toBeGreaterThan(0);
  });

  it('draws disjoint arms in dataset order, deterministically', () => {
    const a = buildExamplePlan(examples, tok, { ...base, rand: seededRand(3) });
    const b = buildExamplePlan(examples, tok, { ...base, rand: seededRand(3) });
    expect(b.hashes).toEqual(a.hashes);
    const ids = new Set(a.preview.map((e) => e.id));
    expect(a.final.some((e) => ids.has(e.id))).toBe(false);
    expect(a.preview.map((e) => e.index)).toEqual([...a.preview.map((e) => e.index)].sort((x, y) => x - y));
  });

  it('drops examples whose ids repeat and reports how many were possible', () => {
    const repeated = [...examples.slice(0, 5), ...examples.slice(0, 5).map((e, i) => ({ ...e, index: 5 + i }))];
    try {
      buildExamplePlan(repeated, tok, { ...base, previewN: 3, finalN: 3, rand: seededRand(1) });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INSUFFICIENT_DATA') && error.details).toMatchObject({ possible: 5, requested: 6, duplicatesRemoved: 5 });
    }
  });
});
