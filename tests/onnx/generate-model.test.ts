import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, createDataSource, getGraphLookup, indexModel, resolveWeight } from '../../src/onnx/index.js';
import { GPT2_SMALL, buildGpt2Spec, gpt2ParameterCount, type Gpt2Options } from '../../bench/generate-model.js';
import { floats, runModel } from './ort-helpers.js';

const TINY: Gpt2Options = { nLayer: 2, dModel: 32, nHead: 4, vocabSize: 50, nPositions: 16, seed: 11 };

async function logitsOf(bytes: Uint8Array, ids: readonly number[], mask: readonly number[] = ids.map(() => 1), externalData: Parameters<typeof runModel>[2] = []): Promise<Float32Array> {
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), [1, ids.length]),
  };
  const out = await runModel(bytes, feeds, externalData);
  expect(out.logits?.dims).toEqual([1, ids.length, TINY.vocabSize]);
  return floats(out.logits);
}

describe('synthetic GPT-2 generator', () => {
  it('counts GPT-2 small parameters exactly', () => {
    expect(gpt2ParameterCount(GPT2_SMALL)).toBe(124_439_808);
  });

  it('builds a runnable causal LM: later tokens never change earlier logits', async () => {
    const bytes = buildModel(buildGpt2Spec(TINY)).modelBytes;
    const a = await logitsOf(bytes, [1, 7, 3, 9]);
    const b = await logitsOf(bytes, [1, 7, 3, 20]);
    const v = TINY.vocabSize;
    expect(Array.from(a.subarray(0, 3 * v))).toEqual(Array.from(b.subarray(0, 3 * v)));
    expect(Array.from(a.subarray(3 * v))).not.toEqual(Array.from(b.subarray(3 * v)));
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('masks padded positions through attention_mask', async () => {
    const bytes = buildModel(buildGpt2Spec(TINY)).modelBytes;
    const v = TINY.vocabSize;
    const full = await logitsOf(bytes, [4, 5, 6]);
    const padded = await logitsOf(bytes, [4, 5, 6, 0], [1, 1, 1, 0]);
    expect(Array.from(padded.subarray(0, 3 * v))).toEqual(Array.from(full));
  });

  it('is seeded, names weights like a TorchScript GPT-2 export and ties lm_head to wte', () => {
    const first = buildModel(buildGpt2Spec(TINY)).modelBytes;
    expect(Buffer.from(buildModel(buildGpt2Spec(TINY)).modelBytes).equals(Buffer.from(first))).toBe(true);
    const index = indexModel(first);
    const names = index.graph.initializers.map((t) => t.name);
    expect(names).toContain('transformer.h.1.attn.c_attn.weight');
    expect(names).toContain('transformer.h.0.mlp.c_proj.weight');
    const lookup = getGraphLookup(index);
    expect(lookup.consumers('transformer.wte.weight').map((c) => c.node.name)).toEqual(['/transformer/wte/Gather', '/lm_head/Gemm']);
    const qkv = resolveWeight(index, { node: '/transformer/h.0/attn/c_attn/MatMul', slot: 1 }, createDataSource());
    expect(qkv).toMatchObject({ rows: 96, cols: 32, storedOrientation: 'in-out' });
    const head = resolveWeight(index, { node: '/lm_head/Gemm', slot: 1 }, createDataSource());
    expect(head).toMatchObject({ rows: 50, cols: 32, storedOrientation: 'out-in' });
    const total = index.graph.initializers.filter((t) => t.name.startsWith('transformer.')).reduce((n, t) => n + t.elementCount, 0);
    expect(total).toBe(gpt2ParameterCount(TINY));
  });

  it('can put weights in external data', async () => {
    const built = buildModel(buildGpt2Spec({ ...TINY, placement: 'external' }));
    const index = indexModel(built.modelBytes);
    expect(index.graph.initializers.find((t) => t.name === 'transformer.wte.weight')?.dataLocation).toBe('external');
    const inline = await logitsOf(buildModel(buildGpt2Spec(TINY)).modelBytes, [2, 3]);
    expect(Array.from(await logitsOf(built.modelBytes, [2, 3], [1, 1], built.externalData))).toEqual(Array.from(inline));
  });
});
