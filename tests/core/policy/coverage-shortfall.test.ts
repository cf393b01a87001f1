import { describe, expect, it } from 'vitest';
import { coverageShortfall, plannedCounts, resolvePolicy } from '../../../src/core/policy/index.js';

describe('coverageShortfall', () => {
  it('reports conservative + ci below its own window and replicate floors', () => {
    const policy = resolvePolicy({ tier: 'conservative', profile: 'ci' });
    expect(coverageShortfall(policy)).toEqual({
      status: 'short',
      enforcement: 'enforced',
      gaps: [
        { floor: 'window_floor_preview', required: 220, actual: 200 },
        { floor: 'window_floor_final', required: 220, actual: 200 },
        { floor: 'min_replicates', required: 1500, actual: 1200 },
      ],
    });
  });

  it('finds balanced + ci and every tier under release within their floors', () => {
    expect(coverageShortfall(resolvePolicy({ tier: 'balanced', profile: 'ci' }))).toEqual({ status: 'met', enforcement: 'enforced' });
    for (const tier of ['balanced', 'conservative', 'aggressive']) {
      expect(coverageShortfall(resolvePolicy({ tier, profile: 'release' })).status).toBe('met');
    }
  });

  it('reports dev shortfalls as informational', () => {
    const report = coverageShortfall(resolvePolicy({ tier: 'balanced', profile: 'dev' }));
    expect(report).toMatchObject({ status: 'short', enforcement: 'informational' });
  });

  it('checks tokens once they are known, and counts that were raised', () => {
    const policy = resolvePolicy({ tier: 'conservative', profile: 'ci', overrides: { windows: { preview_n: 220, final_n: 220 }, thresholds: { bootstrap: { replicates: 1500 } } } });
    expect(coverageShortfall(policy)).toEqual({ status: 'met', enforcement: 'enforced' });
    const counts = { ...plannedCounts(policy), tokens: 19_999 };
    expect(coverageShortfall(policy, counts)).toEqual({
      status: 'short',
      enforcement: 'enforced',
      gaps: [{ floor: 'token_floor', required: 20_000, actual: 19_999 }],
    });
  });

  it('plans the profile counts with tokens unknown', () => {
    expect(plannedCounts(resolvePolicy({ tier: 'balanced', profile: 'release' }))).toEqual({ previewWindows: 400, finalWindows: 400, replicates: 3200, tokens: null });
  });
});
