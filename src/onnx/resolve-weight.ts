/**
 * `resolveWeight`: given a weight-consuming node and input slot, recognises how the weight is
 * stored (dense fp32/fp16/bf16/fp64, QDQ, dynamic int8, MatMulNBits, GatherBlockQuantized) and
 * returns it as float32 in PyTorch orientation.
 *
 * Orientation (`data` is always row-major `[rows, cols]`):
 * - MatMul B: stored `[in, out]` → transposed to `[out, in]` (`storedOrientation: 'in-out'`).
 * - Gemm B: `transB = 1` stores `[out, in]` (kept); `transB = 0` stores `[in, out]` (transposed).
 * - MatMulInteger / MatMulIntegerToFloat / DynamicQuantizeMatMul B: `[in, out]` → transposed.
 * - MatMulNBits B: stored blocked `[out, in]` → `[N, K]` directly (`'out-in'`).
 * - Gather / GatherBlockQuantized data: `[vocab, hidden]` as stored (`'out-in'`).
 * - Anything else (norm scales, biases, Conv kernels): rank 1 → `[1, n]`, rank 2 as stored,
 *   higher ranks → `[dims[0], rest]`.
 * A 2-D `Transpose` between the initializer and the consumer flips the stored orientation.
 */
import { InvarlockError } from '../errors/index.js';
import { dequantizeGatherBlockQuantized } from './dequantize-gather-block.js';
import { dequantizeLinear, transposeMatrix, type QuantizedValues } from './dequantize-linear.js';
import { dequantizeMatMulNBits } from './dequantize-matmul-nbits.js';
import { getGraphLookup, type GraphLookup } from './graph-lookup.js';
import { readTensorFloat32, readTensorPayload, readTensorTyped } from './tensor-decode.js';
import type { DataSource, ModelIndex, NodeRecord, TensorRecord } from './types.js';
import { constantInput, findDynamicScale, intAttribute, traceWeightSource, unsupportedNode } from './weight-trace.js';

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

