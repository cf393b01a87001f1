import { describe, expect, it } from 'vitest';
import { isExternalDataOf, rankOnnxFiles } from '../../src/hub/index.js';

describe('rankOnnxFiles', () => {
  it('prefers model.onnx, then optimum decoders, then transformers.js variants, then the rest', () => {
    expect(rankOnnxFiles([
      'onnx/model_q4f16.onnx', 'encoder_model.onnx', 'zzz.onnx', 'onnx/model_quantized.onnx', 'decoder_with_past_model.onnx',
      'decoder_model.onnx', 'onnx/model.onnx', 'model.onnx', 'model.onnx_data', 'onnx/model_custom.onnx', 'decoder_model_merged.onnx',
    ])).toEqual([
      'model.onnx', 'onnx/model.onnx', 'decoder_model_merged.onnx', 'decoder_model.onnx', 'onnx/model_quantized.onnx',
      'onnx/model_q4f16.onnx', 'onnx/model_custom.onnx', 'decoder_with_past_model.onnx', 'encoder_model.onnx', 'zzz.onnx',
    ]);
  });

  it('ranks other folders after the root and onnx/', () => {
    expect(rankOnnxFiles(['b/model.onnx', 'onnx/model.onnx', 'a/model.onnx'])).toEqual(['onnx/model.onnx', 'a/model.onnx', 'b/model.onnx']);
  });
});

describe('isExternalDataOf', () => {
  it('recognises optimum, chunked and genai external data names', () => {
    expect(isExternalDataOf('onnx/model.onnx', 'onnx/model.onnx_data')).toBe(true);
    expect(isExternalDataOf('onnx/model.onnx', 'onnx/model.onnx_data_1')).toBe(true);
    expect(isExternalDataOf('model.onnx', 'model.onnx.data')).toBe(true);
    expect(isExternalDataOf('onnx/model.onnx', 'onnx/model_q4.onnx_data')).toBe(false);
    expect(isExternalDataOf('model.onnx', 'onnx/model.onnx_data')).toBe(false);
  });
});
