import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WeightMatrix } from '../../../src/edits/index.js';
import { applyVeScales, restoreVeScales } from '../../../src/guards/index.js';
import { tinyModel } from '../weights-fixture.js';

const bits = (data: Float32Array) => [...new Uint32Array(data.buffer, data.byteOffset, data.length)];

describe('applyVeScales and restoreVeScales', () => {
  it('scales the named matrices by α without touching the input', () => {
    const model = tinyModel();
    const before = model.map((m) => bits(m.data));
    const { matrices } = applyVeScales(model, new Map([['h.0.mlp.c_proj.weight', 0.97]]));
    const scaled = matrices.find((m) => m.key === 'h.0.mlp.c_proj.weight');
    const original = model.find((m) => m.key === 'h.0.mlp.c_proj.weight');
    expect(scaled?.data[5]).toBe(Math.fround(0.97 * (original?.data[5] ?? NaN)));
    expect(matrices.filter((m, i) => m !== model[i]).map((m) => m.key)).toEqual(['h.0.mlp.c_proj.weight']);
    expect(model.map((m) => bits(m.data))).toEqual(before);
  });

  it('restores every weight bit for bit after enabling then disabling, whatever the values and scales', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: false }), { minLength: 4, maxLength: 32 }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        (values, a, b) => {
          const data = Float32Array.from(values);
          const model: WeightMatrix[] = [
            { key: 'x', module: 'x', role: 'down', family: 'ffn', layer: 0, rows: 1, cols: data.length, data },
            { key: 'y', module: 'y', role: 'down', family: 'ffn', layer: 1, rows: 1, cols: data.length, data: data.map((v) => -v) },
          ];
          const original = model.map((m) => bits(m.data));
          const { matrices, snapshot } = applyVeScales(model, new Map([['x', a], ['y', b]]));
          expect(bits(restoreVeScales(matrices, snapshot)[0]?.data ?? new Float32Array())).toEqual(original[0]);
          expect(restoreVeScales(matrices, snapshot).map((m) => bits(m.data))).toEqual(original);
        },
      ),
      { seed: 8, numRuns: 300 },
    );
  });

  it('refuses a scale for an unknown matrix or a non-positive α, and a snapshot that does not fit', () => {
    const model = tinyModel();
    expect(() => applyVeScales(model, new Map([['nope', 1.01]]))).toThrowError(expect.objectContaining({ code: 'E_INTERNAL' }));
    expect(() => applyVeScales(model, new Map([['h.0.mlp.c_proj.weight', 0]]))).toThrowError(expect.objectContaining({ code: 'E_INTERNAL' }));
    const { snapshot } = applyVeScales(model, new Map([['h.0.mlp.c_proj.weight', 1.01]]));
    expect(() => restoreVeScales(model.slice(0, 2), snapshot)).toThrowError(expect.objectContaining({ code: 'E_SNAPSHOT', details: { tensor: 'h.0.mlp.c_proj.weight' } }));
  });
});
