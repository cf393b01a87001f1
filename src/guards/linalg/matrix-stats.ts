import { NORM_FLOOR, normalizeInto, powerStep } from './power-iteration.js';
import { topSingularValues } from './top-singular-values.js';

/** Options of {@link computeMatrixStats}. */
export interface MatrixStatsOptions {
  /** Power iterations for σ̂max (ALGORITHMS.md §5 uses 4). */
  readonly powerIters: number;
  /** Singular values computed for the Marchenko–Pastur outlier count; 0 skips it. */
  readonly mpTopK: number;
  /** Subspace iterations of the top-k computation. */
  readonly mpIters: number;
}

/** Marchenko–Pastur telemetry of one matrix. */
export interface MpOutliers {
  /** std(W)·(√rows + √cols), std over all entries (population, about the mean). */
  readonly edge: number;
  /** The `mpTopK` largest singular values, descending. */
  readonly topSingularValues: readonly number[];
  /** How many of them exceed the edge. */
  readonly count: number;
  /** True when all k exceed it, so the true count may be larger. */
  readonly isSaturated: boolean;
}

/**
 * Everything the weight guards measure on one matrix, from one call. When the matrix holds a NaN or
 * ±Inf (`nonFinite > 0`) every other measure is 0 and `mp` is null: such a matrix fails the
 * invariants guard, and a number computed from it would mean nothing.
 */
export interface MatrixStats {
  readonly rows: number;
  readonly cols: number;
  /** Count of NaN and ±Inf entries. */
  readonly nonFinite: number;
  /** Row-major index of the first non-finite entry, or −1. */
  readonly firstNonFiniteIndex: number;
  /** ‖W‖_F. */
  readonly frobeniusNorm: number;
  /** σ̂max by the §5 power iteration. */
  readonly sigmaMax: number;
  /** ‖W‖²_F / σ̂²max; 0 when σ̂max is 0. */
  readonly stableRank: number;
  /** Smallest and median L2 norm of the rows (output channels) and of the columns. */
  readonly rowNormMin: number;
  readonly rowNormMedian: number;
  readonly colNormMin: number;
  readonly colNormMedian: number;
  /** Mean and population standard deviation of all entries. */
  readonly mean: number;
  readonly std: number;
  readonly mp: MpOutliers | null;
}

/**
 * Computes {@link MatrixStats} of a row-major float32 matrix. The first power-iteration step (v₀ is
 * constant, so Wv₀ is the row sums over √cols) shares its read of W with the norms, sums and the
 * non-finite scan; the remaining `powerIters − 1` steps read W once each, the MP top-k 2·mpIters + 1 times.
 * Float64 accumulators throughout; the same numbers on every thread.
 */
export function computeMatrixStats(data: Float32Array, rows: number, cols: number, options: MatrixStatsOptions): MatrixStats {
  const count = rows * cols;
  const rowNorms = new Float64Array(rows);
  const colSquares = new Float64Array(cols);
  const z = new Float64Array(cols);
  const inverseSqrtCols = cols > 0 ? 1 / Math.sqrt(cols) : 0;
  let sum = 0;
  let sumSquares = 0;
  let uSquared = 0;
  let nonFinite = 0;
  let firstNonFiniteIndex = -1;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let rowSum = 0;
    let rowSquares = 0;
    for (let j = 0; j < cols; j++) {
      const w = data[base + j];
      rowSum += w;
      rowSquares += w * w;
    }
    // A float32 squared cannot overflow float64, so a non-finite sum means a non-finite entry.
    if (!Number.isFinite(rowSquares)) {
      for (let j = 0; j < cols; j++) {
        if (Number.isFinite(data[base + j])) continue;
        if (firstNonFiniteIndex < 0) firstNonFiniteIndex = base + j;
        nonFinite++;
      }
      continue;
    }
    sum += rowSum;
    sumSquares += rowSquares;
    rowNorms[i] = Math.sqrt(rowSquares);
    const u = rowSum * inverseSqrtCols;
    uSquared += u * u;
    for (let j = 0; j < cols; j++) {
      const w = data[base + j];
      z[j] += u * w;
      colSquares[j] += w * w;
    }
  }
  if (nonFinite > 0 || count === 0) return emptyStats(rows, cols, nonFinite, firstNonFiniteIndex);
  let sigma = 0;
  if (options.powerIters > 0) {
    const v = new Float64Array(cols);
    sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
    normalizeInto(z, sigma, v);
    for (let it = 1; it < options.powerIters; it++) sigma = powerStep(data, rows, cols, v, z);
    if (!Number.isFinite(sigma)) sigma = 0;
  }
  const colNorms = colSquares.map(Math.sqrt);
  const mean = sum / count;
  const std = Math.sqrt(Math.max(sumSquares / count - mean * mean, 0));
  const frobeniusSquared = sumSquares;
  return {
    rows,
    cols,
    nonFinite: 0,
    firstNonFiniteIndex: -1,
    frobeniusNorm: Math.sqrt(frobeniusSquared),
    sigmaMax: sigma,
    stableRank: sigma > 0 ? frobeniusSquared / (sigma * sigma) : 0,
    rowNormMin: minOf(rowNorms),
    rowNormMedian: medianOf(rowNorms),
    colNormMin: minOf(colNorms),
    colNormMedian: medianOf(colNorms),
    mean,
    std,
    mp: options.mpTopK > 0 ? mpOutliers(data, rows, cols, std, options) : null,
  };
}

function mpOutliers(data: Float32Array, rows: number, cols: number, std: number, options: MatrixStatsOptions): MpOutliers {
  const edge = std * (Math.sqrt(rows) + Math.sqrt(cols));
  const values = topSingularValues(data, rows, cols, { k: options.mpTopK, iters: options.mpIters });
  const count = values.filter((s) => s > edge).length;
  return { edge, topSingularValues: values, count, isSaturated: values.length > 0 && count === values.length };
}

function emptyStats(rows: number, cols: number, nonFinite: number, firstNonFiniteIndex: number): MatrixStats {
  return {
    rows,
    cols,
    nonFinite,
    firstNonFiniteIndex,
    frobeniusNorm: 0,
    sigmaMax: 0,
    stableRank: 0,
    rowNormMin: 0,
    rowNormMedian: 0,
    colNormMin: 0,
    colNormMedian: 0,
    mean: 0,
    std: 0,
    mp: null,
  };
}

function minOf(values: Float64Array): number {
  let min = Infinity;
  for (const value of values) min = Math.min(min, value);
  return values.length === 0 ? 0 : min;
}

/** Median, the mean of the two middle values for an even count (numpy's definition). */
function medianOf(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
