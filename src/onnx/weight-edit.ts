/**
 * The way back from `resolveWeight`: turns a new `[rows, cols]` matrix (PyTorch orientation)
 * into a tensor edit of the stored initializer, in its stored orientation and data type.
 */
import { InvarlockError } from '../errors/index.js';
import { transposeMatrix } from './dequantize-linear.js';
import type { TensorEdit } from './edit-types.js';
import type { WeightDescription } from './resolve-weight.js';
import { encodeTensorPayload } from './tensor-encode.js';

/**
 * A `replace` edit writing `data` (`weight.rows × weight.cols`, PyTorch orientation like `resolveWeight`'s `data`)
 * into `weight.tensor`: transposed back when the tensor is stored `in-out`, encoded in the stored
 * type (FLOAT16/BFLOAT16 rounded to nearest even). Apply it with `writeModel` / `spliceModel`.
 * Throws `E_DTYPE_UNSUPPORTED` for quantized formats (re-quantizing is the caller's policy: write
 * the quantized tensor and its scales with their own edits), `E_TENSOR_RANGE` when `data` has
 * another length.
 */
export function denseWeightEdit(weight: WeightDescription, data: Float32Array): TensorEdit {
  const name = weight.tensor.name;
  if (weight.quantization !== undefined || weight.tensor.dataType === 'UNKNOWN') {
    throw new InvarlockError('E_DTYPE_UNSUPPORTED', `weight '${name}' is stored as ${weight.format}; only dense weights can be written back directly`, {
      details: { tensor: name, actual: weight.format, expected: 'fp32, fp16, bf16 or fp64' },
    });
  }
  if (data.length !== weight.rows * weight.cols) {
    throw new InvarlockError('E_TENSOR_RANGE', `new data for '${name}' has ${data.length} values, expected ${weight.rows} × ${weight.cols}`, {
      details: { tensor: name, expected: String(weight.rows * weight.cols), actual: String(data.length) },
    });
  }
  const stored = weight.storedOrientation === 'in-out' ? transposeMatrix(data, weight.rows, weight.cols) : data;
  return { kind: 'replace', tensor: weight.tensor, payload: encodeTensorPayload(weight.tensor.dataType, stored, { name }) };
}
