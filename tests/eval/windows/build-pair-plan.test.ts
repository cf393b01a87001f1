/** buildPairPlan: framing, truncation, the decoder shift, dedupe, the stratified draw and its determinism. */
import { describe, expect, it } from 'vitest';
import { buildPairPlan, type PairInput, type PairPlanOptions } from '../../../src/eval/windows/index.js';
import { createPrng } from '../../../src/stats/index.js';

/** One id per character (ids 10+), so lengths are obvious. */
const codec = { encode: (text: string) => Uint32Array.from([...text].map((c) => 10 + (c.codePointAt(0)! % 200))) };

function pairs(n: number): PairInput[] {
  return Array.from({ length: n }, (_, i) => ({ index: i, source: `${String(i).padStart(2, '0')} source text ${'x'.repeat(i % 7)}`, target: `${i} target` }));
}

function options(overrides: Partial<PairPlanOptions> = {}): PairPlanOptions {
  const prng = createPrng(7);
  return {
    previewN: 4,
    finalN: 4,
    maxSourceTokens: 64,
    maxTargetTokens: 16,
    sourceFraming: { prefix: [0], suffix: [2] },
    targetFraming: { prefix: [0], suffix: [2] },
    decoderStartId: 2,
    rand: () => prng.nextFloat(),
    tokenizerHash: 'tok',
    ...overrides,
  };
}

describe('buildPairPlan', () => {
  it('frames both sides, shifts the labels right behind decoder_start_token_id, and scores every label', () => {
    const plan = buildPairPlan(pairs(12), codec, options());
    expect(plan.preview).toHaveLength(4);
    expect(plan.final).toHaveLength(4);
    for (const e of [...plan.preview, ...plan.final]) {
      const source = pairs(12)[e.index]!;
      expect(Array.from(e.sourceIds)).toEqual([0, ...codec.encode(source.source), 2]);
      expect(Array.from(e.labels)).toEqual([0, ...codec.encode(source.target), 2]);
      expect(Array.from(e.decoderIds)).toEqual([2, ...Array.from(e.labels).slice(0, -1)]);
      expect(e.ids).toBe(e.labels);
      expect(e.id).toBe(`p${e.index}`);
    }
    const ids = [...plan.preview, ...plan.final].map((e) => e.id);
    expect(new Set(ids).size).toBe(8);
    expect(plan.scoredTokens.preview).toBe(plan.preview.reduce((s, e) => s + e.labels.length, 0));
  });

  it('cuts long sources and targets at the head, keeping the framing, and counts them', () => {
    const plan = buildPairPlan(pairs(12), codec, options({ maxSourceTokens: 10, maxTargetTokens: 3 }));
    for (const e of [...plan.preview, ...plan.final]) {
      expect(e.sourceIds.length).toBe(10);
      expect(e.sourceIds[9]).toBe(2);
      expect(Array.from(e.labels)).toEqual([0, codec.encode(pairs(12)[e.index]!.target)[0], 2]);
      expect(e.truncated).toEqual({ source: true, target: true });
    }
    expect(plan.truncation).toEqual({ sourceMaxTokens: 10, targetMaxTokens: 3, sourceTruncated: 12, targetTruncated: 12 });
  });

  it('drops exact duplicate pairs and draws the same arms for the same seed', () => {
    const doubled = [...pairs(10), ...pairs(10).map((p) => ({ ...p, index: p.index + 10 }))];
    const a = buildPairPlan(doubled, codec, options());
    const b = buildPairPlan(doubled, codec, options());
    expect(a.counts).toMatchObject({ pairs: 20, candidates: 10, duplicatesRemoved: 10 });
    expect(a.hashes).toEqual(b.hashes);
    expect(a.preview.map((e) => e.id)).toEqual(b.preview.map((e) => e.id));
  });

  it('refuses too few pairs and limits that leave no room', () => {
    expect(() => buildPairPlan(pairs(5), codec, options())).toThrow(expect.objectContaining({ code: 'E_INSUFFICIENT_DATA' }));
    expect(() => buildPairPlan(pairs(12), codec, options({ maxTargetTokens: 2 }))).toThrow(expect.objectContaining({ code: 'E_WINDOW_CONFIG' }));
  });
});
