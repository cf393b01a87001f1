/**
 * `GatherBlockQuantized` (com.microsoft) table dequantization, i.e. the embedding matrix the op
 * gathers rows from. Data comes in two conventions (as onnxruntime's CPU kernel reads them):
 * - INT4 / UINT4 tensors: logical shape as stored, two elements per byte (flat, low nibble first);
 *   zero points of the same type, flat-packed; absent zero point means 0.
 * - uint8 (MatMulNBits convention, `quantize_axis` must be the last axis): `8 / bits` elements per
 *   byte, so the logical last dimension is `stored * 8 / bits`; zero points packed per scale row
 *   (`ceil(blocks * bits / 8)` bytes per row); absent zero point means `2^(bits-1)`.
 * Scales have the data's logical shape with `dim[quantize_axis]` replaced by `ceil(dim / block_size)`.
 * `W = (q - zp) * scale`. The result keeps the logical layout: for the usual `gather_axis = 0`,
 * `quantize_axis = last` that is `[vocab, hidden]`, PyTorch `Embedding.weight` orientation.
 * Verified against onnxruntime-node 1.30 CPU.
 */
import { InvarlockError } from '../errors/index.js';
import { unpackSigned, unpackUnsigned } from './tensor-decode.js';

/** Input of {@link dequantizeGatherBlockQuantized}. */
export interface GatherBlockQuantizedInput {
  /** Storage type of `data` (and `zero_points`). */
  readonly dataType: 'UINT8' | 'INT4' | 'UINT4';
  /** `data` as raw bytes. */
  readonly data: Uint8Array;
  /** `data` dims as stored (for uint8 the last dimension is packed). */
  readonly dataDims: readonly number[];
  /** Attribute `bits` (uint8 data: 2, 4 or 8; INT4/UINT4: 4). @default 4 */
  readonly bits?: number;
  /** Attribute `quantize_axis`. @default 1 */
  readonly quantizeAxis?: number;
  /** Attribute `block_size`. @default 128 */
  readonly blockSize?: number;
  /** `scales` as float32. */
  readonly scales: Float32Array;
  readonly scaleDims: readonly number[];
  /** `zero_points` as raw bytes, same storage type as `data`. */
  readonly zeroPoints?: Uint8Array;
  readonly label?: string;
}

/** The dequantized table and its logical dims. */
export interface DequantizedTable {
  readonly values: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Dequantizes the whole `data` table of a GatherBlockQuantized node.
 * Throws `E_OP_UNSUPPORTED` for bit widths or axes the op does not allow, `E_TENSOR_RANGE` when
 * scales or zero points do not fit.
 */
export function dequantizeGatherBlockQuantized(input: GatherBlockQuantizedInput): DequantizedTable {
  const label = input.label ?? 'GatherBlockQuantized';
  const bits = input.bits ?? 4;
  const blockSize = input.blockSize ?? 128;
  const rank = input.dataDims.length;
  const rawAxis = input.quantizeAxis ?? 1;
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  const isUint8 = input.dataType === 'UINT8';
  if ((isUint8 ? ![2, 4, 8].includes(bits) : bits !== 4) || axis < 0 || axis >= rank || (isUint8 && axis !== rank - 1) || blockSize <= 0) {
    throw new InvarlockError('E_OP_UNSUPPORTED', `${label}: ${input.dataType} data with bits=${bits}, quantize_axis=${rawAxis}, block_size=${blockSize} is not supported`, {
      details: { node: label },
    });
  }
  const perByte = isUint8 ? 8 / bits : 1;
  const dims = input.dataDims.map((d, i) => (i === rank - 1 ? d * perByte : d));
  const count = dims.reduce((a, b) => a * b, 1);
  const q = isUint8 ? (bits === 8 ? input.data : unpackUnsigned(input.data, count, bits)) : input.dataType === 'INT4' ? unpackSigned(input.data, count, 4) : unpackUnsigned(input.data, count, 4);
  if (q.length !== count) throw rangeError(label, `data has ${q.length} elements, dims [${dims.join(', ')}] need ${count}`);
  const axisDim = dims[axis]!;
  const blocks = Math.ceil(axisDim / blockSize);
  const expectedScaleDims = dims.map((d, i) => (i === axis ? blocks : d));
  if (input.scaleDims.length !== rank || input.scaleDims.some((d, i) => d !== expectedScaleDims[i]) || input.scales.length !== count / axisDim * blocks) {
    throw rangeError(label, `scales have shape [${input.scaleDims.join(', ')}], expected [${expectedScaleDims.join(', ')}]`);
  }
  const zeros = zeroPointsOf(input, label, bits, blocks, isUint8);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = count / (axisDim * inner);
  const out = new Float32Array(count);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let a = 0; a < axisDim; a++) {
      const base = (o * blocks + Math.floor(a / blockSize)) * inner;
      for (let r = 0; r < inner; r++, i++) out[i] = (q[i]! - zeros(base + r)) * input.scales[base + r]!;
    }
  }
  return { values: out, dims };
}

function zeroPointsOf(input: GatherBlockQuantizedInput, label: string, bits: number, blocks: number, isUint8: boolean): (scaleIndex: number) => number {
  const bytes = input.zeroPoints;
  const scaleCount = input.scales.length;
  if (bytes === undefined) {
    const value = isUint8 ? 2 ** (bits - 1) : 0;
    return () => value;
  }
  if (!isUint8) {
    const unpacked = input.dataType === 'INT4' ? unpackSigned(bytes, scaleCount, 4) : unpackUnsigned(bytes, scaleCount, 4);
    if (bytes.length !== Math.ceil(scaleCount / 2)) throw rangeError(label, `zero_points have ${bytes.length} bytes, expected ${Math.ceil(scaleCount / 2)}`);
    return (s) => unpacked[s]!;
  }
  // uint8: packed along the (last) quantize axis, row by row, like MatMulNBits zero points.
  const perByte = 8 / bits;
  const rowBytes = Math.ceil(blocks / perByte);
  const rows = scaleCount / blocks;
  if (bytes.length !== rows * rowBytes) throw rangeError(label, `zero_points have ${bytes.length} bytes, expected ${rows * rowBytes}`);
  const mask = (1 << bits) - 1;
  return (s) => {
    const row = Math.floor(s / blocks);
    const inRow = s - row * blocks;
    return (bytes[row * rowBytes + Math.floor(inRow / perByte)]! >>> ((inRow % perByte) * bits)) & mask;
  };
}

function rangeError(label: string, problem: string): InvarlockError {
  return new InvarlockError('E_TENSOR_RANGE', `${label}: ${problem}`, { details: { node: label } });
}
