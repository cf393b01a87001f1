import type { DataTypeName, GraphLookup, ModelIndex, NodeRecord, TensorRecord, WeightFormat } from '../../onnx/index.js';
import { getGraphLookup } from '../../onnx/index.js';

/** What kind of consumer reads a weight; decides orientation and which records count as weights. */
export type ConsumerKind = 'matmul' | 'gemm' | 'attention' | 'matmulnbits' | 'matmulinteger' | 'gather' | 'gather-block-quantized' | 'norm' | 'mul';

/**
 * One stored weight read by one node input, described without decoding any data: the shape it has
 * once dequantized in PyTorch orientation `[out, in]`, its format and the initializers involved.
 * The same rules as the onnx layer's `resolveWeight`, which decodes (a differential test keeps the
 * two in step).
 */
export interface WeightUse {
  readonly node: NodeRecord;
  readonly slot: number;
  readonly kind: ConsumerKind;
  /** The stored data tensor (quantized values for quantized formats). */
  readonly tensor: TensorRecord;
  /** Scales and zero points of a quantized weight. */
  readonly companions: readonly TensorRecord[];
  readonly rows: number;
  readonly cols: number;
  readonly format: WeightFormat;
  readonly storedType: DataTypeName | 'UNKNOWN';
  /** `in-out`: the stored tensor is the transpose of the `[rows, cols]` matrix; `out-in`: same layout. */
  readonly storedOrientation: 'in-out' | 'out-in';
  /** Nodes between the tensor and the consumer (Identity, Cast, Transpose, DequantizeLinear), nearest first. */
  readonly path: readonly NodeRecord[];
}

const DENSE: Partial<Record<string, WeightFormat>> = { FLOAT: 'fp32', FLOAT16: 'fp16', BFLOAT16: 'bf16', DOUBLE: 'fp64' };
const QDQ: Partial<Record<string, WeightFormat>> = {
  INT8: 'qdq-int8',
  UINT8: 'qdq-int8',
  INT16: 'qdq-int16',
  UINT16: 'qdq-int16',
  INT4: 'qdq-int4',
  UINT4: 'qdq-int4',
};

/**
 * Which input slots of which ops carry weights (ops by `domain.opType`, default domain bare), from
 * the ONNX operator specs and onnxruntime's ContribOperators.md. Attention-like contrib ops that take
 * projected q/k/v (MultiHeadAttention, GroupQueryAttention), RotaryEmbedding, FastGelu/BiasGelu/Gelu
 * read no weight matrix (only biases and caches); their role in the structure is read in
 * `infer-structure.ts`.
 */
const WEIGHT_SLOTS: Readonly<Record<string, readonly { readonly kind: ConsumerKind; readonly slots: readonly number[] }[]>> = {
  MatMul: [{ kind: 'matmul', slots: [1] }],
  Gemm: [{ kind: 'gemm', slots: [1] }],
  // onnxruntime's optimizer folds a Transpose into FusedMatMul(transB) — the tied lm_head of GPT-2.
  'com.microsoft.FusedMatMul': [{ kind: 'gemm', slots: [1] }],
  'com.microsoft.MatMulNBits': [{ kind: 'matmulnbits', slots: [1] }],
  MatMulInteger: [{ kind: 'matmulinteger', slots: [1] }],
  'com.microsoft.MatMulIntegerToFloat': [{ kind: 'matmulinteger', slots: [1] }],
  'com.microsoft.DynamicQuantizeMatMul': [{ kind: 'matmulinteger', slots: [1] }],
  // input, weights [hidden, 3·hidden] (fused QKV, stored like MatMul B), bias …
  'com.microsoft.Attention': [{ kind: 'attention', slots: [1] }],
  'com.microsoft.PackedAttention': [{ kind: 'attention', slots: [1] }],
  Gather: [{ kind: 'gather', slots: [0] }],
  'com.microsoft.GatherBlockQuantized': [{ kind: 'gather-block-quantized', slots: [0] }],
  // input_ids, segment_ids, word_embedding, position_embedding, segment_embedding, gamma, beta, …
  'com.microsoft.EmbedLayerNormalization': [
    { kind: 'gather', slots: [2, 3, 4] },
    { kind: 'norm', slots: [5] },
  ],
  LayerNormalization: [{ kind: 'norm', slots: [1] }],
  SimplifiedLayerNormalization: [{ kind: 'norm', slots: [1] }],
  RMSNormalization: [{ kind: 'norm', slots: [1] }],
  'com.microsoft.LayerNormalization': [{ kind: 'norm', slots: [1] }],
  'com.microsoft.SimplifiedLayerNormalization': [{ kind: 'norm', slots: [1] }],
  'com.microsoft.SkipLayerNormalization': [{ kind: 'norm', slots: [2] }],
  'com.microsoft.SkipSimplifiedLayerNormalization': [{ kind: 'norm', slots: [2] }],
  Mul: [{ kind: 'mul', slots: [0, 1] }],
};

