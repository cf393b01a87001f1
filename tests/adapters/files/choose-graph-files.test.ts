import { afterAll, describe, expect, it } from 'vitest';
import { chooseGraphFiles, parseGenaiConfig } from '../../../src/adapters/index.js';
import { modelDir, removeTempDirs } from '../helpers/model-dirs.js';

afterAll(removeTempDirs);

const empty = new Uint8Array(0);

describe('chooseGraphFiles', () => {
  it('takes the first ranked candidate that can be a main graph (encoders and with-past decoders cannot)', () => {
    const dir = '/m';
    const files = ['/m/encoder_model.onnx', '/m/decoder_with_past_model.onnx', '/m/onnx/model_q4.onnx'];
    expect(chooseGraphFiles({ dir, onnxFiles: files }, 'onnx_causal', null)).toEqual({ main: '/m/onnx/model_q4.onnx', encoder: null, reason: 'ranked' });
    expect(chooseGraphFiles({ dir, onnxFiles: ['/m/model.onnx', '/m/model_fp16.onnx'] }, 'onnx_causal', null).main).toBe('/m/model.onnx');
  });

  it('lets an explicit file win over genai_config.json and the ranking', () => {
    const dir = modelDir('explicit', { 'model.onnx': empty, 'other.onnx': empty });
    const genai = parseGenaiConfig(JSON.stringify({ model: { type: 'llama', decoder: { filename: 'model.onnx' } } }), 'g.json');
    expect(chooseGraphFiles({ dir, onnxFiles: [`${dir}/other.onnx`], isExplicitFile: true }, 'onnx_causal', genai)).toEqual({ main: `${dir}/other.onnx`, encoder: null, reason: 'explicit' });
    expect(chooseGraphFiles({ dir, onnxFiles: [`${dir}/other.onnx`, `${dir}/model.onnx`] }, 'onnx_causal', genai)).toEqual({ main: `${dir}/model.onnx`, encoder: null, reason: 'genai_config.json' });
  });

  it('pairs a quantized seq2seq decoder with the encoder of the same variant', () => {
    const dir = modelDir('s2s', { 'onnx/encoder_model.onnx': empty, 'onnx/encoder_model_quantized.onnx': empty, 'onnx/decoder_model_merged_quantized.onnx': empty });
    expect(chooseGraphFiles({ dir, onnxFiles: [`${dir}/onnx/decoder_model_merged_quantized.onnx`, `${dir}/onnx/encoder_model.onnx`] }, 'onnx_seq2seq', null)).toEqual({
      main: `${dir}/onnx/decoder_model_merged_quantized.onnx`,
      encoder: `${dir}/onnx/encoder_model_quantized.onnx`,
      reason: 'seq2seq pair',
    });
  });

  it('fails with E_FILE_NOT_FOUND naming the encoder a seq2seq decoder lacks, and E_MODEL_REF without a decoder', () => {
    const dir = modelDir('s2s-missing', { 'decoder_model.onnx': empty });
    expect(() => chooseGraphFiles({ dir, onnxFiles: [`${dir}/decoder_model.onnx`] }, 'onnx_seq2seq', null)).toThrowError(
      expect.objectContaining({ code: 'E_FILE_NOT_FOUND', details: { file: `${dir}/encoder_model.onnx`, expected: 'encoder_model.onnx' } }),
    );
    expect(() => chooseGraphFiles({ dir, onnxFiles: [`${dir}/model.onnx`] }, 'onnx_seq2seq', null)).toThrowError(expect.objectContaining({ code: 'E_MODEL_REF' }));
    expect(() => chooseGraphFiles({ dir, onnxFiles: [`${dir}/encoder_model.onnx`] }, 'onnx_mlm', null)).toThrowError(expect.objectContaining({ code: 'E_MODEL_REF' }));
  });
});
