import { describe, expect, it } from 'vitest';
import { computeMatrixStats, spectralNormPowerIteration } from '../../../src/guards/index.js';
import { gaussian, randomData } from '../weights-fixture.js';

const OPTIONS = { powerIters: 4, mpTopK: 0, mpIters: 0 };

describe('computeMatrixStats', () => {
  it('measures norms, medians, mean and std the way their definitions say', () => {
    // rows (3,4) and (0,5): row norms 5, 5; columns (3,0) and (4,5): 3, √41
    const s = computeMatrixStats(Float32Array.from([3, 4, 0, 5]), 2, 2, OPTIONS);
    expect(s.frobeniusNorm).toBeCloseTo(Math.sqrt(50), 12);
    expect([s.rowNormMin, s.rowNormMedian]).toEqual([5, 5]);
    expect(s.colNormMin).toBe(3);
    expect(s.colNormMedian).toBeCloseTo((3 + Math.sqrt(41)) / 2, 12);
    expect(s.mean).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(50 / 4 - 9), 12);
    expect(s.stableRank).toBeCloseTo(50 / s.sigmaMax ** 2, 12);
    expect(s.mp).toBeNull();
  });

  it('computes the same σ̂max as the standalone §5 power iteration', () => {
    const w = randomData(64, 48, 5);
    const s = computeMatrixStats(w, 64, 48, OPTIONS);
    expect(Math.abs(s.sigmaMax / spectralNormPowerIteration(w, 64, 48, 4) - 1)).toBeLessThan(1e-13);
  });

  it('counts singular values above the Marchenko–Pastur edge: two planted spikes on noise', () => {
    const rows = 120;
    const cols = 80;
    const w = randomData(rows, cols, 9, 1);
    const next = gaussian(10);
    for (const strength of [4, 3]) {
      const u = Array.from({ length: rows }, () => next() / Math.sqrt(rows));
      const v = Array.from({ length: cols }, () => next() / Math.sqrt(cols));
      const scale = strength * (Math.sqrt(rows) + Math.sqrt(cols));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[i * cols + j] = (w[i * cols + j] ?? 0) + scale * (u[i] ?? 0) * (v[j] ?? 0);
    }
    const s = computeMatrixStats(w, rows, cols, { powerIters: 4, mpTopK: 6, mpIters: 8 });
    expect(s.mp?.count).toBe(2);
    expect(s.mp?.isSaturated).toBe(false);
    expect(s.mp?.edge).toBeCloseTo(s.std * (Math.sqrt(rows) + Math.sqrt(cols)), 12);
    expect(s.mp?.topSingularValues).toHaveLength(6);
  });

  it('names the first non-finite entry and zeroes every other measure', () => {
    const w = randomData(5, 4, 1);
    w[9] = NaN;
    w[13] = -Infinity;
    expect(computeMatrixStats(w, 5, 4, { powerIters: 4, mpTopK: 2, mpIters: 2 })).toMatchObject({ nonFinite: 2, firstNonFiniteIndex: 9, sigmaMax: 0, frobeniusNorm: 0, mp: null });
  });
});
