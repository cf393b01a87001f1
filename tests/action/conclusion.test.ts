import { describe, expect, it } from 'vitest';
import { decideConclusion, shouldFailStep } from '../../src/action/evaluate/conclusion.js';

describe('decideConclusion', () => {
  it('follows the documented table', () => {
    const table = {
      fail: { pass: 'success', warn: 'neutral', fail: 'failure', error: 'action_required', skipped: 'skipped' },
      warn: { pass: 'success', warn: 'failure', fail: 'failure', error: 'action_required', skipped: 'skipped' },
      never: { pass: 'success', warn: 'neutral', fail: 'neutral', error: 'neutral', skipped: 'skipped' },
    } as const;
    for (const [failOn, row] of Object.entries(table)) {
      for (const [verdict, conclusion] of Object.entries(row)) {
        expect(decideConclusion(verdict as keyof typeof row, failOn as keyof typeof table), `${failOn}/${verdict}`).toBe(conclusion);
      }
    }
  });

  it('never shows error as failure: timeouts are timed_out and cancellations cancelled', () => {
    for (const failOn of ['fail', 'warn', 'never'] as const) {
      expect(decideConclusion('error', failOn)).not.toBe('failure');
      expect(decideConclusion('error', failOn, 'cancelled')).toBe('cancelled');
    }
    expect(decideConclusion('error', 'fail', 'timeout')).toBe('timed_out');
  });
});

describe('shouldFailStep', () => {
  it('fails the step exactly for blocking conclusions when action-fail is on', () => {
    expect(['success', 'neutral', 'skipped', 'failure', 'action_required', 'timed_out'].filter((c) => shouldFailStep(c as never, 'on-blocking'))).toEqual(['failure', 'action_required', 'timed_out']);
    expect(shouldFailStep('failure', 'never')).toBe(false);
  });
});
