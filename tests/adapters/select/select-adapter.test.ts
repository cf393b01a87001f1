import { afterAll, describe, expect, it } from 'vitest';
import { chooseAdapter, resolveModelInterface, selectAdapter, type ModelConfig } from '../../../src/adapters/index.js';
import { buildSyntheticExport } from '../helpers/synthetic-export.js';
import { fixturePath, listFixtureModels } from '../helpers/fixtures.js';
import { modelDir, removeTempDirs } from '../helpers/model-dirs.js';

afterAll(removeTempDirs);

/** The format a fixture's name promises (quantized twins are named by their format). */
function expectedQuantization(name: string): string[] {
  if (name.endsWith('-fp16')) return ['fp16'];
  if (name.endsWith('-int8-qdq')) return ['qdq-int8'];
  if (name.endsWith('-int8-dynamic')) return ['dynamic-int8'];
  if (/-int4|-q4/.test(name)) return ['matmulnbits', 'mixed'];
  return ['fp32'];
}

const t5 = resolveModelInterface({ modelType: 't5' });
const encoderBytes = buildSyntheticExport(t5, { naming: 'onnx-matmul', stacks: ['encoder.block'], withLmHead: false, output: { name: 'last_hidden_state', rank: 3 } }).modelBytes;
const decoderBytes = buildSyntheticExport(t5, {
  naming: 'onnx-matmul',
  stacks: ['decoder.block'],
  extraInputs: [{ name: 'encoder_hidden_states', elemType: 'FLOAT', shape: ['batch_size', 'encoder_sequence_length', 32] }],
}).modelBytes;
const llamaBytes = buildSyntheticExport(resolveModelInterface({ modelType: 'llama' }), {
  naming: 'genai',
  extraInputs: [
    { name: 'attention_mask', elemType: 'INT64', shape: ['batch_size', 'total_sequence_length'] },
    { name: 'past_key_values.0.key', elemType: 'FLOAT', shape: ['batch_size', 2, 'past_sequence_length', 16] },
    { name: 'past_key_values.0.value', elemType: 'FLOAT', shape: ['batch_size', 2, 'past_sequence_length', 16] },
  ],
}).modelBytes;
const bertClsBytes = buildSyntheticExport(resolveModelInterface({ modelType: 'bert' }), { naming: 'onnx-matmul', withLmHead: false, output: { name: 'logits', rank: 2 } }).modelBytes;

