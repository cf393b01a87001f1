import { describe, expect, it } from 'vitest';
import { maskWindow, type MaskOptions } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const SPECIAL = [0, 1, 2, 3, 4];
const options: MaskOptions = { seed: 1234, maskId: 4, vocabSize: 200, specialIds: SPECIAL };

function window(id: string, length = 64): { id: string; ids: Uint32Array; scoreFrom: number; scoredCount: number } {
  const ids = Uint32Array.from({ length }, (_, i) => 10 + ((i * 37 + id.length * 11) % 180));
  ids[0] = 2; // [CLS]
  ids[length - 1] = 3; // [SEP]
  ids[20] = 3; // a separator inside the content
  return { id, ids, scoreFrom: 1, scoredCount: length - 2 };
}

describe('maskWindow', () => {
  it('is a pure function of seed, window id and position', () => {
    const w = window('w0');
    const a = maskWindow(w, options);
    const b = maskWindow({ ...w, ids: w.ids.slice() }, options);
    expect(Array.from(b.inputIds)).toEqual(Array.from(a.inputIds));
    expect(Array.from(b.positions)).toEqual(Array.from(a.positions));
    expect(Array.from(maskWindow(w, { ...options, seed: 1235 }).positions)).not.toEqual(Array.from(a.positions));
    expect(Array.from(maskWindow({ ...w, id: 'w64' }, options).positions)).not.toEqual(Array.from(a.positions));
  });

  it('selects round_half_even(15 %) of the non-special scored positions and keeps the originals as targets', () => {
    const w = window('w128');
    const masked = maskWindow(w, options);
    // 62 scored positions, one of them special → 61 eligible → round(9.15) = 9.
    expect(masked.positions).toHaveLength(9);
    for (const [i, p] of Array.from(masked.positions).entries()) {
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThan(63);
      expect(p).not.toBe(20);
      expect(masked.targets[i]).toBe(w.ids[p]);
    }
    const untouched = Array.from(w.ids.keys()).filter((p) => !Array.from(masked.positions).includes(p));
    expect(untouched.every((p) => masked.inputIds[p] === w.ids[p])).toBe(true);
    expect(masked.counts.masked + masked.counts.random + masked.counts.unchanged).toBe(9);
  });

  it('masks at least one position even in a short window', () => {
    const masked = maskWindow({ id: 'w5', ids: Uint32Array.from([2, 50, 51, 3]), scoreFrom: 0, scoredCount: 4 }, options);
    expect(masked.positions).toHaveLength(1);
  });

  it('replaces about 80 % with the mask id and 10 % with random non-special ids', () => {
    let masked = 0;
    let random = 0;
    let unchanged = 0;
    for (let k = 0; k < 400; k++) {
      const w = window(`w${k * 64}`, 128);
      const m = maskWindow(w, options);
      masked += m.counts.masked;
      random += m.counts.random;
      unchanged += m.counts.unchanged;
      for (const [i, p] of Array.from(m.positions).entries()) {
        const id = m.inputIds[p] ?? -1;
        if (id !== options.maskId && id !== m.targets[i]) {
          expect(SPECIAL).not.toContain(id);
          expect(id).toBeLessThan(200);
        }
      }
    }
    const total = masked + random + unchanged;
    expect(total).toBe(400 * 19);
    expect(masked / total).toBeGreaterThan(0.77);
    expect(masked / total).toBeLessThan(0.83);
    expect(random / total).toBeGreaterThan(0.08);
    expect(random / total).toBeLessThan(0.12);
  });

  it('fails for a window with nothing to mask and for a bad seed', () => {
    try {
      maskWindow({ id: 'w9', ids: Uint32Array.from([2, 3, 3]), scoreFrom: 0, scoredCount: 3 }, options);
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INSUFFICIENT_DATA') && error.details.window).toBe('w9');
    }
    expect(() => maskWindow(window('w0'), { ...options, seed: -1 })).toThrow(expect.objectContaining({ code: 'E_WINDOW_CONFIG' }));
    expect(() => maskWindow(window('w0'), { ...options, rate: 0 })).toThrow(expect.objectContaining({ code: 'E_WINDOW_CONFIG' }));
  });
});
