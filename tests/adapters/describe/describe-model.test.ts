import { describe, expect, it } from 'vitest';
import { describeModel, loadModel, structureHash, summarizeQuantization } from '../../../src/adapters/index.js';
import { FIXTURES, fixturePath, twinsOf } from '../helpers/fixtures.js';

const load = (name: string) => loadModel(fixturePath(name), { tokenizer: 'skip' });

describe('describeModel', () => {
  it('describes gpt2-tiny: sizes, tied embeddings detected from data, and HF-equal parameter count', async () => {
    const d = describeModel(await load('gpt2-tiny'));
    expect(d).toMatchObject({ adapter: 'onnx_causal', modelType: 'gpt2', nLayer: 3, nHeads: 4, nKvHeads: 4, hiddenSize: 96, mlpDims: [384], vocabSize: 1024, tiedEmbeddings: true, quantization: 'fp32' });
    // GPT2LMHeadModel.num_parameters() with the head tied: wte 98304 + wpe 12288 + 3 × 111840 + ln_f 192.
    expect(d.parameterCount).toBe(446_304);
    expect(d.formats).toEqual({ fp32: 15 });
    expect(d.dtypes).toEqual({ FLOAT: 22 });
    const head = d.weights.find((w) => w.role === 'lm_head')!;
    expect(head.tiedWith).toBe('transformer.wte');
    expect(d.weights.find((w) => w.key === 'transformer.wte')?.tiedWith).toBe('lm_head');
    // The head is a separate onnx::MatMul_* initializer: the tie was found from equal data, not a shared name.
    expect(head.initializers[0]).toMatch(/^onnx::MatMul_/);
  });

  it('describes llama-tiny: grouped-query attention, gated MLP, untied head', async () => {
    const d = describeModel(await load('llama-tiny'));
    expect(d).toMatchObject({ modelType: 'llama', nLayer: 3, nHeads: 4, nKvHeads: 2, hiddenSize: 96, mlpDims: [256], vocabSize: 1024, tiedEmbeddings: false });
    // LlamaForCausalLM.num_parameters(): embed + 3 × (q,k,v,o,gate,up,down,2 norms) + norm + lm_head.
    expect(d.parameterCount).toBe(98_304 + 3 * 101_568 + 96 + 98_304);
    expect(d.weights.filter((w) => w.role === 'k').map((w) => [w.rows, w.cols])).toEqual([[48, 96], [48, 96], [48, 96]]);
  });

  it('describes bert-tiny: masked LM head tied to the word embeddings, decoder bias counted', async () => {
    const d = describeModel(await load('bert-tiny'));
    expect(d).toMatchObject({ adapter: 'onnx_mlm', modelType: 'bert', nLayer: 3, nHeads: 4, hiddenSize: 96, mlpDims: [384], vocabSize: 1024, tiedEmbeddings: true });
    expect(d.parameterCount).toBe(457_024);
    expect(d.weights.find((w) => w.role === 'lm_head')?.tiedWith).toBe('bert.embeddings.word_embeddings');
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))('counts the parameters of %s as PyTorch did when exporting it (MANIFEST.json)', async (name, entry) => {
    const d = describeModel(await load(name));
    expect(d.parameterCount).toBe(entry.param_count);
    expect(d.modelType).toBe(entry.model_type);
    expect(d.adapter).toBe(entry.kind === 'mlm' ? 'onnx_mlm' : 'onnx_causal');
    const expected = { fp16: ['fp16'], 'int8-qdq': ['qdq-int8'], 'int8-dynamic': ['dynamic-int8'], int4: ['matmulnbits', 'mixed'] }[entry.quantization ?? 'fp16'];
    expect(entry.quantization === null ? ['fp32'] : expected).toContain(d.quantization);
  });

  describe.each(['gpt2-tiny', 'llama-tiny'])('the twins of %s', (base) => {
    it.each(twinsOf(base))('%s has the base structure hash, parameter count, sizes and keys', async (twin) => {
      const a = describeModel(await load(base));
      const b = describeModel(await load(twin));
      expect(b.structureHash).toBe(a.structureHash);
      expect(b.parameterCount).toBe(a.parameterCount);
      expect([b.nLayer, b.nHeads, b.nKvHeads, b.hiddenSize, b.vocabSize, b.mlpDims]).toEqual([a.nLayer, a.nHeads, a.nKvHeads, a.hiddenSize, a.vocabSize, a.mlpDims]);
      expect(b.weights.map((w) => w.key)).toEqual(a.weights.map((w) => w.key));
      expect(b.quantization).not.toBe('fp32');
    });
  });

  it('tells a quantized twin apart by its formats', async () => {
    expect(describeModel(await load('gpt2-tiny-int8-qdq')).formats).toEqual({ fp32: 2, 'qdq-int8': 13 });
    expect(describeModel(await load('gpt2-tiny-int8-dynamic')).quantization).toBe('dynamic-int8');
    expect(describeModel(await load('gpt2-tiny-fp16')).dtypes).toEqual({ FLOAT16: 22 });
  });
});

describe('structureHash', () => {
  it('depends on roles, layers and shapes only, not on order', () => {
    const a = [
      { role: 'q' as const, layer: 0, rows: 4, cols: 4 },
      { role: 'embed_tokens' as const, layer: null, rows: 10, cols: 4 },
    ];
    expect(structureHash(a)).toBe(structureHash([...a].reverse()));
    expect(structureHash(a)).not.toBe(structureHash([{ ...a[0]!, rows: 3 }, a[1]!]));
    expect(structureHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('summarizeQuantization', () => {
  it('names one format, a quantized format among float ones, or mixed', () => {
    expect(summarizeQuantization(['fp16', 'fp16'])).toBe('fp16');
    expect(summarizeQuantization(['matmulnbits', 'fp32', 'fp32'])).toBe('matmulnbits');
    expect(summarizeQuantization(['matmulnbits', 'gather-block-quantized', 'fp32'])).toBe('mixed');
    expect(summarizeQuantization([])).toBe('fp32');
  });
});
