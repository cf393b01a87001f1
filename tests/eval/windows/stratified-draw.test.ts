import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BALANCE_TOLERANCE, drawArms } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { seededRand } from './helpers.js';

describe('drawArms', () => {
  it('takes every candidate when the pool has exactly previewN + finalN, split by alternating pairs', () => {
    const difficulties = [0.5, 0.1, 0.4, 0.2, 0.3, 0.6];
    const rand = (): number => 0.25; // phase 0.25, preview takes the A side
    const draw = drawArms(difficulties, { previewN: 3, finalN: 3, rand });
    expect([...draw.preview, ...draw.final].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // Sorted: 1(.1) 3(.2) | 4(.3) 2(.4) | 0(.5) 5(.6) → A B | B A | A B → preview {1, 2, 0}, final {3, 4, 5}.
    expect(draw.preview).toEqual([0, 1, 2]);
    expect(draw.final).toEqual([3, 4, 5]);
    // Means 1.0/3 and 1.1/3: every swap would move the gap by ±0.0667, so none is made.
    expect(draw.balance).toMatchObject({ swaps: 0, status: 'best-effort' });
    expect(draw.balance.gap).toBeCloseTo(0.1 / 3, 12);
  });

  it('swaps the pair that brings the arm means closest, lowest indices first on ties', () => {
    // ABBA over [0 1 | 2 3 | 4 5 | 6 10]: A = {0, 3, 4, 10} (mean 4.25), B = {1, 2, 5, 6} (3.5).
    // Swaps 3↔1, 3↔2 and 4↔2 all leave a gap of 0.25; 3↔1 has the lowest indices. No later swap helps.
    const draw = drawArms([0, 1, 2, 3, 4, 5, 6, 10], { previewN: 4, finalN: 4, rand: () => 0 });
    expect(draw.preview).toEqual([0, 1, 4, 7]);
    expect(draw.final).toEqual([2, 3, 5, 6]);
    expect(draw.balance).toMatchObject({ swaps: 1, status: 'best-effort', previewMeanDifficulty: 3.75, finalMeanDifficulty: 4 });
  });

  it('draws from evenly spaced positions of the difficulty order, shifted by the random phase', () => {
    const difficulties = Array.from({ length: 100 }, (_, i) => i / 100);
    const values = [0.5, 0.9];
    const draw = drawArms(difficulties, { previewN: 5, finalN: 5, rand: () => values.shift() ?? 0 });
    // positions floor((i + 0.5) · 10) = 5, 15, …, 95; coin 0.9 → preview takes the B side.
    expect([...draw.preview, ...draw.final].sort((a, b) => a - b)).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95]);
    expect(values).toEqual([]);
  });

  it('fills unequal arms and stays disjoint', () => {
    const rand = seededRand(9);
    const difficulties = Array.from({ length: 300 }, () => rand());
    const draw = drawArms(difficulties, { previewN: 20, finalN: 70, rand });
    expect(draw.preview).toHaveLength(20);
    expect(draw.final).toHaveLength(70);
    expect(new Set([...draw.preview, ...draw.final]).size).toBe(90);
  });

  it('never leaves a larger gap than the assignment and reports best effort honestly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 4, maxLength: 120 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        (difficulties, p, f, seed) => {
          fc.pre(p + f <= difficulties.length);
          const draw = drawArms(difficulties, { previewN: p, finalN: f, rand: seededRand(seed) });
          const mean = (ix: number[]): number => ix.reduce((s, i) => s + (difficulties[i] ?? 0), 0) / ix.length;
          const gap = Math.abs(mean(draw.preview) - mean(draw.final));
          expect(draw.balance.gap).toBeCloseTo(gap, 9);
          expect(draw.balance.status).toBe(gap < BALANCE_TOLERANCE ? 'within-tolerance' : 'best-effort');
          expect(draw.balance.swaps).toBeLessThanOrEqual(100);
          expect(new Set([...draw.preview, ...draw.final]).size).toBe(p + f);
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });

  it('rejects a generator that leaves [0, 1)', () => {
    try {
      drawArms([1, 2], { previewN: 1, finalN: 1, rand: () => 1 });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INTERNAL')).toBe(true);
    }
  });
});
