import { roundHalfEven } from '../../stats/index.js';

/**
 * Indices of `count` evenly spaced calibration windows among `n` (ALGORITHMS.md §5):
 * roundHalfEven(i·(n − 1)/(count − 1)) for i = 0…count − 1, ascending, duplicates dropped (so fewer
 * than `count` when n < count). The RMT guard uses count = 8 over preview + final windows.
 * @param n windows available (≥ 0).
 * @param count windows wanted (≥ 1). @default 8
 */
export function selectCalibrationWindows(n: number, count = 8): number[] {
  if (n <= 0 || count <= 0) return [];
  if (count === 1) return [0];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = roundHalfEven((i * (n - 1)) / (count - 1));
    if (out[out.length - 1] !== index) out.push(index);
  }
  return out;
}
