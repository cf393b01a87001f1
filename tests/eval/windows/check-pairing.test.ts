import { describe, expect, it } from 'vitest';
import { checkPairing, comparePairing, comparePlanPairing, type PlannedWindowRef } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const w = (id: string, start: number, ids: number[], scoreFrom = 1): PlannedWindowRef & { scoredCount: number } => ({
  id, start, scoreFrom, ids: Uint32Array.from(ids), scoredCount: ids.length - scoreFrom,
});
const plan = [w('w0', 0, [1, 2, 3, 4]), w('w4', 4, [5, 6, 7, 8]), w('w8', 8, [9, 10, 11, 12])];

function codeOf(run: () => unknown): { code: string; window: unknown } {
  try {
    run();
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, window: error.details.window };
    throw error;
  }
  throw new Error('paired');
}

describe('pairing checks', () => {
  it('reports a full match with no overlap when every window was scored on the planned ids', () => {
    const scored = plan.map((p) => ({ id: p.id, ids: Array.from(p.ids), scoredCount: p.scoredCount }));
    expect(checkPairing(plan, [...scored].reverse())).toEqual({ planned: 3, scored: 3, matched: 3, match: 1, overlap: 0, problems: [] });
  });

  it('fails with E_PAIRING_TOKENS when a token changed', () => {
    const scored = plan.map((p) => ({ id: p.id, ids: p.id === 'w4' ? [5, 6, 99, 8] : Array.from(p.ids), scoredCount: p.scoredCount }));
    expect(comparePairing(plan, scored)).toMatchObject({ matched: 2, match: 2 / 3 });
    expect(codeOf(() => checkPairing(plan, scored))).toEqual({ code: 'E_PAIRING_TOKENS', window: 'w4' });
    const fewer = plan.map((p) => ({ id: p.id, ids: p.ids, scoredCount: p.id === 'w8' ? 2 : p.scoredCount }));
    expect(codeOf(() => checkPairing(plan, fewer))).toEqual({ code: 'E_PAIRING_TOKENS', window: 'w8' });
  });

  it('fails with E_PAIRING_MISSING when a planned window was not scored, or an unplanned one was', () => {
    const scored = plan.slice(0, 2).map((p) => ({ id: p.id, ids: p.ids, scoredCount: p.scoredCount }));
    expect(codeOf(() => checkPairing(plan, scored))).toEqual({ code: 'E_PAIRING_MISSING', window: 'w8' });
    const extra = [...plan, w('w12', 12, [1, 1, 1, 1])].map((p) => ({ id: p.id, ids: p.ids, scoredCount: p.scoredCount }));
    expect(codeOf(() => checkPairing(plan, extra))).toEqual({ code: 'E_PAIRING_MISSING', window: 'w12' });
  });

  it('fails with E_PAIRING_DUPLICATE when a window was scored twice', () => {
    const scored = [...plan, plan[1] ?? plan[0]].map((p) => ({ id: p?.id ?? '', ids: p?.ids ?? [], scoredCount: p?.scoredCount ?? 0 }));
    expect(codeOf(() => checkPairing(plan, scored))).toEqual({ code: 'E_PAIRING_DUPLICATE', window: 'w4' });
  });

  it('measures overlap of scored positions across both arms and flags unequal counts', () => {
    const preview = [w('w0', 0, [1, 2, 3, 4])];
    const final = [w('w2', 2, [3, 4, 5, 6])]; // scores stream 3…5, preview scored 1…3: one shared token
    const scored = { preview: preview.map((p) => ({ ...p })), final: final.map((p) => ({ ...p })) };
    const report = comparePlanPairing({ preview, final }, scored);
    expect(report).toMatchObject({ match: 1, problems: [] });
    expect(report.overlap).toBeCloseTo(1 / 6, 12);

    const short = comparePlanPairing({ preview, final }, { preview: scored.preview, final: [] });
    expect(short.problems.map((p) => p.code)).toEqual(['E_PAIRING_COUNTS', 'E_PAIRING_MISSING']);

    const both = comparePlanPairing({ preview, final: preview }, { preview: scored.preview, final: scored.preview });
    expect(both.problems.map((p) => [p.code, p.window])).toEqual([['E_PAIRING_DUPLICATE', 'w0']]);
  });
});
