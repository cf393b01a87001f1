import { erfc } from '../../stats/index.js';

/** Two-sided normal p-value of a z-score: erfc(|z|/√2) (ALGORITHMS.md §5, spectral telemetry). */
export function twoSidedPValue(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}
