/**
 * Exact (Clopper–Pearson) one-sided confidence bounds of a binomial rate, for "k of n runs were
 * flagged". With k = 0 the 95 % upper bound is 1 − 0.05^(1/n) ≈ 3/n (the rule of three).
 */

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space (float64). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  let logTerm = n * Math.log1p(-p); // log P(X = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p) - Math.log1p(-p);
    sum += Math.exp(logTerm);
  }
  return Math.min(sum, 1);
}

/** The p in [0, 1] where a decreasing function `f` crosses `target` (bisection, 80 halvings). */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** One-sided upper confidence bound (level `confidence`, default 0.95) of the rate k/n. */
export function upperBound(k: number, n: number, confidence = 0.95): number {
  if (n <= 0) return 1;
  if (k >= n) return 1;
  return solveDecreasing((p) => binomialCdf(k, n, p), 1 - confidence);
}

/** One-sided lower confidence bound (level `confidence`, default 0.95) of the rate k/n. */
export function lowerBound(k: number, n: number, confidence = 0.95): number {
  if (n <= 0 || k <= 0) return 0;
  // P(X ≥ k; p) = 1 − P(X ≤ k − 1; p) increases in p; solve 1 − cdf = 1 − confidence.
  return solveDecreasing((p) => binomialCdf(k - 1, n, p), confidence);
}
