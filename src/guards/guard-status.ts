import type { GuardStatus, GuardViolation } from './types.js';

/**
 * Status from violations: any `fatal` → fail; more `budgeted` than `maxCaps` → fail; any `warning`
 * or budgeted violation within the budget → warn; else pass.
 * @internal
 */
export function statusOf(violations: readonly GuardViolation[], maxCaps = Infinity): GuardStatus {
  const budgeted = violations.filter((v) => v.severity === 'budgeted').length;
  if (violations.some((v) => v.severity === 'fatal') || budgeted > maxCaps) return 'fail';
  return violations.length > 0 ? 'warn' : 'pass';
}
