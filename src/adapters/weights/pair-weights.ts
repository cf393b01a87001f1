import { InvarlockError } from '../../errors/index.js';
import type { WeightRecord } from '../types.js';

/** A baseline weight and the subject weight at the same graph position. */
export interface WeightPair {
  readonly key: string;
  readonly baseline: WeightRecord;
  readonly subject: WeightRecord;
}

/** At most this many mismatches are listed in one error. */
const MAX_LISTED = 20;

/**
 * Pairs baseline and subject weights by `key` (graph position), never by initializer name, so an
 * fp32 baseline pairs with its int8 or int4 twin. Pairs come in baseline order.
 *
 * @throws InvarlockError `E_WEIGHT_PAIRING` when a key is on one side only, or a pair differs in
 *   role or logical shape; `details.problems` lists each (up to 20), `details.missing` /
 *   `details.extra` the unpaired keys.
 */
export function pairWeights(baseline: readonly WeightRecord[], subject: readonly WeightRecord[]): WeightPair[] {
  const bySubjectKey = new Map(subject.map((w) => [w.key, w]));
  const pairs: WeightPair[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  for (const base of baseline) {
    const other = bySubjectKey.get(base.key);
    if (other === undefined) {
      missing.push(base.key);
      continue;
    }
    bySubjectKey.delete(base.key);
    if (other.role !== base.role) problems.push(`${base.key}: role ${base.role} in the baseline, ${other.role} in the subject`);
    else if (other.rows !== base.rows || other.cols !== base.cols) {
      problems.push(`${base.key}: shape ${base.rows}×${base.cols} in the baseline, ${other.rows}×${other.cols} in the subject`);
    } else pairs.push({ key: base.key, baseline: base, subject: other });
  }
  const extra = [...bySubjectKey.keys()];
  for (const key of missing) problems.push(`${key}: in the baseline only`);
  for (const key of extra) problems.push(`${key}: in the subject only`);
  if (problems.length > 0) {
    throw new InvarlockError('E_WEIGHT_PAIRING', `${problems.length} weight(s) cannot be paired by graph position: ${problems[0] ?? ''}`, {
      details: { problems: problems.slice(0, MAX_LISTED), missing: missing.slice(0, MAX_LISTED), extra: extra.slice(0, MAX_LISTED) },
      hint: 'Baseline and subject must be exports of the same architecture (same layers and module paths); check both model_type values.',
    });
  }
  return pairs;
}
