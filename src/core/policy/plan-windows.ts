import { InvarlockError } from '../../errors/index.js';
import { lookSizes, normalQuantile, sequentialBoundaries } from '../../stats/index.js';
import type { Policy } from './types.js';

/**
 * How many final windows a paired comparison needs before its interval resolves the primary-metric
 * gate (issue 14 item 5: `invarlock plan`, `doctor`): from per-window Δ observed before the run (a
 * previous certificate's preview arm), the sd of Δ and the distance of the observed ratio from the
 * bound B = L + hysteresis. The fixed-sample gate resolves once z₁₋α/₂·sd/√n < |log r − log B|;
 * with K sequential looks, the run is expected to stop at the first look k with cₖ·sd/√nₖ below
 * that gap. Estimates at the observed ratio, not guarantees: the interval is random too.
 */

/** The per-window Δ a plan is estimated from. */
export interface PlanSample {
  readonly deltas: readonly number[];
  readonly weights: readonly number[];
}

/** One profile's estimate. */
export interface ProfilePlan {
  readonly profile: string;
  /** Final windows the profile plans (raised to the tier's floor when floors are enforced, as certify does). */
  readonly planned: number;
  /** Windows the fixed-sample gate needs at the observed ratio; null when the ratio sits on the bound. */
  readonly needed: number | null;
  /** Whether the planned windows resolve the gate at the observed ratio. */
  readonly resolves: boolean;
  /** With sequential looks: the look expected to stop the run and its windows; null when none is expected to (it runs every look). */
  readonly sequential: { readonly looks: number; readonly stopLook: number | null; readonly windows: number } | null;
}

/** The estimate from one sample for several profiles of one tier. */
export interface WindowPlan {
  readonly windows: number;
  readonly ratio: number;
  readonly sd: number;
  readonly bound: number;
  /** 'pass' when the observed ratio is below the bound, 'fail' above. */
  readonly side: 'pass' | 'fail';
  readonly profiles: readonly ProfilePlan[];
}

/**
 * Estimates per profile policy (all of one tier). `looks`: the sequential looks to plan for (null: none).
 * Throws `E_USAGE` for a sample of fewer than 2 windows.
 */
export function planWindows(sample: PlanSample, policies: readonly Policy[], looks: number | null): WindowPlan {
  const n = sample.deltas.length;
  if (n < 2 || sample.weights.length !== n) throw new InvarlockError('E_USAGE', `a plan needs the per-window Δ of at least 2 windows, got ${n}`, { details: { field: 'windows' } });
  let sw = 0;
  let swd = 0;
  for (let i = 0; i < n; i++) {
    sw += sample.weights[i]!;
    swd += sample.weights[i]! * sample.deltas[i]!;
  }
  const mean = swd / sw;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += sample.weights[i]! * (sample.deltas[i]! - mean) ** 2;
  const sd = Math.sqrt((ss / sw) * (n / (n - 1)));
  const first = policies[0];
  if (first === undefined) throw new InvarlockError('E_INTERNAL', 'planWindows needs at least one policy');
  const pm = first.thresholds.primary_metric;
  const bound = pm.ratio_limit + pm.hysteresis;
  const gap = Math.abs(Math.log(bound) - mean);
  const profiles = policies.map((policy): ProfilePlan => {
    const p = policy.thresholds.primary_metric;
    const planned = p.floors === 'enforced' ? Math.max(policy.windows.final_n, p.window_floor_final) : policy.windows.final_n;
    const z = normalQuantile(1 - policy.thresholds.bootstrap.alpha / 2);
    const needed = gap === 0 ? null : Math.max(2, Math.ceil(((z * sd) / gap) ** 2));
    return { profile: policy.profile, planned, needed, resolves: needed !== null && needed <= planned, sequential: looks === null || planned < 2 * looks ? null : sequentialStop(planned, looks, policy.thresholds.bootstrap.alpha / 2, sd, gap) };
  });
  return { windows: n, ratio: Math.exp(mean), sd, bound, side: mean <= Math.log(bound) ? 'pass' : 'fail', profiles };
}

function sequentialStop(planned: number, looks: number, alpha: number, sd: number, gap: number): NonNullable<ProfilePlan['sequential']> {
  const sizes = lookSizes(planned, looks);
  const critical = sequentialBoundaries(sizes.map((s) => s / planned), alpha).critical;
  for (let k = 0; k < looks - 1; k++) {
    if ((critical[k]! * sd) / Math.sqrt(sizes[k]!) < gap) return { looks, stopLook: k + 1, windows: sizes[k]! };
  }
  return { looks, stopLook: null, windows: planned };
}
