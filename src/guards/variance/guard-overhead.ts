/** Guard overhead: PPL with the guards' changes (VE scales) over PPL without, on the same windows. */
export interface GuardOverhead {
  readonly ratio: number;
  readonly maxRatio: number;
  readonly isWithinLimit: boolean;
}

/**
 * Guard overhead check (ALGORITHMS.md §1, §5): ratio = pplGuarded/pplBare, within the limit when
 * ratio ≤ maxRatio (1.01 in every tier). A non-finite ratio is never within it.
 */
export function evaluateGuardOverhead(input: { readonly pplGuarded: number; readonly pplBare: number }, policy: { readonly maxRatio: number }): GuardOverhead {
  const ratio = input.pplGuarded / input.pplBare;
  return { ratio, maxRatio: policy.maxRatio, isWithinLimit: Number.isFinite(ratio) && ratio <= policy.maxRatio };
}
