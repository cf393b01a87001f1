import { describe, expect, it } from 'vitest';
import { summarizePairedDeltas, summarizePairedLosses, type PairedBootstrapSettings } from '../../src/stats/index.js';
import { InvarlockError } from '../../src/errors/index.js';

const FIN = [3.1, 3.25, 2.9, 3.4, 3.05, 3.3, 2.95, 3.2];
const BASE = [3.0, 3.2, 2.95, 3.3, 3.0, 3.1, 2.9, 3.15];
const W = [100, 200, 150, 120, 80, 300, 90, 110];
const IDS = FIN.map((_, i) => `final-${i}`);
const BOOT: PairedBootstrapSettings = { replicates: 1000, alpha: 0.05, seed: 2042, method: 'bca', z0Clip: 1e-6 };

function thrown(fn: () => unknown): InvarlockError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvarlockError) return error;
    throw error;
  }
  throw new Error('expected an InvarlockError');
}

describe('summarizePairedLosses', () => {
  const summary = summarizePairedLosses({ windowIds: IDS, subjectLoss: FIN, baselineLoss: BASE, weights: W, bootstrap: BOOT });

  it('computes the weighted mean Δ and the ratio exp(mean Δ) of the §9 golden vector', () => {
    expect(summary.meanDelta).toBeCloseTo(0.0856521739130435, 14);
    expect(summary.ratio).toBeCloseTo(Math.exp(98.5 / 1150), 14);
    expect(summary.n).toBe(8);
    expect(summary.tokens).toBe(1150);
  });

  it('has ratio = PPL_subject / PPL_baseline', () => {
    expect(summary.subjectPpl / summary.baselinePpl).toBeCloseTo(summary.ratio, 12);
    const sumW = 1150;
    expect(summary.subjectPpl).toBeCloseTo(Math.exp(FIN.reduce((s, l, i) => s + W[i]! * l, 0) / sumW), 12);
  });

  it('displays the ratio CI as exp of the Δ CI, exactly', () => {
    expect(summary.ratioCi.low).toBe(Math.exp(summary.deltaCi.low));
    expect(summary.ratioCi.high).toBe(Math.exp(summary.deltaCi.high));
    expect(summary.ratioCi.low).toBeLessThan(summary.ratio);
    expect(summary.ratioCi.high).toBeGreaterThan(summary.ratio);
  });

  it('returns per-window Δ in input order and the same result as the Δ-only path verify uses', () => {
    expect(summary.deltas).toEqual(FIN.map((f, i) => f - BASE[i]!));
    const fromDeltas = summarizePairedDeltas({ windowIds: IDS, deltas: summary.deltas, weights: W, bootstrap: BOOT });
    expect(fromDeltas.deltaCi).toEqual(summary.deltaCi);
    expect(fromDeltas.ratio).toBe(summary.ratio);
  });

  it('gives Δ = 0, ratio 1 and CI [1, 1] exactly for identical models', () => {
    const same = summarizePairedLosses({ windowIds: IDS, subjectLoss: FIN, baselineLoss: FIN, weights: W, bootstrap: BOOT });
    expect(same.meanDelta).toBe(0);
    expect(same.ratio).toBe(1);
    expect(same.ratioCi).toEqual({ low: 1, high: 1 });
    expect(same.deltaCi.method).toBe('degenerate');
    expect(same.subjectPpl).toBe(same.baselinePpl);
  });

  it('is bit-identical for the same seed', () => {
    const again = summarizePairedLosses({ windowIds: IDS, subjectLoss: FIN, baselineLoss: BASE, weights: W, bootstrap: BOOT });
    expect(again).toEqual(summary);
  });

  it('names the window of a non-finite loss with E_NONFINITE_LOSS', () => {
    const subject = [...FIN];
    subject[5] = Number.NaN;
    const error = thrown(() => summarizePairedLosses({ windowIds: IDS, subjectLoss: subject, baselineLoss: BASE, weights: W, bootstrap: BOOT }));
    expect(error.code).toBe('E_NONFINITE_LOSS');
    expect(error.details).toMatchObject({ window: 'final-5', field: 'subject_loss' });
    const baseline = [...BASE];
    baseline[2] = Infinity;
    const error2 = thrown(() => summarizePairedLosses({ windowIds: IDS, subjectLoss: FIN, baselineLoss: baseline, weights: W, bootstrap: BOOT }));
    expect(error2.details).toMatchObject({ window: 'final-2', field: 'baseline_loss' });
  });

  it('rejects mismatched lengths and empty arms with E_INTERNAL', () => {
    expect(thrown(() => summarizePairedLosses({ windowIds: IDS, subjectLoss: FIN.slice(1), baselineLoss: BASE, weights: W, bootstrap: BOOT })).code).toBe(
      'E_INTERNAL',
    );
    expect(thrown(() => summarizePairedLosses({ windowIds: [], subjectLoss: [], baselineLoss: [], weights: [], bootstrap: BOOT })).code).toBe('E_INTERNAL');
  });
});

describe('summarizePairedDeltas', () => {
  it('names the window of a non-finite Δ with E_NONFINITE_LOSS', () => {
    const error = thrown(() =>
      summarizePairedDeltas({ windowIds: ['a', 'b'], deltas: [0.1, -Infinity], weights: [1, 1], bootstrap: BOOT }),
    );
    expect(error.code).toBe('E_NONFINITE_LOSS');
    expect(error.details).toMatchObject({ window: 'b', field: 'delta' });
  });

  it('passes the bootstrap settings through (percentile on request, recorded seed)', () => {
    const s = summarizePairedDeltas({
      windowIds: IDS,
      deltas: FIN.map((f, i) => f - BASE[i]!),
      weights: W,
      bootstrap: { ...BOOT, method: 'percentile', seed: 7, replicates: 300 },
    });
    expect(s.deltaCi).toMatchObject({ method: 'percentile', seed: 7, replicates: 300, alpha: 0.05 });
  });
});
