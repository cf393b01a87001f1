import { roundHalfEven } from '../../stats/index.js';

/** Options of {@link quantizeRtn}; see `QuantRtnConfig` for meanings. */
export interface RtnKernelOptions {
  readonly bits: number;
  readonly groupSize: number;
  readonly clampRatio: number;
}

/** A quantized matrix: dequantized values and the scale of each (row, group), row-major. */
export interface RtnKernelResult {
  readonly data: Float32Array;
  /** `rows × groupsPerRow` scales (float64 as computed; float32-exact after `Math.fround`). */
  readonly scales: Float64Array;
  readonly groupsPerRow: number;
}

/** Smallest scale numerator: an all-zero row keeps a finite scale (ALGORITHMS.md §6). */
const MIN_ABS_MAX = 1e-8;

/**
 * Symmetric round-to-nearest quantization of a row-major `[out, in]` matrix, one scale per output
 * channel (row) or per `groupSize` columns of a row: optional per-row clip to the linearly
 * interpolated quantiles c/2 and 1 − c/2, then s = max(|x|, 1e-8)/(2^(b−1) − 1),
 * q = clamp(roundHalfEven(x/s), −2^(b−1), 2^(b−1) − 1), x' = q·s. Arithmetic in float64, stored as
 * float32. The kernel of `quant_rtn`, exported for layers that need the same grid (e.g. an ONNX
 * exporter writing the integer codes): q = x'/s.
 */
export function quantizeRtn(values: Float32Array, rows: number, cols: number, options: RtnKernelOptions): RtnKernelResult {
  const qMax = 2 ** (options.bits - 1) - 1;
  const qMin = -(2 ** (options.bits - 1));
  const group = options.groupSize > 0 ? Math.min(options.groupSize, cols) : cols;
  const groupsPerRow = Math.max(1, Math.ceil(cols / group));
  const out = new Float32Array(rows * cols);
  const scales = new Float64Array(rows * groupsPerRow);
  const row = new Float64Array(cols);
  const sorted = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) row[j] = values[base + j];
    if (options.clampRatio > 0 && cols > 0) {
      sorted.set(row);
      sorted.sort();
      const lo = quantileOfSorted(sorted, options.clampRatio / 2);
      const hi = quantileOfSorted(sorted, 1 - options.clampRatio / 2);
      for (let j = 0; j < cols; j++) row[j] = Math.min(hi, Math.max(lo, row[j]));
    }
    for (let g = 0; g < groupsPerRow; g++) {
      const start = g * group;
      const end = Math.min(cols, start + group);
      let absMax = 0;
      for (let j = start; j < end; j++) absMax = Math.max(absMax, Math.abs(row[j]));
      const scale = Math.max(absMax, MIN_ABS_MAX) / qMax;
      scales[r * groupsPerRow + g] = scale;
      for (let j = start; j < end; j++) {
        const q = Math.min(qMax, Math.max(qMin, roundHalfEven(row[j] / scale)));
        out[base + j] = q * scale;
      }
    }
  }
  return { data: out, scales, groupsPerRow };
}

/** Quantile q of ascending values, linear interpolation at q·(n − 1) (ALGORITHMS.md §7). */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  const fraction = position - lower;
  const a = sorted[lower];
  const b = sorted[upper];
  return a + (b - a) * fraction;
}
