import { describe, expect, it } from 'vitest';
import { adapterOf, BASE_CONFIG, codeAndDetails, loraTensors } from './lora-fixture.js';
import type { TensorSpec } from './safetensors-writer.js';

describe('parsePeftAdapter', () => {
  it('strips the base_model.model. prefix and pairs A with B per module', () => {
    const adapter = adapterOf(BASE_CONFIG, loraTensors([{ module: 'h.0.attn.c_attn', rows: 48, cols: 16, seed: 1 }], 2));
    expect(adapter.updates.map((u) => [u.module, u.kind, u.a.shape, u.b.shape])).toEqual([['h.0.attn.c_attn', 'linear', [2, 16], [48, 2]]]);
    expect(adapter.config.fanInFanOut).toBe(true);
  });

  it('accepts keys that still carry the adapter name (lora_A.default.weight)', () => {
    const tensors = loraTensors([{ module: 'h.0.attn.c_attn', rows: 48, cols: 16, seed: 1 }], 2).map((t) => ({ ...t, name: t.name.replace('.weight', '.default.weight') }));
    expect(adapterOf(BASE_CONFIG, tensors).updates.map((u) => u.module)).toEqual(['h.0.attn.c_attn']);
  });

  it('refuses tensors it cannot merge, listing their keys', () => {
    const tensors: TensorSpec[] = [...loraTensors([{ module: 'h.0.attn.c_attn', rows: 48, cols: 16, seed: 1 }], 2), { name: 'base_model.model.h.0.attn.c_attn.lora_magnitude_vector', dtype: 'F32', shape: [48], values: Array.from({ length: 48 }, () => 1) }];
    expect(codeAndDetails(() => adapterOf(BASE_CONFIG, tensors))).toMatchObject({ code: 'E_LORA_INVALID', details: { problems: ['base_model.model.h.0.attn.c_attn.lora_magnitude_vector'] } });
  });
});
