import { describe, expect, it } from 'vitest';
import { computeActivationRmt } from '../../../src/guards/index.js';
import { randomData } from '../weights-fixture.js';

describe('computeActivationRmt', () => {
  it('matches the ALGORITHMS.md §5 golden: reshape(0..23, 6×4)^1.3/10 → σ̂ 4.8385477, r 1.0874388', () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => i ** 1.3 / 10);
    const result = computeActivationRmt(a, 6, 4, { iters: 3 });
    expect(result.sigmaMax).toBeCloseTo(4.8385477, 6);
    expect(result.edge).toBeCloseTo(Math.sqrt(6) + 2, 12);
    expect(result.ratio).toBeCloseTo(1.0874388, 6);
  });

  it('is invariant to shifting and scaling the activations (scalar standardisation)', () => {
    const a = randomData(20, 12, 3, 1);
    const b = a.map((x) => 3 * x + 5);
    expect(computeActivationRmt(b, 20, 12, { iters: 3 }).ratio).toBeCloseTo(computeActivationRmt(a, 20, 12, { iters: 3 }).ratio, 5);
  });

  it('reports NaN activations with ratio 0', () => {
    const a = randomData(4, 4, 3, 1);
    a[5] = Infinity;
    expect(computeActivationRmt(a, 4, 4, { iters: 3 })).toMatchObject({ ratio: 0, nonFinite: 1 });
  });
});
