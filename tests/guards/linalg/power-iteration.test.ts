import { describe, expect, it } from 'vitest';
import { spectralNormPowerIteration } from '../../../src/guards/index.js';
import { randomData } from '../weights-fixture.js';

describe('spectralNormPowerIteration', () => {
  it('matches the ALGORITHMS.md §5 golden: reshape(0..11, 3×4)/7 − 0.5 → 1.9185151', () => {
    const w = Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5);
    expect(spectralNormPowerIteration(w, 3, 4, 4)).toBeCloseTo(1.9185151, 6);
  });

  it('is exact on a diagonal matrix whose top singular direction is reached', () => {
    const w = Float32Array.from([3, 0, 0, 0, 2, 0, 0, 0, 1]);
    expect(spectralNormPowerIteration(w, 3, 3, 60)).toBeCloseTo(3, 10);
  });

  it('reaches σmax of a rank-one matrix u·vᵀ on the second step (the first σ is ‖W·v₀‖)', () => {
    const u = [1, 2, 2];
    const v = [3, 4];
    const w = Float32Array.from(u.flatMap((a) => v.map((b) => a * b)));
    expect(spectralNormPowerIteration(w, 3, 2, 1)).toBeCloseTo((3 * 7) / Math.SQRT2, 10);
    expect(spectralNormPowerIteration(w, 3, 2, 2)).toBeCloseTo(15, 10);
  });

  it('returns 0 for a matrix with a NaN and 1e-12 for a zero matrix (the norm floor)', () => {
    const w = randomData(4, 5, 1);
    w[7] = NaN;
    expect(spectralNormPowerIteration(w, 4, 5, 4)).toBe(0);
    expect(spectralNormPowerIteration(new Float32Array(6), 2, 3, 4)).toBe(1e-12);
    expect(spectralNormPowerIteration(new Float32Array(0), 0, 3, 4)).toBe(0);
  });

  it('stays below the Gaussian edge on a 768×3072 matrix after four steps', () => {
    const w = randomData(768, 3072, 2);
    const sigma = spectralNormPowerIteration(w, 768, 3072, 4);
    // A Gaussian matrix's σmax is near std·(√m + √n) = 1.663; four steps from v₀ stay below it.
    expect(sigma).toBeGreaterThan(1.3);
    expect(sigma).toBeLessThan(1.663);
  });
});
