import { describe, expect, it } from 'vitest';
import { summarizeTail } from '../../src/stats/index.js';

describe('summarizeTail', () => {
  it('reports interpolated quantiles, max and tail mass of per-window Δ', () => {
    const deltas = Array.from({ length: 101 }, (_, i) => (i - 50) / 1000); // −0.05 … 0.05 by 0.001
    const t = summarizeTail(deltas, { massThreshold: 1e-4 });
    expect(t.n).toBe(101);
    expect(t.p50).toBeCloseTo(0, 15);
    expect(t.p90).toBeCloseTo(0.04, 15);
    expect(t.p95).toBeCloseTo(0.045, 15);
    expect(t.p99).toBeCloseTo(0.049, 15);
    expect(t.max).toBe(0.05);
    // Δ > 1e-4: 0.001 … 0.05, 50 of 101 windows.
    expect(t.mass).toBe(50 / 101);
    expect(t.massThreshold).toBe(1e-4);
  });

  it('interpolates between order statistics', () => {
    const t = summarizeTail([0, 1], { massThreshold: 0.5 });
    expect([t.p50, t.p90, t.p95, t.p99, t.max, t.mass]).toEqual([0.5, 0.9, 0.95, 0.99, 1, 0.5]);
  });

  it('counts only values strictly above the threshold', () => {
    expect(summarizeTail([1e-4, 1e-4, 2e-4, -1], { massThreshold: 1e-4 }).mass).toBe(0.25);
  });

  it('throws E_INTERNAL for no windows', () => {
    expect(() => summarizeTail([], { massThreshold: 1e-4 })).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});
