import type { BootstrapCiFn } from '../../../src/guards/index.js';
import { mulberry32 } from '../weights-fixture.js';

/**
 * A simple deterministic weighted percentile bootstrap for tests (the real BCa CI lives in src/eval):
 * resample indices uniformly, statistic = weighted mean of Δ, bounds at α/2 and 1 − α/2 quantiles.
 */
export const percentileBootstrap: BootstrapCiFn = (deltas, weights, options) => {
  const next = mulberry32(options.seed);
  const n = deltas.length;
  const stats: number[] = [];
  for (let r = 0; r < options.replicates; r++) {
    let sum = 0;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const i = Math.floor(next() * n);
      sum += (weights[i] ?? 0) * (deltas[i] ?? 0);
      total += weights[i] ?? 0;
    }
    stats.push(total > 0 ? sum / total : 0);
  }
  stats.sort((a, b) => a - b);
  const at = (q: number): number => {
    const pos = q * (stats.length - 1);
    const lo = Math.floor(pos);
    return (stats[lo] ?? 0) + ((stats[Math.min(lo + 1, stats.length - 1)] ?? 0) - (stats[lo] ?? 0)) * (pos - lo);
  };
  return { low: at(options.alpha / 2), high: at(1 - options.alpha / 2) };
};
