/**
 * `MatMulNBits` (com.microsoft) weight dequantization. The op computes `Y = A · W` with W logically
 * `[K, N]`; its input B stores W **transposed and blocked**: uint8 `[N, k_blocks, blob]`,
 * `k_blocks = ceil(K / block_size)`, `blob = block_size * bits / 8`, element `j` of a block at bits
 * `[j*bits, (j+1)*bits)` of the blob, least-significant bits first (4-bit: element 0 in the low
 * nibble). Scales are `[N * k_blocks]` (or `[N, k_blocks]`), float or float16. Zero points are
 * packed uint8 `[N, ceil(k_blocks * bits / 8)]` in the same bit order, or float `[N, k_blocks]`;
 * absent means `2^(bits-1)`. `W[k][n] = (q(n, k) - zp(n, b)) * scale(n, b)` with `b = floor(k / bs)`
 * (or `g_idx[k]`, GPTQ act-order). Rows `k >= K` of the last block are padding.
 *
 * The result is `[N, K]` row-major: PyTorch `Linear.weight` orientation `[out, in]` (= Wᵀ).
 * Verified against onnxruntime-node 1.30 CPU for bits 2, 4 and 8 (the widths its kernel accepts);
 * other widths follow the same bit order. onnxruntime 1.30's CPU `g_idx` path reads g_idx only for
 * the first 8 rows of each block and ignores uint8 zero points there, so `g_idx` follows the
 * contrib-op definition (the block of row k is `g_idx[k]`), not that kernel.
 * @see https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.MatMulNBits
 */
import { InvarlockError } from '../errors/index.js';

/** Input of {@link dequantizeMatMulNBits}. */
export interface MatMulNBitsInput {
  /** Attribute `K`: input features. */
  readonly k: number;
  /** Attribute `N`: output features. */
  readonly n: number;
  /** Attribute `bits` (2–8). */
  readonly bits: number;
  /** Attribute `block_size`. */
  readonly blockSize: number;
  /** Input B as raw bytes. */
  readonly packed: Uint8Array;
  /** Input `scales` as float32, `N * k_blocks` values. */
  readonly scales: Float32Array;
  /** Input `zero_points`: packed uint8 bytes, or float values (`N * k_blocks`). */
  readonly zeroPoints?: { readonly kind: 'packed'; readonly bytes: Uint8Array } | { readonly kind: 'float'; readonly values: Float32Array };
  /** Deprecated input `g_idx`: block index of each of the K rows (act-order). */
  readonly groupIndex?: ArrayLike<number>;
  /** Node name for error details. */
  readonly label?: string;
}

/**
 * Dequantizes a MatMulNBits weight to `[N, K]` float32 (see the module doc for the layout).
 * Throws `E_OP_UNSUPPORTED` for bits outside 2–8 or a block size whose blob is not whole bytes,
 * `E_TENSOR_RANGE` when B, scales, zero points or g_idx have the wrong size.
 */
export function dequantizeMatMulNBits(input: MatMulNBitsInput): Float32Array {
  const { k: K, n: N, bits, blockSize, packed, scales } = input;
  const label = input.label ?? 'MatMulNBits';
  if (!Number.isInteger(bits) || bits < 2 || bits > 8 || !Number.isInteger(blockSize) || blockSize <= 0 || (blockSize * bits) % 8 !== 0) {
    throw new InvarlockError('E_OP_UNSUPPORTED', `${label}: bits ${bits} with block_size ${blockSize} is not a supported MatMulNBits layout`, {
      details: { node: label, actual: `bits=${bits}, block_size=${blockSize}` },
    });
  }
  const kBlocks = Math.ceil(K / blockSize);
  const blob = (blockSize * bits) / 8;
  expectLength(label, 'B', packed.length, N * kBlocks * blob);
  expectLength(label, 'scales', scales.length, N * kBlocks);
  const zp = input.zeroPoints;
  const zpRowBytes = Math.ceil((kBlocks * bits) / 8);
  if (zp?.kind === 'packed') expectLength(label, 'zero_points', zp.bytes.length, N * zpRowBytes);
  if (zp?.kind === 'float') expectLength(label, 'zero_points', zp.values.length, N * kBlocks);
  const groupIndex = input.groupIndex;
  if (groupIndex !== undefined) {
    expectLength(label, 'g_idx', groupIndex.length, K);
    for (let k = 0; k < K; k++) {
      const g = groupIndex[k]!;
      if (!(Number.isInteger(g) && g >= 0 && g < kBlocks)) throw rangeError(label, `g_idx[${k}] = ${g} is not a block index below ${kBlocks}`);
    }
  }
  const defaultZero = 2 ** (bits - 1);
  const mask = (1 << bits) - 1;
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const dataBlock = Math.floor(k / blockSize);
      const j = k - dataBlock * blockSize;
      const q = readBits(packed, (n * kBlocks + dataBlock) * blob * 8 + j * bits, bits, mask);
      const block = groupIndex === undefined ? dataBlock : groupIndex[k]!;
      const slot = n * kBlocks + block;
      const zero =
        zp === undefined ? defaultZero : zp.kind === 'float' ? zp.values[slot]! : readBits(zp.bytes, n * zpRowBytes * 8 + block * bits, bits, mask);
      out[n * K + k] = (q - zero) * scales[slot]!;
    }
  }
  return out;
}

/** Reads `bits` bits starting at absolute bit `bitOffset` (LSB-first; may straddle a byte boundary). */
function readBits(bytes: Uint8Array, bitOffset: number, bits: number, mask: number): number {
  const byte = bitOffset >>> 3;
  const shift = bitOffset & 7;
  const word = bytes[byte]! | (shift + bits > 8 ? bytes[byte + 1]! << 8 : 0);
  return (word >>> shift) & mask;
}

function expectLength(label: string, what: string, actual: number, expected: number): void {
  if (actual !== expected) throw rangeError(label, `${what} has ${actual} elements, expected ${expected}`);
}

function rangeError(label: string, problem: string): InvarlockError {
  return new InvarlockError('E_TENSOR_RANGE', `${label}: ${problem}`, { details: { node: label } });
}
