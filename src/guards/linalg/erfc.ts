/**
 * Complementary error function erfc(x) = 1 − erf(x), to about 1e-15 relative for x ≥ 0: the Maclaurin
 * series of erf below 2, Lentz's continued fraction at and above 2 (where 1 − erf would lose every
 * digit); erfc(−x) = 2 − erfc(x). Used for the two-sided p-value p = erfc(|z|/√2).
 * Note for dedup: src/eval's statistics carry Φ and erfc too; guards keep this one to stay independent of eval.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  return x < 2 ? 1 - erfSeries(x) : erfcContinuedFraction(x);
}

/** Two-sided normal p-value of a z-score: erfc(|z|/√2); 1 at z = 0, 0 at |z| = ∞. */
export function twoSidedPValue(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function erfSeries(x: number): number {
  // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n!(2n+1)); terms fall below 1e-17 by n ≈ 40 for x < 2.
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
