import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WeightFamily } from '../../../src/edits/index.js';
import { computeActivationRmt, computeMatrixStats, evaluateRmt, toRmtWindowMeasurement, type GuardStatus, type RmtModuleMeasurement, type RmtPolicy } from '../../../src/guards/index.js';
import { BALANCED_RMT } from '../policies-fixture.js';
import { randomData, tinyModel } from '../weights-fixture.js';

function module(key: string, family: WeightFamily, windows: readonly [string, number, number][]): RmtModuleMeasurement {
  return { key, module: key, family, windows: windows.map(([windowId, tokens, ratio]) => ({ windowId, tokens, ratio, nonFinite: 0 })) };
}

const RANK: Record<GuardStatus, number> = { pass: 0, not_evaluated: 0, warn: 1, fail: 2 };

describe('evaluateRmt', () => {
  it('takes the token-weighted mean per module and the max per family', () => {
    const baseline = [module('a', 'ffn', [['w0', 100, 1.0], ['w1', 300, 1.2]]), module('b', 'ffn', [['w0', 100, 1.1], ['w1', 300, 1.1]])];
    const result = evaluateRmt({ baseline, subject: baseline }, BALANCED_RMT);
    expect(result.status).toBe('pass');
    expect(result.measurements.modules[0]?.baseline).toBeCloseTo(1.15, 12);
    expect(result.measurements.families).toEqual([{ family: 'ffn', modules: 2, baseline: 1.15, subject: 1.15, epsilon: 0.01, limit: 1.01 * 1.15 }]);
    expect(result.measurements.windows).toEqual(['w0', 'w1']);
  });

  it('fails a family whose subject statistic exceeds (1 + ε)·baseline', () => {
    const baseline = [module('a', 'attn', [['w0', 10, 1.0]]), module('b', 'ffn', [['w0', 10, 1.0]])];
    const subject = [module('a', 'attn', [['w0', 10, 1.0099]]), module('b', 'ffn', [['w0', 10, 1.02]])];
    const result = evaluateRmt({ baseline, subject }, BALANCED_RMT);
    expect(result.status).toBe('fail');
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ code: 'rmt_growth', severity: 'fatal', family: 'ffn', threshold: 1.01 });
    expect(result.violations[0]?.value).toBeCloseTo(1.02, 12);
  });

  it('does not judge a family whose baseline statistic is 0', () => {
    const result = evaluateRmt({ baseline: [module('a', 'embed', [['w0', 10, 0]])], subject: [module('a', 'embed', [['w0', 10, 3]])] }, BALANCED_RMT);
    expect(result.status).toBe('pass');
    expect(result.measurements.families[0]?.limit).toBeNull();
  });

  it('fails on NaN activations and refuses modules measured on different windows', () => {
    const bad = { ...module('a', 'ffn', [['w0', 10, 0]]), windows: [{ windowId: 'w0', tokens: 10, ratio: 0, nonFinite: 3 }] };
    expect(evaluateRmt({ baseline: [module('a', 'ffn', [['w0', 10, 1]])], subject: [bad] }, BALANCED_RMT).violations[0]).toMatchObject({ code: 'rmt_nonfinite', value: 3 });
    expect(() => evaluateRmt({ baseline: [module('a', 'ffn', [['w0', 10, 1]])], subject: [module('a', 'ffn', [['w1', 10, 1]])] }, BALANCED_RMT)).toThrowError(
      expect.objectContaining({ code: 'E_PAIRING_MISSING', details: { module: 'a', window: 'w0' } }),
    );
  });

  it('builds window measurements from the activation kernel', () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => i ** 1.3 / 10);
    expect(toRmtWindowMeasurement('w3', computeActivationRmt(a, 6, 4, { iters: 3 }))).toMatchObject({ windowId: 'w3', tokens: 6, nonFinite: 0 });
    const m = randomData(16, 8, 2, 1);
    expect(toRmtWindowMeasurement('w4', computeActivationRmt(m, 16, 8, { iters: 3 })).ratio).toBeGreaterThan(0);
  });

  it('reports MP outlier counts of each weight, baseline vs subject, as telemetry', () => {
    const weights = tinyModel().filter((m) => m.rows > 1);
    const stats = weights.map((m) => ({ key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, stats: computeMatrixStats(m.data, m.rows, m.cols, { powerIters: 4, mpTopK: 4, mpIters: 4 }) }));
    const result = evaluateRmt({ baseline: [module('a', 'ffn', [['w0', 1, 1]])], subject: [module('a', 'ffn', [['w0', 1, 1]])], weights: { baseline: stats, subject: stats } }, BALANCED_RMT);
    expect(result.measurements.mpOutliers).toHaveLength(weights.length);
    expect(result.measurements.mpOutliers?.every((m) => m.baseline === m.subject)).toBe(true);
    expect(evaluateRmt({ baseline: [], subject: [] }, BALANCED_RMT)).toMatchObject({ status: 'not_evaluated', measurements: { mpOutliers: null } });
  });

  it('never fails more often when every ε doubles', () => {
    const families: WeightFamily[] = ['attn', 'ffn', 'embed', 'other'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ family: fc.constantFrom(...families), base: fc.double({ min: 0, max: 3, noNaN: true }), growth: fc.double({ min: 0.9, max: 1.1, noNaN: true }) }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (mods, eps) => {
          const baseline = mods.map((m, i) => module(`m${i}`, m.family, [['w0', 7, m.base]]));
          const subject = mods.map((m, i) => module(`m${i}`, m.family, [['w0', 7, m.base * m.growth]]));
          const policy: RmtPolicy = { epsilon: { attn: eps[0] ?? 0, ffn: eps[1] ?? 0, embed: eps[2] ?? 0, other: eps[3] ?? 0 } };
          const doubled: RmtPolicy = { epsilon: { attn: 2 * policy.epsilon.attn, ffn: 2 * policy.epsilon.ffn, embed: 2 * policy.epsilon.embed, other: 2 * policy.epsilon.other } };
          const a = evaluateRmt({ baseline, subject }, policy);
          const b = evaluateRmt({ baseline, subject }, doubled);
          expect(RANK[b.status]).toBeLessThanOrEqual(RANK[a.status]);
          expect(b.violations.length).toBeLessThanOrEqual(a.violations.length);
        },
      ),
      { seed: 2024, numRuns: 300 },
    );
  });
});
