import { describe, expect, it } from 'vitest';
import { estimateVeVariance, proposeVeScales, veScaleWindowCount, type VeTapSamples } from '../../../src/guards/index.js';
import { BALANCED_VE, CONSERVATIVE_VE } from '../policies-fixture.js';

const tap = (key: string, samples: readonly number[], role: VeTapSamples['role'] = 'down'): VeTapSamples => ({ key, module: key, role, samples });

describe('veScaleWindowCount', () => {
  it('is min(max_calib/10, 50): 20 balanced, 16 conservative, 24 aggressive, 50 at most', () => {
    expect([200, 160, 240, 1000].map((maxCalib) => veScaleWindowCount({ maxCalib }))).toEqual([20, 16, 24, 50]);
  });
});

describe('estimateVeVariance', () => {
  it('takes the median of up to 8 chunk means without winsorising below 10 samples', () => {
    // 9 samples → 8 chunks: [1,2] then one each; means 1.5, 3, 4, 5, 6, 7, 8, 100 → median (5 + 6)/2
    expect(estimateVeVariance([1, 2, 3, 4, 5, 6, 7, 8, 100])).toBe(5.5);
    expect(estimateVeVariance([4])).toBe(4);
    expect(estimateVeVariance([2, 4])).toBe(3);
  });

  it('winsorises to the 2 % and 98 % quantiles from 10 samples on', () => {
    const samples = [1000, 1, 1, 1, 1, 1, 1, 1, 1, -1000];
    // q02 at 0.18 → −1000 + 0.18·1001 = −819.82; q98 at 8.82 → 1 + 0.82·999 = 820.18
    const clipped = [820.18, 1, 1, 1, 1, 1, 1, 1, 1, -819.82];
    // chunks of 2,2,1,1,1,1,1,1 → means (820.18+1)/2, 1, 1, 1, 1, 1, 1, (1 − 819.82)/1? no: last chunk is [-819.82]
    const means = [(clipped[0]! + clipped[1]!) / 2, 1, 1, 1, 1, 1, 1, clipped[9]!].sort((a, b) => a - b);
    expect(estimateVeVariance(samples)).toBeCloseTo((means[3]! + means[4]!) / 2, 9);
  });

  it('ignores non-finite samples and gives NaN without any finite one', () => {
    expect(estimateVeVariance([NaN, 2, Infinity])).toBe(2);
    expect(estimateVeVariance([NaN])).toBeNaN();
  });
});

describe('proposeVeScales', () => {
  it('clamps 1/√var, limits the step and keeps only the largest adjustment under max_adjusted_modules 1', () => {
    const proposal = proposeVeScales([tap('a', [0.8]), tap('b', [1.0]), tap('c', [1.3]), tap('o', [0.5], 'o')], BALANCED_VE);
    expect(proposal.taps.map((t) => [t.key, t.status])).toEqual([
      ['a', 'capped'],
      ['b', 'within_deadband'],
      ['c', 'adjusted'],
    ]);
    // a: 1/√0.8 = 1.118 → step 1.03; c: 1/√1.3 = 0.877 → step 0.97; c needs more (0.123 > 0.118), so c is kept
    expect([...proposal.scales.keys()]).toEqual(['c']);
    expect(proposal.scales.get('c')).toBeCloseTo(0.97, 12);
  });

  it('adjusts every tap that clears the deadband when there is no module cap', () => {
    const proposal = proposeVeScales([tap('a', [0.8]), tap('c', [1.3])], { ...CONSERVATIVE_VE });
    expect([...proposal.scales.keys()]).toEqual(['a', 'c']);
    expect(proposal.scales.get('a')).toBeCloseTo(1.015, 12);
    expect(proposal.scales.get('c')).toBeCloseTo(0.985, 12);
  });

  it('uses the top-k backstop when nothing clears the deadband', () => {
    // 1/√0.97 = 1.0153: inside the 0.02 deadband, above min_abs_adjust 0.012
    const proposal = proposeVeScales([tap('a', [0.99]), tap('b', [0.97])], BALANCED_VE);
    expect(proposal.taps.map((t) => t.status)).toEqual(['within_deadband', 'backstop']);
    expect(proposal.scales.get('b')).toBeCloseTo(1 / Math.sqrt(0.97), 12);
  });

  it('covers attention output taps only in the ffn_attn_out scope and skips invalid variances', () => {
    const taps = [tap('o', [0.5], 'o'), tap('z', [0]), tap('n', [NaN])];
    expect(proposeVeScales(taps, BALANCED_VE).taps.map((t) => [t.key, t.status])).toEqual([
      ['z', 'invalid_variance'],
      ['n', 'invalid_variance'],
    ]);
    expect(proposeVeScales(taps, { ...BALANCED_VE, scope: 'ffn_attn_out', clamp: [0.3, 3] }).scales.get('o')).toBeCloseTo(1.03, 12);
  });
});
