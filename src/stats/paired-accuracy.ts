import { InvarlockError } from '../errors/index.js';
import { pairedBootstrap, type BootstrapInterval } from './paired-bootstrap.js';
import type { PairedBootstrapSettings } from './paired-summary.js';

/** Options of {@link summarizePairedAccuracy}. */
export interface PairedAccuracyInput {
  /** Example ids, in the order of the correctness arrays; used to name an example in errors. */
  readonly exampleIds: readonly string[];
  /** 1 when the subject classified example i correctly, else 0. */
  readonly subjectCorrect: ArrayLike<number>;
  /** 1 when the baseline classified example i correctly, else 0. */
  readonly baselineCorrect: ArrayLike<number>;
  readonly bootstrap: PairedBootstrapSettings;
}

/** The paired accuracy comparison, in percent and percentage points. */
export interface PairedAccuracySummary {
  /** Number of examples. */
  readonly n: number;
  /** Subject accuracy in percent (0–100). */
  readonly subjectAccuracyPct: number;
  readonly baselineAccuracyPct: number;
  /** Mean of Δᵢ = 100·(subject_i − baseline_i): the accuracy change in percentage points. */
  readonly deltaPp: number;
  /** Bootstrap CI of deltaPp (percentage points), examples weighted equally. */
  readonly deltaPpCi: BootstrapInterval;
}

/**
 * Paired accuracy: Δᵢ = 100·(correct_subject,i − correct_baseline,i) percentage points per example,
 * its mean and bootstrap CI (every example weight 1), and both accuracies in percent. Points, never
 * proportions: a 1-point drop is −1, not −0.01.
 *
 * Throws `E_INTERNAL` naming the example (`details.window`) whose correctness is not 0 or 1, and
 * for mismatched lengths or no examples.
 */
export function summarizePairedAccuracy(input: PairedAccuracyInput): PairedAccuracySummary {
  const n = input.exampleIds.length;
  if (n === 0) throw new InvarlockError('E_INTERNAL', 'a paired accuracy summary needs at least one example');
  if (input.subjectCorrect.length !== n || input.baselineCorrect.length !== n) {
    throw new InvarlockError('E_INTERNAL', `paired accuracy arrays differ in length from the ${n} example ids`, {
      details: { expected: String(n), actual: `${input.subjectCorrect.length}/${input.baselineCorrect.length}` },
    });
  }
  const deltas = new Float64Array(n);
  let subjectHits = 0;
  let baselineHits = 0;
  for (let i = 0; i < n; i++) {
    const s = input.subjectCorrect[i];
    const b = input.baselineCorrect[i];
    if ((s !== 0 && s !== 1) || (b !== 0 && b !== 1)) {
      throw new InvarlockError('E_INTERNAL', `example ${input.exampleIds[i]} has correctness ${s}/${b}; expected 0 or 1`, {
        details: { window: input.exampleIds[i], actual: `${s}/${b}` },
      });
    }
    subjectHits += s;
    baselineHits += b;
    deltas[i] = 100 * (s - b);
  }
  const deltaPpCi = pairedBootstrap({
    values: deltas,
    replicates: input.bootstrap.replicates,
    alpha: input.bootstrap.alpha,
    seed: input.bootstrap.seed,
    method: input.bootstrap.method,
    z0Clip: input.bootstrap.z0Clip,
  });
  return {
    n,
    subjectAccuracyPct: (100 * subjectHits) / n,
    baselineAccuracyPct: (100 * baselineHits) / n,
    deltaPp: deltaPpCi.estimate,
    deltaPpCi,
  };
}
