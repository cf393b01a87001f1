import { describe, expect, it } from 'vitest';
import { applyEdit, applyEditResult, mergeLora, type WeightMatrix } from '../../../src/edits/index.js';
import { randomData, tinyModel } from '../../guards/weights-fixture.js';
import { adapterOf, BASE_CONFIG, codeAndDetails, HIDDEN, loraTensors, type LoraSpec } from './lora-fixture.js';

describe('mergeLora', () => {
  const model = tinyModel();
  const specs: LoraSpec[] = [
    { module: 'h.0.attn.c_attn', rows: 3 * HIDDEN, cols: HIDDEN, seed: 10 },
    { module: 'h.1.mlp.c_fc', rows: 4 * HIDDEN, cols: HIDDEN, seed: 20 },
  ];

  it('changes exactly the targeted matrices by s·B·A with s = alpha/r', () => {
    const adapter = adapterOf(BASE_CONFIG, loraTensors(specs, 2));
    const result = mergeLora(model, { adapters: [{ adapter, weight: 1 }] });
    expect([...result.changed.keys()]).toEqual(['h.0.attn.c_attn.weight', 'h.1.mlp.c_fc.weight']);
    expect(result.modulesTouched).toEqual(['h.0.attn.c_attn', 'h.1.mlp.c_fc']);
    const update = adapter.updates[0];
    const base = model.find((m) => m.module === 'h.0.attn.c_attn');
    const merged = result.changed.get('h.0.attn.c_attn.weight');
    if (update === undefined || base === undefined || merged === undefined) throw new Error('fixture');
    expect(update.scaling).toBe(2);
    for (const [i, j] of [[0, 0], [5, 7], [47, 15]] as const) {
      let dot = 0;
      for (let c = 0; c < 2; c++) dot += (update.b.data[i * 2 + c] ?? 0) * (update.a.data[c * HIDDEN + j] ?? 0);
      expect(merged[i * HIDDEN + j]).toBeCloseTo((base.data[i * HIDDEN + j] ?? 0) + 2 * dot, 6);
    }
    expect(result.paramsChanged).toBeGreaterThan(0);
    expect(result.paramsChanged).toBeLessThanOrEqual(3 * HIDDEN * HIDDEN + 4 * HIDDEN * HIDDEN);
  });

  it('restores the base to float tolerance when the negated adapter is merged on top', () => {
    const adapter = adapterOf(BASE_CONFIG, loraTensors(specs, 2));
    const merged = applyEditResult(model, mergeLora(model, { adapters: [{ adapter, weight: 1 }] }));
    const restored = applyEditResult(merged, mergeLora(merged, { adapters: [{ adapter, weight: -1 }] }));
    restored.forEach((m, index) => {
      const original = model[index]?.data ?? new Float32Array();
      let worst = 0;
      m.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (original[i] ?? 0)))));
      expect(worst).toBeLessThan(1e-5);
    });
  });

  it('sums several adapters with their weights', () => {
    const a = adapterOf(BASE_CONFIG, loraTensors(specs, 2));
    const both = mergeLora(model, { adapters: [{ adapter: a, weight: 0.25 }, { adapter: a, weight: 0.75 }] });
    const once = mergeLora(model, { adapters: [{ adapter: a, weight: 1 }] });
    const x = both.changed.get('h.1.mlp.c_fc.weight');
    const y = once.changed.get('h.1.mlp.c_fc.weight');
    x?.forEach((v, i) => expect(v).toBeCloseTo(y?.[i] ?? NaN, 6));
  });

  it('uses alpha/√r with rsLoRA and rank_pattern/alpha_pattern overrides per module', () => {
    const rs = adapterOf({ ...BASE_CONFIG, r: 4, use_rslora: true }, loraTensors([specs[0] as LoraSpec], 4));
    expect(rs.updates[0]?.scaling).toBe(2);
    const patterned = adapterOf({ ...BASE_CONFIG, rank_pattern: { c_fc: 4 }, alpha_pattern: { c_fc: 2 } }, [
      ...loraTensors([specs[0] as LoraSpec], 2),
      ...loraTensors([{ ...(specs[1] as LoraSpec), rank: 4 }], 4),
    ]);
    expect(patterned.updates.map((u) => [u.module, u.rank, u.scaling])).toEqual([
      ['h.0.attn.c_attn', 2, 2],
      ['h.1.mlp.c_fc', 4, 0.5],
    ]);
  });

  it('names a target module that the base lacks with E_LORA_INVALID', () => {
    const adapter = adapterOf({ ...BASE_CONFIG, target_modules: ['c_attn'] }, loraTensors([{ module: 'h.7.attn.c_attn', rows: 48, cols: 16, seed: 1 }], 2));
    expect(codeAndDetails(() => mergeLora(model, { adapters: [{ adapter, weight: 1 }] }))).toMatchObject({ code: 'E_LORA_INVALID', details: { module: 'h.7.attn.c_attn' } });
  });

  it('names the module when B·A does not have the base shape', () => {
    const adapter = adapterOf(BASE_CONFIG, loraTensors([{ module: 'h.0.attn.c_attn', rows: 47, cols: 16, seed: 1 }], 2));
    expect(codeAndDetails(() => mergeLora(model, { adapters: [{ adapter, weight: 1 }] }))).toMatchObject({
      code: 'E_LORA_INVALID',
      details: { module: 'h.0.attn.c_attn', expected: '48x16', actual: '47x16' },
    });
  });

  it('names the module when A and B ranks disagree', () => {
    const tensors = loraTensors([{ module: 'h.0.attn.c_attn', rows: 48, cols: 16, seed: 1, rank: 3 }], 2);
    expect(codeAndDetails(() => adapterOf(BASE_CONFIG, tensors))).toMatchObject({ code: 'E_LORA_INVALID', details: { module: 'h.0.attn.c_attn' } });
  });

  it('refuses a LoRA module outside target_modules and a module with only one of A and B', () => {
    expect(codeAndDetails(() => adapterOf({ ...BASE_CONFIG, target_modules: ['c_fc'] }, loraTensors([specs[0] as LoraSpec], 2)))).toMatchObject({
      code: 'E_LORA_INVALID',
      details: { module: 'h.0.attn.c_attn' },
    });
    const onlyA = loraTensors([specs[0] as LoraSpec], 2).slice(0, 1);
    expect(codeAndDetails(() => adapterOf(BASE_CONFIG, onlyA))).toMatchObject({ code: 'E_LORA_INVALID', details: { module: 'h.0.attn.c_attn' } });
  });

  it('matches PEFT paths to module paths that differ by a leading prefix', () => {
    const prefixed: WeightMatrix[] = model.map((m) => ({ ...m, module: `transformer.${m.module}` }));
    const adapter = adapterOf(BASE_CONFIG, loraTensors([specs[0] as LoraSpec], 2));
    expect(mergeLora(prefixed, { adapters: [{ adapter, weight: 1 }] }).modulesTouched).toEqual(['transformer.h.0.attn.c_attn']);
  });

  it('keeps a tied lm_head and embedding tied when the lm_head is adapted', () => {
    const adapter = adapterOf({ ...BASE_CONFIG, target_modules: ['lm_head'] }, loraTensors([{ module: 'lm_head', rows: 40, cols: 16, seed: 5 }], 2));
    const result = mergeLora(model, { adapters: [{ adapter, weight: 1 }] });
    expect(result.changed.get('wte.weight')).toBe(result.changed.get('lm_head.weight'));
    expect(result.modulesTouched).toEqual(['lm_head']);
  });

  it('adds (B·A)ᵀ for embedding LoRA and replaces modules_to_save weights', () => {
    const vocab = 40;
    const a = randomData(2, vocab, 8, 1);
    const b = randomData(HIDDEN, 2, 9, 1);
    const replacement = randomData(32, HIDDEN, 10, 1);
    const adapter = adapterOf({ ...BASE_CONFIG, target_modules: ['wte'], modules_to_save: ['wpe'] }, [
      { name: 'base_model.model.wte.lora_embedding_A', dtype: 'F32', shape: [2, vocab], values: [...a] },
      { name: 'base_model.model.wte.lora_embedding_B', dtype: 'F32', shape: [HIDDEN, 2], values: [...b] },
      { name: 'base_model.model.wpe.weight', dtype: 'F32', shape: [32, HIDDEN], values: [...replacement] },
    ]);
    const result = mergeLora(model, { adapters: [{ adapter, weight: 1 }] });
    const wte = model[0];
    const merged = result.changed.get('wte.weight');
    const v = 7;
    const d = 3;
    const expected = (wte?.data[v * HIDDEN + d] ?? 0) + 2 * ((b[d * 2] ?? 0) * (a[v] ?? 0) + (b[d * 2 + 1] ?? 0) * (a[vocab + v] ?? 0));
    expect(merged?.[v * HIDDEN + d]).toBeCloseTo(expected, 5);
    expect([...(result.changed.get('wpe.weight') ?? [])]).toEqual([...replacement]);
  });

  it('leaves everything unchanged when B is zero (a freshly initialised adapter)', () => {
    const tensors = loraTensors([specs[0] as LoraSpec], 2).map((t) => (t.name.includes('lora_B') ? { ...t, values: t.values.map(() => 0) } : t));
    const result = applyEdit({ name: 'lora', config: { adapters: [{ adapter: adapterOf(BASE_CONFIG, tensors), weight: 1 }] } }, model);
    expect(result.paramsChanged).toBe(0);
  });
});

