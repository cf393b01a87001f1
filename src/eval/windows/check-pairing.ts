import { InvarlockError } from '../../errors/index.js';
import type { PairingProblem, PairingReport, PlannedWindowRef, ScoredWindowRef } from './types.js';

/** At most this many problems are listed in an error. */
const MAX_LISTED = 20;

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Fraction of scored positions covered by more than one interval `[begin, begin + count)`. */
function overlapOf(intervals: { begin: number; count: number }[]): number {
  const total = intervals.reduce((sum, iv) => sum + iv.count, 0);
  if (total === 0) return 0;
  const sorted = intervals.filter((iv) => iv.count > 0).sort((x, y) => x.begin - y.begin);
  let union = 0;
  let end = -Infinity;
  for (const iv of sorted) {
    const stop = iv.begin + iv.count;
    if (iv.begin >= end) union += iv.count;
    else if (stop > end) union += stop - end;
    end = Math.max(end, stop);
  }
  return (total - union) / total;
}

/**
 * Compares what a model was scored on with the plan (a pure function; nothing is thrown): a planned
 * window absent from `scored`, or a scored window absent from the plan, is `E_PAIRING_MISSING`; one
 * scored on other ids or another number of scored positions is `E_PAIRING_TOKENS`; an id present twice
 * on either side is `E_PAIRING_DUPLICATE`. `overlap` is computed over the matched windows that carry
 * `start` and `scoreFrom` (language-model windows; examples count 0).
 */
export function comparePairing(plan: readonly PlannedWindowRef[], scored: readonly ScoredWindowRef[]): PairingReport {
  const problems: PairingProblem[] = [];
  const planned = new Map<string, PlannedWindowRef>();
  for (const w of plan) {
    if (planned.has(w.id)) problems.push({ code: 'E_PAIRING_DUPLICATE', window: w.id, message: `window ${w.id} appears twice in the plan` });
    else planned.set(w.id, w);
  }
  const seen = new Set<string>();
  const intervals: { begin: number; count: number }[] = [];
  let matched = 0;
  for (const s of scored) {
    if (seen.has(s.id)) {
      problems.push({ code: 'E_PAIRING_DUPLICATE', window: s.id, message: `window ${s.id} was scored twice` });
      continue;
    }
    seen.add(s.id);
    const p = planned.get(s.id);
    if (p === undefined) {
      problems.push({ code: 'E_PAIRING_MISSING', window: s.id, message: `window ${s.id} was scored but is not in the plan` });
      continue;
    }
    const plannedCount = p.scoredCount ?? 1;
    if (!sameIds(p.ids, s.ids)) {
      problems.push({ code: 'E_PAIRING_TOKENS', window: s.id, message: `window ${s.id} was scored on other token ids than planned` });
    } else if (plannedCount !== s.scoredCount) {
      problems.push({ code: 'E_PAIRING_TOKENS', window: s.id, message: `window ${s.id} scored ${s.scoredCount} positions, ${plannedCount} planned` });
    } else {
      matched++;
      if (p.start !== undefined && p.scoreFrom !== undefined) intervals.push({ begin: p.start + p.scoreFrom, count: plannedCount });
    }
  }
  for (const id of planned.keys()) {
    if (!seen.has(id)) problems.push({ code: 'E_PAIRING_MISSING', window: id, message: `window ${id} was planned but not scored` });
  }
  return {
    planned: planned.size,
    scored: scored.length,
    matched,
    match: planned.size === 0 ? 1 : matched / planned.size,
    overlap: overlapOf(intervals),
    problems,
  };
}

/**
 * Both arms at once: {@link comparePairing} per arm, unequal window counts per arm as
 * `E_PAIRING_COUNTS`, a window planned in both arms as `E_PAIRING_DUPLICATE`, and `overlap` over the scored positions of both arms together (preview and final
 * must not score the same token).
 */
export function comparePlanPairing(
  plan: { readonly preview: readonly PlannedWindowRef[]; readonly final: readonly PlannedWindowRef[] },
  scored: { readonly preview: readonly ScoredWindowRef[]; readonly final: readonly ScoredWindowRef[] },
): PairingReport {
  const preview = comparePairing(plan.preview, scored.preview);
  const final = comparePairing(plan.final, scored.final);
  const both = comparePairing([...plan.preview, ...plan.final], [...scored.preview, ...scored.final]);
  const counts: PairingProblem[] = (['preview', 'final'] as const)
    .filter((arm) => plan[arm].length !== scored[arm].length)
    .map((arm) => ({ code: 'E_PAIRING_COUNTS', window: arm, message: `${arm}: ${scored[arm].length} windows scored, ${plan[arm].length} planned` }));
  const previewIds = new Set(plan.preview.map((w) => w.id));
  const shared: PairingProblem[] = plan.final
    .filter((w) => previewIds.has(w.id))
    .map((w) => ({ code: 'E_PAIRING_DUPLICATE', window: w.id, message: `window ${w.id} is planned in both preview and final` }));
  return {
    planned: preview.planned + final.planned,
    scored: preview.scored + final.scored,
    matched: preview.matched + final.matched,
    match: preview.planned + final.planned === 0 ? 1 : (preview.matched + final.matched) / (preview.planned + final.planned),
    overlap: both.overlap,
    problems: [...counts, ...shared, ...preview.problems, ...final.problems],
  };
}

/**
 * Throws when the report has problems: the first problem's code, with `details.window` and up to 20
 * problems in `details.problems`; returns the report otherwise. Profiles that only warn (dev) read
 * the report instead of calling this.
 * @throws `E_PAIRING_COUNTS` / `E_PAIRING_TOKENS` / `E_PAIRING_MISSING` / `E_PAIRING_DUPLICATE`.
 */
export function assertPairing(report: PairingReport): PairingReport {
  const first = report.problems[0];
  if (first === undefined) return report;
  throw new InvarlockError(first.code, `Pairing check failed: ${first.message}${report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''}`, {
    details: {
      window: first.window,
      problems: report.problems.slice(0, MAX_LISTED).map((p) => `${p.code}: ${p.message}`),
      match: report.match,
      overlap: report.overlap,
    },
    hint: 'Both models must be scored on exactly the planned windows; a changed tokenizer or a stale cached baseline evaluation causes this.',
  });
}

/** {@link comparePairing} then {@link assertPairing}. */
export function checkPairing(plan: readonly PlannedWindowRef[], scored: readonly ScoredWindowRef[]): PairingReport {
  return assertPairing(comparePairing(plan, scored));
}
