import { describe, expect, it } from 'vitest';
import { describeEncoderIo, describeIo } from '../../../src/adapters/io/describe-io.js';
import { buildModel, indexModel, type ValueInfoSpec } from '../../../src/onnx/index.js';

/** A graph with the given inputs and outputs (one Identity node, enough to index). */
function graphWith(inputs: readonly ValueInfoSpec[], outputs: readonly ValueInfoSpec[]) {
  const built = buildModel({ graph: { nodes: [{ opType: 'Identity', inputs: [inputs[0]!.name], outputs: [outputs[0]!.name] }], inputs, outputs } });
  return indexModel(built.modelBytes).graph;
}

const ids: ValueInfoSpec = { name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] };
const logits: ValueInfoSpec = { name: 'logits', elemType: 'FLOAT', shape: ['batch_size', 'sequence_length', 50] };

describe('describeIo', () => {
  it('recognises ORT-fused GPT-2 past_{i} [2, batch, heads, past, head] inputs and int32 ids', () => {
    const graph = graphWith(
      [
        { name: 'input_ids', elemType: 'INT32', shape: ['batch', 'seq'] },
        { name: 'position_ids', elemType: 'INT32', shape: ['batch', 'seq'] },
        { name: 'attention_mask', elemType: 'INT32', shape: ['batch', 'total'] },
        { name: 'past_1', elemType: 'FLOAT', shape: [2, 'batch', 12, 'past', 64] },
        { name: 'past_0', elemType: 'FLOAT', shape: [2, 'batch', 12, 'past', 64] },
      ],
      [logits],
    );
    const io = describeIo(graph, { adapter: 'onnx_causal', source: 'gpt2.onnx' });
    expect(io.inputIds.elemType).toBe('int32');
    expect(io.positionIds?.elemType).toBe('int32');
    expect(io.pastKeyValues).toMatchObject({ layout: 'fused', elemType: 'float32', heads: 12, headDim: 64 });
    expect(io.pastKeyValues.layout === 'fused' ? io.pastKeyValues.layers.map((l) => [l.layer, l.input.name]) : []).toEqual([
      [0, 'past_0'],
      [1, 'past_1'],
    ]);
    expect(io.otherInputs).toEqual([]);
  });

  it('recognises an optimum merged decoder: fp16 past_key_values, use_cache_branch, fp16 logits', () => {
    const graph = graphWith(
      [
        ids,
        { name: 'attention_mask', elemType: 'INT64', shape: ['batch_size', 'past_sequence_length + 1'] },
        { name: 'past_key_values.0.key', elemType: 'FLOAT16', shape: ['batch_size', 8, 'past_sequence_length', 64] },
        { name: 'past_key_values.0.value', elemType: 'FLOAT16', shape: ['batch_size', 8, 'past_sequence_length', 64] },
        { name: 'use_cache_branch', elemType: 'BOOL', shape: [1] },
      ],
      [{ name: 'logits', elemType: 'FLOAT16', shape: ['batch_size', 'sequence_length', 50] }],
    );
    const io = describeIo(graph, { adapter: 'onnx_causal', source: 'decoder_model_merged.onnx' });
    expect(io.useCacheBranch).toEqual({ name: 'use_cache_branch', elemType: 'bool', shape: [1] });
    expect(io.logits.elemType).toBe('float16');
    expect(io.pastKeyValues).toMatchObject({ layout: 'split', elemType: 'float16', heads: 8, headDim: 64 });
  });

  it('pairs self and cross caches of a seq2seq decoder and requires encoder_hidden_states', () => {
    const past = (name: string): ValueInfoSpec => ({ name, elemType: 'FLOAT', shape: ['batch_size', 4, 'len', 16] });
    const graph = graphWith(
      [
        ids,
        { name: 'encoder_attention_mask', elemType: 'INT64', shape: ['batch_size', 'encoder_sequence_length'] },
        { name: 'encoder_hidden_states', elemType: 'FLOAT', shape: ['batch_size', 'encoder_sequence_length', 64] },
        past('past_key_values.0.decoder.key'),
        past('past_key_values.0.decoder.value'),
        past('past_key_values.0.encoder.key'),
        past('past_key_values.0.encoder.value'),
      ],
      [logits],
    );
    const io = describeIo(graph, { adapter: 'onnx_seq2seq', source: 'decoder_model_merged.onnx' });
    expect(io.encoderHiddenStates?.name).toBe('encoder_hidden_states');
    expect(io.encoderAttentionMask?.name).toBe('encoder_attention_mask');
    expect(io.pastKeyValues.layout === 'split' ? io.pastKeyValues.layers.map((l) => `${l.layer}:${l.attention}:${l.key.name}`) : []).toEqual([
      '0:self:past_key_values.0.decoder.key',
      '0:cross:past_key_values.0.encoder.key',
    ]);
    expect(() => describeIo(graphWith([ids], [logits]), { adapter: 'onnx_seq2seq', source: 'd.onnx' })).toThrowError(
      expect.objectContaining({ code: 'E_ADAPTER_IO', details: { file: 'd.onnx', problems: ['input encoder_hidden_states: missing (a seq2seq decoder takes the encoder output)'] } }),
    );
  });

  it('lists every IO problem at once with E_ADAPTER_IO', () => {
    const graph = graphWith(
      [
        { name: 'input_ids', elemType: 'FLOAT', shape: ['b', 's'] },
        { name: 'past_key_values.0.key', elemType: 'FLOAT', shape: ['b', 2, 'p', 8] },
      ],
      [{ name: 'scores', elemType: 'FLOAT', shape: ['b', 's', 10] }],
    );
    expect(() => describeIo(graph, { adapter: 'onnx_causal', source: 'm.onnx' })).toThrowError(
      expect.objectContaining({
        code: 'E_ADAPTER_IO',
        details: {
          file: 'm.onnx',
          problems: ['input input_ids: element type FLOAT (expected INT64 or INT32)', 'input past_key_values.0.key: no matching value input', 'output logits: missing (outputs: scores)'],
        },
      }),
    );
  });

  it('reports inputs it does not know as otherInputs', () => {
    const io = describeIo(graphWith([ids, { name: 'pixel_values', elemType: 'FLOAT', shape: ['b', 3, 8, 8] }], [logits]), { adapter: 'onnx_causal', source: 'm.onnx' });
    expect(io.otherInputs).toEqual([{ name: 'pixel_values', elemType: 'FLOAT', shape: ['b', 3, 8, 8] }]);
    expect(io.pastKeyValues).toEqual({ layout: 'none' });
  });
});

describe('describeEncoderIo', () => {
  it('finds ids, mask and last_hidden_state of an encoder graph', () => {
    const graph = graphWith(
      [ids, { name: 'attention_mask', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] }],
      [{ name: 'last_hidden_state', elemType: 'FLOAT', shape: ['batch_size', 'sequence_length', 64] }],
    );
    expect(describeEncoderIo(graph, 'encoder_model.onnx')).toMatchObject({ inputIds: { name: 'input_ids' }, attentionMask: { name: 'attention_mask' }, output: { name: 'last_hidden_state', elemType: 'float32' } });
  });
});
