import { InvarlockError } from '../../errors/index.js';
import type { DrawBalance } from './types.js';

/** Mean difficulties closer than this count as balanced. */
export const BALANCE_TOLERANCE = 1e-4;
/** At most this many swaps while balancing. */
export const MAX_BALANCE_SWAPS = 100;

/** Options of {@link drawArms}. */
export interface DrawOptions {
  readonly previewN: number;
  readonly finalN: number;
  /** Uniform [0, 1) generator. */
  readonly rand: () => number;
}

function uniform(rand: () => number): number {
  const u = rand();
  if (!(u >= 0 && u < 1)) throw new InvarlockError('E_INTERNAL', `The draw's random generator returned ${u}, not a number in [0, 1)`);
  return u;
}

interface Item {
  readonly index: number;
  readonly d: number;
}

function mean(items: readonly Item[]): number {
  let sum = 0;
  for (const item of items) sum += item.d;
  return items.length === 0 ? 0 : sum / items.length;
}

/**
 * The swap (a from the arm with the higher mean, b from the other) whose exchange brings the gap
 * closest to zero: a swap changes the gap by −(d_a − d_b)(1/n_high + 1/n_low). Ties go to the lower
 * pool indices. Returns undefined when no swap reduces |gap|.
 */
function bestSwap(high: readonly Item[], low: readonly Item[], gap: number): { a: number; b: number; newGap: number } | undefined {
  const factor = 1 / high.length + 1 / low.length;
  const ideal = gap / factor;
  const sortedLow = low.map((item, pos) => ({ ...item, pos })).sort((x, y) => x.d - y.d || x.index - y.index);
  let best: { a: number; b: number; newGap: number; ai: number; bi: number } | undefined;
  high.forEach((a, aPos) => {
    const target = a.d - ideal;
    let lo = 0;
    let hi = sortedLow.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedLow[mid].d < target) lo = mid + 1;
      else hi = mid;
    }
    for (const j of [lo - 1, lo]) {
      const b = sortedLow[j];
      if (b === undefined) continue;
      const newGap = gap - (a.d - b.d) * factor;
      const better =
        best === undefined ||
        Math.abs(newGap) < Math.abs(best.newGap) ||
        (Math.abs(newGap) === Math.abs(best.newGap) && (a.index < best.ai || (a.index === best.ai && b.index < best.bi)));
      if (better) best = { a: aPos, b: b.pos, newGap, ai: a.index, bi: b.index };
    }
  });
  // A swap must shrink |gap| by more than rounding noise, or equal-magnitude swaps could alternate.
  return best !== undefined && Math.abs(best.newGap) < Math.abs(gap) - 1e-12 ? best : undefined;
}

/**
 * The seeded, stratified preview/final draw of ALGORITHMS.md §2 over a pool of candidates given by
 * their difficulties (pool order = index order):
 * 1. sort by (difficulty, index);
 * 2. take M = previewN + finalN evenly spaced sorted positions floor((i + u)·P/M), i = 0…M−1, with a
 *    random phase u ∈ [0, 1) (systematic sampling; InvarLock uses the fixed phase 0.5);
 * 3. assign consecutive pairs (easier, harder) alternately A/B, B/A, … (an arm that is full passes
 *    its window to the other), where a second draw decides whether A is preview or final;
 * 4. balance: while the mean difficulties differ by ≥ 1e-4 and fewer than 100 swaps were made,
 *    exchange the pair of windows whose swap brings the means closest together, stopping when no
 *    swap helps. (The literal "swap the extremes" overshoots by far more than the gap as soon as the
 *    arms hold more than a few windows, so it almost never reaches the tolerance.)
 * Randomness enters only through u and the arm coin: two calls of `rand`.
 *
 * @returns pool indices of each arm, ascending, and the balance reached.
 * @throws `E_INTERNAL` when the pool is smaller than M (callers report `E_INSUFFICIENT_DATA` first).
 */
export function drawArms(difficulties: ArrayLike<number>, options: DrawOptions): { preview: number[]; final: number[]; balance: DrawBalance } {
  const { previewN, finalN } = options;
  const total = previewN + finalN;
  const poolSize = difficulties.length;
  if (poolSize < total) throw new InvarlockError('E_INTERNAL', `drawArms needs ${total} candidates, got ${poolSize}`);
  const sorted: Item[] = Array.from({ length: poolSize }, (_, index) => ({ index, d: difficulties[index] })).sort(
    (x, y) => x.d - y.d || x.index - y.index,
  );

  const phase = uniform(options.rand);
  const selected: Item[] = [];
  let previous = -1;
  for (let i = 0; i < total; i++) {
    let pos = Math.floor(((i + phase) * poolSize) / total);
    // Guards against float rounding when P = M: positions stay strictly increasing and in range.
    pos = Math.min(Math.max(pos, previous + 1), poolSize - (total - i));
    selected.push(sorted[pos]);
    previous = pos;
  }

  const previewFirst = uniform(options.rand) < 0.5;
  const preview: Item[] = [];
  const final: Item[] = [];
  const arm = (which: 'A' | 'B'): { list: Item[]; capacity: number } =>
    (which === 'A') === previewFirst ? { list: preview, capacity: previewN } : { list: final, capacity: finalN };
  const assign = (item: Item, which: 'A' | 'B'): void => {
    const primary = arm(which);
    const secondary = arm(which === 'A' ? 'B' : 'A');
    (primary.list.length < primary.capacity ? primary : secondary).list.push(item);
  };
  for (let p = 0; p < selected.length; p += 2) {
    const easier = selected[p];
    const harder = selected[p + 1];
    const even = (p / 2) % 2 === 0;
    assign(easier, even ? 'A' : 'B');
    if (harder !== undefined) assign(harder, even ? 'B' : 'A');
  }

  let swaps = 0;
  let gap = mean(preview) - mean(final);
  while (Math.abs(gap) >= BALANCE_TOLERANCE && swaps < MAX_BALANCE_SWAPS) {
    const [high, low] = gap > 0 ? [preview, final] : [final, preview];
    const swap = bestSwap(high, low, Math.abs(gap));
    if (swap === undefined) break;
    const a = high[swap.a];
    high[swap.a] = low[swap.b];
    low[swap.b] = a;
    swaps++;
    gap = mean(preview) - mean(final);
  }

  const previewMeanDifficulty = mean(preview);
  const finalMeanDifficulty = mean(final);
  return {
    preview: preview.map((item) => item.index).sort((x, y) => x - y),
    final: final.map((item) => item.index).sort((x, y) => x - y),
    balance: {
      previewMeanDifficulty,
      finalMeanDifficulty,
      gap: Math.abs(previewMeanDifficulty - finalMeanDifficulty),
      swaps,
      status: Math.abs(previewMeanDifficulty - finalMeanDifficulty) < BALANCE_TOLERANCE ? 'within-tolerance' : 'best-effort',
    },
  };
}
