/**
 * Recognises how the weight feeding one node input is stored and plans its decoding: the
 * description (format, shape, orientation, tensors) needs only the index; `decode` reads and
 * dequantizes. See `resolve-weight.ts` for the orientation rules.
 * @internal
 */
import { InvarlockError } from '../errors/index.js';
import { dequantizeGatherBlockQuantized } from './dequantize-gather-block.js';
import { dequantizeLinear, transposeMatrix, type QuantizedValues } from './dequantize-linear.js';
import { dequantizeMatMulNBits } from './dequantize-matmul-nbits.js';
import type { GraphLookup } from './graph-lookup.js';
import type { WeightDescription, WeightFormat } from './resolve-weight.js';
import { readTensorFloat32, readTensorPayload, readTensorTyped } from './tensor-decode.js';
import type { DataSource, ModelIndex, NodeRecord, TensorRecord } from './types.js';
import { constantInput, findDynamicScale, intAttribute, traceWeightSource, unsupportedNode } from './weight-trace.js';

/** A recognised weight: its description, and how to get its float32 data. @internal */
export interface WeightPlan {
  readonly description: WeightDescription;
  readonly decode: (source: DataSource) => Float32Array;
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

/** Plans the weight at `node.inputs[slot]`. @internal */
export function planWeight(lookup: GraphLookup, node: NodeRecord, slot: number): WeightPlan {
  const op = node.domain === 'com.microsoft' ? `ms.${node.opType}` : node.opType;
  if (op === 'ms.MatMulNBits' && slot === 1) return planMatMulNBits(lookup, node);
  if (op === 'ms.GatherBlockQuantized' && slot === 0) return planGatherBlockQuantized(lookup, node);
  if ((op === 'MatMulInteger' || op === 'ms.MatMulIntegerToFloat' || op === 'ms.DynamicQuantizeMatMul') && slot === 1) return planDynamic(lookup, node, op);
  if (op === 'ms.MatMulBnb4' || op === 'ms.MatMulFpQ4' || op === 'ms.QAttention' || op === 'QLinearMatMul') {
    throw unsupportedNode(lookup, node, 'this quantized operator has no dequantizer here (supported: DequantizeLinear, MatMulInteger, MatMulNBits, GatherBlockQuantized)');
  }
  return planTraced(lookup, node, slot);
}

function planTraced(lookup: GraphLookup, node: NodeRecord, slot: number): WeightPlan {
  const index = lookup.index;
  const traced = traceWeightSource(lookup, node, slot);
  const dims = traced.tensor.dims;
  let format: WeightFormat;
  let values: (source: DataSource) => Float32Array;
  let quantization: WeightDescription['quantization'];
  if (traced.kind === 'dense') {
    const dense = DENSE_FORMATS[traced.tensor.dataType];
    if (dense === undefined && node.opType === 'Gather' && slot === 0) return planQuantizedGather(lookup, node, traced.tensor);
    if (dense === undefined) throw notAWeight(index, traced.tensor, 'FLOAT, FLOAT16, BFLOAT16 or DOUBLE (or a quantized form)');
    format = dense;
    values = (source) => readTensorFloat32(index, traced.tensor, source);
  } else {
    const qdq = QDQ_FORMATS[traced.tensor.dataType];
    if (qdq === undefined) throw notAWeight(index, traced.tensor, 'INT8, UINT8, INT16, UINT16, INT4 or UINT4 under DequantizeLinear');
    format = qdq.format;
    const isPerTensor = traced.scale.elementCount === 1 && traced.blockSize === 0;
    quantization = {
      scale: traced.scale,
      zeroPoint: traced.zeroPoint,
      bits: qdq.bits,
      blockSize: traced.blockSize,
      axis: isPerTensor ? undefined : traced.axis < 0 ? traced.axis + dims.length : traced.axis,
    };
    values = (source) =>
      dequantizeLinear({
        values: quantizedValues(index, traced.tensor, source),
        dims,
        scale: readTensorFloat32(index, traced.scale, source),
        scaleDims: traced.scale.dims,
        ...(traced.zeroPoint === undefined ? {} : { zeroPoint: quantizedValues(index, traced.zeroPoint, source) }),
        axis: traced.axis,
        blockSize: traced.blockSize,
        label: traced.path[traced.path.length - 1]?.name ?? node.name,
      });
  }
  const wantsTranspose = consumerWantsTranspose(lookup, node, slot, dims.length);
  const logical = traced.transposed && dims.length === 2 ? [dims[1]!, dims[0]!] : dims;
  const flip = wantsTranspose !== traced.transposed && dims.length === 2;
  const [storedRows, storedCols] = matrixShape(dims);
  const [rows, cols] = wantsTranspose ? [logical[1]!, logical[0]!] : matrixShape(logical);
  return {
    description: { rows, cols, format, storedOrientation: flip ? 'in-out' : 'out-in', tensor: traced.tensor, storedDims: dims, quantization, consumer: { node, slot }, path: traced.path },
    decode: (source) => (flip ? transposeMatrix(values(source), storedRows, storedCols) : values(source)),
  };
}

function consumerWantsTranspose(lookup: GraphLookup, node: NodeRecord, slot: number, rank: number): boolean {
  // onnxruntime's Attention and PackedAttention take their fused QKV weight `[hidden, 3·hidden]` like MatMul B.
  const isMatMul = (node.opType === 'MatMul' && node.domain === '') || (node.domain === 'com.microsoft' && (node.opType === 'Attention' || node.opType === 'PackedAttention'));
  // FusedMatMul (com.microsoft, written by onnxruntime's optimizer) takes transB like Gemm.
  const hasTransB = (node.opType === 'Gemm' && node.domain === '') || (node.opType === 'FusedMatMul' && node.domain === 'com.microsoft');
  if (slot !== 1 || (!isMatMul && !hasTransB)) return false;
  if (rank !== 2) throw unsupportedNode(lookup, node, `weight input ${slot} has rank ${rank}; only 2-D weights are supported`);
  return isMatMul || intAttribute(node, 'transB', 0) === 0;
}

function matrixShape(dims: readonly number[]): [number, number] {
  if (dims.length === 0) return [1, 1];
  if (dims.length === 1) return [1, dims[0]!];
  return [dims[0]!, dims.slice(1).reduce((a, b) => a * b, 1)];
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
function planQuantizedGather(lookup: GraphLookup, node: NodeRecord, table: TensorRecord): WeightPlan {
  const index = lookup.index;
  const dq = lookup.consumers(node.outputs[0] ?? '', node.graphId).find((c) => c.node.opType === 'DequantizeLinear' && c.slot === 0)?.node;
  const qdq = QDQ_FORMATS[table.dataType];
  if (dq === undefined || qdq === undefined || table.dims.length !== 2) throw notAWeight(index, table, 'FLOAT, FLOAT16, BFLOAT16 or a table dequantized after the Gather');
  const scale = constantInput(lookup, dq, 1, 'scale');
  if (scale === undefined) throw unsupportedNode(lookup, dq, 'DequantizeLinear without a scale');
  const zeroPoint = constantInput(lookup, dq, 2, 'zero point');
  // A per-axis scale on the gathered output's last axis is per column of the table.
  if (scale.elementCount !== 1 && scale.elementCount !== table.dims[1]) throw unsupportedNode(lookup, dq, 'only per-tensor or per-column scales after a Gather are supported');
  return {
    description: {
      rows: table.dims[0]!,
      cols: table.dims[1]!,
      format: 'dynamic-int8',
      storedOrientation: 'out-in',
      tensor: table,
      storedDims: table.dims,
      quantization: { scale, zeroPoint, bits: qdq.bits, blockSize: 0, axis: scale.elementCount === 1 ? undefined : 1 },
      consumer: { node, slot: 0 },
      path: [dq],
    },
    decode: (source) =>
      dequantizeLinear({
        values: quantizedValues(index, table, source),
        dims: table.dims,
        scale: readTensorFloat32(index, scale, source),
        scaleDims: scale.dims,
        ...(zeroPoint === undefined ? {} : { zeroPoint: quantizedValues(index, zeroPoint, source) }),
        axis: 1,
        label: dq.name,
      }),
  };
}

function planDynamic(lookup: GraphLookup, node: NodeRecord, op: string): WeightPlan {
  const index = lookup.index;
  const weight = constantInput(lookup, node, 1, 'quantized weight')!;
  if (weight.dims.length !== 2 || QDQ_FORMATS[weight.dataType]?.bits !== 8) throw notAWeight(index, weight, 'a 2-D INT8 or UINT8 weight');
  const [scaleSlot, zeroSlot] = op === 'MatMulInteger' ? [-1, 3] : op === 'ms.MatMulIntegerToFloat' ? [3, 5] : [2, 3];
  const scale = scaleSlot < 0 ? findDynamicScale(lookup, node, weight) : constantInput(lookup, node, scaleSlot, 'weight scale');
  if (scale === undefined) throw unsupportedNode(lookup, node, 'no weight scale input');
  const zeroPoint =
    constantInput(lookup, node, zeroSlot, 'weight zero point') ?? (scaleSlot < 0 ? lookup.tensor(`${weight.name.replace(/_quantized$/, '')}_zero_point`, node.graphId) : undefined);
  const [K, N] = [weight.dims[0]!, weight.dims[1]!];
  return {
    description: {
      rows: N,
      cols: K,
      format: 'dynamic-int8',
      storedOrientation: 'in-out',
      tensor: weight,
      storedDims: weight.dims,
      quantization: { scale, zeroPoint, bits: 8, blockSize: 0, axis: scale.elementCount === 1 ? undefined : 1 },
      consumer: { node, slot: 1 },
      path: [],
    },
    decode: (source) => {
      const values = dequantizeLinear({
        values: quantizedValues(index, weight, source),
        dims: weight.dims,
        scale: readTensorFloat32(index, scale, source),
        scaleDims: scale.dims,
        ...(zeroPoint === undefined ? {} : { zeroPoint: quantizedValues(index, zeroPoint, source) }),
        axis: 1,
        label: node.name,
      });
      return transposeMatrix(values, K, N);
    },
  };
}

function planMatMulNBits(lookup: GraphLookup, node: NodeRecord): WeightPlan {
  const index = lookup.index;
  const packed = constantInput(lookup, node, 1, 'packed weight')!;
  const scale = constantInput(lookup, node, 2, 'scales');
  if (scale === undefined) throw unsupportedNode(lookup, node, 'no scales input');
  const zeroPoint = constantInput(lookup, node, 3, 'zero points');
  const groupIndex = constantInput(lookup, node, 4, 'g_idx');
  const K = intAttribute(node, 'K', -1);
  const N = intAttribute(node, 'N', -1);
  const bits = intAttribute(node, 'bits', 4);
  const blockSize = intAttribute(node, 'block_size', -1);
  if (K <= 0 || N <= 0) throw unsupportedNode(lookup, node, 'attributes K and N must be positive');
  return {
    description: {
      rows: N,
      cols: K,
      format: 'matmulnbits',
      storedOrientation: 'out-in',
      tensor: packed,
      storedDims: [N, K],
      quantization: { scale, zeroPoint, bits, blockSize, axis: 1 },
      consumer: { node, slot: 1 },
      path: [],
    },
    decode: (source) => {
      const zeroPoints =
        zeroPoint === undefined
          ? undefined
          : zeroPoint.dataType === 'UINT8'
            ? { kind: 'packed' as const, bytes: readTensorPayload(index, zeroPoint, source) }
            : { kind: 'float' as const, values: readTensorFloat32(index, zeroPoint, source) };
      return dequantizeMatMulNBits({
        k: K,
        n: N,
        bits,
        blockSize,
        packed: readTensorPayload(index, packed, source),
        scales: readTensorFloat32(index, scale, source),
        ...(zeroPoints === undefined ? {} : { zeroPoints }),
        ...(groupIndex === undefined || groupIndex.elementCount === 0 ? {} : { groupIndex: readTensorFloat32(index, groupIndex, source) }),
        label: node.name,
      });
    },
  };
}

function planGatherBlockQuantized(lookup: GraphLookup, node: NodeRecord): WeightPlan {
  const index = lookup.index;
  const data = constantInput(lookup, node, 0, 'quantized table')!;
  const scale = constantInput(lookup, node, 2, 'scales');
  if (scale === undefined) throw unsupportedNode(lookup, node, 'no scales input');
  const zeroPoint = constantInput(lookup, node, 3, 'zero points');
  const dataType = data.dataType;
  if (dataType !== 'UINT8' && dataType !== 'INT4' && dataType !== 'UINT4') throw notAWeight(index, data, 'UINT8, INT4 or UINT4');
  if (intAttribute(node, 'gather_axis', 0) !== 0) throw unsupportedNode(lookup, node, 'only gather_axis 0 is supported');
  const bits = intAttribute(node, 'bits', 4);
  const blockSize = intAttribute(node, 'block_size', 128);
  const quantizeAxis = intAttribute(node, 'quantize_axis', 1);
  const rank = data.dims.length;
  // uint8 data packs 8 / bits elements per byte along the last axis.
  const perByte = dataType === 'UINT8' && [2, 4, 8].includes(bits) ? 8 / bits : 1;
  const storedDims = data.dims.map((d, i) => (i === rank - 1 ? d * perByte : d));
  const [rows, cols] = matrixShape(storedDims);
  return {
    description: {
      rows,
      cols,
      format: 'gather-block-quantized',
      storedOrientation: 'out-in',
      tensor: data,
      storedDims,
      quantization: { scale, zeroPoint, bits, blockSize, axis: quantizeAxis < 0 ? quantizeAxis + rank : quantizeAxis },
      consumer: { node, slot: 0 },
      path: [],
    },
    decode: (source) =>
      dequantizeGatherBlockQuantized({
        dataType,
        data: readTensorPayload(index, data, source),
        dataDims: data.dims,
        bits,
        quantizeAxis,
        blockSize,
        scales: readTensorFloat32(index, scale, source),
        scaleDims: scale.dims,
        ...(zeroPoint === undefined ? {} : { zeroPoints: readTensorPayload(index, zeroPoint, source) }),
        label: node.name,
      }).values,
  };
}

function notAWeight(index: ModelIndex, tensor: TensorRecord, expected: string): InvarlockError {
  return new InvarlockError('E_DTYPE_UNSUPPORTED', `${index.source}: tensor '${tensor.name}' of ${tensor.dataType} is not a weight form this layer reads (expected ${expected})`, {
    details: { file: index.source, tensor: tensor.name, actual: tensor.dataType, expected },
  });
}
