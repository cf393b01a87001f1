import { describe, expect, it } from 'vitest';
import { listBundledInterfaces, resolveModelInterface, type WeightRecord } from '../../../src/adapters/index.js';
import { resolveWeights } from '../../../src/adapters/weights/resolve-weights.js';
import { buildModel, indexModel } from '../../../src/onnx/index.js';
import { buildSyntheticExport, planWeights, scopeOf, seededValues, SMALL_DIMS, type SyntheticNaming } from '../helpers/synthetic-export.js';

const ARCHITECTURES = ['gpt2', 'llama', 'mistral', 'qwen2', 'qwen3', 'gemma', 'gemma2', 'phi3', 'opt', 'gpt_neox', 'falcon', 'bert', 'roberta', 't5', 'bart',
  'mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'phi', 'gemma3', 'granite', 'olmo2', 'starcoder2', 'gpt_bigcode', 'gptj', 'bloom', 'mpt', 'stablelm', 'smollm3', 'lfm2'];

function resolveSynthetic(modelType: string, naming: SyntheticNaming): { records: WeightRecord[]; expected: ReturnType<typeof buildSyntheticExport>['expected'] } {
  const iface = resolveModelInterface({ modelType });
  const built = buildSyntheticExport(iface, { naming });
  const records = resolveWeights([{ role: 'main', index: indexModel(built.modelBytes, { source: `${modelType}-${naming}.onnx` }) }], { interface: iface });
  return { records, expected: built.expected };
}

function summary(records: readonly Pick<WeightRecord, 'key' | 'role' | 'layer' | 'rows' | 'cols'>[]): string[] {
  return records.map((r) => `${r.key} ${r.role} ${r.layer ?? '-'} ${r.rows}x${r.cols}`).sort();
}

describe('model interfaces', () => {
  it('bundles exactly the 31 supported architectures (15 first, 16 added for issue #11)', () => {
    expect(listBundledInterfaces()).toEqual([...ARCHITECTURES].sort());
  });

  describe.each(ARCHITECTURES)('%s', (modelType) => {
    it.each(['onnx-matmul', 'fqn', 'genai', 'matmulnbits', 'qdq-int8'] as const)('maps every weight of a %s export to its role, layer and [out, in] shape', (naming) => {
      const { records, expected } = resolveSynthetic(modelType, naming);
      expect(summary(records)).toEqual(summary(expected));
      // an encoder–decoder's cross-attention (T5 EncDecAttention, BART encoder_attn) is a family of its own
      const crossAttention = (key: string): boolean => /\.(EncDecAttention|encoder_attn)\./.test(key);
      for (const record of records) {
        if (crossAttention(record.key)) expect([record.role, record.family]).toEqual([expect.stringMatching(/^(q|k|v|o)$/), 'cross_attn']);
        else expect(record.family).toBe({ q: 'attn', k: 'attn', v: 'attn', o: 'attn', qkv: 'attn', up: 'ffn', gate: 'ffn', gate_up: 'ffn', down: 'ffn', embed_tokens: 'embed', embed_positions: 'embed', lm_head: 'other', norm: 'other', other: 'other', router: 'other', expert_gate: 'experts', expert_up: 'experts', expert_down: 'experts' }[record.role]);
      }
      if (modelType === 't5' || modelType === 'bart') expect(records.some((r) => r.family === 'cross_attn')).toBe(true);
    });

    it('gives an fp32 export and its int4 and int8 twins the same keys and shapes', () => {
      const base = summary(resolveSynthetic(modelType, 'onnx-matmul').records);
      expect(summary(resolveSynthetic(modelType, 'matmulnbits').records)).toEqual(base);
      expect(summary(resolveSynthetic(modelType, 'qdq-int8').records)).toEqual(base);
      expect(summary(resolveSynthetic(modelType, 'fqn').records)).toEqual(base);
    });
  });

  it('records the format and the initializers of MatMulNBits weights, suffixes and all', () => {
    const { records } = resolveSynthetic('llama', 'matmulnbits');
    const q = records.find((r) => r.key === 'model.layers.1.self_attn.q_proj')!;
    expect(q).toMatchObject({ format: 'matmulnbits', storedType: 'UINT8', module: 'model.layers.1.self_attn.q_proj', consumer: { opType: 'MatMulNBits', slot: 1 } });
    expect(q.consumer.node).toBe('/model/layers.1/self_attn/q_proj/MatMul_Q4');
    expect(q.initializers[0]).toMatch(/^onnx::MatMul_\d+_Q4$/);
    expect(q.initializers[1]).toMatch(/_scales$/);
  });

  it('keeps the interface spelling in keys while recording the genai builder spelling as the module', () => {
    const { records } = resolveSynthetic('llama', 'genai');
    const k = records.find((r) => r.role === 'k' && r.layer === 0)!;
    expect(k.key).toBe('model.layers.0.self_attn.k_proj');
    expect(k.module).toBe('model.layers.0.attn.k_proj');
  });

  it('reads orientation from the consumer: MatMul B is stored [in, out], Gemm transB=1 [out, in]', () => {
    const matmul = resolveSynthetic('llama', 'onnx-matmul').records.find((r) => r.role === 'up')!;
    const gemm = resolveSynthetic('llama', 'fqn').records.find((r) => r.role === 'up')!;
    expect([matmul.rows, matmul.cols, matmul.storedOrientation]).toEqual([64, 32, 'in-out']);
    expect([gemm.rows, gemm.cols, gemm.storedOrientation]).toEqual([64, 32, 'out-in']);
  });

  it('resolves a custom interface from the config for an architecture the table lacks', () => {
    const custom = {
      model_type: 'mytransformer',
      model_embeddings: 'backbone.tok',
      model_layers: 'backbone.blocks',
      layer_self_attn: 'mix',
      attn_q_proj: 'wq',
      attn_k_proj: 'wk',
      attn_v_proj: 'wv',
      attn_o_proj: 'wo',
      layer_intermediate_proj: 'ff.w1',
      layer_output_proj: 'ff.w2',
      norms: ['pre'],
      final_norm: 'backbone.norm',
      lm_head: 'head',
    };
    const iface = resolveModelInterface({ modelType: 'mytransformer', custom });
    expect(iface.origin).toBe('config');
    const built = buildSyntheticExport(iface, { naming: 'onnx-matmul' });
    const records = resolveWeights([{ role: 'main', index: indexModel(built.modelBytes) }], { interface: iface });
    expect(summary(records)).toEqual(summary(built.expected));
    expect(records.find((r) => r.key === 'backbone.blocks.1.mix.wv')?.role).toBe('v');
  });

  it('lays a custom interface over the bundled one for the same model type', () => {
    const iface = resolveModelInterface({ modelType: 'llama', custom: { model_embeddings: 'model.embed_tokens', model_layers: 'model.layers', layer_self_attn: 'self_attn', lm_head: 'output' } });
    expect(iface.origin).toBe('bundled:llama+config');
    expect(iface.lmHead).toEqual(['output']);
    expect(iface.q).toEqual(['q_proj']);
  });

  it('fails with E_INTERFACE_UNKNOWN and a config hint for an architecture without an interface', () => {
    expect(() => resolveModelInterface({ modelType: 'mamba' })).toThrowError(expect.objectContaining({ code: 'E_INTERFACE_UNKNOWN', details: expect.objectContaining({ actual: 'mamba' }) }));
    try {
      resolveModelInterface({ modelType: 'mamba' });
    } catch (error) {
      expect((error as { hint: string }).hint).toContain('"model_interface"');
    }
  });

  it('fails with E_INTERFACE_INVALID when a custom interface breaks the schema or names another model type', () => {
    expect(() => resolveModelInterface({ modelType: 'llama', custom: { model_layers: 'model.layers' } })).toThrowError(expect.objectContaining({ code: 'E_INTERFACE_INVALID' }));
    expect(() => resolveModelInterface({ modelType: 'llama', custom: { model_type: 'gpt2', model_embeddings: 'a', model_layers: 'b', layer_self_attn: 'c' } })).toThrowError(
      expect.objectContaining({ code: 'E_INTERFACE_INVALID', details: expect.objectContaining({ expected: 'llama', actual: 'gpt2' }) }),
    );
  });

  it('fails with E_INTERFACE_INVALID listing the problem when an interface resolves nothing', () => {
    const wrong = resolveModelInterface({ modelType: 'other', custom: { model_embeddings: 'nope.embed', model_layers: 'nope.layers', layer_self_attn: 'attn', attn_q_proj: 'q' } });
    const built = buildSyntheticExport(resolveModelInterface({ modelType: 'llama' }), { naming: 'onnx-matmul' });
    expect(() => resolveWeights([{ role: 'main', index: indexModel(built.modelBytes) }], { interface: wrong })).toThrowError(
      expect.objectContaining({ code: 'E_INTERFACE_INVALID', details: expect.objectContaining({ problems: expect.arrayContaining([expect.stringMatching(/^unmapped: model\.layers\.0\.self_attn\.q_proj/)]) }) }),
    );
  });

  it('fails with E_INTERFACE_INVALID naming the block that misses a projection the others have', () => {
    const iface = resolveModelInterface({ modelType: 'llama' });
    const built = buildSyntheticExport(iface, { naming: 'onnx-matmul', dropInLayer1: ['k'] });
    expect(() => resolveWeights([{ role: 'main', index: indexModel(built.modelBytes) }], { interface: iface })).toThrowError(
      expect.objectContaining({ code: 'E_INTERFACE_INVALID', details: { problems: ['model.layers.1: no k weight (other blocks have one)'] } }),
    );
  });

  it('fails with E_INTERFACE_INVALID when the graph has fewer blocks than config.json says', () => {
    const iface = resolveModelInterface({ modelType: 'gpt2' });
    const built = buildSyntheticExport(iface, { naming: 'fqn' });
    expect(() => resolveWeights([{ role: 'main', index: indexModel(built.modelBytes) }], { interface: iface, numLayers: 12 })).toThrowError(
      expect.objectContaining({ code: 'E_INTERFACE_INVALID', details: { problems: ['transformer.h: 2 blocks in the graph, config.json says 12'] } }),
    );
  });
});

describe('merged decoders', () => {
  it('map each weight once although both If branches (use_cache_branch) read it', () => {
    const iface = resolveModelInterface({ modelType: 'llama' });
    const planned = planWeights(iface, SMALL_DIMS, iface.layers);
    const initializers = planned.map((w, i) => ({
      name: w.kind === 'linear' ? `onnx::MatMul_${i}` : `${w.module}.weight`,
      dataType: 'FLOAT' as const,
      dims: w.kind === 'linear' ? [w.cols, w.rows] : w.kind === 'norm' ? [w.cols] : [w.rows, w.cols],
      values: seededValues(w.rows * w.cols, i + 1),
    }));
    const branch = (label: string) => ({
      name: label,
      nodes: planned.map((w, i) => {
        const scope = scopeOf(w.module);
        if (w.kind === 'embedding') return { opType: 'Gather', name: `${scope}/Gather`, inputs: [initializers[i]!.name, 'input_ids'], outputs: [`${label}_${i}`] };
        if (w.kind === 'norm') return { opType: 'Mul', name: `${scope}/Mul_1`, inputs: [initializers[i]!.name, 'hidden'], outputs: [`${label}_${i}`] };
        return { opType: 'MatMul', name: `${scope}/MatMul`, inputs: ['hidden', initializers[i]!.name], outputs: [i === planned.length - 1 ? `${label}_logits` : `${label}_${i}`] };
      }),
      outputs: [{ name: `${label}_logits`, elemType: 'FLOAT' as const, shape: ['batch_size', 'sequence_length', SMALL_DIMS.vocab] }],
    });
    const built = buildModel({
      graph: {
        nodes: [
          { opType: 'Identity', name: '/hidden/Identity', inputs: ['stub'], outputs: ['hidden'] },
          {
            opType: 'If',
            name: 'optimum::if',
            inputs: ['use_cache_branch'],
            outputs: ['logits'],
            attributes: [
              { name: 'then_branch', kind: 'graph', graph: branch('with_past') },
              { name: 'else_branch', kind: 'graph', graph: branch('no_past') },
            ],
          },
        ],
        initializers: [...initializers, { name: 'stub', dataType: 'FLOAT', dims: [1, 1, SMALL_DIMS.hidden], values: new Float32Array(SMALL_DIMS.hidden) }],
        inputs: [
          { name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] },
          { name: 'use_cache_branch', elemType: 'BOOL', shape: [1] },
        ],
        outputs: [{ name: 'logits', elemType: 'FLOAT', shape: ['batch_size', 'sequence_length', SMALL_DIMS.vocab] }],
      },
    });
    const index = indexModel(built.modelBytes);
    const records = resolveWeights([{ role: 'main', index }], { interface: iface });
    expect(summary(records)).toEqual(summary(planned));
    expect(new Set(records.map((r) => r.consumer.graphId))).toEqual(new Set([1]));
  });
});
