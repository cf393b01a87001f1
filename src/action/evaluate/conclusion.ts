import type { CheckConclusion, FailOn, Verdict } from '../types.js';

/** Why a run ended in `error`: a timeout is reported as `timed_out`, a cancelled job as `cancelled`. */
export type ErrorKind = 'timeout' | 'cancelled' | 'other';

/**
 * The check run conclusion for a verdict under `fail-on`.
 *
 * | verdict | fail-on: fail | fail-on: warn | fail-on: never |
 * | --- | --- | --- | --- |
 * | pass | success | success | success |
 * | warn | neutral | failure | neutral |
 * | fail | failure | failure | neutral |
 * | error | action_required (timed_out, cancelled) | action_required (timed_out, cancelled) | neutral |
 * | skipped | skipped | skipped | skipped |
 *
 * `error` is never `failure`: the model did not regress, the run could not finish. It still blocks
 * a required check (`action_required` and `timed_out` are not passing conclusions, `neutral` is),
 * so an infrastructure error cannot merge an unverified model, and a re-run clears it without
 * anyone overriding a real regression. With `fail-on: never` the check is advisory throughout.
 */
export function decideConclusion(verdict: Verdict, failOn: FailOn, errorKind: ErrorKind = 'other'): CheckConclusion {
  switch (verdict) {
    case 'pass':
      return 'success';
    case 'warn':
      return failOn === 'warn' ? 'failure' : 'neutral';
    case 'fail':
      return failOn === 'never' ? 'neutral' : 'failure';
    case 'error':
      if (errorKind === 'cancelled') return 'cancelled';
      if (failOn === 'never') return 'neutral';
      return errorKind === 'timeout' ? 'timed_out' : 'action_required';
    case 'skipped':
      return 'skipped';
    default: {
      const unreachable: never = verdict;
      throw new Error(`unknown verdict ${String(unreachable)}`);
    }
  }
}

/** True for conclusions that do not satisfy a required status check. */
export function isBlockingConclusion(conclusion: CheckConclusion): boolean {
  return conclusion === 'failure' || conclusion === 'action_required' || conclusion === 'timed_out' || conclusion === 'cancelled';
}

/**
 * Whether the step fails (`action-fail: true`): exactly when the conclusion blocks a merge, so the
 * job and the check agree (a cancelled run fails the step, as GitHub marks a cancelled job).
 */
export function shouldFailStep(conclusion: CheckConclusion, stepFailure: 'on-blocking' | 'never'): boolean {
  return stepFailure === 'on-blocking' && isBlockingConclusion(conclusion);
}

/** Upper-case badge text for a verdict, used in titles. */
export function verdictBadge(verdict: Verdict): string {
  const badges: Record<Verdict, string> = { pass: '✅ PASS', warn: '⚠️ WARN', fail: '❌ FAIL', error: '🛑 ERROR', skipped: '⏭️ SKIPPED' };
  return badges[verdict];
}