describe('selectAdapter', () => {
  it.each(listFixtureModels())('picks the adapter of fixture %s from its config.json and reports its weight format', async (name) => {
    const choice = await selectAdapter(fixturePath(name));
    expect(choice.adapter).toBe(name.startsWith('bert') ? 'onnx_mlm' : 'onnx_causal');
    expect(choice.source).toBe('config.json');
    expect(choice.reason).toMatch(/^architectures: (GPT2LMHeadModel|LlamaForCausalLM|BertForMaskedLM)$/);
    expect(choice.file).toBe(`${fixturePath(name)}/model.onnx`);
    expect(expectedQuantization(name)).toContain(choice.quantization);
  });

  it('reports the int4 twin of gpt2-tiny as MatMulNBits weights with a block-quantized embedding', async () => {
    const choice = await selectAdapter(fixturePath('gpt2-tiny-int4'));
    expect(choice.formats).toMatchObject({ matmulnbits: 13, 'gather-block-quantized': 1 });
  });

  it('picks onnx_seq2seq for an encoder_model.onnx + decoder_model_merged.onnx export', async () => {
    const dir = modelDir('t5', {
      'config.json': { model_type: 't5', architectures: ['T5ForConditionalGeneration'], num_layers: 2, d_model: 32 },
      'encoder_model.onnx': encoderBytes,
      'decoder_model_merged.onnx': decoderBytes,
    });
    const choice = await selectAdapter(dir);
    expect(choice).toMatchObject({ adapter: 'onnx_seq2seq', source: 'config.json', file: `${dir}/decoder_model_merged.onnx`, quantization: 'fp32' });
  });

  it('picks onnx_seq2seq from the file layout when config.json names no architecture it knows', async () => {
    const dir = modelDir('s2s-files', { 'config.json': { model_type: 'custom_s2s' }, 'onnx/encoder_model.onnx': encoderBytes, 'onnx/decoder_model.onnx': decoderBytes });
    expect(await selectAdapter(dir)).toMatchObject({ adapter: 'onnx_seq2seq', source: 'files', file: `${dir}/onnx/decoder_model.onnx` });
  });

  it('picks onnx_cls for *ForSequenceClassification', async () => {
    const dir = modelDir('cls', { 'config.json': { model_type: 'bert', architectures: ['BertForSequenceClassification'], num_labels: 2 }, 'model.onnx': bertClsBytes });
    expect(await selectAdapter(dir)).toMatchObject({ adapter: 'onnx_cls', source: 'config.json', reason: 'architectures: BertForSequenceClassification' });
  });

  it('falls back to the graph: rank-2 logits mean a classifier', async () => {
    const dir = modelDir('cls-graph', { 'config.json': { model_type: 'mystery' }, 'model.onnx': bertClsBytes });
    expect(await selectAdapter(dir)).toMatchObject({ adapter: 'onnx_cls', source: 'graph', reason: 'logits of rank 2 [batch, labels]' });
  });

  it('picks onnx_causal from genai_config.json when there is no config.json, and loads the file it names', async () => {
    const dir = modelDir('genai', {
      'genai_config.json': { model: { type: 'llama', vocab_size: 48, decoder: { filename: 'decoder.onnx', num_hidden_layers: 2, num_attention_heads: 2, hidden_size: 32 } } },
      'decoder.onnx': llamaBytes,
    });
    expect(await selectAdapter(dir)).toMatchObject({ adapter: 'onnx_causal', source: 'genai_config.json', file: `${dir}/decoder.onnx`, quantization: 'fp32' });
  });
});

describe('chooseAdapter', () => {
  const config = (fields: Partial<ModelConfig>): ModelConfig => ({
    file: 'config.json',
    modelType: 'x',
    architectures: [],
    numLayers: null,
    numHeads: null,
    numKvHeads: null,
    hiddenSize: null,
    intermediateSize: null,
    vocabSize: null,
    tieWordEmbeddings: null,
    isEncoderDecoder: false,
    numLabels: null,
    raw: {},
    ...fields,
  });

  it.each([
    ['MistralForCausalLM', 'onnx_causal'],
    ['GPT2LMHeadModel', 'onnx_causal'],
    ['RobertaForMaskedLM', 'onnx_mlm'],
    ['BartForConditionalGeneration', 'onnx_seq2seq'],
    ['T5WithLMHeadModel', 'onnx_seq2seq'],
    ['DistilBertForSequenceClassification', 'onnx_cls'],
  ])('maps architecture %s to %s', (architecture, adapter) => {
    expect(chooseAdapter({ config: config({ architectures: [architecture] }), genaiConfig: null, onnxFiles: ['model.onnx'] }).adapter).toBe(adapter);
  });

  it('uses is_encoder_decoder, then model_type, when architectures say nothing', () => {
    expect(chooseAdapter({ config: config({ isEncoderDecoder: true }), genaiConfig: null, onnxFiles: [] })).toMatchObject({ adapter: 'onnx_seq2seq', reason: 'is_encoder_decoder: true' });
    expect(chooseAdapter({ config: config({ modelType: 'qwen2' }), genaiConfig: null, onnxFiles: [] })).toMatchObject({ adapter: 'onnx_causal', reason: 'model_type: qwen2' });
  });

  it('fails with E_ADAPTER_UNKNOWN listing what it saw when nothing decides', () => {
    expect(() => chooseAdapter({ config: config({ modelType: 'mystery' }), genaiConfig: null, onnxFiles: ['model.onnx'], graph: { inputs: [], outputs: [] } })).toThrowError(
      expect.objectContaining({
        code: 'E_ADAPTER_UNKNOWN',
        details: { problems: ['config.json: model_type mystery, architectures []', 'genai_config.json: absent', 'onnx files: model.onnx', 'graph inputs: '] },
      }),
    );
  });
});
