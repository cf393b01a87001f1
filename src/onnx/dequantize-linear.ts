/**
 * `DequantizeLinear` arithmetic (ONNX, opsets 10–23): `y = (x - zero_point) * scale`, per tensor,
 * per axis, or blocked along an axis (opset 21 `block_size`). Also the weight half of dynamic
 * quantization (`MatMulInteger` + `_scale`/`_zero_point`), which is the same formula.
 * Output keeps the layout of `x` (ONNX orientation, no transpose). Float32 results are bit-identical
 * to onnxruntime's `static_cast<float>(x - zp) * scale`.
 * @see https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html
 */
import { InvarlockError } from '../errors/index.js';

/** Quantized values, one element per entry (sub-byte types already unpacked). */
export type QuantizedValues = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

/** Input of {@link dequantizeLinear}. */
export interface DequantizeLinearInput {
  /** Quantized tensor `x`, row-major with shape `dims`. */
  readonly values: QuantizedValues;
  readonly dims: readonly number[];
  /** `x_scale`: one element (per tensor), `dims[axis]` elements (per axis), or blocked (same rank as `x`). */
  readonly scale: Float32Array;
  readonly scaleDims: readonly number[];
  /** `x_zero_point`, same shape as `scale`; absent means 0. */
  readonly zeroPoint?: ArrayLike<number>;
  /** `axis` attribute (negative counts from the end). @default 1 */
  readonly axis?: number;
  /** `block_size` attribute; 0 = not blocked. @default 0 */
  readonly blockSize?: number;
  /** Names for error details (node or tensor). */
  readonly label?: string;
}

/**
 * Dequantizes `x` to float32 in `x`'s own layout. Throws `E_TENSOR_RANGE` when scale or zero-point
 * shapes do not fit `x`, `E_OP_UNSUPPORTED` for an axis out of range.
 */
export function dequantizeLinear(input: DequantizeLinearInput): Float32Array {
  const { values, dims, scale, scaleDims } = input;
  const label = input.label ?? 'DequantizeLinear';
  const count = values.length;
  const zeroPoint = input.zeroPoint;
  if (dims.reduce((a, b) => a * b, 1) !== count) throw shapeError(label, `x has ${count} elements, dims [${dims.join(', ')}]`);
  if (zeroPoint !== undefined && zeroPoint.length !== scale.length) {
    throw shapeError(label, `zero point has ${zeroPoint.length} elements, scale ${scale.length}`);
  }
  const out = new Float32Array(count);
  const blockSize = input.blockSize ?? 0;
  if (scale.length === 1 && blockSize === 0) {
    const s = scale[0]!;
    const z = zeroPoint?.[0] ?? 0;
    for (let i = 0; i < count; i++) out[i] = (values[i]! - z) * s;
    return out;
  }
  const rank = dims.length;
  const rawAxis = input.axis ?? 1;
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (axis < 0 || axis >= rank) {
    throw new InvarlockError('E_OP_UNSUPPORTED', `${label}: axis ${rawAxis} is out of range for rank ${rank}`, { details: { node: label, actual: String(rawAxis) } });
  }
  const axisDim = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  if (blockSize === 0) {
    if (scale.length !== axisDim) throw shapeError(label, `per-axis scale has ${scale.length} elements, axis ${axis} has ${axisDim}`);
    for (let o = 0, i = 0; o < outer; o++) {
      for (let a = 0; a < axisDim; a++) {
        const s = scale[a]!;
        const z = zeroPoint?.[a] ?? 0;
        for (let r = 0; r < inner; r++, i++) out[i] = (values[i]! - z) * s;
      }
    }
    return out;
  }
  const blocks = Math.ceil(axisDim / blockSize);
  const expectedScaleDims = dims.map((d, k) => (k === axis ? blocks : d));
  if (scaleDims.length !== rank || scaleDims.some((d, k) => d !== expectedScaleDims[k])) {
    throw shapeError(label, `blocked scale has shape [${scaleDims.join(', ')}], expected [${expectedScaleDims.join(', ')}]`);
  }
  for (let o = 0, i = 0; o < outer; o++) {
    for (let a = 0; a < axisDim; a++) {
      const base = (o * blocks + Math.floor(a / blockSize)) * inner;
      for (let r = 0; r < inner; r++, i++) out[i] = (values[i]! - (zeroPoint?.[base + r] ?? 0)) * scale[base + r]!;
    }
  }
  return out;
}

function shapeError(label: string, problem: string): InvarlockError {
  return new InvarlockError('E_TENSOR_RANGE', `${label}: ${problem}`, { details: { node: label } });
}

/** Transposes a row-major `[rows, cols]` matrix into `[cols, rows]`. */
export function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  // Blocked to stay cache-friendly on large embedding-sized matrices.
  const tile = 64;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c]!;
    }
  }
  return out;
}
