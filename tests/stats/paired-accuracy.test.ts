import { describe, expect, it } from 'vitest';
import { summarizePairedAccuracy, type PairedBootstrapSettings } from '../../src/stats/index.js';

const BOOT: PairedBootstrapSettings = { replicates: 1000, alpha: 0.05, seed: 11, method: 'bca', z0Clip: 1e-6 };

describe('summarizePairedAccuracy', () => {
  it('reports accuracies in percent and Δ in percentage points', () => {
    // 10 examples: baseline right on 8, subject right on 7 → 80 %, 70 %, Δ = −10 points.
    const baseline = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const subject = [1, 1, 1, 1, 1, 1, 0, 1, 0, 0];
    const s = summarizePairedAccuracy({ exampleIds: baseline.map((_, i) => `ex${i}`), subjectCorrect: subject, baselineCorrect: baseline, bootstrap: BOOT });
    expect(s.baselineAccuracyPct).toBe(80);
    expect(s.subjectAccuracyPct).toBe(70);
    expect(s.deltaPp).toBeCloseTo(-10, 12);
    expect(s.deltaPpCi.low).toBeLessThanOrEqual(s.deltaPp);
    expect(s.deltaPpCi.high).toBeGreaterThanOrEqual(s.deltaPp);
    expect(s.deltaPpCi.low).toBeGreaterThanOrEqual(-100);
  });

  it('gives [0, 0] points for identical predictions', () => {
    const correct = [1, 0, 1, 1, 0];
    const s = summarizePairedAccuracy({ exampleIds: correct.map(String), subjectCorrect: correct, baselineCorrect: correct, bootstrap: BOOT });
    expect([s.deltaPp, s.deltaPpCi.low, s.deltaPpCi.high]).toEqual([0, 0, 0]);
  });

  it('rejects correctness other than 0/1, naming the example', () => {
    expect(() => summarizePairedAccuracy({ exampleIds: ['a', 'b'], subjectCorrect: [1, 0.5], baselineCorrect: [1, 1], bootstrap: BOOT })).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL', details: expect.objectContaining({ window: 'b' }) }),
    );
    expect(() => summarizePairedAccuracy({ exampleIds: ['a'], subjectCorrect: [1, 1], baselineCorrect: [1], bootstrap: BOOT })).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL' }),
    );
  });
});
