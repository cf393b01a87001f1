import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEditResult, applyQuantRtn, QUANT_RTN_DEFAULTS, quantizeRtn, resolveQuantRtnConfig } from '../../../src/edits/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { tinyModel, weight } from '../../guards/weights-fixture.js';

describe('quantizeRtn', () => {
  it('matches the ALGORITHMS.md §6 golden (8 bit, clamp 0.1)', () => {
    const input = Float32Array.from([0.5, -1, 0.25, 2, 0.01, 0.02, -0.03, 0.04]);
    const { data, scales } = quantizeRtn(input, 2, 4, { bits: 8, groupSize: 0, clampRatio: 0.1 });
    const expected = [0.50315, -0.81063, 0.25157, 1.775, 0.0099055, 0.0201024, -0.0238898, 0.037];
    expected.forEach((value, i) => expect(data[i]).toBeCloseTo(value, 5));
    expect(scales[0]).toBeCloseTo(0.013976, 6);
    expect(scales[1]).toBeCloseTo(0.00029134, 8);
  });

  it('keeps every value on the grid q·s with q in [−2^(b−1), 2^(b−1) − 1] for every bit width 2..8', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 5 }), fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 12, maxLength: 12 }), (bits, group, values) => {
        const input = Float32Array.from(values);
        const { data, scales, groupsPerRow } = quantizeRtn(input, 2, 6, { bits, groupSize: group, clampRatio: 0 });
        const groupWidth = group > 0 ? Math.min(group, 6) : 6;
        for (let r = 0; r < 2; r++) {
          for (let j = 0; j < 6; j++) {
            const scale = scales[r * groupsPerRow + Math.floor(j / groupWidth)] ?? NaN;
            const q = (data[r * 6 + j] ?? NaN) / scale;
            expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-3);
            expect(Math.round(q)).toBeGreaterThanOrEqual(-(2 ** (bits - 1)));
            expect(Math.round(q)).toBeLessThanOrEqual(2 ** (bits - 1) - 1);
          }
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('gives each group along the input dimension its own scale', () => {
    const input = Float32Array.from([1, 1, 100, 100]);
    const { scales, groupsPerRow, data } = quantizeRtn(input, 1, 4, { bits: 4, groupSize: 2, clampRatio: 0 });
    expect(groupsPerRow).toBe(2);
    expect(scales[0]).toBeCloseTo(1 / 7, 12);
    expect(scales[1]).toBeCloseTo(100 / 7, 12);
    expect([...data]).toEqual([1, 1, 100, 100].map(Math.fround));
  });

  it('rounds exact ties to the even level', () => {
    // s = 7/7 = 1 at 4 bits: 2.5 → 2, 3.5 → 4, −0.5 → −0
    const { data } = quantizeRtn(Float32Array.from([2.5, 3.5, -0.5, 7]), 1, 4, { bits: 4, groupSize: 0, clampRatio: 0 });
    expect([...data]).toEqual([2, 4, -0, 7]);
  });

  it('keeps an all-zero row at zero with the 1e-8 scale floor', () => {
    const { data, scales } = quantizeRtn(new Float32Array(4), 1, 4, { bits: 8, groupSize: 0, clampRatio: 0 });
    expect([...data]).toEqual([0, 0, 0, 0]);
    expect(scales[0]).toBeCloseTo(1e-8 / 127, 20);
  });
});

