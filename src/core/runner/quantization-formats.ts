import type { WeightFormat } from '../../adapters/index.js';
import type { QuantizationFormat } from '../../report/index.js';

const NAMES: Readonly<Record<WeightFormat, QuantizationFormat>> = {
  fp32: 'float32',
  fp16: 'float16',
  bf16: 'bfloat16',
  fp64: 'other',
  'qdq-int8': 'qdq_int8',
  'qdq-int16': 'other',
  'qdq-int4': 'other',
  'dynamic-int8': 'dynamic_int8',
  matmulnbits: 'matmulnbits',
  'gather-block-quantized': 'other',
};

/** The certificate's names for weight formats, sorted and without repeats. */
export function quantizationFormatsOf(formats: readonly WeightFormat[]): QuantizationFormat[] {
  return [...new Set(formats.map((f) => NAMES[f]))].sort();
}
