import { InvarlockError } from '../../errors/index.js';
import { interimLook, sequentialDesign, type InterimLook, type SequentialDesign } from '../../stats/index.js';
import type { PolicyBlock, SequentialLook, SequentialRecord } from '../certificate/certificate-types.js';
import type { WindowArmInput } from '../types.js';

/*
 * The sequential record of a certificate (issue 14 item 5), derived from the recorded final windows
 * the way certify decided while scoring them: certify and verify both call these functions, so a
 * record that claims another stop, another boundary or another look cannot verify.
 */

/** The planned final arm a sequential run could have scored: the floors count it at an early stop. */
export interface SequentialPlanFacts {
  readonly windows: number;
  /** Scored tokens of the planned final windows (the baseline's weights). */
  readonly tokens: number;
}

/** The design a policy implies for a planned final arm; null when the policy has no looks. */
export function designOf(policy: PolicyBlock, plan: SequentialPlanFacts): SequentialDesign | null {
  const s = policy.sequential;
  if (s === null) return null;
  const pm = policy.thresholds.primary_metric;
  return sequentialDesign({ planned: plan.windows, looks: s.looks, alpha: policy.thresholds.bootstrap.alpha / 2, bound: pm.ratio_limit + pm.hysteresis, spending: s.spending });
}

/** Where the recorded final windows say the run stopped. */
export type SequentialStop =
  /** An interim look decided: the primary metric is that look's interval. */
  | { readonly kind: 'interim'; readonly look: InterimLook; readonly index: number }
  /** Every look was taken: the last look is the bootstrap gate at {@link finalLookAlpha}. */
  | { readonly kind: 'last' }
  /** No final window was scored (catastrophe, error). */
  | { readonly kind: 'none' };

/**
 * Replays the interim looks on the recorded final arm (plan order). The arm must end exactly where
 * the run stopped: at the first decisive interim look, or at the planned windows when no interim
 * look decided. Throws `E_INTERNAL` when it does not (a certificate whose windows contradict its
 * own stopping rule: verify reports it as statistics that cannot be re-derived).
 */
export function replayLooks(design: SequentialDesign, arm: WindowArmInput): { readonly interims: readonly InterimLook[]; readonly stop: SequentialStop } {
  const m = arm.ids.length;
  if (m === 0) return { interims: [], stop: { kind: 'none' } };
  const deltas = arm.subject.map((s, i) => s - (arm.baseline[i] ?? Number.NaN));
  const interims: InterimLook[] = [];
  for (let k = 0; k < design.looks - 1 && design.sizes[k]! <= m; k++) {
    const look = interimLook(design, k, deltas, arm.weights);
    interims.push(look);
    if (look.decision !== 'continue') {
      if (design.sizes[k] !== m) {
        throw new InvarlockError('E_INTERNAL', `sequential look ${k + 1} decided ${look.decision} at ${design.sizes[k]} windows, but ${m} final windows are recorded`, {
          details: { field: 'windows.final', expected: String(design.sizes[k]), actual: String(m) },
        });
      }
      return { interims, stop: { kind: 'interim', look, index: k } };
    }
  }
  if (m !== design.planned) {
    throw new InvarlockError('E_INTERNAL', `${m} final windows are recorded, but no sequential look stopped there and ${design.planned} are planned`, {
      details: { field: 'windows.final', expected: String(design.planned), actual: String(m) },
    });
  }
  return { interims, stop: { kind: 'last' } };
}

/** The certificate's sequential block: every look taken, with the last look's bootstrap interval and decision when reached. */
export function sequentialRecord(
  design: SequentialDesign,
  plan: SequentialPlanFacts,
  replay: ReturnType<typeof replayLooks>,
  last: { readonly ratio: number; readonly ratioCi: readonly [number, number]; readonly pass: boolean } | null,
): SequentialRecord {
  const b = design.boundaries;
  const looks: SequentialLook[] = replay.interims.map((l, k) => ({
    look: k + 1,
    windows: l.windows,
    fraction: b.fractions[k]!,
    critical: b.critical[k]!,
    alpha_spent: b.spent[k]!,
    ratio: Math.exp(l.estimate),
    ratio_ci: [Math.exp(l.low), Math.exp(l.high)],
    decision: l.decision,
  }));
  if (replay.stop.kind === 'last' && last !== null) {
    const k = design.looks - 1;
    looks.push({
      look: design.looks,
      windows: design.planned,
      fraction: b.fractions[k]!,
      critical: b.critical[k]!,
      alpha_spent: b.spent[k]!,
      ratio: last.ratio,
      ratio_ci: [last.ratioCi[0], last.ratioCi[1]],
      decision: last.pass ? 'pass' : 'fail',
    });
  }
  const stoppedAt = replay.stop.kind === 'interim' ? replay.stop.index + 1 : null;
  return {
    spending: 'obrien_fleming',
    alpha: design.alpha,
    bound: design.bound,
    planned: { looks: design.looks, windows: plan.windows, tokens: plan.tokens },
    looks,
    stopped_at: stoppedAt,
    windows_saved: stoppedAt === null ? 0 : plan.windows - design.sizes[stoppedAt - 1]!,
  };
}
