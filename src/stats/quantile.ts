import { InvarlockError } from '../errors/index.js';

/**
 * The q-quantile of ascending-sorted values by linear interpolation at h = q·(n − 1) (numpy's
 * default `linear` method, R type 7): x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). The caller guarantees the
 * order (this is the hot path of the bootstrap); `q` is clamped into [0, 1]. Throws `E_INTERNAL` for
 * an empty array or a NaN `q`.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new InvarlockError('E_INTERNAL', 'quantile of an empty sample');
  if (Number.isNaN(q)) throw new InvarlockError('E_INTERNAL', 'quantile level is NaN');
  const h = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const lower = sorted[lo];
  const upper = sorted[hi];
  // lower === upper also covers ±Infinity neighbours, where the difference would be NaN.
  return lower === upper ? lower : lower + (h - lo) * (upper - lower);
}

/**
 * The q-quantile of `values` (any order; not modified), as {@link quantileSorted}. Throws
 * `E_INTERNAL` for an empty sample, a NaN level or a NaN value.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

/**
 * An ascending copy of `values` as a Float64Array (numeric order; −0 before +0). Throws `E_INTERNAL`
 * when a value is NaN, which has no place in an order.
 */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values);
  for (let i = 0; i < copy.length; i++) {
    if (Number.isNaN(copy[i])) throw new InvarlockError('E_INTERNAL', `value ${i} is NaN and cannot be ordered`, { details: { index: i } });
  }
  return copy.sort();
}
