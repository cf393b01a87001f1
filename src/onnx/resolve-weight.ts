/**
 * `resolveWeight`: given a weight-consuming node and input slot, recognises how the weight is
 * stored (dense fp32/fp16/bf16/fp64, QDQ, dynamic int8, MatMulNBits, GatherBlockQuantized) and
 * returns it as float32 in PyTorch orientation.
 *
 * Orientation (`data` is always row-major `[rows, cols]`):
 * - MatMul B: stored `[in, out]` → transposed to `[out, in]` (`storedOrientation: 'in-out'`).
 * - Gemm / FusedMatMul B: `transB = 1` stores `[out, in]` (kept); `transB = 0` stores `[in, out]` (transposed).
 * - MatMulInteger / MatMulIntegerToFloat / DynamicQuantizeMatMul B: `[in, out]` → transposed.
 * - MatMulNBits B: stored blocked `[out, in]` → `[N, K]` directly (`'out-in'`).
 * - Gather / GatherBlockQuantized data: `[vocab, hidden]` as stored (`'out-in'`).
 * - Anything else (norm scales, biases, Conv kernels): rank 1 → `[1, n]`, rank 2 as stored,
 *   higher ranks → `[dims[0], rest]`.
 * A 2-D `Transpose` between the initializer and the consumer flips the stored orientation.
 */
import { InvarlockError } from '../errors/index.js';
import { getGraphLookup } from './graph-lookup.js';
import type { DataSource, ModelIndex, NodeRecord, TensorRecord } from './types.js';
import { planWeight, type WeightPlan } from './weight-plan.js';

/** How a weight is stored. */
export type WeightFormat = 'fp32' | 'fp16' | 'bf16' | 'fp64' | 'qdq-int8' | 'qdq-int16' | 'qdq-int4' | 'dynamic-int8' | 'matmulnbits' | 'gather-block-quantized';

/** Quantization parameters of a quantized weight (what an edit needs to write it back in kind). */
export interface WeightQuantization {
  readonly scale: TensorRecord;
  readonly zeroPoint: TensorRecord | undefined;
  /** Bits per quantized element. */
  readonly bits: number;
  /** Elements per block along `axis`; 0 when not blocked. */
  readonly blockSize: number;
  /** Axis of the stored (logical) tensor that the scale varies along; `undefined` for per-tensor. */
  readonly axis: number | undefined;
}

/** What a weight is, without its data: format, shape, orientation and the tensors involved. */
export interface WeightDescription {
  /** Output features (or table rows for embeddings; 1 for vectors). */
  readonly rows: number;
  /** Input features (or hidden size for embeddings). */
  readonly cols: number;
  readonly format: WeightFormat;
  /** `in-out`: the stored tensor is the transpose of `data`; `out-in`: same layout. */
  readonly storedOrientation: 'in-out' | 'out-in';
  /** The stored weight initializer (quantized data for quantized formats). */
  readonly tensor: TensorRecord;
  /** Logical dims of the stored weight (MatMulNBits `[N, K]`; uint8-packed tables unpacked). */
  readonly storedDims: readonly number[];
  readonly quantization: WeightQuantization | undefined;
  /** The node and slot that were asked about. */
  readonly consumer: { readonly node: NodeRecord; readonly slot: number };
  /** Nodes between the initializer and the consumer (Cast, Transpose, DequantizeLinear …), nearest first. */
  readonly path: readonly NodeRecord[];
}

/** A weight as float32 `[rows, cols]` in PyTorch orientation (see the module doc). */
export interface ResolvedWeight extends WeightDescription {
  readonly data: Float32Array;
}

/** Which weight to resolve: a node (or node name) and its input slot. */
export interface WeightTarget {
  readonly node: NodeRecord | string;
  readonly slot: number;
}

function planOf(index: ModelIndex, target: WeightTarget): WeightPlan {
  const lookup = getGraphLookup(index);
  const node = typeof target.node === 'string' ? lookup.node(target.node) : target.node;
  if (node === undefined) {
    throw new InvarlockError('E_NODE_NOT_FOUND', `${index.source} has no node named '${String(target.node)}'`, { details: { file: index.source, node: String(target.node) } });
  }
  return planWeight(lookup, node, target.slot);
}

/**
 * Recognises the weight feeding `target.node.inputs[target.slot]` without reading any tensor data
 * (cheap: for listing every weight of a model). Throws `E_NODE_NOT_FOUND` for an unknown node name,
 * `E_OP_UNSUPPORTED` when the input is computed at run time or the storage form is not recognised,
 * `E_DTYPE_UNSUPPORTED` for weights of other types.
 */
export function describeWeight(index: ModelIndex, target: WeightTarget): WeightDescription {
  return planOf(index, target).description;
}

/**
 * Resolves and dequantizes the weight feeding `target.node.inputs[target.slot]`.
 * Throws like {@link describeWeight}, plus the read errors of `readTensorTyped`
 * (`E_EXTERNAL_DATA_MISSING`, `E_TENSOR_RANGE` …) and the dequantizers' shape errors.
 */
export function resolveWeight(index: ModelIndex, target: WeightTarget, source: DataSource): ResolvedWeight {
  const plan = planOf(index, target);
  return { ...plan.description, data: plan.decode(source) };
}
