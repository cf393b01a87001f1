/** Rate tables and threshold evidence of the calibration (bench/calibration/summarise.ts) on hand-made outcomes. */
import { describe, expect, it } from 'vitest';
import { GATES, summarise, upperBound, type GateId, type RunOutcome } from '../../bench/calibration/index.js';

type Flags = Partial<Record<Exclude<GateId, 'verdict'>, boolean>>;

function outcome(seed: number, id: string, cls: 'benign' | 'harmful', flags: Flags, stats: Partial<RunOutcome['stats']> = {}, fixture = 'gpt2-tiny'): RunOutcome {
  const flagged = Object.fromEntries(GATES.map((g) => [g, g === 'verdict' ? false : (flags[g] ?? false)])) as Record<GateId, boolean>;
  const fails = Object.values(flagged).some(Boolean);
  return {
    fixture,
    tier: 'balanced',
    seed,
    case: id,
    intent: cls,
    class: cls,
    true_ratio: cls === 'benign' ? 1.001 : 1.3,
    layer: null,
    variant: null,
    verdict: fails ? 'fail' : 'pass',
    advisory: [],
    rmt_nonfinite: false,
    reasons: Object.entries(flags).flatMap(([g, f]) => (f ? [`${g}:guard_failed`] : [])),
    flagged: { ...flagged, verdict: fails },
    guards: { invariants: 'pass', spectral: flags.spectral ? 'fail' : 'pass', rmt: flags.rmt ? 'fail' : 'pass', variance: 'pass' },
    stats: {
      ratio: 1,
      ratio_ci_high: 1.01,
      preview_ratio: 1,
      drift: 1,
      spectral_caps: 0,
      spectral_fatal: 0,
      spectral_top_changes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      rmt_growth: 0.001,
      rmt_growth_by_family: { attn: stats.rmt_growth ?? 0.001, ffn: 0, embed: null, other: -0.01 },
      ...stats,
    },
  };
}

describe('summarise', () => {
  // 10 seeds × (noop benign, int4 benign whose RMT growth 0.02 fails seed 3, int2 harmful caught by spectral and RMT, a harmful one only RMT catches)
  const outcomes: RunOutcome[] = [];
  for (let seed = 1; seed <= 10; seed++) {
    outcomes.push(outcome(seed, 'noop', 'benign', {}, { rmt_growth: 0 }));
    outcomes.push(outcome(seed, 'twin_int4', 'benign', seed === 3 ? { rmt: true } : {}, { rmt_growth: seed === 3 ? 0.02 : 0.005 }));
    outcomes.push(outcome(seed, 'rtn_int2', 'harmful', { spectral: true, rmt: true }, { rmt_growth: 0.05 }));
    outcomes.push(outcome(seed, 'scale_block_1.5', 'harmful', { rmt: seed !== 7 }, { rmt_growth: seed === 7 ? 0.009 : 0.03 + seed / 1000 }));
  }
  const summary = summarise(outcomes);

  it('counts each cell per fixture and pooled, with the bound on the goal side', () => {
    const benign = summary.cells.find((c) => c.fixture === 'gpt2-tiny' && c.class === 'benign')!;
    expect(benign.runs).toBe(20);
    expect(benign.gates.verdict).toMatchObject({ flagged: 1, n: 20, rate: 0.05 });
    expect(benign.gates.verdict.bound).toBeCloseTo(upperBound(1, 20), 12);
    expect(benign.gates.rmt.flagged).toBe(1);
    expect(benign.gates.spectral.flagged).toBe(0);
    const pooled = summary.cells.find((c) => c.fixture === 'all' && c.class === 'harmful')!;
    expect(pooled.gates.verdict).toMatchObject({ flagged: 19, n: 20 });
    expect(pooled.gates.verdict.bound).toBeLessThan(0.95);
  });

  it('checks the goals per tier: 1/20 false alarms and 19/20 detections both miss', () => {
    expect(summary.goals).toEqual([
      expect.objectContaining({ tier: 'balanced', falseAlarm: expect.objectContaining({ flagged: 1, n: 20, status: 'missed' }), detection: expect.objectContaining({ flagged: 19, n: 20, status: 'missed' }) }),
    ]);
  });

  it('lists cases in catalogue order with their verdicts and statistic spreads', () => {
    expect(summary.cases.map((c) => c.case)).toEqual(['noop', 'twin_int4', 'rtn_int2', 'scale_block_1.5']);
    const int4 = summary.cases.find((c) => c.case === 'twin_int4')!;
    expect(int4.verdicts).toEqual({ pass: 9, warn: 0, fail: 1, error: 0 });
    expect(int4.rmtGrowth).toEqual({ min: 0.005, max: 0.02 });
  });

  it('proposes the RMT ε that clears the benign runs and shows what detection would be left', () => {
    const rmt = summary.thresholds.find((t) => t.gate === 'rmt')!;
    expect(rmt).toMatchObject({ current: 0.01, benignFlagged: 1, benignMax: 0.02, harmfulFlagged: 19, harmfulMin: 0.009, proposed: 0.02 });
    // ε = 0.02: no benign run fails; int2 is still caught by spectral, every scaled block but seed 7 has growth > 0.02
    expect(rmt.whatIf?.falseAlarm).toMatchObject({ flagged: 0, n: 20 });
    expect(rmt.whatIf?.detection).toMatchObject({ flagged: 19, n: 20 });
    // the same evidence per family: all the growth sits in attn here
    const attn = summary.thresholds.find((t) => t.gate === 'rmt:attn')!;
    expect(attn).toMatchObject({ current: 0.01, benignFlagged: 1, benignMax: 0.02, proposed: 0.02 });
    expect(attn.whatIf).toEqual(rmt.whatIf);
    expect(summary.thresholds.find((t) => t.gate === 'rmt:embed')).toMatchObject({ benignMax: null, benignFlagged: 1, proposed: null });
    const pm = summary.thresholds.find((t) => t.gate === 'primary_metric')!;
    expect(pm).toMatchObject({ current: 1.102, benignFlagged: 0, proposed: null, whatIf: null });
  });
});
