import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWindows, resolveWindowLayout, scoredRange } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

describe('scoredRange', () => {
  it('scores positions 1…T−1 of every non-overlapping causal window', () => {
    const layout = resolveWindowLayout({ seqLen: 8, objective: 'causal' });
    expect(layout.stride).toBe(8);
    expect(scoredRange(layout, 0)).toEqual({ from: 1, count: 7 });
    expect(scoredRange(layout, 3)).toEqual({ from: 1, count: 7 });
  });

  it('scores only the last stride positions after the first overlapping window', () => {
    const layout = resolveWindowLayout({ seqLen: 8, stride: 3, objective: 'causal' });
    expect(scoredRange(layout, 0)).toEqual({ from: 1, count: 7 });
    expect(scoredRange(layout, 1)).toEqual({ from: 5, count: 3 });
  });

  it('lets a masked model score position 0 and never scores framing tokens', () => {
    expect(scoredRange(resolveWindowLayout({ seqLen: 8, objective: 'masked' }), 0)).toEqual({ from: 0, count: 8 });
    const framed = resolveWindowLayout({ seqLen: 8, stride: 2, objective: 'masked', prefixIds: [101], suffixIds: [102] });
    expect(framed.contentLen).toBe(6);
    expect(scoredRange(framed, 0)).toEqual({ from: 1, count: 6 });
    expect(scoredRange(framed, 2)).toEqual({ from: 5, count: 2 });
    const bos = resolveWindowLayout({ seqLen: 8, objective: 'causal', prefixIds: [1] });
    expect(scoredRange(bos, 0)).toEqual({ from: 1, count: 7 });
    expect(scoredRange(bos, 1)).toEqual({ from: 1, count: 7 });
    // stride = seq_len with a prefix: one stream token between windows is skipped, all content scored.
    const wide = resolveWindowLayout({ seqLen: 8, stride: 8, objective: 'causal', prefixIds: [1] });
    expect(countWindows(23, wide)).toBe(3);
    expect(scoredRange(wide, 2)).toEqual({ from: 1, count: 7 });
  });

  it('scores each stream token at most once, and every token after the first without gaps when stride < content', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 24 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.boolean(),
        fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 200 }),
        (content, pre, suf, causal, strideRaw, streamLength) => {
          const layout = resolveWindowLayout({
            seqLen: content + pre + suf, objective: causal ? 'causal' : 'masked',
            stride: Math.min(strideRaw, content + pre + suf), prefixIds: Array(pre).fill(7), suffixIds: Array(suf).fill(8),
          });
          const hits = new Uint8Array(streamLength);
          const windows = countWindows(streamLength, layout);
          for (let k = 0; k < windows; k++) {
            const { from, count } = scoredRange(layout, k);
            expect(from).toBeGreaterThanOrEqual(pre);
            expect(from + count).toBe(pre + content);
            for (let p = from; p < from + count; p++) hits[k * layout.stride + p - pre]++;
          }
          expect(Math.max(0, ...hits)).toBeLessThanOrEqual(1);
          if (windows > 0 && layout.stride < content) {
            const first = causal && pre === 0 ? 1 : 0;
            const end = (windows - 1) * layout.stride + content;
            for (let s = first; s < end; s++) expect(hits[s]).toBe(1);
          }
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
});

describe('resolveWindowLayout', () => {
  it.each([
    [{ seqLen: 1, objective: 'masked' as const }, 'seqLen'],
    [{ seqLen: 2.5, objective: 'causal' as const }, 'seqLen'],
    [{ seqLen: 8, stride: 0, objective: 'causal' as const }, 'stride'],
    [{ seqLen: 8, stride: 9, objective: 'causal' as const }, 'stride'],
    [{ seqLen: 4, objective: 'causal' as const, prefixIds: [1, 2], suffixIds: [3, 4] }, 'seqLen'],
    [{ seqLen: 8, objective: 'causal' as const, prefixIds: [-1] }, 'prefixIds'],
  ])('rejects %j with E_WINDOW_CONFIG naming %s', (options, field) => {
    try {
      resolveWindowLayout(options);
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_WINDOW_CONFIG') && error.details.field).toBe(field);
    }
  });
});
