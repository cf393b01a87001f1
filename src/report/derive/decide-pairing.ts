import type { MetricKind, Pairing, Windows } from '../certificate/certificate-types.js';
import { ownTokenizers, spanTokensOf } from './span-metric.js';
import type { WindowArmInput } from '../types.js';

/** The pairing check's outcome and every problem found (empty for a pass). @internal */
export interface PairingDecision {
  readonly status: 'pass' | 'fail' | 'not_evaluated';
  readonly problems: readonly string[];
}

/**
 * The pairing invariants of a paired evaluation (ALGORITHMS.md §2): both models scored on the same
 * token ids (`match` = 1) with no position scored twice (`overlap` = 0), no duplicated window,
 * equal preview and final counts for both models matching the recorded windows, parallel arrays of
 * equal length, window ids unique and preview/final disjoint, and one tokenizer (every recorded
 * tokenizer hash equal) — except for `nll_per_byte`, whose windows are text spans each model
 * tokenizes itself: there the spans must record both models' token counts instead. `not_evaluated`
 * when match or overlap was not measured. Pure; the builder and `verify` call it on the same data.
 * @internal
 */
export function decidePairing(
  pairing: Pairing,
  windows: { readonly preview: WindowArmInput | Windows['preview']; readonly final: WindowArmInput | Windows['final'] },
  tokenizers: { readonly baseline: string | null; readonly subject: string | null; readonly dataset: string | null },
  kind: MetricKind,
): PairingDecision {
  const problems: string[] = [];
  const spans = ownTokenizers(kind);
  for (const arm of ['preview', 'final'] as const) {
    const w = windows[arm];
    const n = w.ids.length;
    const tokens = spanTokensOf(w);
    if (n > 0 && spans !== (tokens !== null)) problems.push(spans ? `${arm}: the spans record no token counts` : `${arm}: token windows record span token counts`);
    const lengths = {
      weights: w.weights.length,
      baseline: w.baseline.length,
      subject: w.subject.length,
      ...('delta' in w ? { delta: w.delta.length } : {}),
      ...(tokens === null ? {} : { 'baseline token': tokens.baseline.length, 'subject token': tokens.subject.length }),
    };
    for (const [name, length] of Object.entries(lengths)) {
      if (length !== n) problems.push(`${arm}: ${n} window ids but ${length} ${name} values`);
    }
    for (const who of ['baseline', 'subject'] as const) {
      const count = pairing.counts[who][arm];
      if (count !== n) problems.push(`${arm}: ${who} scored ${count} windows, the certificate holds ${n}`);
    }
    if (new Set(w.ids).size !== n) problems.push(`${arm}: a window id appears more than once`);
  }
  const previewIds = new Set(windows.preview.ids);
  if (windows.final.ids.some((id) => previewIds.has(id))) problems.push('a window id is in both the preview and the final arm');
  if (pairing.duplicates !== 0) problems.push(`${pairing.duplicates} duplicated windows`);
  const hashes = [tokenizers.baseline, tokenizers.subject, tokenizers.dataset].filter((h): h is string => h !== null);
  if (!spans && new Set(hashes).size > 1) problems.push('the tokenizer hashes of baseline, subject and dataset differ');
  // spans are scaled by the baseline's tokens: the dataset names the baseline's tokenizer
  if (spans && tokenizers.dataset !== null && tokenizers.dataset !== tokenizers.baseline) problems.push("the dataset's tokenizer hash (the ratio's scale) is not the baseline's");
  if (pairing.match === null || pairing.overlap === null) {
    return { status: problems.length > 0 ? 'fail' : 'not_evaluated', problems: problems.length > 0 ? problems : [pairing.reason ?? 'match and overlap were not measured'] };
  }
  if (pairing.match !== 1) problems.push(`match ${pairing.match} ≠ 1: windows were scored on different token ids`);
  if (pairing.overlap !== 0) problems.push(`overlap ${pairing.overlap} ≠ 0: positions were scored more than once`);
  return { status: problems.length > 0 ? 'fail' : 'pass', problems };
}
