import { describe, expect, it } from 'vitest';
import { topSingularValues } from '../../../src/guards/index.js';
import { gaussian } from '../weights-fixture.js';

/** Orthonormal columns (n × k, row-major) by Gram–Schmidt of seeded Gaussian vectors. */
function orthonormal(n: number, k: number, seed: number): number[][] {
  const next = gaussian(seed);
  const cols: number[][] = [];
  for (let c = 0; c < k; c++) {
    const v = Array.from({ length: n }, () => next());
    for (const q of cols) {
      const dot = v.reduce((s, x, i) => s + x * (q[i] ?? 0), 0);
      v.forEach((_, i) => (v[i] = (v[i] ?? 0) - dot * (q[i] ?? 0)));
    }
    const norm = Math.hypot(...v);
    cols.push(v.map((x) => x / norm));
  }
  return cols;
}

describe('topSingularValues', () => {
  it('recovers the spectrum of U·diag(s)·Vᵀ with a clear gap', () => {
    const rows = 40;
    const cols = 30;
    const s = [10, 8, 6, 4, 1, 0.5, 0.25];
    const u = orthonormal(rows, s.length, 1);
    const v = orthonormal(cols, s.length, 2);
    const w = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[i * cols + j] = s.reduce((sum, sk, c) => sum + sk * (u[c]?.[i] ?? 0) * (v[c]?.[j] ?? 0), 0);
    const top = topSingularValues(w, rows, cols, { k: 4, iters: 30 });
    top.forEach((value, i) => expect(value).toBeCloseTo(s[i] ?? NaN, 4));
  });

  it('caps k at min(rows, cols) and returns singular values in descending order', () => {
    const w = Float32Array.from([2, 0, 0, 5]);
    expect(topSingularValues(w, 2, 2, { k: 8, iters: 10 }).map((x) => Number(x.toFixed(10)))).toEqual([5, 2]);
  });

  it('gives zeros for a zero matrix and nothing for k = 0', () => {
    expect(topSingularValues(new Float32Array(12), 3, 4, { k: 2, iters: 3 })).toEqual([0, 0]);
    expect(topSingularValues(new Float32Array(12), 3, 4, { k: 0, iters: 3 })).toEqual([]);
  });
});
