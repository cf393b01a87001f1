import { describe, expect, it } from 'vitest';
import { parseGenaiConfig, parseModelConfig } from '../../../src/adapters/index.js';

describe('parseModelConfig', () => {
  it('reads the fields adapters use under their aliases (GPT-2 names, falcon multi_query, id2label)', () => {
    const gpt2 = parseModelConfig(JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 12, n_head: 12, n_embd: 768, n_inner: null, vocab_size: 50257 }), 'config.json');
    expect(gpt2).toMatchObject({ modelType: 'gpt2', numLayers: 12, numHeads: 12, numKvHeads: null, hiddenSize: 768, intermediateSize: null, vocabSize: 50257, tieWordEmbeddings: null, isEncoderDecoder: false });
    const falcon = parseModelConfig(JSON.stringify({ model_type: 'falcon', multi_query: true, num_attention_heads: 71, hidden_size: 4544 }), 'c.json');
    expect(falcon.numKvHeads).toBe(1);
    const cls = parseModelConfig(JSON.stringify({ model_type: 'bert', id2label: { 0: 'neg', 1: 'pos', 2: 'neutral' } }), 'c.json');
    expect(cls.numLabels).toBe(3);
  });

  it('fails with E_CONFIG_JSON when model_type is missing or the text is not a JSON object', () => {
    expect(() => parseModelConfig('{"n_layer": 2}', '/m/config.json')).toThrowError(expect.objectContaining({ code: 'E_CONFIG_JSON', details: { file: '/m/config.json', field: 'model_type', problems: ['model_type: required field is missing'] } }));
    expect(() => parseModelConfig('[1, 2]', '/m/config.json')).toThrowError(expect.objectContaining({ code: 'E_CONFIG_JSON', details: { file: '/m/config.json', field: '/' } }));
    expect(() => parseModelConfig('{', '/m/config.json')).toThrowError(expect.objectContaining({ code: 'E_CONFIG_JSON', details: { file: '/m/config.json' } }));
  });

  it('fails with E_CONFIG_JSON on a negative or fractional size', () => {
    expect(() => parseModelConfig(JSON.stringify({ model_type: 'llama', num_hidden_layers: 2.5, vocab_size: -1 }), 'c.json')).toThrowError(
      expect.objectContaining({ details: expect.objectContaining({ problems: ['num_hidden_layers: expected an integer >= 1, got number 2.5', 'vocab_size: expected an integer >= 1, got number -1'] }) }),
    );
  });
});

describe('parseGenaiConfig', () => {
  it('reads model.type, decoder sizes, IO names and the encoder file', () => {
    const genai = parseGenaiConfig(
      JSON.stringify({
        model: {
          type: 'phi3',
          vocab_size: 32064,
          context_length: 4096,
          decoder: { filename: 'model.onnx', num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, hidden_size: 3072, head_size: 96, inputs: { input_ids: 'input_ids' }, outputs: { logits: 'logits' } },
        },
        search: { max_length: 4096 },
      }),
      'genai_config.json',
    );
    expect(genai).toMatchObject({ modelType: 'phi3', vocabSize: 32064, contextLength: 4096, encoderFilename: null, decoder: { filename: 'model.onnx', numLayers: 32, headSize: 96, inputs: { input_ids: 'input_ids' } } });
  });

  it('fails with E_CONFIG_JSON naming the field path inside model', () => {
    expect(() => parseGenaiConfig(JSON.stringify({ model: { type: 'llama', decoder: { num_hidden_layers: 'x', inputs: { input_ids: 3 } } } }), 'g.json')).toThrowError(
      expect.objectContaining({
        code: 'E_CONFIG_JSON',
        details: { file: 'g.json', field: 'model.decoder.num_hidden_layers', problems: ['model.decoder.num_hidden_layers: expected an integer >= 1, got "x"', 'model.decoder.inputs.input_ids: expected a string, got number 3'] },
      }),
    );
    expect(() => parseGenaiConfig('{"search": {}}', 'g.json')).toThrowError(expect.objectContaining({ code: 'E_CONFIG_JSON', details: { file: 'g.json', field: 'model' } }));
  });
});