/** A weight as float32 `[rows, cols]` in PyTorch orientation (see the module doc). */
export interface ResolvedWeight {
  readonly data: Float32Array;
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

/** Which weight to resolve: a node (or node name) and its input slot. */
export interface WeightTarget {
  readonly node: NodeRecord | string;
  readonly slot: number;
}

const DENSE_FORMATS: Partial<Record<string, WeightFormat>> = { FLOAT: 'fp32', FLOAT16: 'fp16', BFLOAT16: 'bf16', DOUBLE: 'fp64' };
const QDQ_FORMATS: Partial<Record<string, { format: WeightFormat; bits: number }>> = {
  INT8: { format: 'qdq-int8', bits: 8 },
  UINT8: { format: 'qdq-int8', bits: 8 },
  INT16: { format: 'qdq-int16', bits: 16 },
  UINT16: { format: 'qdq-int16', bits: 16 },
  INT4: { format: 'qdq-int4', bits: 4 },
  UINT4: { format: 'qdq-int4', bits: 4 },
};

/**
 * Resolves and dequantizes the weight feeding `target.node.inputs[target.slot]`.
 * Throws `E_NODE_NOT_FOUND` for an unknown node name, `E_OP_UNSUPPORTED` when the input is computed
 * at run time or the storage form is not recognised, `E_DTYPE_UNSUPPORTED` for weights of other
 * types, plus the read errors of `readTensorTyped`.
 */
export function resolveWeight(index: ModelIndex, target: WeightTarget, source: DataSource): ResolvedWeight {
  const lookup = getGraphLookup(index);
  const node = typeof target.node === 'string' ? lookup.node(target.node) : target.node;
  if (node === undefined) {
    throw new InvarlockError('E_NODE_NOT_FOUND', `${index.source} has no node named '${String(target.node)}'`, { details: { file: index.source, node: String(target.node) } });
  }
  const { slot } = target;
  const op = node.domain === 'com.microsoft' ? `ms.${node.opType}` : node.opType;
  if (op === 'ms.MatMulNBits' && slot === 1) return resolveMatMulNBits(lookup, node, source);
  if (op === 'ms.GatherBlockQuantized' && slot === 0) return resolveGatherBlockQuantized(lookup, node, source);
  if ((op === 'MatMulInteger' || op === 'ms.MatMulIntegerToFloat' || op === 'ms.DynamicQuantizeMatMul') && slot === 1) {
    return resolveDynamic(lookup, node, op, source);
  }
  return resolveTraced(lookup, node, slot, source);
}

function resolveTraced(lookup: GraphLookup, node: NodeRecord, slot: number, source: DataSource): ResolvedWeight {
  const index = lookup.index;
  const traced = traceWeightSource(lookup, node, slot);
  let values: Float32Array;
  let format: WeightFormat;
  let quantization: WeightQuantization | undefined;
  if (traced.kind === 'dense') {
    const dense = DENSE_FORMATS[traced.tensor.dataType];
    if (dense === undefined && node.opType === 'Gather' && slot === 0) return resolveQuantizedGather(lookup, node, traced.tensor, source);
    if (dense === undefined) throw notAWeight(index, traced.tensor, 'FLOAT, FLOAT16, BFLOAT16 or DOUBLE (or a quantized form)');
    values = readTensorFloat32(index, traced.tensor, source);
    format = dense;
  } else {
    const qdq = QDQ_FORMATS[traced.tensor.dataType];
    if (qdq === undefined) throw notAWeight(index, traced.tensor, 'INT8, UINT8, INT16, UINT16, INT4 or UINT4 under DequantizeLinear');
    const scale = readTensorFloat32(index, traced.scale, source);
    values = dequantizeLinear({
      values: quantizedValues(index, traced.tensor, source),
      dims: traced.tensor.dims,
      scale,
      scaleDims: traced.scale.dims,
      ...(traced.zeroPoint === undefined ? {} : { zeroPoint: quantizedValues(index, traced.zeroPoint, source) }),
      axis: traced.axis,
      blockSize: traced.blockSize,
      label: traced.path[traced.path.length - 1]?.name ?? node.name,
    });
    format = qdq.format;
    const rank = traced.tensor.dims.length;
    const isPerTensor = scale.length === 1 && traced.blockSize === 0;
    quantization = {
      scale: traced.scale,
      zeroPoint: traced.zeroPoint,
      bits: qdq.bits,
      blockSize: traced.blockSize,
      axis: isPerTensor ? undefined : traced.axis < 0 ? traced.axis + rank : traced.axis,
    };
  }
  const dims = traced.tensor.dims;
  const wantsTranspose = consumerWantsTranspose(lookup, node, slot, dims.length);
  const logical = traced.transposed && dims.length === 2 ? [dims[1]!, dims[0]!] : dims;
  const flip = wantsTranspose !== traced.transposed;
  const [storedRows, storedCols] = matrixShape(dims);
  const data = flip && dims.length === 2 ? transposeMatrix(values, storedRows, storedCols) : values;
  const [rows, cols] = wantsTranspose ? [logical[1]!, logical[0]!] : matrixShape(logical);
  return {
    data,
    rows,
    cols,
    format,
    storedOrientation: flip ? 'in-out' : 'out-in',
    tensor: traced.tensor,
    storedDims: dims,
    quantization,
    consumer: { node, slot },
    path: traced.path,
  };
}

function consumerWantsTranspose(lookup: GraphLookup, node: NodeRecord, slot: number, rank: number): boolean {
  const isMatMulB = (node.opType === 'MatMul' && node.domain === '' && slot === 1) || (node.opType === 'Gemm' && slot === 1);
  if (!isMatMulB) return false;
  if (rank !== 2) throw unsupportedNode(lookup, node, `weight input ${slot} has rank ${rank}; only 2-D weights are supported`);
  return node.opType === 'MatMul' || intAttribute(node, 'transB', 0) === 0;
}

function matrixShape(dims: readonly number[]): [number, number] {
  if (dims.length === 0) return [1, 1];
  if (dims.length === 1) return [1, dims[0]!];
  const rest = dims.slice(1).reduce((a, b) => a * b, 1);
  return [dims[0]!, rest];
}

function quantizedValues(index: ModelIndex, tensor: TensorRecord, source: DataSource): QuantizedValues {
  const typed = readTensorTyped(index, tensor, source);
  switch (typed.dataType) {
    case 'INT8':
    case 'INT4':
    case 'INT2':
    case 'UINT8':
    case 'UINT4':
    case 'UINT2':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
      return typed.values;
    default:
      throw notAWeight(index, tensor, 'an integer type');
  }
}

/** Dynamic q8 embeddings: an int8/uint8 table gathered, then `DequantizeLinear` on the gathered rows. */
function resolveQuantizedGather(lookup: GraphLookup, node: NodeRecord, table: TensorRecord, source: DataSource): ResolvedWeight {
  const index = lookup.index;
  const dq = lookup.consumers(node.outputs[0] ?? '', node.graphId).find((c) => c.node.opType === 'DequantizeLinear' && c.slot === 0)?.node;
  const qdq = QDQ_FORMATS[table.dataType];
  if (dq === undefined || qdq === undefined || table.dims.length !== 2) throw notAWeight(index, table, 'FLOAT, FLOAT16, BFLOAT16 or a table dequantized after the Gather');
  const scaleRecord = constantInput(lookup, dq, 1, 'scale')!;
  const zeroRecord = constantInput(lookup, dq, 2, 'zero point');
  const scale = readTensorFloat32(index, scaleRecord, source);
  // A per-axis scale on the gathered output's last axis is per column of the table.
  if (scale.length !== 1 && scale.length !== table.dims[1]) throw unsupportedNode(lookup, dq, 'only per-tensor or per-column scales after a Gather are supported');
  const values = dequantizeLinear({
    values: quantizedValues(index, table, source),
    dims: table.dims,
    scale,
    scaleDims: scaleRecord.dims,
    ...(zeroRecord === undefined ? {} : { zeroPoint: quantizedValues(index, zeroRecord, source) }),
    axis: 1,
    label: dq.name,
  });
  return {
    data: values,
    rows: table.dims[0]!,
    cols: table.dims[1]!,
    format: 'dynamic-int8',
    storedOrientation: 'out-in',
    tensor: table,
    storedDims: table.dims,
    quantization: { scale: scaleRecord, zeroPoint: zeroRecord, bits: qdq.bits, blockSize: 0, axis: scale.length === 1 ? undefined : 1 },
    consumer: { node, slot: 0 },
    path: [dq],
  };
}

function resolveDynamic(lookup: GraphLookup, node: NodeRecord, op: string, source: DataSource): ResolvedWeight {
  const index = lookup.index;
  const weight = constantInput(lookup, node, 1, 'quantized weight')!;
  if (weight.dims.length !== 2 || QDQ_FORMATS[weight.dataType]?.bits !== 8) throw notAWeight(index, weight, 'a 2-D INT8 or UINT8 weight');
  const [scaleSlot, zeroSlot] = op === 'MatMulInteger' ? [-1, 3] : op === 'ms.MatMulIntegerToFloat' ? [3, 5] : [2, 3];
  const scaleRecord = scaleSlot < 0 ? findDynamicScale(lookup, node, weight) : constantInput(lookup, node, scaleSlot, 'weight scale');
  if (scaleRecord === undefined) throw unsupportedNode(lookup, node, 'no weight scale input');
  const zeroRecord = constantInput(lookup, node, zeroSlot, 'weight zero point') ?? (scaleSlot < 0 ? lookup.tensor(`${weight.name.replace(/_quantized$/, '')}_zero_point`, node.graphId) : undefined);
  const scale = readTensorFloat32(index, scaleRecord, source);
  const [K, N] = [weight.dims[0]!, weight.dims[1]!];
  const values = dequantizeLinear({
    values: quantizedValues(index, weight, source),
    dims: weight.dims,
    scale,
    scaleDims: scaleRecord.dims,
    ...(zeroRecord === undefined ? {} : { zeroPoint: quantizedValues(index, zeroRecord, source) }),
    axis: 1,
    label: node.name,
  });
  return {
    data: transposeMatrix(values, K, N),
    rows: N,
    cols: K,
    format: 'dynamic-int8',
    storedOrientation: 'in-out',
    tensor: weight,
    storedDims: weight.dims,
    quantization: { scale: scaleRecord, zeroPoint: zeroRecord, bits: 8, blockSize: 0, axis: scale.length === 1 ? undefined : 1 },
    consumer: { node, slot: 1 },
    path: [],
  };
}

function resolveMatMulNBits(lookup: GraphLookup, node: NodeRecord, source: DataSource): ResolvedWeight {
  const index = lookup.index;
  const packedRecord = constantInput(lookup, node, 1, 'packed weight')!;
  const scaleRecord = constantInput(lookup, node, 2, 'scales');
  if (scaleRecord === undefined) throw unsupportedNode(lookup, node, 'no scales input');
  const zeroRecord = constantInput(lookup, node, 3, 'zero points');
  const groupRecord = constantInput(lookup, node, 4, 'g_idx');
  const K = intAttribute(node, 'K', -1);
  const N = intAttribute(node, 'N', -1);
  const bits = intAttribute(node, 'bits', 4);
  const blockSize = intAttribute(node, 'block_size', -1);
  if (K <= 0 || N <= 0) throw unsupportedNode(lookup, node, 'attributes K and N must be positive');
  const zeroPoints =
    zeroRecord === undefined
      ? undefined
      : zeroRecord.dataType === 'UINT8'
        ? { kind: 'packed' as const, bytes: readTensorPayload(index, zeroRecord, source) }
        : { kind: 'float' as const, values: readTensorFloat32(index, zeroRecord, source) };
  const data = dequantizeMatMulNBits({
    k: K,
    n: N,
    bits,
    blockSize,
    packed: readTensorPayload(index, packedRecord, source),
    scales: readTensorFloat32(index, scaleRecord, source),
    ...(zeroPoints === undefined ? {} : { zeroPoints }),
    ...(groupRecord === undefined || groupRecord.elementCount === 0 ? {} : { groupIndex: readTensorFloat32(index, groupRecord, source) }),
    label: node.name,
  });
  return {
    data,
    rows: N,
    cols: K,
    format: 'matmulnbits',
    storedOrientation: 'out-in',
    tensor: packedRecord,
    storedDims: [N, K],
    quantization: { scale: scaleRecord, zeroPoint: zeroRecord, bits, blockSize, axis: 1 },
    consumer: { node, slot: 1 },
    path: [],
  };
}

function resolveGatherBlockQuantized(lookup: GraphLookup, node: NodeRecord, source: DataSource): ResolvedWeight {
  const index = lookup.index;
  const dataRecord = constantInput(lookup, node, 0, 'quantized table')!;
  const scaleRecord = constantInput(lookup, node, 2, 'scales');
  if (scaleRecord === undefined) throw unsupportedNode(lookup, node, 'no scales input');
  const zeroRecord = constantInput(lookup, node, 3, 'zero points');
  const dataType = dataRecord.dataType;
  if (dataType !== 'UINT8' && dataType !== 'INT4' && dataType !== 'UINT4') throw notAWeight(index, dataRecord, 'UINT8, INT4 or UINT4');
  if (intAttribute(node, 'gather_axis', 0) !== 0) throw unsupportedNode(lookup, node, 'only gather_axis 0 is supported');
  const bits = intAttribute(node, 'bits', 4);
  const blockSize = intAttribute(node, 'block_size', 128);
  const quantizeAxis = intAttribute(node, 'quantize_axis', 1);
  const table = dequantizeGatherBlockQuantized({
    dataType,
    data: readTensorPayload(index, dataRecord, source),
    dataDims: dataRecord.dims,
    bits,
    quantizeAxis,
    blockSize,
    scales: readTensorFloat32(index, scaleRecord, source),
    scaleDims: scaleRecord.dims,
    ...(zeroRecord === undefined ? {} : { zeroPoints: readTensorPayload(index, zeroRecord, source) }),
    label: node.name,
  });
  const [rows, cols] = matrixShape(table.dims);
  const rank = table.dims.length;
  return {
    data: table.values,
    rows,
    cols,
    format: 'gather-block-quantized',
    storedOrientation: 'out-in',
    tensor: dataRecord,
    storedDims: table.dims,
    quantization: { scale: scaleRecord, zeroPoint: zeroRecord, bits, blockSize, axis: quantizeAxis < 0 ? quantizeAxis + rank : quantizeAxis },
    consumer: { node, slot: 0 },
    path: [],
  };
}

function notAWeight(index: ModelIndex, tensor: TensorRecord, expected: string): InvarlockError {
  return new InvarlockError('E_DTYPE_UNSUPPORTED', `${index.source}: tensor '${tensor.name}' of ${tensor.dataType} is not a weight form this layer reads (expected ${expected})`, {
    details: { file: index.source, tensor: tensor.name, actual: tensor.dataType, expected },
  });
}
