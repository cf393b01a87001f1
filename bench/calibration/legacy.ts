/**
 * Runs of the previous calibration harness (outcomes.json before issue 14: every tier certified
 * separately, classes by the edit's intent, no true harm) turned into the current form, so the
 * committed runs can be re-read under the tier's harm definition while a new calibration cannot run:
 *
 * - the measurements are the runs of one tier (the current harness's measurement tier);
 * - the true ratio is a proxy: the median over seeds of the measured final-window ratio of the same
 *   subject (20 seeds × 32 windows drawn from a 300 kB text), per block for the block cases; a
 *   subject whose run stopped at the catastrophe check has no finite ratio (harmful); a subject with
 *   no finished run has no truth (grey).
 */
import type { CalibrationCase } from './cases.js';
import type { TrueHarm } from './harm.js';
import type { RunOutcome } from './outcome.js';

/** Whether a saved outcome predates issue 14 (no `intent`). */
export function isLegacy(o: unknown): boolean {
  return typeof o === 'object' && o !== null && !('intent' in o);
}

/** A legacy outcome in the current shape (class still unknown: grey). */
export function fromLegacy(o: Record<string, unknown>): RunOutcome {
  const old = o as unknown as Omit<RunOutcome, 'intent' | 'true_ratio' | 'variant' | 'advisory' | 'rmt_nonfinite'> & { class: 'benign' | 'harmful' };
  // the oldest runs recorded only the largest family growth: with one ε for every family (as every tier has) that decides the same
  const stats = old.stats.rmt_growth_by_family === undefined ? { ...old.stats, rmt_growth_by_family: { attn: old.stats.rmt_growth, ffn: null, embed: null, other: null } } : old.stats;
  const rmtNonfinite = old.guards.rmt === 'fail' && old.stats.rmt_growth === null;
  return { ...old, stats, intent: old.class, class: 'grey', true_ratio: null, variant: old.layer, advisory: [], rmt_nonfinite: rmtNonfinite };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The proxy true harm of every (fixture, case, block) of the measurements. */
export function proxyTruth(measurements: readonly RunOutcome[], cases: readonly CalibrationCase[]): (m: RunOutcome) => TrueHarm | null {
  const groups = new Map<string, RunOutcome[]>();
  const key = (m: RunOutcome): string => `${m.fixture}|${m.case}|${m.layer ?? '-'}`;
  for (const m of measurements) groups.set(key(m), [...(groups.get(key(m)) ?? []), m]);
  const truth = new Map<string, TrueHarm | null>();
  for (const [k, runs] of groups) {
    const id = runs[0]!.case;
    const broken = cases.find((c) => c.id === id)?.broken ?? id === 'zero_block';
    const stopped = runs.some((r) => r.stats.ratio === null && r.stats.preview_ratio !== null);
    const ratios = runs.flatMap((r) => (r.stats.ratio === null ? [] : [r.stats.ratio]));
    truth.set(k, stopped ? { ratio: null, broken } : ratios.length === 0 ? null : { ratio: median(ratios), broken });
  }
  return (m) => truth.get(key(m)) ?? null;
}
