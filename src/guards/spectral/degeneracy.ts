import type { MatrixStats } from '../linalg/matrix-stats.js';

/**
 * Norm-collapse measure of a matrix: min(rowMin/rowMedian, colMin/colMedian), a side whose median is
 * 0 counting as 1. Near 1 when every row and column carries similar energy; near 0 when some collapsed.
 */
export function normCollapseOf(stats: MatrixStats): number {
  const rows = stats.rowNormMedian > 0 ? stats.rowNormMin / stats.rowNormMedian : 1;
  const cols = stats.colNormMedian > 0 ? stats.colNormMin / stats.colNormMedian : 1;
  return Math.min(rows, cols);
}

/** subject/baseline, or 1 when the baseline value is 0 (nothing to lose). @internal */
export function dropRatio(subject: number, baseline: number): number {
  return baseline > 0 ? subject / baseline : 1;
}
