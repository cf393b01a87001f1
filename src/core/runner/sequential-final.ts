import { InvarlockError } from '../../errors/index.js';
import type { Scorer } from '../../eval/index.js';
import { designOf, type SequentialPlanFacts } from '../../report/index.js';
import { interimLook } from '../../stats/index.js';
import type { ArmProgress } from './evaluate-arms.js';
import { concatScores, type ArmScores, type BoundScoring } from './objective.js';
import type { BaselineRun, RunContext } from './run-context.js';

/**
 * The planned final arm of a run with sequential looks (policy.sequential): the baseline's final
 * windows, which the floors count when a subject stops early. null when the policy has no looks
 * or the metric is accuracy (its gate is not a ratio; it scores every example).
 */
export function sequentialPlanOf(ctx: Pick<RunContext, 'policy' | 'objective'>, baseline: BaselineRun): SequentialPlanFacts | null {
  if (ctx.policy.sequential === null || ctx.objective.metricKind === 'accuracy') return null;
  const final = baseline.scores.final;
  let tokens = 0;
  for (const w of final.weights) tokens += w;
  return { windows: final.ids.length, tokens };
}

/**
 * Refuses sequential looks the run cannot take, before any subject is scored: the objective must
 * score its final units in groups, and each look needs at least 2 windows.
 */
export function checkSequentialRun(ctx: Pick<RunContext, 'policy' | 'objective'>, baseline: BaselineRun, scoring: BoundScoring): void {
  const plan = sequentialPlanOf(ctx, baseline);
  const looks = ctx.policy.sequential?.looks;
  if (plan === null || looks === undefined) return;
  if (scoring.scoreFinalRange === undefined) {
    throw new InvarlockError('E_CONFIG_INVALID', `sequential looks need an objective that scores its final windows in groups; ${ctx.objective.name} does not`, {
      details: { field: 'sequential' },
      hint: 'Remove sequential (or --sequential) for this model.',
    });
  }
  if (plan.windows < 2 * looks) {
    throw new InvarlockError('E_CONFIG_INVALID', `${looks} sequential looks need at least ${2 * looks} final windows; the plan has ${plan.windows}`, {
      details: { field: 'sequential.looks', expected: `≤ ${Math.floor(plan.windows / 2)}`, actual: String(looks) },
    });
  }
}

/**
 * Scores a subject's final arm: all of it, or, with sequential looks, group by group in plan
 * order, deciding each interim look on the paired Δ so far (the same function the certificate's
 * derivation replays) and stopping at the first decisive one. Returns the windows scored.
 */
export async function scoreFinalArm(
  ctx: Pick<RunContext, 'policy' | 'objective' | 'onEvent'>,
  baseline: BaselineRun,
  scoring: BoundScoring,
  scorer: Scorer,
  progress: ArmProgress,
): Promise<ArmScores> {
  const plan = sequentialPlanOf(ctx, baseline);
  const design = plan === null ? null : designOf(ctx.policy, plan);
  if (plan === null || design === null || scoring.scoreFinalRange === undefined) return scoring.score(scorer, 'final', progress);
  const base = baseline.scores.final;
  const parts: ArmScores[] = [];
  let start = 0;
  for (let k = 0; k < design.looks; k++) {
    const end = design.sizes[k]!;
    parts.push(await scoring.scoreFinalRange(scorer, start, end, progress));
    start = end;
    if (k === design.looks - 1) break;
    const scored = concatScores(parts);
    const deltas = scored.values.map((v, i) => v - base.values[i]!);
    const look = interimLook(design, k, deltas, scored.weights);
    const subject = progress.subject === null ? '' : `${progress.subject}: `;
    const bounds = `ratio ${Math.exp(look.estimate).toFixed(4)}, interval [${Math.exp(look.low).toFixed(4)}, ${Math.exp(look.high).toFixed(4)}] vs ${design.bound}`;
    ctx.onEvent({ type: 'info', message: `${subject}sequential look ${k + 1} of ${design.looks} at ${end} of ${design.planned} windows: ${bounds} → ${look.decision}` });
    if (look.decision !== 'continue') return scored;
  }
  return concatScores(parts);
}
