import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalQuantile } from '../../src/stats/index.js';

// Reference values: mpmath at 40 significant digits (erfc, ncdf, sqrt(2)·erfinv(2p − 1)), rounded to the nearest double.
const relativeError = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want), Number.MIN_VALUE);

describe('erfc', () => {
  const table: readonly [number, number][] = [
    [-5, 1.9999999999984626],
    [-1, 1.8427007929497148],
    [-0.1, 1.1124629160182848],
    [0, 1],
    [1e-10, 0.999999999887162],
    [0.1, 0.887537083981715],
    [0.46875, 0.507386526782062],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3.9, 3.4792248597231765e-8],
    [4, 1.541725790028002e-8],
    [4.5, 1.9661604415428876e-10],
    [6, 2.1519736712498913e-17],
    [10, 2.088487583762545e-45],
    [26, 5.663192408856143e-296],
  ];

  it.each(table)('erfc(%d) has relative error below 1e-14', (x, want) => {
    expect(relativeError(erfc(x), want)).toBeLessThan(1e-14);
  });

  it('saturates at 0 and 2 and passes NaN through', () => {
    expect(erfc(27)).toBe(0);
    expect(erfc(-38)).toBe(2);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
  });
});

describe('normalCdf', () => {
  const table: readonly [number, number][] = [
    [-8, 6.220960574271784e-16],
    [-5, 2.866515718791939e-7],
    [-3, 0.0013498980316300946],
    [-1.959963984540054, 0.025000000000000012],
    [-1, 0.15865525393145705],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1.959963984540054, 0.975],
    [3, 0.9986501019683699],
    [8, 0.9999999999999993],
  ];

  it.each(table)('Φ(%d) has relative error below 1e-13', (x, want) => {
    expect(relativeError(normalCdf(x), want)).toBeLessThan(1e-13);
  });
});

describe('normalQuantile', () => {
  const table: readonly [number, number][] = [
    [1e-300, -37.0470962993612],
    [1e-20, -9.262340089798407],
    [1e-10, -6.361340902404057],
    [1e-6, -4.753424308822899],
    [0.001, -3.0902323061678136],
    [0.025, -1.9599639845400543],
    [0.05, -1.6448536269514726],
    [0.0749, -1.4402382675279637], // just inside the central region |p − 0.5| ≤ 0.425
    [0.075, -1.439531470938456],
    [0.3, -0.5244005127080408],
    [0.5, 0],
    [0.7, 0.5244005127080407],
    [0.925, 1.4395314709384561],
    [0.975, 1.9599639845400538],
    [0.999999, 4.753424308817087],
    [0.9999999999, 6.361340889697422],
  ];

  it.each(table)('Φ⁻¹(%d) has error below 1e-14 relative (absolute near 0)', (p, want) => {
    expect(Math.abs(normalQuantile(p) - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)));
  });

  it('inverts normalCdf (upper tail limited to x ≤ 4, where 1 − Φ(x) still has 7 significant digits in a double)', () => {
    for (let x = -7; x <= 4; x += 0.25) {
      expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-9);
    }
  });

  it('maps 0 and 1 to the infinities and rejects p outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const p of [-0.1, 1.1, Number.NaN]) {
      expect(() => normalQuantile(p)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
    }
  });
});
