import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getAdapter, LOAD_DEFAULTS, loadModel, resolveModelInterface } from '../../../src/adapters/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { modelDir, removeTempDirs } from '../helpers/model-dirs.js';
import { buildSyntheticExport } from '../helpers/synthetic-export.js';

afterAll(removeTempDirs);

const gpt2 = fixturePath('gpt2-tiny');

describe('loadModel', () => {
  it('loads gpt2-tiny with its IO, interface, weights and tokenizer', async () => {
    const model = await loadModel(gpt2);
    expect(model).toMatchObject({ adapter: 'onnx_causal', modelType: 'gpt2', dir: gpt2, fileChoice: 'ranked', selection: { source: 'config.json' } });
    expect(model.graph.path).toBe(join(gpt2, 'model.onnx'));
    expect(model.encoder).toBeNull();
    expect(model.modelInterface.origin).toBe('bundled:gpt2');
    expect(model.graph.io.inputIds).toEqual({ name: 'input_ids', elemType: 'int64', shape: ['batch_size', 'sequence_length'] });
    expect(model.graph.io.pastKeyValues).toMatchObject({ layout: 'split', elemType: 'float32', heads: 4, headDim: 24 });
    expect(model.graph.io.logits).toMatchObject({ name: 'logits', elemType: 'float32' });
    expect(model.tokenizer?.vocabSize).toBe(1024);
    expect(model.weights.map((w) => w.key)).toContain('transformer.h.2.mlp.c_proj');
  });

  it('loads through a named adapter and reports the caller as the source', async () => {
    const model = await getAdapter('onnx_causal').load({ dir: gpt2, onnxFiles: [join(gpt2, 'model.onnx')], isExplicitFile: true }, { tokenizer: 'skip' });
    expect(model.selection).toEqual({ adapter: 'onnx_causal', source: 'caller', reason: 'adapter: onnx_causal' });
    expect(model.fileChoice).toBe('explicit');
    expect(model.tokenizer).toBeNull();
  });

  it('refuses an adapter whose IO the graph lacks with E_ADAPTER_IO', async () => {
    await expect(getAdapter('onnx_cls').load({ dir: gpt2, onnxFiles: [join(gpt2, 'model.onnx')] }, { tokenizer: 'skip' })).rejects.toMatchObject({
      code: 'E_ADAPTER_IO',
      details: { problems: ['output logits: rank 3 (the onnx_cls adapter expects [batch, labels])'] },
    });
  });

  it('fails with E_CONFIG_JSON naming the file when config.json is missing', async () => {
    const dir = modelDir('noconfig', {}, gpt2);
    rmSync(join(dir, 'config.json'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_CONFIG_JSON', details: { file: join(dir, 'config.json'), field: 'model_type' } });
  });

  it('fails with E_CONFIG_JSON when config.json is not JSON', async () => {
    const dir = modelDir('badjson', { 'config.json': '{"model_type": "gpt2",' }, gpt2);
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_CONFIG_JSON', details: { file: join(dir, 'config.json') } });
  });

  it('fails with E_CONFIG_JSON naming each malformed field', async () => {
    const dir = modelDir('badfields', { 'config.json': { model_type: 'gpt2', n_layer: 'three', architectures: 'GPT2LMHeadModel' } }, gpt2);
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_CONFIG_JSON',
      details: { field: 'architectures', problems: ['architectures: expected a list of strings, got "GPT2LMHeadModel"', 'n_layer: expected an integer >= 1, got "three"'] },
    });
  });

  it('infers the interface of an architecture without one (warning interface_inferred), unless the config supplies one', async () => {
    const dir = modelDir('unknown-arch', { 'config.json': { model_type: 'mygpt', architectures: ['MyGPTForCausalLM'], n_layer: 3 } }, gpt2);
    const inferred = await loadModel(dir);
    expect(inferred.modelInterface).toMatchObject({ origin: 'inferred', provenance: 'inferred', modelType: 'mygpt' });
    expect(inferred.interfaceWarnings).toEqual([{ code: 'interface_inferred', message: 'no bundled interface for model_type "mygpt"; roles inferred from the graph\'s structure' }]);
    expect(inferred.naming.source).toBe('position');
    expect(inferred.weights.filter((w) => w.role === 'qkv').map((w) => w.key)).toEqual(['layers.0.qkv', 'layers.1.qkv', 'layers.2.qkv']);
    expect(inferred.weights.find((w) => w.role === 'lm_head')).toMatchObject({ key: 'lm_head', tiedWith: 'embed_tokens' });
    const gpt2Interface = {
      weight_layout: 'conv1d',
      model_embeddings: 'transformer.wte',
      model_layers: 'transformer.h',
      layer_self_attn: 'attn',
      attn_qkv_proj: 'c_attn',
      attn_o_proj: 'c_proj',
      layer_intermediate_proj: 'mlp.c_fc',
      layer_output_proj: 'mlp.c_proj',
      lm_head: 'lm_head',
    };
    const model = await loadModel(dir, { modelInterface: gpt2Interface });
    expect(model.modelInterface).toMatchObject({ origin: 'config', provenance: 'user' });
    expect(model.interfaceWarnings).toEqual([]);
    expect(model.weights.filter((w) => w.role === 'qkv')).toHaveLength(3);
  });

  it('loads the tokenizer through the tokenizer door: missing tokenizer.json is E_TOKENIZER_MISSING unless optional', async () => {
    const dir = modelDir('notok', {}, gpt2);
    rmSync(join(dir, 'tokenizer.json'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_TOKENIZER_MISSING' });
    expect((await loadModel(dir, { tokenizer: 'optional' })).tokenizer).toBeNull();
    expect(LOAD_DEFAULTS.tokenizer).toBe('required');
  });

  it('loads an explicit .onnx path through the hub, and otherwise the best-ranked candidate', async () => {
    const fp16Copy = modelDir('explicit-fp16', {}, fixturePath('gpt2-tiny-fp16'));
    const model = await loadModel(join(fp16Copy, 'model.onnx'), { tokenizer: 'skip' });
    expect(model).toMatchObject({ fileChoice: 'explicit', dir: fp16Copy });
    expect(model.weights[0]?.format).toBe('fp16');
    const ranked = await loadModel({ dir: gpt2, onnxFiles: [join(gpt2, 'model.onnx'), join(fp16Copy, 'model.onnx')] }, { tokenizer: 'skip' });
    expect(ranked).toMatchObject({ fileChoice: 'ranked', graph: { path: join(gpt2, 'model.onnx') } });
  });

  it('loads a genai_config.json-only model with the IO names genai_config spells', async () => {
    const llama = resolveModelInterface({ modelType: 'llama' });
    const bytes = buildSyntheticExport(llama, {
      naming: 'genai',
      extraInputs: [
        { name: 'attention_mask', elemType: 'INT64', shape: ['batch_size', 'total_sequence_length'] },
        { name: 'past.0.k', elemType: 'FLOAT16', shape: ['batch_size', 2, 'past_sequence_length', 16] },
        { name: 'past.0.v', elemType: 'FLOAT16', shape: ['batch_size', 2, 'past_sequence_length', 16] },
        { name: 'past.1.k', elemType: 'FLOAT16', shape: ['batch_size', 2, 'past_sequence_length', 16] },
        { name: 'past.1.v', elemType: 'FLOAT16', shape: ['batch_size', 2, 'past_sequence_length', 16] },
      ],
    }).modelBytes;
    const dir = modelDir('genai-load', {
      'genai_config.json': {
        model: {
          type: 'llama',
          vocab_size: 48,
          decoder: {
            filename: 'model.onnx',
            num_hidden_layers: 2,
            num_attention_heads: 4,
            num_key_value_heads: 2,
            hidden_size: 32,
            head_size: 16,
            inputs: { input_ids: 'input_ids', attention_mask: 'attention_mask', past_key_names: 'past.%d.k', past_value_names: 'past.%d.v' },
            outputs: { logits: 'logits' },
          },
        },
      },
      'model.onnx': bytes,
    });
    const model = await loadModel(dir, { tokenizer: 'skip' });
    expect(model).toMatchObject({ adapter: 'onnx_causal', modelType: 'llama', config: null, fileChoice: 'genai_config.json', selection: { source: 'genai_config.json' } });
    expect(model.graph.io.pastKeyValues).toMatchObject({ layout: 'split', elemType: 'float16', heads: 2, headDim: 16 });
    expect(model.graph.io.pastKeyValues.layout === 'split' ? model.graph.io.pastKeyValues.layers.map((l) => l.key.name) : []).toEqual(['past.0.k', 'past.1.k']);
    expect(model.weights.find((w) => w.role === 'q' && w.layer === 1)?.key).toBe('model.layers.1.self_attn.q_proj');
  });

  it('loads a seq2seq export as a decoder with its encoder, resolving weights across both graphs', async () => {
    const t5 = resolveModelInterface({ modelType: 't5' });
    const encoder = buildSyntheticExport(t5, { naming: 'onnx-matmul', stacks: ['encoder.block'], withLmHead: false, output: { name: 'last_hidden_state', rank: 3 } });
    const decoder = buildSyntheticExport(t5, {
      naming: 'onnx-matmul',
      stacks: ['decoder.block'],
      extraInputs: [{ name: 'encoder_hidden_states', elemType: 'FLOAT', shape: ['batch_size', 'encoder_sequence_length', 32] }],
    });
    const dir = modelDir('t5-load', {
      'config.json': { model_type: 't5', architectures: ['T5ForConditionalGeneration'], num_layers: 2, d_model: 32, vocab_size: 48 },
      'encoder_model.onnx': encoder.modelBytes,
      'decoder_model_merged.onnx': decoder.modelBytes,
    });
    const model = await loadModel(dir, { tokenizer: 'skip' });
    expect(model.adapter).toBe('onnx_seq2seq');
    expect(model.fileChoice).toBe('seq2seq pair');
    expect(model.encoder?.path).toBe(join(dir, 'encoder_model.onnx'));
    expect(model.encoder?.io.output.name).toBe('last_hidden_state');
    expect(model.graph.io.encoderHiddenStates?.name).toBe('encoder_hidden_states');
    const keys = model.weights.map((w) => w.key);
    expect(keys).toContain('encoder.block.1.layer.1.DenseReluDense.wo');
    expect(keys).toContain('decoder.block.1.layer.1.EncDecAttention.k');
    expect(keys).toContain('shared@encoder');
    expect(model.weights.find((w) => w.key === 'shared@encoder')?.graph).toBe('encoder');
  });
});