/** `domain.opType`, with the default domain (`''` or `ai.onnx`) left bare. */
export function opKey(node: NodeRecord): string {
  return node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`;
}

/**
 * Every stored weight read by a weight-consuming node input, in graph order (main graph first, then
 * If/Loop bodies, so merged decoders list each branch). Inputs computed at run time, integer
 * tables gathered for shapes, and scalars are skipped; a `Mul` counts only for a 1-D float operand
 * (RMSNorm scales, which the interface then has to name).
 */
export function findWeightUses(index: ModelIndex): WeightUse[] {
  const lookup = getGraphLookup(index);
  const uses: WeightUse[] = [];
  for (const graph of index.graphs) {
    for (const node of graph.nodes) {
      for (const spec of WEIGHT_SLOTS[opKey(node)] ?? []) {
        for (const slot of spec.slots) {
          const use = inspectUse(lookup, node, slot, spec.kind);
          if (use !== null) uses.push(use);
        }
      }
    }
  }
  return uses;
}

/** A stored tensor reached from a node input, and how. */
export interface StoredTrace {
  readonly tensor: TensorRecord;
  readonly transposed: boolean;
  readonly dq: NodeRecord | null;
  readonly path: readonly NodeRecord[];
}

/** Follows an input back through Identity/Cast/2-D Transpose/DequantizeLinear to a stored tensor; null when computed at run time. */
export function traceStored(lookup: GraphLookup, node: NodeRecord, slot: number): StoredTrace | null {
  let name = node.inputs[slot] ?? '';
  let transposed = false;
  const path: NodeRecord[] = [];
  for (let step = 0; step < 16 && name !== ''; step++) {
    const tensor = lookup.tensor(name, node.graphId);
    if (tensor !== undefined) return { tensor, transposed, dq: null, path };
    const producer = lookup.producer(name, node.graphId)?.node;
    if (producer === undefined) return null;
    path.push(producer);
    switch (opKey(producer)) {
      case 'Identity':
      case 'Cast':
        name = producer.inputs[0] ?? '';
        break;
      case 'Transpose': {
        const perm = producer.attributes.find((a) => a.name === 'perm');
        if (perm !== undefined && !(perm.kind === 'ints' && perm.values.length === 2 && perm.values[0] === 1 && perm.values[1] === 0)) return null;
        transposed = !transposed;
        name = producer.inputs[0] ?? '';
        break;
      }
      case 'DequantizeLinear':
      case 'com.microsoft.DequantizeLinear': {
        const tensor = lookup.tensor(producer.inputs[0] ?? '', producer.graphId);
        return tensor === undefined ? null : { tensor, transposed, dq: producer, path };
      }
      default:
        return null;
    }
  }
  return null;
}

function inspectUse(lookup: GraphLookup, node: NodeRecord, slot: number, kind: ConsumerKind): WeightUse | null {
  switch (kind) {
    case 'matmulnbits': {
      const tensor = lookup.tensor(node.inputs[1] ?? '', node.graphId);
      const k = intAttribute(node, 'K', -1);
      const n = intAttribute(node, 'N', -1);
      if (tensor === undefined || k <= 0 || n <= 0) return null;
      return make(node, slot, kind, tensor, companionsOf(lookup, node, [2, 3, 4]), n, k, 'matmulnbits', []);
    }
    case 'gather-block-quantized': {
      const tensor = lookup.tensor(node.inputs[0] ?? '', node.graphId);
      if (tensor === undefined || tensor.dims.length < 2) return null;
      const bits = intAttribute(node, 'bits', 4);
      const perByte = tensor.dataType === 'UINT8' ? 8 / bits : 1;
      const dims = tensor.dims.map((d, i) => (i === tensor.dims.length - 1 ? d * perByte : d));
      const [rows, cols] = matrixShape(dims);
      return make(node, slot, kind, tensor, companionsOf(lookup, node, [2, 3]), rows, cols, 'gather-block-quantized', []);
    }
    case 'matmulinteger': {
      const tensor = lookup.tensor(node.inputs[1] ?? '', node.graphId);
      if (tensor === undefined || tensor.dims.length !== 2) return null;
      const slots = opKey(node) === 'MatMulInteger' ? [3] : opKey(node) === 'com.microsoft.MatMulIntegerToFloat' ? [3, 5] : [2, 3];
      const companions = companionsOf(lookup, node, slots);
      const scale = opKey(node) === 'MatMulInteger' ? dynamicScale(lookup, node, tensor) : undefined;
      const zero = opKey(node) === 'MatMulInteger' && companions.length === 0 ? lookup.tensor(`${baseName(tensor.name)}_zero_point`, node.graphId) : undefined;
      const all = [...(scale === undefined ? [] : [scale]), ...companions, ...(zero === undefined ? [] : [zero])];
      return make(node, slot, kind, tensor, all, tensor.dims[1]!, tensor.dims[0]!, 'dynamic-int8', [], 'in-out');
    }
    default:
      return inspectTraced(lookup, node, slot, kind);
  }
}

function inspectTraced(lookup: GraphLookup, node: NodeRecord, slot: number, kind: ConsumerKind): WeightUse | null {
  const traced = traceStored(lookup, node, slot);
  if (traced === null) return null;
  const { tensor } = traced;
  const dims = tensor.dims;
  if (traced.dq !== null) {
    const format = QDQ[tensor.dataType];
    if (format === undefined) return null;
    if ((kind === 'norm' || kind === 'mul') && dims.length !== 1) return null;
    const companions = companionsOf(lookup, traced.dq, [1, 2]);
    const [rows, cols, orientation] = orient(node, slot, kind, dims, traced.transposed);
    return make(node, slot, kind, tensor, companions, rows, cols, format, traced.path, orientation);
  }
  const dense = DENSE[tensor.dataType];
  if (kind === 'gather') {
    if (dims.length !== 2) return null;
    if (dense !== undefined) return make(node, slot, kind, tensor, [], dims[0]!, dims[1]!, dense, traced.path);
    // Dynamic q8 embeddings: an int8 table gathered, then DequantizeLinear on the gathered rows.
    const dq = lookup.consumers(node.outputs[0] ?? '', node.graphId).find((c) => opKey(c.node) === 'DequantizeLinear' && c.slot === 0)?.node;
    if (dq === undefined || QDQ[tensor.dataType] !== 'qdq-int8') return null;
    return make(node, slot, kind, tensor, companionsOf(lookup, dq, [1, 2]), dims[0]!, dims[1]!, 'dynamic-int8', [dq]);
  }
  if (dense === undefined) return null;
  if ((kind === 'norm' || kind === 'mul') && dims.length !== 1) return null;
  if ((kind === 'matmul' || kind === 'gemm' || kind === 'attention') && dims.length !== 2) return null;
  const [rows, cols, orientation] = orient(node, slot, kind, dims, traced.transposed);
  return make(node, slot, kind, tensor, [], rows, cols, dense, traced.path, orientation);
}

/** `[rows, cols]` in PyTorch orientation: MatMul B and Gemm B without transB are stored `[in, out]`. */
function orient(node: NodeRecord, slot: number, kind: ConsumerKind, dims: readonly number[], transposed: boolean): [number, number, 'in-out' | 'out-in'] {
  const logical = transposed && dims.length === 2 ? [dims[1]!, dims[0]!] : dims;
  const wantsTranspose = slot === 1 && (kind === 'matmul' || kind === 'attention' || (kind === 'gemm' && intAttribute(node, 'transB', 0) === 0));
  const orientation = wantsTranspose !== transposed && dims.length === 2 ? 'in-out' : 'out-in';
  return wantsTranspose ? [logical[1]!, logical[0]!, orientation] : [...matrixShape(logical), orientation];
}

function matrixShape(dims: readonly number[]): [number, number] {
  if (dims.length === 0) return [1, 1];
  if (dims.length === 1) return [1, dims[0]!];
  return [dims[0]!, dims.slice(1).reduce((a, b) => a * b, 1)];
}

function make(
  node: NodeRecord,
  slot: number,
  kind: ConsumerKind,
  tensor: TensorRecord,
  companions: readonly TensorRecord[],
  rows: number,
  cols: number,
  format: WeightFormat,
  path: readonly NodeRecord[],
  storedOrientation: 'in-out' | 'out-in' = 'out-in',
): WeightUse {
  return { node, slot, kind, tensor, companions, rows, cols, format, storedType: tensor.dataType, storedOrientation, path };
}

function companionsOf(lookup: GraphLookup, node: NodeRecord, slots: readonly number[]): TensorRecord[] {
  return slots.flatMap((slot) => {
    const tensor = lookup.tensor(node.inputs[slot] ?? '', node.graphId);
    return tensor === undefined ? [] : [tensor];
  });
}

function intAttribute(node: NodeRecord, name: string, fallback: number): number {
  const found = node.attributes.find((a) => a.name === name);
  return found?.kind === 'int' ? found.value : fallback;
}

function baseName(name: string): string {
  return name.replace(/_quantized$/, '');
}

/** The weight scale of a MatMulInteger: `Mul(Cast(out), Mul(a_scale, w_scale))` (onnxruntime's dynamic quantizer), else `<w>_scale`. */
function dynamicScale(lookup: GraphLookup, node: NodeRecord, weight: TensorRecord): TensorRecord | undefined {
  const frontier = [node.outputs[0] ?? ''];
  for (let step = 0; step < 4 && frontier.length > 0; step++) {
    const value = frontier.shift() ?? '';
    for (const { node: consumer, slot } of lookup.consumers(value, node.graphId)) {
      if (consumer.opType === 'Cast') frontier.push(consumer.outputs[0] ?? '');
      if (consumer.opType !== 'Mul') continue;
      const other = lookup.producer(consumer.inputs[1 - slot] ?? '', node.graphId)?.node;
      if (other?.opType !== 'Mul') continue;
      const scale = other.inputs.map((input) => lookup.tensor(input, node.graphId)).find((t) => t !== undefined);
      if (scale !== undefined) return scale;
    }
  }
  return lookup.tensor(`${baseName(weight.name)}_scale`, node.graphId);
}
