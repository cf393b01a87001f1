import { InvarlockError } from '../../errors/index.js';
import { roundHalfEven } from '../../stats/index.js';
import { murmur3Bytes, murmur3Words } from './murmur3.js';
import type { MaskedWindow, MaskOptions } from './types.js';

/** Defaults of {@link MaskOptions}. */
export const MASK_DEFAULTS = Object.freeze({ rate: 0.15 });

// Salts of the three hash streams per position.
const SELECT = 0;
const ACTION = 1;
const RANDOM_ID = 2;
const MAX_RANDOM_ATTEMPTS = 16;
const TWO_POW_32 = 4294967296;

/**
 * The masked-LM corruption of one window (ALGORITHMS.md §3), a pure function of (seed, window id,
 * position): no random stream, so any subset of windows masks the same way in any order.
 *
 * With `key = murmur3(utf8(window.id), seed)` and `h(p, s) = murmur3Words([key, p, s], seed)`
 * (MurmurHash3 x86_32):
 * 1. eligible = scored positions (`scoreFrom … scoreFrom + scoredCount − 1`) whose id is not special;
 * 2. select the n = max(1, round_half_even(rate · |eligible|)) eligible positions with the smallest
 *    (h(p, 0), p);
 * 3. per selected p, u = h(p, 1) / 2³²: u < 0.8 → mask id; u < 0.9 → a random id
 *    floor(h(p, 2 + a) / 2³² · vocabSize) for the first attempt a = 0…15 that is not special (then the
 *    next non-special id upwards); else unchanged.
 *
 * @throws `E_INSUFFICIENT_DATA` (details.window) when the window has no eligible position;
 *   `E_WINDOW_CONFIG` for a seed outside [0, 2³²), a rate outside (0, 1], or a vocabulary of special ids only.
 */
export function maskWindow(
  window: { readonly id: string; readonly ids: Uint32Array; readonly scoreFrom: number; readonly scoredCount: number },
  options: MaskOptions,
): MaskedWindow {
  const { seed, maskId, vocabSize } = options;
  const rate = options.rate ?? MASK_DEFAULTS.rate;
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new InvarlockError('E_WINDOW_CONFIG', `The mask seed must be an integer in [0, 2^32), got ${seed}`, { details: { field: 'seed', actual: String(seed) } });
  }
  if (!(rate > 0 && rate <= 1)) {
    throw new InvarlockError('E_WINDOW_CONFIG', `The mask rate must be in (0, 1], got ${rate}`, { details: { field: 'rate', actual: String(rate) } });
  }
  const special = new Set(options.specialIds);
  if (!Number.isInteger(vocabSize) || vocabSize <= 0 || [...special].filter((id) => id < vocabSize).length >= vocabSize) {
    throw new InvarlockError('E_WINDOW_CONFIG', `vocabSize ${vocabSize} leaves no non-special id to draw`, { details: { field: 'vocabSize', actual: String(vocabSize) } });
  }

  const key = murmur3Bytes(new TextEncoder().encode(window.id), seed);
  const eligible: { p: number; h: number }[] = [];
  for (let p = window.scoreFrom; p < window.scoreFrom + window.scoredCount; p++) {
    const id = window.ids[p];
    if (id !== undefined && !special.has(id)) eligible.push({ p, h: murmur3Words([key, p, SELECT], seed) });
  }
  if (eligible.length === 0) {
    throw new InvarlockError('E_INSUFFICIENT_DATA', `Window ${window.id} has no non-special scored position to mask`, { details: { window: window.id } });
  }
  const n = Math.max(1, roundHalfEven(rate * eligible.length));
  const positions = eligible
    .sort((a, b) => a.h - b.h || a.p - b.p)
    .slice(0, n)
    .map((e) => e.p)
    .sort((a, b) => a - b);

  const inputIds = window.ids.slice();
  const targets = new Uint32Array(positions.length);
  let masked = 0;
  let random = 0;
  positions.forEach((p, i) => {
    targets[i] = window.ids[p] ?? 0;
    const u = murmur3Words([key, p, ACTION], seed) / TWO_POW_32;
    if (u < 0.8) {
      inputIds[p] = maskId;
      masked++;
    } else if (u < 0.9) {
      inputIds[p] = randomId(key, p, seed, vocabSize, special);
      random++;
    }
  });
  return { id: window.id, inputIds, positions: Uint32Array.from(positions), targets, counts: { masked, random, unchanged: positions.length - masked - random } };
}

function randomId(key: number, p: number, seed: number, vocabSize: number, special: ReadonlySet<number>): number {
  let id = 0;
  for (let attempt = 0; attempt < MAX_RANDOM_ATTEMPTS; attempt++) {
    id = Math.floor((murmur3Words([key, p, RANDOM_ID + attempt], seed) / TWO_POW_32) * vocabSize);
    if (!special.has(id)) return id;
  }
  while (special.has(id)) id = (id + 1) % vocabSize;
  return id;
}