describe('applyQuantRtn', () => {
  it('stops with E_EDIT_SCOPE naming the scope when no weight has its role (an inferred interface without an MLP)', () => {
    const attentionOnly = [weight({ role: 'embed_tokens', layer: null, rows: 16, cols: 8, seed: 1 }), weight({ role: 'qkv', layer: 0, rows: 24, cols: 8, seed: 2 })];
    expect(() => applyQuantRtn(attentionOnly, { scope: 'ffn' })).toThrowError(
      expect.objectContaining({ code: 'E_EDIT_SCOPE', details: expect.objectContaining({ field: 'edit.config.scope', expected: 'ffn weights', actual: 'attn, embed' }) }),
    );
    expect(applyQuantRtn(attentionOnly, { scope: 'attn' }).modulesTouched).toEqual(['h.0.qkv']);
  });

  it('edits only FFN weights with the default scope and never mutates the input', () => {
    const model = tinyModel();
    const before = model.map((m) => m.data.slice());
    const result = applyQuantRtn(model);
    const touched = model.filter((m) => result.changed.has(m.key));
    expect(touched.map((m) => m.family)).toEqual(touched.map(() => 'ffn'));
    expect(result.modulesTouched).toEqual(model.filter((m) => m.family === 'ffn').map((m) => m.module));
    model.forEach((m, i) => expect(m.data).toEqual(before[i]));
    expect(result.paramsChanged).toBeGreaterThan(0);
    expect(result.name).toBe('quant_rtn');
  });

  it('keeps routed experts in their own scope: experts edits every expert and no router, ffn only the dense MLP, all both', () => {
    const moe = [
      weight({ role: 'embed_tokens', layer: null, rows: 16, cols: 8, seed: 1 }),
      weight({ role: 'q', layer: 0, rows: 8, cols: 8, seed: 2 }),
      weight({ role: 'router', layer: 0, rows: 4, cols: 8, seed: 3, module: 'l.0.moe.gate' }),
      ...[0, 1].flatMap((e) =>
        (['expert_gate', 'expert_up', 'expert_down'] as const).map((role, i) =>
          weight({ role, layer: 0, rows: role === 'expert_down' ? 8 : 12, cols: role === 'expert_down' ? 12 : 8, seed: 10 + 3 * e + i, module: `l.0.moe.experts.${e}.${role}` }),
        ),
      ),
      weight({ role: 'up', layer: 0, rows: 12, cols: 8, seed: 30, module: 'l.0.shared_expert.up' }),
    ];
    expect(applyQuantRtn(moe, { scope: 'experts', bits: 4 }).modulesTouched).toEqual(moe.filter((m) => m.family === 'experts').map((m) => m.module));
    expect(applyQuantRtn(moe, { scope: 'experts', bits: 4 }).modulesTouched).toHaveLength(6);
    expect(applyQuantRtn(moe, { scope: 'ffn', bits: 4 }).modulesTouched).toEqual(['l.0.shared_expert.up']);
    const all = applyQuantRtn(moe, { scope: 'all', bits: 4 });
    expect(all.modulesTouched).not.toContain('l.0.moe.gate');
    expect(all.modulesTouched).toHaveLength(8);
    // A MoE model without dense MLP: the default ffn scope stops and says where the experts are.
    const expertsOnly = moe.filter((m) => m.role !== 'up');
    expect(() => applyQuantRtn(expertsOnly, { scope: 'ffn' })).toThrowError(expect.objectContaining({ code: 'E_EDIT_SCOPE', hint: expect.stringContaining('scope experts') }));
    expect(() => resolveQuantRtnConfig({ scope: 'moe' as never })).toThrowError(expect.objectContaining({ code: 'E_EDIT_CONFIG', message: expect.stringContaining('ffn, experts, attn, all') }));
  });

  it('edits attention weights only with scope attn', () => {
    const model = tinyModel();
    const result = applyQuantRtn(model, { scope: 'attn', bits: 4 });
    expect(model.filter((m) => result.changed.has(m.key)).every((m) => m.family === 'attn')).toBe(true);
    expect(result.modulesTouched).toHaveLength(4);
  });

  it('with scope all edits the tied lm_head once and the embedding gets the same array', () => {
    const model = tinyModel();
    const result = applyQuantRtn(model, { scope: 'all', bits: 4 });
    const lmHead = result.changed.get('lm_head.weight');
    expect(lmHead).toBeDefined();
    expect(result.changed.get('wte.weight')).toBe(lmHead);
    expect(result.modulesTouched.filter((m) => m === 'lm_head' || m === 'wte')).toEqual(['lm_head']);
    expect(result.changed.has('wpe.weight')).toBe(false);
    expect(result.changed.has('h.0.ln_1.weight')).toBe(false);
    const after = applyEditResult(model, result);
    expect(after.find((m) => m.key === 'wte.weight')?.data).toBe(after.find((m) => m.key === 'lm_head.weight')?.data);
  });

  it('counts a tied pair once in paramsChanged', () => {
    const model = tinyModel();
    const all = applyQuantRtn(model, { scope: 'all', bits: 2 });
    const withoutHead = applyQuantRtn(model.filter((m) => m.role !== 'lm_head'), { scope: 'all', bits: 2 });
    const head = model.find((m) => m.role === 'lm_head');
    const headChanged = all.changed.get('lm_head.weight');
    let diff = 0;
    head?.data.forEach((v, i) => (Object.is(v, headChanged?.[i]) ? 0 : diff++));
    expect(all.paramsChanged).toBe(withoutHead.paramsChanged + diff);
  });

  it('stops after maxModules matrices in graph order', () => {
    const model = tinyModel({ layers: 3 });
    const result = applyQuantRtn(model, { scope: 'all', maxModules: 3 });
    expect(result.modulesTouched).toEqual(['h.0.attn.c_attn', 'h.0.attn.c_proj', 'h.0.mlp.c_fc']);
  });

  it('writes a digest input that names the edit, its configuration and the touched keys', () => {
    const result = applyQuantRtn(tinyModel({ layers: 1 }), { bits: 6 });
    expect(JSON.parse(result.digestInput)).toEqual({
      name: 'quant_rtn',
      config: { bits: 6, clampRatio: 0, groupSize: 0, maxModules: 0, scope: 'ffn' },
      touched: ['h.0.mlp.c_fc.weight', 'h.0.mlp.c_proj.weight'],
    });
  });

  it('leaves 1-D weights alone whatever their family', () => {
    const bias = weight({ role: 'down', layer: 0, rows: 1, cols: 8, seed: 3, module: 'h.0.mlp.c_proj.bias' });
    expect(applyQuantRtn([bias]).changed.size).toBe(0);
  });
});

describe('resolveQuantRtnConfig', () => {
  it('documents its defaults: 8 bits, per-row scales, no clamp, ffn scope, no module cap', () => {
    expect(QUANT_RTN_DEFAULTS).toEqual({ bits: 8, groupSize: 0, clampRatio: 0, scope: 'ffn', maxModules: 0 });
    expect(resolveQuantRtnConfig()).toEqual(QUANT_RTN_DEFAULTS);
    expect(Object.isFrozen(QUANT_RTN_DEFAULTS)).toBe(true);
  });

  it('rejects out-of-range fields with E_EDIT_CONFIG listing each of them', () => {
    try {
      resolveQuantRtnConfig({ bits: 9, clampRatio: 1, groupSize: -1 });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_EDIT_CONFIG')).toBe(true);
      if (!isInvarlockError(error)) return;
      expect(error.details.field).toBe('bits');
      expect(error.details.problems).toHaveLength(3);
    }
  });

  it('accepts every bit width from 2 to 8 and refuses 1', () => {
    for (let bits = 2; bits <= 8; bits++) expect(resolveQuantRtnConfig({ bits }).bits).toBe(bits);
    expect(() => resolveQuantRtnConfig({ bits: 1 })).toThrowError(expect.objectContaining({ code: 'E_EDIT_CONFIG' }));
  });
});
